"""Reading a scenario file into plain data plus a map from field path to line number.

YAML is read with PyYAML's safe loader (no Python tags) and duplicate keys are errors; TOML with
``tomllib``. The line map lets validation errors point at the line of the offending field.

A scenario is a few KB, so input that would exhaust time or memory is refused before it costs
either, each with a one-line ``ScenarioError`` naming the file:

- a file larger than ``MAX_SCENARIO_BYTES`` (1 MiB), before it is parsed (at most that much is
  ever read, so a special file without an end is refused too);
- a YAML document with more than ``MAX_ALIASES`` (1,000) aliases, or one that expands to more
  than ``MAX_NODES`` (100,000) nodes with every alias counted as the whole collection it
  names: a "billion laughs" of a few hundred bytes (nested lists of aliases) is refused after
  composing a few dozen nodes instead of building billions;
- an alias inside the collection it names (a document that expands forever).

The YAML budget is kept twice: by a pass over libyaml's event stream (about 0.1 s for 100,000
events, where PyYAML's pure-Python composer needs about 1.7 s) and by the composer itself
(``_BoundedLoader``), so that it holds even where libyaml is missing or disagrees.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from optimizer.errors import ScenarioError

FieldPath = tuple[str | int, ...]

MAX_SCENARIO_BYTES = 1 << 20
"""Largest scenario file read (1 MiB); a real scenario is a few KB, data live in the files it
names."""
MAX_ALIASES = 1_000
"""Most YAML aliases (``*name``) in one scenario."""
MAX_NODES = 100_000
"""Most YAML nodes in one scenario, each alias counted as the whole collection it names."""


@dataclass
class ScenarioSource:
    """A scenario file's parsed content.

    Attributes:
        path: the file, as given.
        data: the parsed document (normally a dict).
        lines: 1-based line of each field path found in the file.
    """

    path: Path
    data: Any
    lines: dict[FieldPath, int] = field(default_factory=dict)

    def line_of(self, location: FieldPath) -> int:
        """Line of ``location`` or of its nearest ancestor present in the file (1 if none)."""
        for end in range(len(location), 0, -1):
            line = self.lines.get(tuple(location[:end]))
            if line is not None:
                return line
        return 1

    def problem(self, location: FieldPath, message: str) -> str:
        """Format one problem as ``file:line: dotted.field: message``."""
        dotted = ".".join(str(part) for part in location)
        prefix = f"{self.path}:{self.line_of(location)}"
        return f"{prefix}: {dotted}: {message}" if dotted else f"{prefix}: {message}"


def read_scenario_source(path: Path) -> ScenarioSource:
    """Read ``path`` (``.yaml``/``.yml`` or ``.toml``) into a ``ScenarioSource``.

    Raises:
        ScenarioError: unreadable file, not text, empty, syntax error, duplicate key, or a
            document that is not a mapping at the top level.
    """
    suffix = path.suffix.lower()
    if suffix not in (".yaml", ".yml", ".toml"):
        raise ScenarioError(
            [f"{path}: unsupported scenario file type '{suffix}' (expected .yaml, .yml or .toml)"]
        )
    raw = _read_capped(path)
    text = _decode(path, raw)
    if not text.strip():
        raise _empty(path)
    source = _parse_toml(path, text) if suffix == ".toml" else _parse_yaml(path, text)
    if not isinstance(source.data, dict):
        got = describe_type(source.data)
        raise ScenarioError([f"{path}:1: expected a mapping at the top level (got {got})"])
    return source


def _read_capped(path: Path) -> bytes:
    """The bytes of ``path``, refused when there are more than ``MAX_SCENARIO_BYTES`` (only
    that many and one more are ever read).

    Raises:
        ScenarioError: a folder, an unreadable file, or a file that is too large.
    """
    try:
        with path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            raw = b"" if size > MAX_SCENARIO_BYTES else handle.read(MAX_SCENARIO_BYTES + 1)
    except IsADirectoryError:
        raise ScenarioError([f"{path}: is a folder, not a scenario file"]) from None
    except OSError as error:
        raise ScenarioError([f"{path}: cannot read scenario file: {error.strerror}"]) from None
    if size > MAX_SCENARIO_BYTES or len(raw) > MAX_SCENARIO_BYTES:
        got = f"{size:,} bytes" if size > MAX_SCENARIO_BYTES else "it does not end there"
        raise ScenarioError(
            [
                f"{path}: scenario file too large (at most {MAX_SCENARIO_BYTES:,} bytes; "
                f"{got}): a scenario is a few KB, data belong in the files it names"
            ]
        )
    return raw


def _empty(path: Path) -> ScenarioError:
    return ScenarioError([f"{path}:1: file is empty (expected a mapping with at least 'name')"])


def describe_type(value: object) -> str:
    """The YAML word for ``value``'s type: 'a mapping', 'a list', 'text', 'an integer', ..."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "a boolean"
    words = {dict: "a mapping", list: "a list", str: "text", int: "an integer", float: "a number"}
    for kind, word in words.items():
        if isinstance(value, kind):
            return word
    return f"a {type(value).__name__}"


