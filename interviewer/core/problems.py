"""Clear, one-line problems for files a user can break: banks and rubrics."""

from __future__ import annotations

import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError


@dataclass(frozen=True)
class Problem:
    file: str
    where: str  # "question <id>", "question #<n>", "bank", "rubric"
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.where}: {self.field}: {self.message}"


class FileProblems(Exception):
    """One or more problems in a file; each prints as one line."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = list(problems)


# Limits on a user's YAML, enforced while it is read and parsed, before any model sees it: a bank or
# rubric is a few hundred KB at most, and nothing in it needs deep nesting, many aliases or huge ints.
MAX_YAML_BYTES = 2_000_000
MAX_YAML_DEPTH = 40
MAX_YAML_ALIASES = 1_000
MAX_YAML_NODES = 50_000  # as written: the shipped bank has about 1,000; 50,000 parse in seconds
# the values plus the characters of every text, counted with each alias expanded: a file that
# repeats one long text through thousands of aliases would make `bank list --json` write gigabytes
MAX_YAML_EXPANDED = 10_000_000
MAX_YAML_INT_DIGITS = 100


class _LimitExceeded(yaml.YAMLError):
    def __init__(self, message: str, mark: Any = None) -> None:
        super().__init__(message)
        self.problem = message
        self.problem_mark = mark


class _Limits:
    """Refuses, while composing, what would hang or crash later (before yaml's Composer)."""

    _depth = 0
    _aliases = 0
    _nodes = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[attr-defined]
        if isinstance(event, yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_YAML_ALIASES:
                raise _LimitExceeded(f"more than {MAX_YAML_ALIASES} aliases", event.start_mark)
            return super().compose_node(parent, index)  # type: ignore[misc,no-any-return]
        self._nodes += 1
        if self._nodes > MAX_YAML_NODES:
            raise _LimitExceeded(f"more than {MAX_YAML_NODES} values", event.start_mark)
        if self._depth >= MAX_YAML_DEPTH:
            raise _LimitExceeded(f"nested deeper than {MAX_YAML_DEPTH} levels", event.start_mark)
        self._depth += 1
        try:
            return super().compose_node(parent, index)  # type: ignore[misc,no-any-return]
        finally:
            self._depth -= 1


class _LimitedLoader(_Limits, yaml.SafeLoader):
    """yaml.safe_load's loader with the limits: PyYAML's own scanner and parser, in Python."""


def _construct_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    text = str(node.value)
    if sum(char.isalnum() for char in text) > MAX_YAML_INT_DIGITS:
        raise _LimitExceeded(
            f"an integer longer than {MAX_YAML_INT_DIGITS} digits", node.start_mark
        )
    value: int = loader.construct_yaml_int(node)
    return value


_LimitedLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)

_FastLimitedLoader: type[_Limits] | None = None
if yaml.__with_libyaml__:
    from yaml._yaml import CParser

    class _CLimitedLoader(
        _Limits,
        yaml.composer.Composer,
        CParser,
        yaml.constructor.SafeConstructor,
        yaml.resolver.Resolver,
    ):
        """The same, on libyaml's events: 8x faster (the shipped rubrics parse in 50 ms, not
        400: the TUI's "model ready"). Our composer builds the nodes, so the limits hold, and
        libyaml hands out one event at a time: it never recurses on a deep document."""

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            yaml.composer.Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)

    _CLimitedLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
    _FastLimitedLoader = _CLimitedLoader


def _check_expansion(node: yaml.Node, depth: int, seen: dict[int, tuple[int, int]]) -> int:
    """The node's height with aliases expanded, refusing cycles, depth and amplification. `seen`
    holds (expanded size, height) of measured nodes, a shared one measured once; -1 height marks
    a node still being measured."""
    known = seen.get(id(node))
    if known is not None:
        if known[1] < 0:
            raise _LimitExceeded("an alias refers to its own ancestor", node.start_mark)
        if depth + known[1] > MAX_YAML_DEPTH:
            raise _LimitExceeded(
                f"nested deeper than {MAX_YAML_DEPTH} levels (through aliases)", node.start_mark
            )
        return known[1]
    if depth >= MAX_YAML_DEPTH:
        raise _LimitExceeded(
            f"nested deeper than {MAX_YAML_DEPTH} levels (through aliases)", node.start_mark
        )
    seen[id(node)] = (0, -1)
    children: list[yaml.Node] = []
    if isinstance(node, yaml.SequenceNode):
        children = list(node.value)
    elif isinstance(node, yaml.MappingNode):
        children = [item for pair in node.value for item in pair]
    height = 1 + max((_check_expansion(child, depth + 1, seen) for child in children), default=0)
    own = len(node.value) if isinstance(node, yaml.ScalarNode) else 0
    size = 1 + own + sum(seen[id(child)][0] for child in children)
    if size > MAX_YAML_EXPANDED:
        raise _LimitExceeded(
            f"over {MAX_YAML_EXPANDED} values and characters once aliases are expanded",
            node.start_mark,
        )
    seen[id(node)] = (size, height)
    return height


