"""Where the app reads and writes: the project's bank and rubrics, and the user's directories.

`INTERVIEWER_HOME` overrides every per-user location (tests point it at a temporary directory).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _project_dir(name: str) -> Path:
    """The shipped copy inside a wheel, else the repository's folder (editable install)."""
    packaged = _PACKAGE / "_data" / name
    return packaged if packaged.is_dir() else _PACKAGE.parent / name


def weights_dir() -> Path:
    """Trained weights shipped inside the package (`interviewer/weights/`)."""
    return _PACKAGE / "weights"


def tuned_layers_file() -> Path:
    """Our transformer layers over the packaged MiniLM (trained by eval/verifier/train_embedder.py)."""
    return weights_dir() / "contrast" / "layers.safetensors"


def shipped_statements_file() -> Path:
    """Embeddings of the project's rubric statements (built by eval/build_statement_cache.py)."""
    return weights_dir() / "statements" / "rubrics.npz"


def shipped_verifier_dir() -> Path:
    """Where the shipped verifier's artifacts live (the NLI cross-encoder is in nli/)."""
    return weights_dir() / "verifier"


def checkout_dir() -> Path:
    """The repository checkout (eval data, reports, training claims); absent in a wheel install."""
    return _PACKAGE.parent


def eval_dir() -> Path:
    """Labelled answers, reports and verifier training data: checkout only, never shipped."""
    return checkout_dir() / "eval"


@dataclass(frozen=True)
class Paths:
    home: Path

    @classmethod
    def from_env(cls) -> Paths:
        override = os.environ.get("INTERVIEWER_HOME")
        if override:
            return cls(Path(override).expanduser())
        from platformdirs import user_data_path

        return cls(user_data_path("interviewer", appauthor=False))

    @property
    def project_banks(self) -> Path:
        return _project_dir("bank")

    @property
    def project_rubrics(self) -> Path:
        return _project_dir("rubrics")

    @property
    def user_banks(self) -> Path:
        return self.home / "banks"

    @property
    def user_rubrics(self) -> Path:
        return self.home / "rubrics"

    @property
    def cache(self) -> Path:
        return self.home / "cache"

    @property
    def database(self) -> Path:
        return self.home / "transcripts.sqlite3"

    @property
    def config_file(self) -> Path:
        return self.home / "config.toml"

    def bank_dirs(self) -> list[Path]:
        return [self.project_banks, self.user_banks]
