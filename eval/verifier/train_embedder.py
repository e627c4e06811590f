"""Fine-tune the packaged MiniLM so a swapped statement no longer sits next to the right one.

    .venv/bin/python -m eval.verifier.train_embedder              # the shipped layers (all questions)
    .venv/bin/python -m eval.verifier.train_embedder --folds 3 --out DIR   # per fold of questions,
        then each fold's held-out questions scored by its model and the map fitted leave-one-out

Triplets (anchor, positive, negative), all our own writing, never the labelled answers: the anchor is
an evidence statement or a supporting claim of a key point (`eval/verifier/claims/`), the positive the
closest other evidence statement of that point, the negative a minimal flip of the positive (its
swappable terms exchanged, `eval/verifier/contrasts.yaml`, or a general antonym) or, when nothing in
it flips, the contradicting claim closest to it. Loss: in-batch multiple-negatives ranking plus a
margin between positive and negative. The word embeddings stay frozen, so the artifact holds only
the six transformer layers (fp16, about 21 MB) and loads over the packaged model. Deterministic for
a seed on the CPU.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import time
from pathlib import Path
from typing import Any

import numpy as np

from eval.verifier.pairs import (
    CLAIMS,
    GENERAL_FLIPS,
    flip,
    load_claims,
    load_contrasts,
    memoised,
)
from interviewer.adapters.embedder import (
    TUNED_LAYERS,
    offline_environment,
    packaged_model_path,
    save_layers,
)
from interviewer.core.rubric.loading import load_rubric_set
from interviewer.paths import checkout_dir

Triplet = tuple[str, str, str]


def triplets_for(
    model: Any, questions: list[str], rubrics: Any, claims: Any, seed: int
) -> list[Triplet]:
    rng = random.Random(seed)
    contrasts = load_contrasts()
    encode = memoised(lambda texts: model.encode(texts, normalize_embeddings=True, batch_size=64))

    triplets: list[Triplet] = []
    for question in questions:
        swaps = contrasts.get(question, []) + list(GENERAL_FLIPS)
        entries = claims.get(question, [])
        for index, kp in enumerate(rubrics[question].key_points):
            entry = entries[index] if index < len(entries) else {}
            evidence = list(kp.evidence)
            wrong = list(entry.get("contradicts", [])) + list(kp.mistakes)
            anchors = list(dict.fromkeys(evidence + list(entry.get("supports", []))))
            sims = encode(anchors) @ encode(evidence).T
            for row, anchor in enumerate(anchors):
                order = [int(j) for j in np.argsort(-sims[row]) if evidence[int(j)] != anchor]
                if not order:
                    continue
                positive = evidence[order[0]]
                flips = [f for f in (flip(positive, pair) for pair in swaps) if f]
                if flips:
                    negative = rng.choice(flips)
                elif wrong:
                    negative = wrong[int(np.argmax(encode([positive]) @ encode(wrong).T))]
                else:
                    continue
                triplets.append((anchor, positive, negative))
    return triplets


def train(triplets: list[Triplet], *, epochs: int, lr: float, batch_size: int, seed: int) -> Any:
    import torch
    from sentence_transformers import SentenceTransformer

    torch.manual_seed(seed)
    rng = random.Random(seed)
    model = SentenceTransformer(str(packaged_model_path()), device="cpu", local_files_only=True)
    model.train()
    for parameter in model[0].auto_model.embeddings.parameters():
        parameter.requires_grad = False
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=lr, weight_decay=0.01)
    steps = epochs * ((len(triplets) + batch_size - 1) // batch_size)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min(1.0, (s + 1) / (0.1 * steps)) * max(0.0, (steps - s) / steps)
    )

    def embed(texts: list[str]) -> Any:
        features = model.preprocess(texts)
        return torch.nn.functional.normalize(model(features)["sentence_embedding"], dim=-1)

    order = list(triplets)
    for epoch in range(epochs):
        rng.shuffle(order)
        total = 0.0
        for start in range(0, len(order), batch_size):
            batch = order[start : start + batch_size]
            anchor, positive, negative = (embed([t[i] for t in batch]) for i in range(3))
            scores = anchor @ torch.cat([positive, negative]).T * 20.0
            loss = torch.nn.functional.cross_entropy(scores, torch.arange(len(batch)))
            gap = (anchor * positive).sum(-1) - (anchor * negative).sum(-1)
            loss = loss + torch.relu(0.1 - gap).mean()
            loss.backward()
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            total += float(loss.detach()) * len(batch)
        print(f"  epoch {epoch + 1}/{epochs}: loss {total / len(order):.4f}", flush=True)
    model.eval()
    return model


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--folds", type=int, default=0, help="one model per fold of questions")
    parser.add_argument("--out", type=Path, default=TUNED_LAYERS.parent)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--lr", type=float, default=2e-5)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    offline_environment()
    from sentence_transformers import SentenceTransformer

    rubrics = load_rubric_set([checkout_dir() / "rubrics"]).rubrics
    claims = load_claims(CLAIMS)
    questions = sorted(q for q in rubrics if q in claims)
    base = SentenceTransformer(str(packaged_model_path()), device="cpu", local_files_only=True)
    folds = (
        [questions] if args.folds == 0 else [questions[k :: args.folds] for k in range(args.folds)]
    )
    assignment: dict[str, int] = {}
    for k, held_out in enumerate(folds):
        train_on = questions if args.folds == 0 else [q for q in questions if q not in held_out]
        triplets = triplets_for(base, train_on, rubrics, claims, args.seed)
        print(f"fold {k}: {len(triplets)} triplets from {len(train_on)} questions", flush=True)
        started = time.perf_counter()
        model = train(
            triplets, epochs=args.epochs, lr=args.lr, batch_size=args.batch_size, seed=args.seed
        )
        digest = hashlib.sha256("\n".join("\t".join(t) for t in sorted(triplets)).encode())
        target = args.out if args.folds == 0 else args.out / f"fold{k}"
        meta = {
            "data_hash": digest.hexdigest(),
            "triplets": len(triplets),
            "questions": train_on,
            "held_out": [] if args.folds == 0 else held_out,
            "epochs": args.epochs,
            "lr": args.lr,
            "batch_size": args.batch_size,
            "seed": args.seed,
            "seconds": round(time.perf_counter() - started, 1),
        }
        save_layers(model, target, meta)
        for q in held_out if args.folds else []:
            assignment[q] = k
        print(f"fold {k}: saved {target} in {meta['seconds']} s", flush=True)
    if args.folds:
        (args.out / "folds.json").write_text(json.dumps(assignment, indent=2) + "\n")
        evaluate_folds(args.out, assignment)
    return 0


def evaluate_folds(directory: Path, assignment: dict[str, int]) -> None:
    """Each labelled answer scored with the layers that never saw its question's claims, then the
    similarity map fitted leave-one-question-out, as `interviewer tune` does with one model."""
    from interviewer.adapters.embedder import SentenceTransformerEmbedder
    from interviewer.commands.tune import _parts
    from interviewer.core.grading.grader import ScoreRequest
    from interviewer.core.grading.params import FEATURES, VERIFIER_FEATURES
    from interviewer.evaluation import tuning
    from interviewer.evaluation.evaluator import KeyPointEvaluator
    from interviewer.evaluation.labelled import load_labelled
    from interviewer.wiring import build_grader, load_context

    context = load_context()
    answers = [a for a in load_labelled() if a.question in assignment]
    results: list[Any] = [None] * len(answers)
    for fold in sorted(set(assignment.values())):
        layers = directory / f"fold{fold}" / "layers.safetensors"
        grader = build_grader(
            context,
            SentenceTransformerEmbedder(layers=layers),
            params=context.params,
        )
        picked = [i for i, a in enumerate(answers) if assignment[a.question] == fold]
        requests = [
            ScoreRequest(answers[i].question, answers[i].answer, answers[i].part) for i in picked
        ]
        for i, result in zip(picked, grader.score_batch(requests), strict=True):
            results[i] = result
    names = [f for f in FEATURES if f not in VERIFIER_FEATURES]
    evaluator = KeyPointEvaluator(answers)
    held = evaluator.evaluate(tuning.cross_validated(answers, results, _parts(context), names, 1.0))
    print("held out (layers without the question's claims, map leave-one-question-out):")
    for subset in ("", "clean_", "messy_"):
        prefix = f"labelled_{subset}"
        print(
            f"  {subset.rstrip('_') or 'all':5s} kp AUC {held[prefix + 'kp_auc']:.3f}  "
            f"Spearman {held[prefix + 'spearman']:.3f}  kp QWK {held[prefix + 'kp_qwk']:.3f}"
        )
    kinds = evaluator.details["per_kind"]
    print(
        "  mean score per kind (graders x10): "
        + ", ".join(f"{k} {v['score']:.0f} ({v['graders']:.0f})" for k, v in kinds.items())
    )


if __name__ == "__main__":
    raise SystemExit(main())
