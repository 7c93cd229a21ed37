"""Demand history: a (site, timestamp or date, count) table read from CSV or Parquet.

Bad rows (unparseable dates, non-numeric or negative counts, unknown sites, duplicate
site × time pairs) raise :class:`~optimizer.errors.DataError` naming the file and the rows.
Gaps (dates or hours with no row, or with an empty count) are *reported* in
:class:`HistoryReport` and kept as missing values; they are never filled.

Row numbers are those a user sees: for CSV the file line (the header is line 1), for Parquet
the 1-based row.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from optimizer.errors import DataError

Frequency = Literal["daily", "hourly"]
_MAX_ROWS_NAMED = 5


@dataclass(frozen=True)
class Gap:
    """A run of missing periods at one site, between its first and last observation."""

    site: str
    start: pd.Timestamp
    end: pd.Timestamp
    periods: int
    """Number of missing days (daily history) or hours (hourly history)."""
    rows: tuple[int, ...]
    """Row numbers of empty-count rows inside the run; empty when the periods have no row."""


@dataclass(frozen=True)
class HistoryReport:
    """What the reader found: gaps per site (never filled)."""

    gaps: tuple[Gap, ...]

    @property
    def missing_periods(self) -> int:
        """Total number of missing days or hours over all sites."""
        return sum(gap.periods for gap in self.gaps)

    def lines(self) -> list[str]:
        """One human-readable line per gap."""
        return [
            f"{gap.site}: {gap.periods} missing from {_when(gap.start)} to {_when(gap.end)}"
            + (f" (empty counts on rows {_name_rows(gap.rows)})" if gap.rows else "")
            for gap in self.gaps
        ]


@dataclass(frozen=True)
class History:
    """Counts per site and period.

    ``counts`` has columns ``site`` (str), ``time`` (Timestamp: midnight for daily history,
    the start of the hour for hourly history), ``count`` (float, NaN when missing) and
    ``row`` (the row number in the source file), sorted by site and time.
    """

    path: str
    frequency: Frequency
    counts: pd.DataFrame
    report: HistoryReport

    @property
    def sites(self) -> list[str]:
        """Site names in sorted order."""
        return sorted(self.counts["site"].unique())

    def daily_matrix(self, *, day_start_hour: int = 0) -> pd.DataFrame:
        """Counts per day as a date × site matrix over the full date span (NaN where missing).

        For hourly history a day runs from ``day_start_hour`` to ``day_start_hour`` the next
        calendar day, and a day's total is missing unless all 24 of its hours have a count.
        """
        counts = self.counts
        if self.frequency == "hourly":
            day = (counts["time"] - pd.Timedelta(hours=day_start_hour)).dt.normalize()
            grouped = counts.assign(day=day).groupby(["day", "site"])["count"]
            complete = grouped.count() == 24
            totals = grouped.sum(min_count=1).where(complete)
            matrix = totals.unstack("site")
        else:
            matrix = counts.pivot(index="time", columns="site", values="count")
        full = pd.date_range(matrix.index.min(), matrix.index.max(), freq="D")
        return matrix.reindex(full).rename_axis("date").rename_axis(columns="site")


def load_history(
    path: str | Path,
    *,
    site_column: str | None,
    time_column: str,
    count_column: str,
    site: str | None = None,
    known_sites: Collection[str] | None = None,
) -> History:
    """Read a history table from CSV or Parquet (chosen by the file suffix).

    Args:
        path: the file.
        site_column: column naming the site; ``None`` for a single-site file, whose site is
            then ``site`` (default: the file stem).
        time_column: column with a date (daily history) or a timestamp (hourly history);
            the history is hourly when any value has a non-midnight time.
        count_column: column with the count (arrivals, visitors) per period; empty means
            missing.
        known_sites: when given, a site outside this set is an error.

    Returns:
        The :class:`History`, with gaps listed in ``history.report``.

    Raises:
        DataError: unreadable file, unknown column, unparseable date, non-numeric or
        negative count, unknown site, or a duplicate site × time.
    """
    path = Path(path)
    frame, first_row = _read_table(path)
    return history_from_frame(
        frame,
        path=path,
        site_column=site_column,
        time_column=time_column,
        count_column=count_column,
        site=site,
        known_sites=known_sites,
        first_row=first_row,
    )


def history_from_frame(
    frame: pd.DataFrame,
    *,
    path: str | Path,
    site_column: str | None,
    time_column: str,
    count_column: str,
    site: str | None = None,
    known_sites: Collection[str] | None = None,
    first_row: int = 2,
) -> History:
    """Validate an in-memory table as :func:`load_history` does; ``path`` names it in errors.

    ``first_row`` is the row number of the frame's first row (2 for a CSV with a header);
    ``site`` names the only site when ``site_column`` is ``None`` (default: the stem of ``path``).
    """
    wanted = [c for c in (site_column, time_column, count_column) if c is not None]
    unknown = [c for c in wanted if c not in frame.columns]
    if unknown:
        raise DataError(
            path,
            f"no column {unknown[0]!r}; the columns are {', '.join(map(repr, frame.columns))}",
            field=unknown[0],
        )
    rows = np.arange(len(frame)) + first_row
    sites = (
        frame[site_column].astype("string").str.strip()
        if site_column is not None
        else pd.Series(site or Path(path).stem, index=frame.index, dtype="string")
    )
    _reject(path, site_column, rows, sites.isna().to_numpy(), "empty site")
    if known_sites is not None:
        unknown_site = ~sites.isin(list(known_sites)).to_numpy()
        _reject(path, site_column, rows, unknown_site, "unknown site")
    times = _parse_times(path, time_column, frame[time_column], rows)
    counts = _parse_counts(path, count_column, frame[count_column], rows)
    table = pd.DataFrame(
        {"site": sites.to_numpy(dtype=object), "time": times, "count": counts, "row": rows}
    )
    _reject_duplicates(path, time_column, table)
    table = table.sort_values(["site", "time"], kind="stable").reset_index(drop=True)
    frequency: Frequency = (
        "hourly" if (table["time"] != table["time"].dt.normalize()).any() else "daily"
    )
    return History(
        path=str(path),
        frequency=frequency,
        counts=table,
        report=HistoryReport(gaps=_find_gaps(table, frequency)),
    )


def _read_table(path: Path) -> tuple[pd.DataFrame, int]:
    """The raw table (all columns as text for CSV) and the row number of its first row."""
    try:
        if path.suffix.lower() in {".parquet", ".pq"}:
            return pd.read_parquet(path), 1
        return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""]), 2
    except (OSError, ValueError, ImportError) as error:
        raise DataError(path, f"cannot read the history table: {error}") from error


def _parse_times(path: Path, column: str, raw: pd.Series, rows: np.ndarray) -> pd.Series:
    parsed = pd.to_datetime(raw, errors="coerce", format="mixed")
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_localize(None)
    _reject(path, column, rows, parsed.isna().to_numpy(), "unparseable or empty date")
    return parsed.astype("datetime64[ns]")


def _parse_counts(path: Path, column: str, raw: pd.Series, rows: np.ndarray) -> np.ndarray:
    counts = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
    _reject(path, column, rows, np.isnan(counts) & raw.notna().to_numpy(), "non-numeric count")
    _reject(path, column, rows, counts < 0, "negative count")
    return counts


def _reject_duplicates(path: Path, column: str, table: pd.DataFrame) -> None:
    duplicated = table.duplicated(["site", "time"], keep=False).to_numpy()
    if duplicated.any():
        clash = table[duplicated].sort_values(["site", "time", "row"]).iloc[:2]
        site, when = clash["site"].iloc[0], clash["time"].iloc[0]
        raise DataError(
            path,
            f"rows {_name_rows(clash['row'])}: duplicate count for site {site!r} at {_when(when)} "
            f"({int(duplicated.sum())} rows in duplicate pairs)",
            field=column,
        )


def _reject(path: Path, column: str | None, rows: np.ndarray, bad: np.ndarray, what: str) -> None:
    """Raise one DataError naming the first bad rows, if any row is bad."""
    if bad.any():
        raise DataError(
            path, f"{what} on rows {_name_rows(rows[bad])} ({int(bad.sum())} rows)", field=column
        )


def _name_rows(rows: Collection[int] | pd.Series | np.ndarray) -> str:
    """Row numbers as text, consecutive runs joined ("4, 9–12"), at most a few runs."""
    numbers = np.unique(np.asarray(list(rows), dtype=int))
    runs = np.split(numbers, np.flatnonzero(np.diff(numbers) != 1) + 1)
    named = [f"{run[0]}" if len(run) == 1 else f"{run[0]}–{run[-1]}" for run in runs]
    return ", ".join(named[:_MAX_ROWS_NAMED]) + (", ..." if len(named) > _MAX_ROWS_NAMED else "")


def _when(time: pd.Timestamp) -> str:
    """A date, or a date and hour when the time is not midnight."""
    return f"{time:%Y-%m-%d}" if time == time.normalize() else f"{time:%Y-%m-%d %H:%M}"


def _find_gaps(table: pd.DataFrame, frequency: Frequency) -> tuple[Gap, ...]:
    """Runs of missing periods per site between its first and last non-missing count."""
    step = pd.Timedelta(days=1) if frequency == "daily" else pd.Timedelta(hours=1)
    gaps: list[Gap] = []
    for site, group in table.groupby("site", sort=True):
        observed = group.dropna(subset=["count"])
        if observed.empty:
            continue
        span = pd.date_range(observed["time"].min(), observed["time"].max(), freq=step)
        missing = span.difference(pd.DatetimeIndex(observed["time"])).to_series()
        empty_rows = group.loc[group["count"].isna(), ["time", "row"]].set_index("time")["row"]
        for _, run in missing.groupby((missing.diff() != step).cumsum()):
            in_run = empty_rows[run.iloc[0] : run.iloc[-1]]
            gaps.append(
                Gap(
                    site=str(site),
                    start=run.iloc[0],
                    end=run.iloc[-1],
                    periods=len(run),
                    rows=tuple(int(r) for r in in_run),
                )
            )
    return tuple(gaps)
