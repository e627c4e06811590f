"""Rich renderables from untrusted strings, the one way the CLI and the TUI show them.

Answers, bank and rubric text, LLM output, stored records and file names never go to Rich as a
markup string (a `[/]` in them would crash or restyle the output) and never carry terminal control
(`interviewer.core.safe_text.clean` takes it out). Table cells are `Text` too: `Table.add_row`
reads a plain string as markup.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from interviewer.core.safe_text import clean, one_line

if TYPE_CHECKING:
    from rich.markdown import Markdown
    from rich.style import StyleType
    from rich.text import Text

__all__ = ["cell", "clean", "markdown", "one_line", "safe_text", "styled"]


def safe_text(value: object, style: StyleType = "") -> Text:
    """`value` as Rich `Text` with its terminal control removed; never read as markup."""
    from rich.text import Text

    return Text(clean(str(value)), style=style)


def cell(value: object, style: StyleType = "") -> Text:
    """One table cell or one-line label: `safe_text` with line breaks and tabs as spaces."""
    from rich.text import Text

    return Text(one_line(str(value)), style=style)


def styled(*parts: str | tuple[str, StyleType]) -> Text:
    """`Text.assemble` over untrusted parts: each string (or (string, style)) is cleaned."""
    from rich.text import Text

    text = Text()
    for part in parts:
        if isinstance(part, tuple):
            text.append(clean(part[0]), style=part[1])
        else:
            text.append(clean(part))
    return text


def markdown(value: str) -> Markdown:
    """Untrusted Markdown (a model answer, LLM feedback): control removed, and links written out
    as `label (url)` instead of a terminal hyperlink whose target the reader cannot see."""
    from rich.markdown import Markdown

    return Markdown(clean(value), hyperlinks=False)
