"""The external benchmarks through the drafting path (issue 15's second target).

    .venv/bin/python -m eval.drafted_benchmarks [--json]

Mohler and SemEval-2013 questions come with reference answers and no key points. Each becomes a
bank question (its text as the prompt, its reference answers as the model answer, and as its one
key point the first reference answer, as a user would write the point it must make), gets a rubric from `draft_rubric` (the path of
`interviewer rubric draft` and the on-the-fly draft), and every student answer is scored by the
grader with the shipped scoring map and verifier (`--no-verifier`: the similarity map alone),
exactly as an answer to a user's own bank would be. The
grader's 0-100 score then stands where `interviewer eval --benchmark` uses the raw similarity to the
reference:
- Mohler (open-ended answers): Pearson and Spearman r with the graders' average, no training;
- SemEval-2013 2-way: the score cut that maximises macro-F1 on each corpus's train split, applied
  to its unseen-answer, unseen-question (and unseen-domain) test splits.
The data is read from ../shared/eval-external/ and never copied. Prints both beside the plain
similarity numbers of `interviewer eval --benchmark` (run here too, on the same embedder).
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from eval.drafted import drafted_grader
from interviewer.core.bank.schema import MAX_LABEL, Difficulty, Question
from interviewer.core.grading.grader import Grader, ScoreRequest
from interviewer.evaluation import external, metrics
from interviewer.evaluation.zero_shot import pair_similarity
from interviewer.wiring import default_embedder, default_verifier, load_context


def _label(reference: str) -> str:
    """The first reference answer as a key point, cut at a word within the label limit."""
    text = " ".join(reference.split())
    if len(text) <= MAX_LABEL:
        return text
    return text[: MAX_LABEL - 1].rsplit(" ", 1)[0] + "…"


def _slug(*parts: str) -> str:
    text = "-".join(parts).lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:80] or "q"


def _question(qid: str, text: str, references: Sequence[str], number: int) -> Question:
    answer = "\n".join(f"- {r.strip()}" for r in dict.fromkeys(references) if r.strip())
    return Question(
        id=qid,
        number=number,
        category="benchmark",
        title=text[:120],
        prompt=text,
        difficulty=Difficulty.MID,
        answer=answer,
        key_points=[_label(references[0])],
    )


def _grade(grader: Grader, rows: Sequence[tuple[str, str]]) -> np.ndarray:
    results = grader.score_batch([ScoreRequest(q, a) for q, a in rows])
    return np.array([r.score for r in results], dtype=np.float64)


def mohler(embedder: Any, params: Any, verifier: Any = None) -> dict[str, float]:
    rows = [r for r in external._jsonl("mohler", "mohler.jsonl") if r["open_ended"]]
    by_question: dict[str, dict[str, Any]] = {}
    for r in rows:
        by_question.setdefault(_slug("mohler", r["question_id"]), r)
    questions = [
        _question(qid, r["question"], [r["reference_answer"]], i + 1)
        for i, (qid, r) in enumerate(sorted(by_question.items()))
    ]
    grader = drafted_grader(embedder, questions, params, verifier)
    scores = _grade(
        grader, [(_slug("mohler", r["question_id"]), r["student_answer"]) for r in rows]
    )
    gold = np.array([r["score_avg"] for r in rows], dtype=np.float64)
    return {
        "n": float(len(rows)),
        "pearson": metrics.pearson(scores, gold),
        "spearman": metrics.spearman(scores, gold),
    }


def semeval(embedder: Any, params: Any, verifier: Any = None) -> dict[str, Any]:
    specs = list(external._jsonl("semeval2013", "semeval2013_questions.jsonl"))
    questions = [
        _question(
            _slug(q["corpus"], q["question_id"]),
            q["question"],
            [r["text"] for r in q["reference_answers"]],
            i + 1,
        )
        for i, q in enumerate(specs)
    ]
    grader = drafted_grader(embedder, questions, params, verifier)
    by_split: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for answer in external._jsonl("semeval2013", "semeval2013_2way.jsonl"):
        by_split.setdefault((answer["corpus"], answer["split"]), []).append(answer)
    out: dict[str, Any] = {}
    for corpus in sorted({c for c, _ in by_split}):
        train = by_split[(corpus, "train")]
        train_scores = _grade(
            grader, [(_slug(corpus, a["question_id"]), a["student_answer"]) for a in train]
        )
        cut = external.best_threshold(train_scores, external._labels_2way(train))
        out[f"{corpus}/threshold"] = cut
        for split in [s for s in external.TEST_SPLITS if (corpus, s) in by_split]:
            answers = by_split[(corpus, split)]
            scores = _grade(
                grader, [(_slug(corpus, a["question_id"]), a["student_answer"]) for a in answers]
            )
            gold = external._labels_2way(answers)
            predicted = (scores >= cut).astype(np.int64)
            out[f"{corpus}/{split}"] = {
                "n": int(gold.size),
                "macro_f1": metrics.macro_f1(gold, predicted, labels=[0, 1]),
                "accuracy": metrics.accuracy(gold, predicted),
            }
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a scoring-map setting (e.g. one_liner_words=0), to see what a short-answer "
        "benchmark pays for the interview calibration",
    )
    parser.add_argument("--skip-plain", action="store_true", help="skip the plain-similarity run")
    parser.add_argument(
        "--no-verifier", action="store_true", help="the similarity map alone, without the verifier"
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    embedder = default_embedder()
    context = load_context()
    verifier = None if args.no_verifier else default_verifier()
    params = context.verifier_params if verifier and context.verifier_params else context.params
    verifier = verifier if params.uses_verifier else None
    for pair in args.param:
        name, _, value = pair.partition("=")
        params = params.model_copy(update={name: type(getattr(params, name))(float(value))})
    drafted = {
        "mohler": mohler(embedder, params, verifier),
        "semeval": semeval(embedder, params, verifier),
    }
    plain: dict[str, Any] = {"mohler": {"pearson": float("nan"), "spearman": float("nan")}}
    plain["semeval"] = {}
    if not args.skip_plain:
        similarity = pair_similarity(embedder)
        plain_mohler = external.run_mohler(similarity)
        plain["mohler"] = {k: plain_mohler[k] for k in ("pearson", "spearman")}
        plain["semeval"] = {
            k: dict(v) for k, v in external.run_semeval(similarity)["splits"].items()
        }
    seconds = time.perf_counter() - started
    if args.json:
        print(
            json.dumps({"drafted": drafted, "similarity": plain, "seconds": seconds}, default=float)
        )
        return 0
    print(f"model {embedder.name}; {seconds:.0f} s")
    m = drafted["mohler"]
    print(
        f"mohler r: drafted rubric {m['pearson']:.3f} (rho {m['spearman']:.3f}); plain similarity "
        f"{plain['mohler']['pearson']:.3f} (rho {plain['mohler']['spearman']:.3f})"
    )
    for key, value in drafted["semeval"].items():
        if key.endswith("/threshold"):
            continue
        base = plain["semeval"].get(key, {})
        print(
            f"semeval {key:22s} macro-F1 drafted {value['macro_f1']:.3f}, plain similarity "
            f"{base.get('macro_f1', float('nan')):.3f} (n {value['n']})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