def _decode(path: Path, raw: bytes) -> str:
    """UTF-8 text of ``raw``; binary content is an error naming the line of the first bad byte."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        byte = raw[error.start]
        reason = f"invalid UTF-8 byte 0x{byte:02x} at offset {error.start}"
        raise ScenarioError([f"{path}:{line}: not a text file ({reason})"]) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise ScenarioError([f"{path}:{line}: not a text file (NUL byte)"])
    return text.removeprefix("\ufeff")


class _YamlBudget:
    """Counts a YAML document's aliases and expanded nodes as it is read; refuses the document
    beyond ``MAX_ALIASES`` or ``MAX_NODES`` (see the module docstring)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.aliases = 0
        self.nodes = 0

    def alias(self, mark: yaml.Mark | None) -> None:
        """One more alias, at ``mark``."""
        self.aliases += 1
        if self.aliases > MAX_ALIASES:
            raise self._refusal(mark, f"more than {MAX_ALIASES:,} aliases")

    def add(self, nodes: int | None, mark: yaml.Mark | None) -> None:
        """``nodes`` more nodes (``None``: an alias inside the collection it names)."""
        if nodes is None:
            raise self._refusal(mark, "an alias names a collection that contains itself")
        self.nodes += nodes
        if self.nodes > MAX_NODES:
            what = f"more than {MAX_NODES:,} nodes, each alias counted in full"
            raise self._refusal(mark, what)

    def _refusal(self, mark: yaml.Mark | None, what: str) -> ScenarioError:
        line = mark.line + 1 if mark is not None else 1
        return ScenarioError(
            [f"{self.path}:{line}: YAML document too large ({what}); a scenario is a few KB"]
        )


