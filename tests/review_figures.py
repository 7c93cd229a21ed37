"""An outlet review option's figures recomputed with plain numpy from a dense matrix of travel
minutes, for the review samples' acceptance tests (no code of ``optimizer.review`` or
``optimizer.siting``): every resident goes to the nearest open site, the lowest column on a
tie."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

TRANSFORMS = ("self_service_24h", "reduced_hours", "rounds_stop")


@dataclass(frozen=True)
class Figures:
    """What an option changes for residents.

    Attributes:
        losing, gaining: residents within ``coverage_minutes`` of an outlet today and not
            after, and the reverse.
        moved: residents whose nearest open site changes.
        mean_minutes, p95_minutes, max_minutes: resident-weighted mean, 95th percentile
            (the smallest change whose cumulative weight reaches 95 %) and largest change in
            minutes of the moved residents who reach a site before and after (None when there
            are none).
        receiver: for a closure, the column taking most of the closed outlet's residents.
    """

    losing: float
    gaining: float
    moved: float
    mean_minutes: float | None
    p95_minutes: float | None
    max_minutes: float | None
    receiver: int | None


def nearest(minutes: np.ndarray, open_columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per resident (row) the nearest open column (-1: none within reach) and its minutes
    (``inf``: none); ``minutes`` holds ``inf`` beyond reach."""
    masked = np.where(open_columns[None, :], minutes, np.inf)
    column = masked.argmin(axis=1)
    best = masked[np.arange(len(masked)), column]
    return np.where(np.isfinite(best), column, -1), best


def option_figures(
    minutes: np.ndarray,
    residents: np.ndarray,
    *,
    n_outlets: int,
    closed: int | None,
    opened: int | None,
    coverage_minutes: float,
) -> Figures:
    """The figures of closing outlet column ``closed`` and opening site column ``opened``
    (either may be None), all outlets (columns ``0 … n_outlets-1``) open today."""
    today = np.arange(minutes.shape[1]) < n_outlets
    after = today.copy()
    if closed is not None:
        after[closed] = False
    if opened is not None:
        after[opened] = True
    site_before, before = nearest(minutes, today)
    site_after, later = nearest(minutes, after)
    covered_before, covered_after = before <= coverage_minutes, later <= coverage_minutes
    moved = site_after != site_before
    reached = moved & np.isfinite(before) & np.isfinite(later)
    delta = later[reached] - before[reached]
    order = np.argsort(delta, kind="stable")
    cumulative = np.cumsum(residents[reached][order])
    p95 = delta[order][cumulative >= 0.95 * cumulative[-1] * (1 - 1e-12)][0] if len(delta) else None
    receiver = None
    if closed is not None:
        leaving = (site_before == closed) & (site_after >= 0)
        taken = np.bincount(site_after[leaving], residents[leaving], minlength=minutes.shape[1])
        receiver = int(taken.argmax())
    return Figures(
        losing=float(residents[covered_before & ~covered_after].sum()),
        gaining=float(residents[covered_after & ~covered_before].sum()),
        moved=float(residents[moved].sum()),
        mean_minutes=float(np.average(delta, weights=residents[reached])) if len(delta) else None,
        p95_minutes=None if p95 is None else float(p95),
        max_minutes=float(delta.max()) if len(delta) else None,
        receiver=receiver,
    )


def assert_option_matches(
    row: pd.Series, figures: Figures, outlet_ids: np.ndarray, *, rel: float = 1e-6
) -> None:
    """The published option ``row`` of ``review_options.csv`` reports ``figures``."""
    for column, value in (
        ("residents_losing_coverage", figures.losing),
        ("residents_gaining_coverage", figures.gaining),
        ("residents_moved", figures.moved),
        ("travel_change_mean_minutes", figures.mean_minutes),
        ("travel_change_p95_minutes", figures.p95_minutes),
        ("travel_change_max_minutes", figures.max_minutes),
    ):
        if value is None:
            assert pd.isna(row[column]), column
        else:
            assert row[column] == pytest.approx(value, rel=rel, abs=1e-6), column
    if row["kind"] == "merge":
        assert row["receiver_id"] == outlet_ids[figures.receiver]


def recompute_option(
    row: pd.Series,
    minutes: np.ndarray,
    residents: np.ndarray,
    *,
    site_column: int | None,
    n_outlets: int,
    coverage_minutes: float,
) -> Figures:
    """The figures of the published option ``row`` (merge, relocate to ``site_column``, or a
    transform)."""
    kind, outlet = row["kind"], int(row["outlet"])
    if kind not in ("merge", "relocate", *TRANSFORMS):
        raise AssertionError(f"unknown option kind {kind!r}")
    return option_figures(
        minutes,
        residents,
        n_outlets=n_outlets,
        closed=None if kind in TRANSFORMS else outlet,
        opened=site_column if kind == "relocate" else None,
        coverage_minutes=coverage_minutes,
    )
