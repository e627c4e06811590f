"""Train the embedding-head verifier (an MLP over [u, v, |u-v|, u*v] of frozen MiniLM embeddings).

    .venv/bin/python -m eval.verifier.train_head                     # the shipped head
    .venv/bin/python -m eval.verifier.train_head --folds 3 --out DIR # a head per fold of questions

Training data: our claim sentences (eval/verifier/claims/) and the rubrics' statements, never the
labelled evaluation answers. Deterministic for a seed. Takes seconds once the sentences are embedded
(the embeddings are cached on disk like the grader's).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from eval.verifier.pairs import (
    CLAIMS,
    LABELS,
    build_pairs,
    data_hash,
    load_claims,
)
from interviewer.core.grading.embedding import StatementCache
from interviewer.core.rubric.loading import load_rubric_set
from interviewer.evaluation.verifiers.head import HeadWeights, pair_features
from interviewer.paths import Paths, checkout_dir, shipped_verifier_dir
from interviewer.wiring import default_embedder

RUBRICS = checkout_dir() / "rubrics"
SHIPPED = shipped_verifier_dir() / "head"  # where evaluation.verifiers.loading looks


def fit(
    x: np.ndarray, y: np.ndarray, *, hidden: int, epochs: int, seed: int, decay: float
) -> HeadWeights:
    import torch

    torch.manual_seed(seed)
    mean = x.mean(axis=0)
    scale = x.std(axis=0) + 1e-6
    xt = torch.tensor((x - mean) / scale, dtype=torch.float32)
    yt = torch.tensor(y, dtype=torch.long)
    model = torch.nn.Sequential(
        torch.nn.Dropout(0.1),
        torch.nn.Linear(x.shape[1], hidden),
        torch.nn.ReLU(),
        torch.nn.Dropout(0.2),
        torch.nn.Linear(hidden, len(LABELS)),
    )
    counts = np.bincount(y, minlength=len(LABELS))
    weights = torch.tensor(
        counts.sum() / (len(LABELS) * np.maximum(counts, 1)), dtype=torch.float32
    )
    loss_fn = torch.nn.CrossEntropyLoss(weight=weights)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=decay)
    generator = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        model.train()
        order = torch.randperm(len(xt), generator=generator)
        for start in range(0, len(order), 128):
            index = order[start : start + 128]
            loss = loss_fn(model(xt[index]), yt[index])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    linear = [m for m in model if isinstance(m, torch.nn.Linear)]
    layers = [(m.weight.detach().numpy().T.copy(), m.bias.detach().numpy().copy()) for m in linear]
    return HeadWeights(layers, mean.astype(np.float32), scale.astype(np.float32))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--folds", type=int, default=0)
    parser.add_argument("--out", type=Path, default=SHIPPED)
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--epochs", type=int, default=25)
    parser.add_argument("--decay", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    started = time.perf_counter()
    rubrics = load_rubric_set([RUBRICS]).rubrics
    claims = load_claims(CLAIMS)
    questions = sorted(q for q in rubrics if q in claims)
    embedder = default_embedder()
    cache = StatementCache(embedder, Paths.from_env().cache)
    folds = (
        [questions] if args.folds == 0 else [questions[k :: args.folds] for k in range(args.folds)]
    )
    assignment: dict[str, int] = {}
    for k, held_out in enumerate(folds):
        train_questions = (
            questions if args.folds == 0 else [q for q in questions if q not in held_out]
        )
        pairs = build_pairs(rubrics, claims, train_questions, seed=args.seed)
        u = cache.encode([p.sentence for p in pairs])
        v = cache.encode([p.statement for p in pairs])
        cache.save()
        x = pair_features(u, v)
        y = np.array([int(p.relation) for p in pairs])
        weights = fit(
            x, y, hidden=args.hidden, epochs=args.epochs, seed=args.seed, decay=args.decay
        )
        accuracy = float(np.mean(weights.probabilities(x).argmax(axis=1) == y))
        target = args.out if args.folds == 0 else args.out / f"fold{k}"
        meta = {
            "kind": "head",
            "data_hash": data_hash(pairs),
            "pairs": len(pairs),
            "embedder": embedder.name,
            "questions": train_questions,
            "held_out": [] if args.folds == 0 else held_out,
            "hidden": args.hidden,
            "epochs": args.epochs,
            "decay": args.decay,
            "seed": args.seed,
            "train_accuracy": round(accuracy, 4),
            "labels": LABELS,
        }
        weights.save(target, meta)
        for q in held_out if args.folds else []:
            assignment[q] = k
        print(
            f"fold {k}: {len(pairs)} pairs, train accuracy {accuracy:.3f} -> {target}", flush=True
        )
    if args.folds:
        (args.out / "folds.json").write_text(json.dumps(assignment, indent=2) + "\n")
    print(f"done in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
