"""Demand history: a (site, timestamp or date, count) table read from CSV or Parquet.

Bad rows (unparseable dates, counts that are not numbers from 0 to :data:`MAX_COUNT`, unknown
sites, duplicate site × time pairs) raise :class:`~optimizer.errors.DataError` naming the file,
the column and the rows. Gaps (dates or hours with no row, or with an empty count) are
*reported* in :class:`HistoryReport` and kept as missing values; they are never filled.

Times are ISO 8601 text, ``YYYY-MM-DD`` (daily history) or ``YYYY-MM-DD HH:MM[:SS]`` (hourly
history; ``T`` may separate date and time; a UTC offset is ignored: times are local), or the
Parquet column's dates and timestamps, in the years :data:`FIRST_YEAR` to :data:`LAST_YEAR`.
Most rows decide the frequency: a history is hourly when at least half its times are not
midnight; a time of day in a daily history, or a time not on the hour in an hourly one, is an
error naming the row.

Row numbers are those a user sees: for CSV the spreadsheet row (the header is row 1), for
Parquet the 1-based row.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from optimizer.errors import DataError
from optimizer.tables import number_text, quoted, read_table, to_numbers

Frequency = Literal["daily", "hourly"]
_MAX_ROWS_NAMED = 5

MAX_COUNT = 1e9
"""Largest count of one site in one period (day or hour): a billion arrivals or passers-by is
beyond any real service point (the busiest stations see a few million a day), so a larger
value is a unit or typing error, and would swamp the site's forecast."""

FIRST_YEAR, LAST_YEAR = 1900, 2199
"""Years a history's times may fall in (keeps calendars and date ranges finite)."""

_ISO_TIME = re.compile(
    r"(?P<time>[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?)"
    r"(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?)?"
)
"""An ISO 8601 date or date and time, with an optional UTC offset (dropped: times are local)."""


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
    frame, rows = _read_table(path)
    return history_from_frame(
        frame,
        path=path,
        site_column=site_column,
        time_column=time_column,
        count_column=count_column,
        site=site,
        known_sites=known_sites,
        rows=rows,
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
    rows: Sequence[int] | None = None,
) -> History:
    """Validate an in-memory table as :func:`load_history` does; ``path`` names it in errors.

    ``rows`` are the row numbers of the frame's rows; without them, the frame's first row is
    ``first_row`` (2 for a CSV with a header) and the others follow. ``site`` names the only
    site when ``site_column`` is ``None`` (default: the stem of ``path``).

    Raises:
        DataError: as :func:`load_history`.
    """
    wanted = [c for c in (site_column, time_column, count_column) if c is not None]
    unknown = [c for c in wanted if c not in frame.columns]
    if unknown:
        # The header of an arbitrary file is not quoted back: only how many columns it has.
        raise DataError(
            path,
            f"no column {unknown[0]!r}; columns found: {len(frame.columns)}",
            field=unknown[0],
        )
    if frame.empty:
        raise DataError(path, "no data rows (only a header)")
    rows = np.arange(len(frame)) + first_row if rows is None else np.asarray(rows)
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
    frequency = _frequency(path, time_column, table)
    _reject_duplicates(path, time_column, table)
    table = table.sort_values(["site", "time"], kind="stable").reset_index(drop=True)
    return History(
        path=str(path),
        frequency=frequency,
        counts=table,
        report=HistoryReport(gaps=_find_gaps(table, frequency)),
    )


def _read_table(path: Path) -> tuple[pd.DataFrame, np.ndarray]:
    """The raw table (CSV cells as text, empty cells missing) and the row number of each row.

    Raises:
        DataError: an unreadable file; the reader's own message never quotes the file.
    """
    if path.suffix.lower() not in {".parquet", ".pq"}:
        table = read_table(path)
        return table.frame.replace("", np.nan), table.rows
    try:
        frame = pd.read_parquet(path)
    except FileNotFoundError:
        raise DataError(path, "file not found") from None
    except Exception as error:  # pyarrow raises many types for files that are not Parquet
        raise DataError(path, f"cannot read as Parquet ({type(error).__name__})") from None
    return frame, np.arange(len(frame)) + 1


def _parse_times(path: Path, column: str, raw: pd.Series, rows: np.ndarray) -> pd.Series:
    """The times as naive timestamps (a time zone or UTC offset is dropped, keeping local
    times), each in :data:`FIRST_YEAR`–:data:`LAST_YEAR`."""
    if isinstance(raw.dtype, pd.DatetimeTZDtype):
        raw = raw.dt.tz_localize(None)
    if pd.api.types.is_datetime64_any_dtype(raw):
        parsed = pd.Series(raw, dtype="datetime64[ns]")
    else:
        text = raw.astype("string").str.strip().str.extract(f"^{_ISO_TIME.pattern}$")["time"]
        parsed = pd.to_datetime(text, errors="coerce", format="ISO8601")
    _reject(path, column, rows, parsed.isna().to_numpy(), "unparseable or empty date")
    years = parsed.dt.year.to_numpy()
    outside = (years < FIRST_YEAR) | (years > LAST_YEAR)
    _reject(path, column, rows, outside, f"date outside {FIRST_YEAR}–{LAST_YEAR}")
    return parsed.astype("datetime64[ns]")


def _parse_counts(path: Path, column: str, raw: pd.Series, rows: np.ndarray) -> np.ndarray:
    """The counts as floats, NaN where the cell is empty (a gap)."""
    counts = to_numbers(raw)
    given = raw.notna().to_numpy()
    _reject(path, column, rows, np.isnan(counts) & given, "non-numeric count")
    _reject(path, column, rows, counts < 0, "negative count")
    _reject(path, column, rows, counts > MAX_COUNT, f"count above {number_text(MAX_COUNT)}")
    return counts


def _frequency(path: Path, column: str, table: pd.DataFrame) -> Frequency:
    """Daily or hourly, by most rows; rows that do not fit are errors."""
    clock = table["time"] - table["time"].dt.normalize()
    off_midnight = (clock != pd.Timedelta(0)).to_numpy()
    rows = table["row"].to_numpy()
    if 2 * off_midnight.sum() < len(table):
        _reject(path, column, rows, off_midnight, "time of day in a daily history")
        return "daily"
    off_hour = (clock % pd.Timedelta(hours=1) != pd.Timedelta(0)).to_numpy()
    _reject(path, column, rows, off_hour, "time not on the hour in an hourly history")
    return "hourly"


def _reject_duplicates(path: Path, column: str, table: pd.DataFrame) -> None:
    duplicated = table.duplicated(["site", "time"], keep=False).to_numpy()
    if duplicated.any():
        clash = table[duplicated].sort_values(["site", "time", "row"]).iloc[:2]
        site, when = clash["site"].iloc[0], clash["time"].iloc[0]
        raise DataError(
            path,
            f"rows {_name_rows(clash['row'])}: duplicate count for site {quoted(site)} at "
            f"{_when(when)} ({int(duplicated.sum())} rows in duplicate pairs)",
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
