"""Evaluation harnesses: how well a scorer agrees with human grades on labelled answers.

Harnesses take the scorer as a plain function (texts in, numbers out) instead of importing the
embedding model, so they run with a fake in the tests and with the real model from a command; this
package imports numpy, rich and the core, never Textual, torch, sentence-transformers or openai.
"""

from __future__ import annotations
