"""Train the claim verifier: a cross-encoder fine-tuned from the packaged MiniLM weights on CPU.

    .venv/bin/python -m eval.verifier.train                 # the shipped model (all questions)
    .venv/bin/python -m eval.verifier.train --folds 3 --out DIR   # one model per fold, for honest eval

Training data: our claim sentences (eval/verifier/claims/) and the rubrics' statements, never the
labelled evaluation answers. Deterministic for a seed (torch on CPU, fixed data order).
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

from eval.verifier.pairs import (
    CLAIMS,
    LABELS,
    Pair,
    build_pairs,
    data_hash,
    load_claims,
    memoised,
)
from interviewer.adapters.embedder import offline_environment, packaged_model_path
from interviewer.core.rubric.loading import load_rubric_set
from interviewer.evaluation.verifiers.cross_encoder import ARTIFACT, MAX_LENGTH, save_artifact
from interviewer.paths import checkout_dir

RUBRICS = checkout_dir() / "rubrics"


def train(pairs: list[Pair], *, epochs: int, lr: float, batch_size: int, seed: int, layers: int):
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    offline_environment()
    torch.manual_seed(seed)
    random.seed(seed)
    base = str(packaged_model_path())
    tokenizer = AutoTokenizer.from_pretrained(base, local_files_only=True)
    model = AutoModelForSequenceClassification.from_pretrained(
        base, num_labels=len(LABELS), local_files_only=True, num_hidden_layers=layers
    )
    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    steps = epochs * ((len(pairs) + batch_size - 1) // batch_size)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min(1.0, (s + 1) / (0.1 * steps)) * max(0.0, (steps - s) / steps)
    )
    counts = torch.bincount(torch.tensor([int(p.relation) for p in pairs]), minlength=len(LABELS))
    weights = (counts.sum() / (len(LABELS) * counts.clamp(min=1))).float()
    loss_fn = torch.nn.CrossEntropyLoss(weight=weights)
    rng = random.Random(seed)
    step = 0
    for epoch in range(epochs):
        order = list(range(len(pairs)))
        rng.shuffle(order)
        total = 0.0
        for start in range(0, len(order), batch_size):
            batch = [pairs[i] for i in order[start : start + batch_size]]
            # both orders: the verifier sees (answer span, evidence) at run time, but symmetry helps
            encoded = tokenizer(
                [p.sentence for p in batch],
                [p.statement for p in batch],
                padding=True,
                truncation=True,
                max_length=MAX_LENGTH,
                return_tensors="pt",
            )
            labels = torch.tensor([int(p.relation) for p in batch])
            loss = loss_fn(model(**encoded).logits, labels)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            total += float(loss) * len(batch)
            step += 1
        print(f"  epoch {epoch + 1}/{epochs}: loss {total / len(pairs):.4f}", flush=True)
    model.eval()
    return model, tokenizer


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--folds", type=int, default=0, help="train one model per fold of questions"
    )
    parser.add_argument("--out", type=Path, default=ARTIFACT)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--layers", type=int, default=6, help="keep the first N MiniLM layers")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument(
        "--pairing",
        choices=["closest", "random"],
        default="closest",
        help="pair each sentence with its closest evidence statements (as at run time) or random ones",
    )
    args = parser.parse_args()
    encode = None
    if args.pairing == "closest":
        from interviewer.adapters.embedder import SentenceTransformerEmbedder

        encode = memoised(SentenceTransformerEmbedder().encode)

    rubrics = load_rubric_set([RUBRICS]).rubrics
    claims = load_claims(CLAIMS)
    questions = sorted(q for q in rubrics if q in claims)
    print(f"{len(questions)} questions with claims")
    folds = (
        [questions] if args.folds == 0 else [questions[k :: args.folds] for k in range(args.folds)]
    )
    assignment: dict[str, int] = {}
    for k, held_out in enumerate(folds):
        train_questions = (
            questions if args.folds == 0 else [q for q in questions if q not in held_out]
        )
        pairs = build_pairs(rubrics, claims, train_questions, seed=args.seed, encode=encode)
        print(f"fold {k}: {len(pairs)} pairs from {len(train_questions)} questions", flush=True)
        started = time.perf_counter()
        model, _ = train(
            pairs,
            epochs=args.epochs,
            lr=args.lr,
            batch_size=args.batch_size,
            seed=args.seed,
            layers=args.layers,
        )
        target = args.out if args.folds == 0 else args.out / f"fold{k}"
        meta = {
            "data_hash": data_hash(pairs),
            "pairs": len(pairs),
            "questions": train_questions,
            "held_out": [] if args.folds == 0 else held_out,
            "epochs": args.epochs,
            "lr": args.lr,
            "batch_size": args.batch_size,
            "layers": args.layers,
            "seed": args.seed,
            "pairing": args.pairing,
            "seconds": round(time.perf_counter() - started, 1),
            "labels": LABELS,
        }
        save_artifact(model, target, meta)
        for q in held_out if args.folds else []:
            assignment[q] = k
        print(f"fold {k}: saved {target} in {meta['seconds']} s", flush=True)
    if args.folds:
        (args.out / "folds.json").write_text(json.dumps(assignment, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
