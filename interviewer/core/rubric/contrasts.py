"""Rule-made mistake statements: what a drafted rubric can say wrongly from the answer's own material.

A model answer that contrasts terms ("token bucket vs leaky bucket", a table with a column per
option) gives the swap: the statement with the terms exchanged is a fluent, plausible, wrong one.
A statement of direction ("writes synchronously", "latency increases") gives the inversion. Only
what the answer itself offers is used; a statement with neither yields no mistake.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

_PAREN = re.compile(r"\s*\([^)]*\)")
_TITLE_LIST = re.compile(r":\s*(?P<items>[^:]+)$")
_VS = re.compile(r"\s+(?:vs\.?|versus)\s+", re.IGNORECASE)

_DIRECTIONS = (
    ("increases", "decreases"),
    ("increase", "decrease"),
    ("before", "after"),
    ("synchronously", "asynchronously"),
    ("synchronous", "asynchronous"),
    ("sync", "async"),
    ("more", "less"),
    ("faster", "slower"),
    ("higher", "lower"),
    ("high", "low"),
    ("larger", "smaller"),
    ("stronger", "weaker"),
    ("strong", "weak"),
    ("always", "never"),
    ("stateless", "stateful"),
    ("easier", "harder"),
    ("simpler", "more complex"),
    ("horizontal", "vertical"),
    ("inbound", "outbound"),
    ("upstream", "downstream"),
    ("first", "last"),
    ("allows", "prevents"),
    ("best", "worst"),
)
_INVERSE = {a: b for a, b in _DIRECTIONS} | {b: a for a, b in _DIRECTIONS if " " not in b}
_DIRECTION = re.compile(
    r"(?<![\w-])("
    + "|".join(sorted(map(re.escape, _INVERSE), key=len, reverse=True))
    + r")(?![\w-])",
    re.IGNORECASE,
)


def _term(text: str) -> str:
    return re.sub(r"\s+", " ", _PAREN.sub("", text)).strip(" .,;:*`\"'")


def title_groups(title: str) -> list[list[str]]:
    """Contrasted terms named by a title: "A vs B" (as many words a side as the shorter side has)
    and "Topic: a, b, c"."""
    groups: list[list[str]] = []
    parts = _VS.split(_term(title))
    if len(parts) == 2:
        left = parts[0].split(":")[-1].split()
        right = parts[1].split()
        size = min(len(left), len(right))
        if size:
            groups.append([" ".join(left[-size:]), " ".join(right[:size])])
    listed = _TITLE_LIST.search(title)
    if listed is not None:
        items = [_term(i) for i in re.split(r",|\band\b", listed.group("items"))]
        items = [i for i in items if i and len(i.split()) <= 3]
        if len(items) >= 2:
            groups.append(items)
    return groups


def table_groups(header: Sequence[str], rows: Sequence[str], elsewhere: str) -> list[list[str]]:
    """A table's column headers (after the first) and its row labels are contrasts when at least
    half of them, and two or more, also appear outside the table: the options being compared, not
    the aspects they are compared on."""
    groups: list[list[str]] = []
    text = elsewhere.casefold()
    for candidates in (header[1:], rows):
        terms = [_term(c) for c in candidates if _term(c)]
        present = [t for t in terms if _pattern(t).search(text)]
        if len(terms) >= 2 and len(present) >= 2 and 2 * len(present) >= len(terms):
            groups.append(terms)
    return groups


def _pattern(term: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w-])" + re.escape(term) + r"(?![\w-])", re.IGNORECASE)


def _cased(replacement: str, found: str) -> str:
    if found[:1].isupper() and replacement[:1].islower():
        return replacement[:1].upper() + replacement[1:]
    if found[:1].islower() and replacement[:1].isupper() and replacement[1:2].islower():
        return replacement[:1].lower() + replacement[1:]
    return replacement


def _present(statement: str, group: Sequence[str]) -> tuple[re.Pattern[str], list[str]]:
    terms = sorted(dict.fromkeys(group), key=len, reverse=True)
    joined = re.compile(
        r"(?<![\w-])(" + "|".join(map(re.escape, terms)) + r")(?![\w-])", re.IGNORECASE
    )
    return joined, list(dict.fromkeys(m.group(1).casefold() for m in joined.finditer(statement)))


def _replaced(statement: str, joined: re.Pattern[str], mapping: dict[str, str]) -> str:
    return joined.sub(lambda m: _cased(mapping[m.group(1).casefold()], m.group(1)), statement)


def swapped(statement: str, groups: Iterable[Sequence[str]]) -> str | None:
    """The statement with a group's terms exchanged (each present term by the next one), or None.
    The group with the most terms in the statement wins ("Monolith ... Microservices" swaps the
    table's pair, not the title's "Monolithic" for "Microservices")."""
    found = [(g, *_present(statement, g)) for g in groups if len(set(g)) >= 2]
    found.sort(key=lambda item: -len(item[2]))
    for group, joined, present in found:
        if not present:
            continue
        order = [t.casefold() for t in group]
        if len(present) == 1:
            mapping = {present[0]: group[(order.index(present[0]) + 1) % len(group)]}
        else:
            by_fold = {t.casefold(): t for t in group}
            turned = [*present[1:], present[0]]
            mapping = {a: by_fold[b] for a, b in zip(present, turned, strict=True)}
        result = _replaced(statement, joined, mapping)
        if result.casefold() != statement.casefold():
            return result
    return None


def inverted(statement: str) -> str | None:
    """The statement with its first word of direction turned round ("before" -> "after"), or None."""
    found = _DIRECTION.search(statement)
    if found is None:
        return None
    word = found.group(1)
    replacement = _cased(_INVERSE[word.casefold()], word)
    return statement[: found.start()] + replacement + statement[found.end() :]


def mistake_for(statement: str, groups: Sequence[Sequence[str]]) -> str | None:
    """A swap where the answer's contrasts reach the statement, else an inversion, else None."""
    return swapped(statement, groups) or inverted(statement)