def _parse_yaml(text: str) -> Any:
    if _FastLimitedLoader is None:
        return _load(_LimitedLoader, text)
    try:
        return _load(_FastLimitedLoader, text)
    except _LimitExceeded:
        raise
    except yaml.YAMLError:  # PyYAML's own parser says why (naming the character), as before
        return _load(_LimitedLoader, text)


def _load(loader_class: type[_Limits], text: str) -> Any:
    loader: Any = loader_class(text)  # type: ignore[call-arg]
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_expansion(node, 0, {})
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _read_text(path: Path) -> str:
    """The file's text; only a regular file of bounded size is opened (a FIFO would block)."""
    try:
        status = path.stat()
    except OSError as error:
        raise FileProblems(
            [Problem(str(path), "file", "read", error.strerror or str(error))]
        ) from None
    if not stat.S_ISREG(status.st_mode):
        raise FileProblems([Problem(str(path), "file", "read", "not a regular file")])
    if status.st_size > MAX_YAML_BYTES:
        raise FileProblems(
            [
                Problem(
                    str(path),
                    "file",
                    "size",
                    f"{status.st_size} bytes; the limit is {MAX_YAML_BYTES}",
                )
            ]
        )
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_YAML_BYTES + 1)
    except OSError as error:
        raise FileProblems(
            [Problem(str(path), "file", "read", error.strerror or str(error))]
        ) from None
    if len(data) > MAX_YAML_BYTES:
        raise FileProblems(
            [Problem(str(path), "file", "size", f"over the limit of {MAX_YAML_BYTES} bytes")]
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FileProblems(
            [Problem(str(path), "file", "encoding", f"not UTF-8 ({error.reason})")]
        ) from None


def read_yaml(path: Path) -> Any:
    """Parse a bank or rubric file, or raise FileProblems with the line of the problem: bad
    syntax, or a file past the size, depth, alias or integer limits above."""
    text = _read_text(path)
    try:
        return _parse_yaml(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "file"
        reason = getattr(error, "problem", None) or str(error).splitlines()[0]
        if not isinstance(error, _LimitExceeded):
            reason = f"malformed YAML: {reason}"
        raise FileProblems([Problem(str(path), where, "yaml", reason)]) from None
    except Exception as error:  # untrusted input: PyYAML's constructors raise, e.g.
        # ValueError for the date 2024-02-30 and IndexError for an empty `!!int`
        raise FileProblems(
            [
                Problem(
                    str(path),
                    "file",
                    "yaml",
                    f"malformed YAML: {' '.join(str(error).split())[:200]}",
                )
            ]
        ) from None


def _label(items: Any, index: int, kind: str) -> str:
    if isinstance(items, list) and index < len(items) and isinstance(items[index], dict):
        item = items[index]
        if isinstance(item.get("id"), str):
            return f"{kind} {item['id']}"
        if "number" in item:
            return f"{kind} #{item['number']}"
    return f"{kind} {index + 1} (by position)"


def problems_from_validation(
    path: Path, error: ValidationError, data: Any, list_key: str, kind: str
) -> list[Problem]:
    """Turn pydantic's errors into lines naming the item (by id or number) and the field."""
    problems: list[Problem] = []
    items = data.get(list_key) if isinstance(data, dict) else None
    for detail in error.errors():
        loc = detail["loc"]
        message = str(detail["msg"]).removeprefix("Value error, ")
        if len(loc) >= 2 and loc[0] == list_key and isinstance(loc[1], int):
            where = _label(items, loc[1], kind)
            field = ".".join(str(part) for part in loc[2:]) or kind
        elif message.startswith(f"{kind} ") and ": " in message:
            where, _, rest = message.partition(": ")
            field, _, message = rest.partition(": ")
        else:
            where, field = (
                ("bank" if kind == "question" else "rubric"),
                (".".join(str(part) for part in loc) or "file"),
            )
        if detail["type"] == "missing":
            message = "missing"
        elif detail["type"] == "extra_forbidden":
            message = "unknown field"
        problems.append(Problem(str(path), where, field, message))
    return problems
