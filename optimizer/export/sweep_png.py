"""A sweep's trade-off curves as a PNG: stations, coverage, opening cost and travel against one
grid key, one line per combination of the other keys that vary."""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Real
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from optimizer.export.tables import ArtifactWriter

PANELS = (
    ("stations", "stations open"),
    ("coverage_percent", "residents covered (%)"),
    ("opening_cost", "opening cost"),
    ("mean_travel_minutes", "mean travel (minutes)"),
)
"""The table's columns drawn, one panel each, with their axis labels."""


def tradeoff_writer(table: pd.DataFrame, *, keys: Sequence[str], title: str) -> ArtifactWriter:
    """An artifact writer of ``table``'s trade-off curves (see ``write_tradeoffs_png``)."""
    return lambda path: write_tradeoffs_png(table, path, keys=keys, title=title)


def write_tradeoffs_png(
    table: pd.DataFrame, path: str | Path, *, keys: Sequence[str], title: str
) -> Path:
    """Plot each figure of ``PANELS`` against the first of ``keys`` whose values are all
    numbers (else the first key, its values in grid order), one line per combination of the
    other ``keys``; failed variants leave gaps.

    Args:
        table: the comparison table (``sweep.table.variant_row`` rows).
        path: the PNG to write (written as given: the caller stages it).
        keys: the grid keys that vary, in grid order.
        title: the figure's title.

    Returns:
        ``path``.
    """
    path = Path(path)
    x_key = next((key for key in keys if _numeric(table[key])), keys[0])
    others = [key for key in keys if key != x_key]
    positions, ticks = _positions(table[x_key])
    figure = Figure(figsize=(11, 7.5), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots(2, 2, sharex=True).ravel()
    groups = table.groupby(others, sort=False, dropna=False) if others else [((), table)]
    for label, group in groups:
        order = np.argsort(positions[group.index], kind="stable")
        text = _series_label(others, label)
        for ax, (column, _) in zip(axes, PANELS, strict=True):
            values = pd.to_numeric(group[column], errors="coerce").to_numpy(dtype=float)
            ax.plot(positions[group.index][order], values[order], "o-", lw=1.2, ms=4, label=text)
    for ax, (_, label) in zip(axes, PANELS, strict=True):
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
    for ax in axes[2:]:
        ax.set_xlabel(x_key)
        if ticks is not None:
            ax.set_xticks(range(len(ticks)), ticks, rotation=30, ha="right", fontsize=8)
    if others:
        axes[0].legend(fontsize=7, title=", ".join(others), title_fontsize=7)
    figure.suptitle(title)
    figure.savefig(path, format="png", dpi=100)
    return path


def _numeric(column: pd.Series) -> bool:
    """Whether every value is a number (booleans are not)."""
    return all(isinstance(value, Real) and not isinstance(value, bool) for value in column)


def _positions(column: pd.Series) -> tuple[np.ndarray, list[str] | None]:
    """x positions of a column's values: the numbers themselves, or the index of each distinct
    value in order of appearance (with those values as tick labels)."""
    if _numeric(column):
        return column.to_numpy(dtype=float), None
    distinct = list(dict.fromkeys(str(value) for value in column))
    return np.array([distinct.index(str(value)) for value in column], dtype=float), distinct


def _series_label(keys: Sequence[str], values: object) -> str:
    """``"key=value, ..."`` of one line's fixed keys (empty when there are none)."""
    values = values if isinstance(values, tuple) else (values,)
    return ", ".join(
        f"{key.rsplit('.', 1)[-1]}={value}" for key, value in zip(keys, values, strict=True)
    )
