"""An AI-graded mock interviewer for architecture and system-design interviews.

Importing the package is cheap on purpose: torch, sentence-transformers, Textual and openai are
imported only inside the functions that need them.
"""

from __future__ import annotations

__version__ = "0.1.0"