def _check_yaml_events(path: Path, text: str) -> None:
    """Keep the YAML budget over libyaml's event stream (fast); a syntax error ends the pass
    quietly, as the composer reports it with PyYAML's own wording.

    Raises:
        ScenarioError: too many aliases or nodes, or a self-containing alias.
    """
    loader_class = getattr(yaml, "CSafeLoader", None)
    if loader_class is None:
        return
    budget = _YamlBudget(path)
    sizes: dict[str, int | None] = {}  # anchor → expanded nodes (None while still open)
    open_collections: list[tuple[str | None, int]] = []  # (anchor, nodes before it)
    try:
        for event in yaml.parse(text, Loader=loader_class):
            if isinstance(event, yaml.AliasEvent):
                budget.alias(event.start_mark)
                budget.add(sizes.get(event.anchor, 1), event.start_mark)
            elif isinstance(event, yaml.ScalarEvent):
                budget.add(1, event.start_mark)
                if event.anchor is not None:
                    sizes[event.anchor] = 1
            elif isinstance(event, yaml.CollectionStartEvent):
                open_collections.append((event.anchor, budget.nodes))
                if event.anchor is not None:
                    sizes[event.anchor] = None
                budget.add(1, event.start_mark)
            elif isinstance(event, yaml.CollectionEndEvent):
                anchor, before = open_collections.pop()
                if anchor is not None:
                    sizes[anchor] = budget.nodes - before
    except yaml.YAMLError:
        return


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader that keeps the YAML budget while it composes the document."""

    def __init__(self, text: str, path: Path) -> None:
        super().__init__(text)
        self.budget = _YamlBudget(path)
        self.sizes: dict[int, int] = {}  # id(node) → expanded nodes, once composed

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            self.budget.alias(mark)
            node = super().compose_node(parent, index)
            self.budget.add(self.sizes.get(id(node)), mark)
            return node
        before = self.budget.nodes
        self.budget.add(1, self.peek_event().start_mark)
        node = super().compose_node(parent, index)
        self.sizes[id(node)] = self.budget.nodes - before
        return node


def _parse_yaml(path: Path, text: str) -> ScenarioSource:
    _check_yaml_events(path, text)
    try:
        loader = _BoundedLoader(text, path)
    except yaml.YAMLError as error:
        raise _yaml_error(path, text, error) from None
    try:
        node = loader.get_single_node()
        if node is None:
            raise _empty(path)
        lines: dict[FieldPath, int] = {}
        _record_yaml_lines(path, node, (), lines)
        data = loader.construct_document(node)
    except yaml.YAMLError as error:
        raise _yaml_error(path, text, error) from None
    except RecursionError:
        raise ScenarioError([f"{path}:1: the document is nested too deeply"]) from None
    finally:
        loader.dispose()
    return ScenarioSource(path, data, lines)


def _yaml_error(path: Path, text: str, error: yaml.YAMLError) -> ScenarioError:
    """A one-line ``ScenarioError`` for a YAML syntax or character error."""
    if isinstance(error, yaml.MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else 1
        reason = error.problem or error.context or "syntax error"
    else:
        position = getattr(error, "position", 0) or 0
        line = text[:position].count("\n") + 1
        reason = getattr(error, "reason", None) or str(error).splitlines()[0]
    return ScenarioError([f"{path}:{line}: not valid YAML: {reason}"])


def _record_yaml_lines(
    path: Path, node: yaml.Node, location: FieldPath, lines: dict[FieldPath, int]
) -> None:
    """Fill ``lines`` with the line of every mapping key and list item below ``node``."""
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else repr(key_node.value)
            line = key_node.start_mark.line + 1
            if key in seen and key != "<<":
                raise ScenarioError(
                    [
                        f"{path}:{line}: {'.'.join(map(str, (*location, key)))}: "
                        f"duplicate key (first defined on line {seen[key]})"
                    ]
                )
            seen[key] = line
            lines[(*location, key)] = line
            _record_yaml_lines(path, value_node, (*location, key), lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[(*location, index)] = item.start_mark.line + 1
            _record_yaml_lines(path, item, (*location, index), lines)


_TOML_TABLE = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?")
_TOML_KEY = re.compile(r"^\s*([A-Za-z0-9_.\"' -]+?)\s*=")
_TOML_LINE = re.compile(r"line (\d+)")


def _parse_toml(path: Path, text: str) -> ScenarioSource:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        match = _TOML_LINE.search(str(error))
        line = match.group(1) if match else "1"
        reason = str(error).split(" (at ")[0]
        raise ScenarioError([f"{path}:{line}: not valid TOML: {reason}"]) from None
    return ScenarioSource(path, data, _toml_lines(text))


def _toml_lines(text: str) -> dict[FieldPath, int]:
    """Line of each table header and key in a TOML text (arrays of tables get indices)."""
    lines: dict[FieldPath, int] = {}
    table: FieldPath = ()
    array_counts: dict[FieldPath, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        header = _TOML_TABLE.match(line)
        if header:
            table = tuple(part.strip().strip("\"'") for part in header.group(2).split("."))
            if header.group(1) == "[[":
                index = array_counts.get(table, 0)
                array_counts[table] = index + 1
                lines.setdefault(table, number)
                table = (*table, index)
            lines[table] = number
            continue
        key = _TOML_KEY.match(line)
        if key:
            dotted = tuple(part.strip().strip("\"'") for part in key.group(1).split("."))
            lines[(*table, *dotted)] = number
    return lines
