"""The planning calendar: public holidays (with the days around long holidays), peak seasons
and events, as 0/1 day tags that the forecast model uses as regressors.

Holidays come from the ``holidays`` package for a country and optional subdivision. Each
holiday is grouped with the weekend days and *bridge* days (at most ``bridge_gap_days``
working days between it and another day off) next to it into a *break*. A break is named
after its first holiday proper (not an "observed" or substituted day off), its *anchor*.
Every day of the break gets the tag ``"<anchor name>+<days from the anchor>"``; a long break
(``long_holiday_days`` days or more) also tags the ``adjacent_days`` days on either side. The
same tag in different years shares one effect in the model, so "Christmas Day+0" and
"National Day+3" are learned from every year of history.

Peak seasons and events are named date ranges. A range given as ``("MM-DD", "MM-DD")``
recurs every year (and may wrap over New Year); one given as two dates happens once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import holidays as holidays_package
import numpy as np
import pandas as pd

DateLike = str | date | pd.Timestamp
DateRanges = Mapping[str, Sequence[tuple[DateLike, DateLike]]]

SEASON_PREFIX = "season:"
EVENT_PREFIX = "event:"
_NOT_ANCHOR = re.compile(r"observed|substitut|day off|bridge", re.IGNORECASE)
_MONTH_DAY = re.compile(r"^\d{2}-\d{2}$")


@dataclass(frozen=True)
class Calendar:
    """Day tags for every date of ``years``.

    ``tags`` is a date-indexed frame of 0/1 floats with one column per holiday-break offset,
    peak season (``"season:<name>"``) and event (``"event:<name>"``). ``holidays`` maps each
    public holiday date to its name.
    """

    country: str
    subdivision: str | None
    tags: pd.DataFrame
    holidays: pd.Series

    @property
    def first_date(self) -> pd.Timestamp:
        """The first date the calendar covers."""
        return self.tags.index[0]

    @property
    def last_date(self) -> pd.Timestamp:
        """The last date the calendar covers."""
        return self.tags.index[-1]

    @property
    def season_names(self) -> list[str]:
        """The peak season names, in the order given."""
        return [c.removeprefix(SEASON_PREFIX) for c in self.tags if c.startswith(SEASON_PREFIX)]

    def features(self, dates: pd.DatetimeIndex) -> pd.DataFrame:
        """The tags of ``dates`` (rows in the given order).

        Raises:
            ValueError: a date is outside the calendar's years.
        """
        dates = pd.DatetimeIndex(dates).normalize()
        if len(dates) and (dates.min() < self.first_date or dates.max() > self.last_date):
            raise ValueError(
                f"the calendar covers {self.first_date:%Y-%m-%d} to {self.last_date:%Y-%m-%d}; "
                f"dates {dates.min():%Y-%m-%d} to {dates.max():%Y-%m-%d} were asked for"
            )
        return self.tags.reindex(dates)

    def is_holiday(self, dates: pd.DatetimeIndex) -> np.ndarray:
        """Boolean array: is each date a public holiday."""
        return pd.DatetimeIndex(dates).normalize().isin(self.holidays.index)

    def special_days(self, dates: pd.DatetimeIndex) -> np.ndarray:
        """Boolean array: is each date a public holiday or in an event."""
        events = [column for column in self.tags if column.startswith(EVENT_PREFIX)]
        in_event = self.features(dates)[events].to_numpy().any(axis=1)
        return self.is_holiday(dates) | in_event

    def in_season(self, dates: pd.DatetimeIndex, season: str) -> np.ndarray:
        """Boolean array: does each date fall in the named peak season."""
        return self.features(dates)[SEASON_PREFIX + season].to_numpy() > 0


def build_calendar(
    *,
    country: str,
    subdivision: str | None = None,
    years: Iterable[int],
    peak_seasons: DateRanges | None = None,
    events: DateRanges | None = None,
    adjacent_days: int = 3,
    long_holiday_days: int = 3,
    bridge_gap_days: int = 1,
) -> Calendar:
    """Build the calendar of ``years`` (every date from 1 January of the first to 31 December
    of the last).

    Args:
        country: ISO 3166 code known to the ``holidays`` package ("NZ", "CN").
        subdivision: its subdivision code ("AUK" for Auckland), or ``None``.
        years: the years to cover; history and forecast horizon must fall inside.
        peak_seasons: season name → date ranges, inclusive; ``("07-01", "10-31")`` recurs
            yearly.
        events: event name → date ranges, as for ``peak_seasons``.
        adjacent_days: days tagged before and after a long break.
        long_holiday_days: a break of at least this many days off counts as long.
        bridge_gap_days: working days between two days off that are bridged into one break.

    Raises:
        ValueError: unknown country or subdivision, or an unreadable date range.
    """
    years = sorted(set(years))
    if not years:
        raise ValueError("the calendar needs at least one year")
    days = pd.date_range(f"{years[0]}-01-01", f"{years[-1]}-12-31", freq="D")
    padded = range(years[0] - 1, years[-1] + 2)
    try:
        found = holidays_package.country_holidays(country, subdiv=subdivision, years=padded)
    except NotImplementedError as error:
        raise ValueError(f"no holiday calendar for {country!r} {subdivision or ''}") from error
    holiday_names = pd.Series(dict(found), dtype=object).sort_index()
    holiday_names.index = pd.DatetimeIndex(holiday_names.index)
    tags = pd.concat(
        [
            _break_tags(holiday_names, adjacent_days, long_holiday_days, bridge_gap_days),
            _range_tags(peak_seasons or {}, SEASON_PREFIX, years),
            _range_tags(events or {}, EVENT_PREFIX, years),
        ],
        axis=1,
        sort=True,
    )
    tags = tags.reindex(days).fillna(0.0).astype(float)
    return Calendar(
        country=country,
        subdivision=subdivision,
        tags=tags.rename_axis("date"),
        holidays=holiday_names[holiday_names.index.isin(days)],
    )


def _break_tags(
    holiday_names: pd.Series, adjacent_days: int, long_holiday_days: int, bridge_gap_days: int
) -> pd.DataFrame:
    """Tags of holiday breaks: one column per ``"<anchor>+<offset>"``."""
    days = pd.date_range(
        holiday_names.index.min() - pd.Timedelta(days=7),
        holiday_names.index.max() + pd.Timedelta(days=7),
        freq="D",
    )
    is_holiday = days.isin(holiday_names.index)
    off = is_holiday | (days.day_of_week >= 5)
    off = off | _bridges(off, bridge_gap_days)
    run_id = np.cumsum(np.diff(off.astype(int), prepend=0) == 1) * off
    rows: list[tuple[pd.Timestamp, str]] = []
    for run in np.unique(run_id[is_holiday]):
        in_run = days[run_id == run]
        names = holiday_names.reindex(in_run).dropna()
        proper = names[~names.str.contains(_NOT_ANCHOR)]
        anchor_day = (proper if len(proper) else names).index[0]
        anchor = _NOT_ANCHOR.sub("", (proper if len(proper) else names).iloc[0])
        anchor = re.sub(r"\s*\(\s*\)|\s+", " ", anchor).strip()
        pad = adjacent_days if len(in_run) >= long_holiday_days else 0
        window = pd.date_range(
            in_run[0] - pd.Timedelta(days=pad), in_run[-1] + pd.Timedelta(days=pad)
        )
        rows.extend((day, f"{anchor}{(day - anchor_day).days:+d}") for day in window)
    pairs = pd.DataFrame(rows, columns=["date", "tag"]).drop_duplicates()
    return pd.crosstab(pairs["date"], pairs["tag"]).clip(upper=1).astype(float)


def _bridges(off: np.ndarray, gap_days: int) -> np.ndarray:
    """Working days in a stretch of at most ``gap_days`` between two days off."""
    working_run = np.cumsum(np.diff((~off).astype(int), prepend=0) == 1) * ~off
    lengths = np.bincount(working_run)
    bridge = (~off) & (lengths[working_run] <= gap_days)
    # A working stretch at either end of the array is not between two days off.
    bridge[working_run == working_run[0]] &= bool(off[0])
    bridge[working_run == working_run[-1]] &= bool(off[-1])
    return bridge


def _range_tags(ranges: DateRanges, prefix: str, years: Sequence[int]) -> pd.DataFrame:
    """One 0/1 column per named range set, indexed by the dates it covers."""
    columns = {}
    for name, spans in ranges.items():
        dates = [d for start, end in spans for d in _expand(name, start, end, years)]
        columns[prefix + name] = pd.Series(1.0, index=pd.DatetimeIndex(dates).unique())
    return pd.DataFrame(columns)


def _expand(name: str, start: DateLike, end: DateLike, years: Sequence[int]) -> list[pd.Timestamp]:
    """The dates of one range; a month-day range once per year (and the year before)."""
    if all(isinstance(x, str) and _MONTH_DAY.match(x) for x in (start, end)):
        out: list[pd.Timestamp] = []
        for year in range(years[0] - 1, years[-1] + 1):
            first = pd.Timestamp(f"{year}-{start}")
            last = pd.Timestamp(f"{year + (str(end) < str(start))}-{end}")
            out.extend(pd.date_range(first, last, freq="D"))
        return out
    try:
        first, last = pd.Timestamp(start), pd.Timestamp(end)
    except ValueError as error:
        raise ValueError(f"{name}: cannot read the date range {start!r} to {end!r}") from error
    if last < first:
        raise ValueError(f"{name}: the range {start} to {end} ends before it starts")
    return list(pd.date_range(first.normalize(), last.normalize(), freq="D"))
