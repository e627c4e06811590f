"""Experiment (not shipped): the cross-encoder verifier with automatic minimal flips added.

    .venv/bin/python -m eval.verifier.experiments.train_flips --out /tmp/flips --epochs 2
    .venv/bin/interviewer tune --verifier-folds /tmp/flips --dry-run

Every question's claim pairs (closest pairing, as `train.py`) plus, for each evidence statement and
supporting claim that names a swappable term (`eval/verifier/contrasts.yaml`) or a general antonym,
its flipped version paired as CONTRADICTS with the original and with the closest other statement.
Case is kept, so a flip cannot be told apart by its capital letters. The labelled answers are never
used. Measured: see eval/README.md, "The verifier, measured".
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

import numpy as np

from eval.verifier.pairs import (
    CLAIMS,
    GENERAL_FLIPS,
    LABELS,
    Pair,
    Relation,
    build_pairs,
    data_hash,
    flip,
    load_claims,
    load_contrasts,
    memoised,
)
from eval.verifier.train import RUBRICS, train
from interviewer.adapters.embedder import SentenceTransformerEmbedder
from interviewer.core.rubric.loading import load_rubric_set
from interviewer.evaluation.verifiers.cross_encoder import save_artifact


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--layers", type=int, default=3)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    contrasts = load_contrasts()
    rubrics = load_rubric_set([RUBRICS]).rubrics
    claims = load_claims(CLAIMS)
    questions = sorted(q for q in rubrics if q in claims)
    encode = memoised(SentenceTransformerEmbedder().encode)

    pairs = build_pairs(rubrics, claims, questions, seed=args.seed, encode=encode)
    rng = random.Random(args.seed)
    flips: list[Pair] = []
    for question in questions:
        swaps = contrasts.get(question, []) + list(GENERAL_FLIPS)
        for index, kp in enumerate(rubrics[question].key_points):
            evidence = list(kp.evidence)
            for sentence in evidence + list(claims[question][index].get("supports", [])):
                options = [f for f in (flip(sentence, p) for p in swaps) if f]
                rng.shuffle(options)
                for flipped in options[:2]:
                    if sentence in evidence:
                        flips.append(Pair(question, index, flipped, sentence, Relation.CONTRADICTS))
                    order = np.argsort(-(encode([flipped]) @ encode(evidence).T)[0])
                    near = [evidence[int(i)] for i in order if evidence[int(i)] != sentence][:1]
                    flips += [Pair(question, index, flipped, e, Relation.CONTRADICTS) for e in near]
    print(f"{len(pairs)} claim pairs + {len(flips)} flips", flush=True)
    everything = pairs + flips
    random.Random(args.seed).shuffle(everything)
    started = time.perf_counter()
    model, _ = train(
        everything, epochs=args.epochs, lr=5e-5, batch_size=32, seed=args.seed, layers=args.layers
    )
    meta = {
        "data_hash": data_hash(everything),
        "pairs": len(everything),
        "flips": len(flips),
        "epochs": args.epochs,
        "layers": args.layers,
        "seconds": round(time.perf_counter() - started, 1),
        "labels": LABELS,
    }
    save_artifact(model, args.out, meta)
    print(f"saved {args.out} in {meta['seconds']} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
