"""Measure an NLI verifier artifact (from `eval.verifier.train_nli`) against the embedding baseline.

    .venv/bin/python -m eval.verifier.measure_nli eval/verifier/cv_nli/final
    .venv/bin/python -m eval.verifier.measure_nli none        # embedding baseline only

Prints the numbers and writes cv_nli/measure_<artifact folder name>.json:
  a. generic held-out accuracy: SICK test (3-way), ANLI dev_r1 (3-way), RTE dev (2-way);
  b. SemEval-2013 unseen questions (scientsbank / beetle test_uq): 2-way macro-F1 (correct =
     entailment vs the rest, predicted = argmax is entailment) and 3-way accuracy;
  c. eval/labelled/ (never trained on): answers split into sentences; per key point of the
     question's rubric each sentence is paired with its closest evidence statement e* and its
     closest mistake statement m* (cosine, packaged MiniLM). Answer-level signals, each a max
     over sentences and key points:
        nli_mistake_delta  P(entail m*) - P(entail e*)
        nli_contra_sim     P(contradict e*) * cos(s, e*)
        emb_margin         cos(s, m*) - cos(s, e*)          (the embedding baseline)
        combo              z(nli_mistake_delta) + z(emb_margin)
     ROC-AUC for "contains an error" (positive: kinds wrong, mixed, wrong-recommendation) against
     (clean) the clean sound kinds strong, short-expert, missing-one, partial; (realistic) every
     other kind. Per key point: grader-covered (1) vs not (0), and "stated wrongly" (error kind and
     coverage 0) vs every other (answer, key point). Reported on all questions and on the
     questions held out of stage 2 (every 3rd in sorted order).
  Inference speed: pairs/s on the in-domain pairs, --threads threads, batch 64.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import time
from pathlib import Path

from eval.verifier.nli_common import (
    CV,
    LABEL_ID,
    LABELLED,
    NLI,
    Embedder,
    heldout_questions,
    load_artifact,
    load_claims,
    load_rubrics,
    predict,
    read_jsonl,
    split_sentences,
)

ERROR_KINDS = {"wrong", "mixed", "wrong-recommendation"}
CLEAN_SOUND = {"strong", "short-expert", "missing-one", "partial"}
ENT, NEU, CON = LABEL_ID["entailment"], LABEL_ID["neutral"], LABEL_ID["contradiction"]


def auc(labels, scores):
    from sklearn.metrics import roc_auc_score

    if len(set(labels)) < 2:
        return None
    return round(float(roc_auc_score(labels, scores)), 4)


# ----------------------------------------------------------------------------- a, b


def generic(model, tok, batch: int) -> dict:
    import numpy as np

    out = {}
    for name, path, mode in (
        ("sick_test_3way_acc", NLI / "sick" / "test.jsonl", 3),
        ("anli_dev_r1_3way_acc", NLI / "anli" / "dev_r1.jsonl", 3),
        ("rte_dev_2way_acc", NLI / "rte" / "dev.jsonl", 2),
    ):
        rows = [r for r in read_jsonl(path) if r["label"] in LABEL_ID]
        probs = predict(model, tok, [(r["premise"], r["hypothesis"]) for r in rows], batch)
        gold = np.array([LABEL_ID[r["label"]] for r in rows])
        pred = probs.argmax(1)
        if mode == 2:
            acc = float(((pred == ENT) == (gold == ENT)).mean())
        else:
            acc = float((pred == gold).mean())
        out[name] = round(acc, 4)
        out[name.replace("_acc", "_n")] = len(rows)
    return out


def semeval(model, tok, batch: int) -> dict:
    import numpy as np
    from sklearn.metrics import f1_score

    three = {"correct": ENT, "contradictory": CON, "incorrect": NEU}
    out = {}
    for name in ("scientsbank", "beetle"):
        rows = read_jsonl(NLI / name / "test_uq.jsonl")
        probs = predict(model, tok, [(r["premise"], r["hypothesis"]) for r in rows], batch)
        pred = probs.argmax(1)
        gold3 = np.array([three[r["label_3way"]] for r in rows])
        gold2 = gold3 == ENT
        pred2 = pred == ENT
        out[f"{name}_uq_2way_macro_f1"] = round(float(f1_score(gold2, pred2, average="macro")), 4)
        out[f"{name}_uq_2way_acc"] = round(float((gold2 == pred2).mean()), 4)
        out[f"{name}_uq_3way_acc"] = round(float((pred == gold3).mean()), 4)
        out[f"{name}_uq_3way_macro_f1"] = round(float(f1_score(gold3, pred, average="macro")), 4)
        out[f"{name}_uq_n"] = len(rows)
    return out


# ----------------------------------------------------------------------------- c


def in_domain(model, tok, batch: int, embedder: Embedder, limit: int = 0) -> dict:
    import numpy as np

    rubrics = load_rubrics()
    answers = [
        r
        for path in sorted(LABELLED.glob("*.jsonl"))
        for r in read_jsonl(path)
        if r.get("part", "main") == "main" and r["question"] in rubrics
    ]
    if limit:
        answers = answers[:: max(1, len(answers) // limit)][:limit]
    questions = sorted(set(load_claims()) & set(rubrics))
    held = set(heldout_questions(questions))

    # (answer, kp) units with each sentence's closest evidence / mistake
    units = []  # dicts: a (answer idx), k, ev_sim[], mi_sim[] per sentence, pair indices
    pairs: list[tuple[str, str]] = []
    pair_index: dict[tuple[str, str], int] = {}

    def pid(p: tuple[str, str]) -> int:
        if p not in pair_index:
            pair_index[p] = len(pairs)
            pairs.append(p)
        return pair_index[p]

    for a, r in enumerate(answers):
        sents = split_sentences(r["answer"])
        svec = embedder.encode(sents)
        for k, kp in enumerate(rubrics[r["question"]]["key_points"]):
            ev, mi = list(kp.get("evidence") or []), list(kp.get("mistakes") or [])
            esim = svec @ embedder.encode(ev).T if ev else np.zeros((len(sents), 0))
            msim = svec @ embedder.encode(mi).T if mi else np.zeros((len(sents), 0))
            unit = {
                "a": a,
                "k": k,
                "cov": r["coverage"][k] if k < len(r["coverage"]) else None,
                "e_sim": [],
                "m_sim": [],
                "e_pid": [],
                "m_pid": [],
            }
            for i, s in enumerate(sents):
                if ev:
                    j = int(esim[i].argmax())
                    unit["e_sim"].append(float(esim[i, j]))
                    unit["e_pid"].append(pid((s, ev[j])))
                if mi:
                    j = int(msim[i].argmax())
                    unit["m_sim"].append(float(msim[i, j]))
                    unit["m_pid"].append(pid((s, mi[j])))
            units.append(unit)

    t = time.perf_counter()
    if model is not None:
        probs = predict(model, tok, pairs, batch)
    else:
        probs = np.full((len(pairs), 3), np.nan, dtype=np.float32)
    secs = time.perf_counter() - t
    speed = {
        "pairs": len(pairs),
        "seconds": round(secs, 1),
        "pairs_per_s": round(len(pairs) / secs, 1) if model is not None else None,
    }

    # per-unit signals
    for u in units:
        e_p = probs[u["e_pid"]] if u["e_pid"] else np.zeros((0, 3))
        m_p = probs[u["m_pid"]] if u["m_pid"] else np.zeros((0, 3))
        e_sim, m_sim = np.array(u["e_sim"]), np.array(u["m_sim"])
        both = len(u["m_pid"]) > 0 and len(u["e_pid"]) > 0
        u["nli_mistake_delta"] = float((m_p[:, ENT] - e_p[:, ENT]).max()) if both else -1.0
        u["nli_contra_sim"] = float((e_p[:, CON] * e_sim).max()) if len(e_sim) else 0.0
        u["emb_margin"] = float((m_sim - e_sim).max()) if both else -1.0
        u["max_cos_e"] = float(e_sim.max()) if len(e_sim) else 0.0
        u["max_p_ent_e"] = float(e_p[:, ENT].max()) if len(e_p) else 0.0
        u["max_p_ent_e_x_cos"] = float((e_p[:, ENT] * e_sim).max()) if len(e_p) else 0.0
        u["max_p_ent_minus_con_e"] = float((e_p[:, ENT] - e_p[:, CON]).max()) if len(e_p) else 0.0
        u["max_p_con_e"] = float(e_p[:, CON].max()) if len(e_p) else 0.0

    def z(values):
        v = np.array(values, dtype=float)
        return (v - np.nanmean(v)) / (np.nanstd(v) + 1e-9)

    # answer-level: max over key points
    ans_signals = {}
    for name in ("nli_mistake_delta", "nli_contra_sim", "emb_margin"):
        per = np.full(len(answers), -np.inf)
        for u in units:
            per[u["a"]] = max(per[u["a"]], u[name])
        ans_signals[name] = per
    ans_signals["combo_delta_plus_margin"] = z(ans_signals["nli_mistake_delta"]) + z(
        ans_signals["emb_margin"]
    )
    ans_signals["combo_contra_plus_margin"] = z(ans_signals["nli_contra_sim"]) + z(
        ans_signals["emb_margin"]
    )

    kinds = np.array([r["kind"] for r in answers])
    is_held = np.array([r["question"] in held for r in answers])
    is_err = np.isin(kinds, list(ERROR_KINDS))
    result: dict = {"answers": len(answers), "heldout_questions": sorted(held), "speed": speed}
    for scope, mask in (("all", np.ones(len(answers), bool)), ("heldout", is_held)):
        res = {}
        for setting, neg in (("clean", np.isin(kinds, list(CLEAN_SOUND))), ("realistic", ~is_err)):
            sel = mask & (is_err | neg)
            if setting == "clean":
                sel = mask & ((kinds == "wrong") | neg)
            labels = is_err[sel].astype(int)
            res[setting] = {"n_pos": int(labels.sum()), "n_neg": int((1 - labels).sum())}
            for name, vals in ans_signals.items():
                if (model is None and "nli" in name) or (model is None and "combo" in name):
                    continue
                res[setting][name] = auc(labels, vals[sel])
        # per error kind vs realistic negatives, main signals
        per_kind = {}
        for kind in sorted(ERROR_KINDS):
            sel = mask & ((kinds == kind) | ~is_err)
            labels = (kinds[sel] == kind).astype(int)
            per_kind[kind] = {
                name: auc(labels, ans_signals[name][sel])
                for name in ans_signals
                if model is not None or name == "emb_margin"
            }
        res["per_error_kind_vs_sound"] = per_kind

        # key-point level
        us = [u for u in units if mask[u["a"]] and u["cov"] is not None]
        cov = np.array([u["cov"] for u in us], dtype=float)
        kp = {}
        names = [
            "max_cos_e",
            "max_p_ent_e",
            "max_p_ent_e_x_cos",
            "max_p_ent_minus_con_e",
            "max_p_con_e",
            "nli_contra_sim",
        ]
        if model is None:
            names = ["max_cos_e"]
        for label, sel in (
            ("covered1_vs_0", cov != 0.5),
            ("covered_ge_half_vs_0", np.ones(len(us), bool)),
        ):
            y = (cov[sel] > 0).astype(int)
            kp[label] = {"n_pos": int(y.sum()), "n_neg": int((1 - y).sum())}
            for name in names:
                kp[label][name] = auc(y, np.array([u[name] for u in us])[sel])
        wrong_kp = np.array([kinds[u["a"]] in ERROR_KINDS and u["cov"] == 0 for u in us]).astype(
            int
        )
        kp["stated_wrongly_vs_rest"] = {
            "n_pos": int(wrong_kp.sum()),
            "n_neg": int((1 - wrong_kp).sum()),
        }
        for name in ["emb_margin", "nli_mistake_delta", "nli_contra_sim", "max_p_con_e"]:
            if model is None and name != "emb_margin":
                continue
            kp["stated_wrongly_vs_rest"][name] = auc(wrong_kp, np.array([u[name] for u in us]))
        res["key_point"] = kp
        result[scope] = res
    return result


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "artifact", help="artifact folder, or 'none' for the embedding baseline only"
    )
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--skip-public", action="store_true", help="only the in-domain part (c)")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument(
        "--limit-answers", type=int, default=0, help="smoke test on a spread of N answers"
    )
    args = parser.parse_args()

    import torch

    torch.set_num_threads(args.threads)
    with contextlib.suppress(RuntimeError):  # already set: torch allows it only once
        torch.set_num_interop_threads(1)
    t0 = time.perf_counter()
    model = tok = None
    name = "embedding-baseline"
    if args.artifact != "none":
        path = Path(args.artifact)
        model, tok = load_artifact(path)
        name = path.name
    report: dict = {"artifact": args.artifact, "threads": args.threads, "batch": args.batch}
    if model is not None and not args.skip_public:
        report["generic"] = generic(model, tok, args.batch)
        print("generic:", json.dumps(report["generic"]), flush=True)
        report["semeval_uq"] = semeval(model, tok, args.batch)
        print("semeval UQ:", json.dumps(report["semeval_uq"]), flush=True)
    embedder = Embedder()
    report["in_domain"] = in_domain(model, tok, args.batch, embedder, args.limit_answers)
    print("in-domain:", json.dumps(report["in_domain"], indent=1), flush=True)
    report["seconds"] = round(time.perf_counter() - t0, 1)
    out = args.out or CV / f"measure_{name}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {out} in {report['seconds']} s", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
