"""The core stays pure: importing it loads no UI, ML runtime or LLM client."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import interviewer.core

HEAVY = ("textual", "torch", "sentence_transformers", "openai", "transformers")


def _core_modules() -> list[str]:
    """Every module of the core, in its topic packages too."""
    found = pkgutil.walk_packages(interviewer.core.__path__, prefix="interviewer.core.")
    return sorted(m.name for m in found)


def test_core_has_modules() -> None:
    modules = _core_modules()
    assert len(modules) >= 20
    assert "interviewer.core.grading.grader" in modules  # the walk reaches into the topics


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


def test_no_module_of_the_package_imports_itself_back() -> None:
    """No import circle, TYPE_CHECKING imports included: for every direct import A -> B, B never
    leads back to A."""
    import grimp

    graph = grimp.build_graph("interviewer")
    circles = sorted(
        (module, imported)
        for module in graph.modules
        for imported in graph.find_modules_directly_imported_by(module)
        if graph.chain_exists(importer=imported, imported=module)
    )
    assert len(graph.modules) > 80
    assert circles == []
