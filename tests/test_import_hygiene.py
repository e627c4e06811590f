"""The core stays pure: importing it loads no UI, ML runtime or LLM client."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import interviewer.core

HEAVY = ("textual", "torch", "sentence_transformers", "openai", "transformers")


def _core_modules() -> list[str]:
    return sorted(
        f"interviewer.core.{m.name}" for m in pkgutil.iter_modules(interviewer.core.__path__)
    )


def test_core_has_modules() -> None:
    assert len(_core_modules()) >= 5


def test_importing_the_core_loads_nothing_heavy() -> None:
    code = (
        "import sys, importlib\n"
        f"for name in {_core_modules()!r}: importlib.import_module(name)\n"
        f"print([m for m in {HEAVY!r} if m in sys.modules])\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"


def test_importing_the_package_and_cli_is_cheap() -> None:
    code = (
        "import sys, interviewer, interviewer.cli\n"
        f"print([m for m in {HEAVY!r} if m in sys.modules])\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"
