"""The grid file of ``svcplan sweep``: scenario key paths and the values each takes.

A grid is a YAML or TOML mapping from scenario key paths to lists of values; the variants are
the cross product of the lists. A key path is dotted (``siting.coverage_minutes``), or nested
as in the scenario itself (TOML's dotted keys are such tables); a list item is named by its
index (``siting.typed_posts.0.within_minutes``). A key with one value sets it in every
variant::

    siting.coverage_minutes: [10, 15, 20]
    siting.density.residents_per_station: [4000, 5000]
    outputs.formats: [[]]        # one value, in every variant: no layers or maps

Every variant is the scenario file's document with the grid's values set, validated exactly as
a scenario file is (``scenario_from_source``; data paths are taken from the scenario file's
folder); a defect is reported as ``grid-file:line: key: message`` with how many variants it
spoils, all defects at once, before any variant runs.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from optimizer.errors import ScenarioError
from optimizer.scenario import SCENARIO_SUFFIXES, Scenario, scenario_from_source
from optimizer.scenario_source import (
    FieldPath,
    ScenarioSource,
    describe_type,
    read_scenario_source,
)

MAX_VARIANTS = 10_000
"""Most variants one grid may make."""
MAX_NAME_CHARACTERS = 80
"""Longest variant folder name made of its values; longer ones are cut and get a digest."""


@dataclass(frozen=True)
class GridKey:
    """One key of the grid.

    Attributes:
        dotted: the scenario key path as written, e.g. ``siting.coverage_minutes``.
        path: the same path as parts (list indices as ints).
        values: the values it takes, in the grid's order.
        line: its line in the grid file.
    """

    dotted: str
    path: FieldPath
    values: tuple[Any, ...]
    line: int


@dataclass(frozen=True)
class Variant:
    """One point of the grid.

    Attributes:
        name: its output folder's name, made of the values of the keys that vary, e.g.
            ``coverage_minutes-10_residents_per_station-4000``.
        values: every grid key's value in this variant (dotted key → value).
        scenario: the validated scenario with those values.
    """

    name: str
    values: dict[str, Any]
    scenario: Scenario


@dataclass(frozen=True)
class Grid:
    """A scenario and the variants a grid makes of it.

    Attributes:
        scenario: the scenario file's own scenario.
        keys: the grid's keys.
        variants: the cross product, in the grid's order (the last key varies fastest).
    """

    scenario: Scenario
    keys: list[GridKey]
    variants: list[Variant]

    @property
    def varying(self) -> list[str]:
        """The dotted keys with more than one value (all keys when none has)."""
        return [key.dotted for key in _varying(self.keys)]


def load_grid(scenario_path: Path, grid_path: Path) -> Grid:
    """Read a scenario and a grid file and validate every variant.

    Returns:
        The ``Grid``.

    Raises:
        ScenarioError: a bad scenario (its own lines), or a bad grid: unreadable, not a
            mapping of key paths to lists of values, a key path the scenario cannot take, too
            many variants, or variants that fail validation (``grid-file:line: key: ...``).
    """
    source = read_scenario_source(scenario_path)
    scenario = scenario_from_source(source, base_dir=scenario_path.parent)
    keys = read_grid_keys(grid_path)
    count = 1
    for key in keys:
        count *= len(key.values)
    if count > MAX_VARIANTS:
        raise ScenarioError(
            [f"{grid_path}:1: the grid makes {count:,} variants (at most {MAX_VARIANTS:,})"]
        )
    lines = {
        key.path[:end]: key.line for key in reversed(keys) for end in range(1, 1 + len(key.path))
    }
    problems: Counter[str] = Counter()
    variants: list[Variant] = []
    combinations = list(itertools.product(*(key.values for key in keys)))
    names = _variant_names(keys, combinations)
    for name, combination in zip(names, combinations, strict=True):
        data = copy.deepcopy(source.data)
        spoilt: list[str] = []
        for key, value in zip(keys, combination, strict=True):
            try:
                _set_value(data, key, value, grid_path)
            except ScenarioError as error:
                spoilt += error.problems
        try:
            varied = ScenarioSource(grid_path, data, lines)
            variant = scenario_from_source(varied, base_dir=scenario_path.parent)
        except ScenarioError as error:
            spoilt += error.problems
        if spoilt:
            problems.update(dict.fromkeys(spoilt, 1))
            continue
        values = {key.dotted: value for key, value in zip(keys, combination, strict=True)}
        variants.append(Variant(name=name, values=values, scenario=variant))
    if problems:
        total = len(combinations)
        raise ScenarioError(
            [f"{problem} (in {count} of {total} variants)" for problem, count in problems.items()]
        )
    return Grid(scenario=scenario, keys=keys, variants=variants)


def read_grid_keys(grid_path: Path) -> list[GridKey]:
    """The keys of a grid file, each with its values and line.

    Raises:
        ScenarioError: not a YAML or TOML mapping, an empty one, a key whose values are not a
            non-empty list, a bad key path, or keys of which one contains another.
    """
    if grid_path.suffix.lower() not in SCENARIO_SUFFIXES:
        expected = ", ".join(SCENARIO_SUFFIXES)
        suffix = grid_path.suffix or "none"
        raise ScenarioError([f"{grid_path}: grid file type {suffix} (expected {expected})"])
    source = read_scenario_source(grid_path)
    keys: list[GridKey] = []
    problems: list[str] = []
    _collect_keys(source, source.data, (), (), keys, problems)
    if not keys and not problems:
        problems.append(f"{grid_path}:1: the grid has no keys (expected key: [values, ...])")
    for key in keys:
        for other in keys:
            if other is not key and other.path[: len(key.path)] == key.path:
                problems.append(
                    f"{grid_path}:{other.line}: {other.dotted}: lies inside {key.dotted} "
                    f"(line {key.line}); set one or the other"
                )
    if problems:
        raise ScenarioError(problems)
    return keys


def _collect_keys(
    source: ScenarioSource,
    node: dict[str, Any],
    where: FieldPath,
    prefix: FieldPath,
    keys: list[GridKey],
    problems: list[str],
) -> None:
    """Add the keys below mapping ``node`` (at ``where`` in the grid document, scenario path
    ``prefix``) to ``keys``; defects go to ``problems``."""
    for written, value in node.items():
        location = (*where, written)
        line = source.line_of(location)
        path = (*prefix, *_key_parts(str(written)))
        dotted = ".".join(str(part) for part in path)
        if not all(part != "" for part in path):
            problems.append(f"{source.path}:{line}: {dotted!r}: empty part in the key path")
        elif isinstance(value, dict):
            _collect_keys(source, value, location, path, keys, problems)
        elif not isinstance(value, list):
            problems.append(
                f"{source.path}:{line}: {dotted}: expected a list of values, e.g. [10, 15] "
                f"(got {describe_type(value)})"
            )
        elif not value:
            problems.append(f"{source.path}:{line}: {dotted}: expected at least one value")
        else:
            keys.append(GridKey(dotted=dotted, path=path, values=tuple(value), line=line))


def _key_parts(written: str) -> FieldPath:
    """``"siting.typed_posts.0.within_minutes"`` → ``("siting", "typed_posts", 0, ...)``."""
    return tuple(int(part) if part.isdigit() else part for part in written.split("."))


def _set_value(data: Any, key: GridKey, value: Any, grid_path: Path) -> None:
    """Set ``key`` to ``value`` in the scenario document ``data``; a missing or null mapping on
    the way is created.

    Raises:
        ScenarioError: the path runs through a value that is not a mapping (or, for an index,
            not a list long enough).
    """
    node = data
    for depth, part in enumerate(key.path):
        above = ".".join(str(item) for item in key.path[:depth]) or "the scenario"
        if isinstance(part, int):
            if not isinstance(node, list) or part >= len(node):
                items = f"a list of {len(node)}" if isinstance(node, list) else "not a list"
                raise ScenarioError(
                    [f"{grid_path}:{key.line}: {key.dotted}: {above} is {items} in the scenario"]
                )
        elif not isinstance(node, dict):
            raise ScenarioError(
                [f"{grid_path}:{key.line}: {key.dotted}: {above} is not a mapping in the scenario"]
            )
        if depth == len(key.path) - 1:
            node[part] = copy.deepcopy(value)
        else:
            if isinstance(node, dict) and node.get(part) is None:
                node[part] = {}
            node = node[part]


def _varying(keys: list[GridKey]) -> list[GridKey]:
    """The keys with more than one value, or all keys when none has."""
    return [key for key in keys if len(key.values) > 1] or keys


def _variant_names(keys: list[GridKey], combinations: list[tuple[Any, ...]]) -> list[str]:
    """Folder names of the variants: ``leaf-value`` of each varying key, joined by ``_``; a
    name that is too long or shared by two variants ends in a digest of its values."""
    varying = [keys.index(key) for key in _varying(keys)]
    names = [
        "_".join(f"{_leaf(keys[index].path)}-{_slug(combination[index])}" for index in varying)
        for combination in combinations
    ]
    shared = {name for name, count in Counter(names).items() if count > 1}
    return [
        f"{name[:MAX_NAME_CHARACTERS]}-{_digest(combination)}"
        if name in shared or len(name) > MAX_NAME_CHARACTERS
        else name
        for name, combination in zip(names, combinations, strict=True)
    ]


def _leaf(path: FieldPath) -> str:
    """The key's last name, with the list index after it when it ends in one."""
    if isinstance(path[-1], int) and len(path) > 1:
        return f"{path[-2]}{path[-1]}"
    return str(path[-1])


_UNSAFE = re.compile(r"[^A-Za-z0-9.+-]+")


def _slug(value: Any) -> str:
    """A value as file-name text: letters, digits, ``.``, ``+`` and ``-`` only."""
    text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
    return _UNSAFE.sub("", text) or "x"


def _digest(combination: tuple[Any, ...]) -> str:
    """Eight hex digits of a SHA-256 of the values."""
    text = json.dumps(combination, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
