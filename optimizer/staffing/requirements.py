"""Staff requirements from forecast demand: staff needed per site × slot × skill, and on-call
reserve targets.

Two ways to turn arrivals into staff:

- ``"erlang_c"``: the M/M/N queue. With ``a = arrivals_per_hour * handling_minutes / 60``
  erlangs of load, the fewest staff ``N > a`` whose service level
  ``1 - C(N, a) * exp(-(N - a) * answer_within_minutes / handling_minutes)`` reaches the target,
  where ``C`` is the Erlang C probability of waiting. ``C`` is computed from Erlang B, in log
  space and then by its recursion, which is stable for loads of thousands of erlangs.
- ``"ratio"``: ``ceil(arrivals_per_hour / arrivals_per_staff_hour)``.

Reserve (on-call) targets are a ratio of the base requirement per site class and peak season:
by default 2.0 (200 %) for ``"scenic"`` sites on days in any peak season of the calendar, and 0
elsewhere. With ``reserve_covers_upper`` the reserve is raised, where needed, so that base plus
reserve covers the staff needed at the upper end of the forecast's prediction interval.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from optimizer.forecast.model import Forecast

ANY_SEASON = "*"
"""Season key of ``reserve_ratios`` matching every peak season."""
OFF_SEASON = "off"
"""Season key of ``reserve_ratios`` for days outside every peak season."""
DEFAULT_RESERVE_RATIOS: Mapping[tuple[str, str], float] = {("scenic", ANY_SEASON): 2.0}
DEFAULT_ANSWER_WITHIN_MINUTES = 30.0
"""The service norm's response standard."""

Method = Literal["erlang_c", "ratio"]


def erlang_b(agents: ArrayLike, load_erlangs: ArrayLike) -> np.ndarray:
    """Erlang B blocking probability B(N, a) for whole numbers of agents N and offered load a
    (erlangs), by the recursion ``B(0) = 1, B(n) = a B(n-1) / (n + a B(n-1))``, which stays
    exact for loads of thousands of erlangs. Broadcasts."""
    agents, load = np.broadcast_arrays(
        np.asarray(agents, dtype=float), np.asarray(load_erlangs, dtype=float)
    )
    blocking = np.ones(agents.shape)
    for n in range(1, int(agents.max(initial=0)) + 1):
        blocking = np.where(n <= agents, _next_blocking(blocking, load, n), blocking)
    return blocking


def _next_blocking(blocking: np.ndarray, load: np.ndarray, agents: ArrayLike) -> np.ndarray:
    """B(N, a) from B(N - 1, a): ``a B / (N + a B)``, with ``agents`` N."""
    return load * blocking / (agents + load * blocking)


def erlang_c_wait_probability(agents: ArrayLike, load_erlangs: ArrayLike) -> np.ndarray:
    """Probability that an arrival waits, C(N, a), for ``agents`` N and offered load a (erlangs).

    Broadcasts its arguments; 1.0 where ``N <= a`` (the queue is unstable).
    """
    agents = np.asarray(agents, dtype=float)
    load = np.asarray(load_erlangs, dtype=float)
    waits = _wait_from_blocking(agents, load, erlang_b(agents, load))
    return np.where(agents > load, waits, 1.0)


def erlang_c_service_level(
    agents: ArrayLike,
    *,
    arrivals_per_hour: ArrayLike,
    handling_minutes: float,
    answer_within_minutes: float = DEFAULT_ANSWER_WITHIN_MINUTES,
) -> np.ndarray:
    """Share of arrivals answered within ``answer_within_minutes`` with ``agents`` staff (0–1)."""
    agents = np.asarray(agents, dtype=float)
    load = np.asarray(arrivals_per_hour, dtype=float) * handling_minutes / 60.0
    return _service_level(
        agents, load, erlang_b(agents, load), answer_within_minutes / handling_minutes
    )


def erlang_c_staff(
    arrivals_per_hour: ArrayLike,
    *,
    handling_minutes: float,
    service_level: float,
    answer_within_minutes: float = DEFAULT_ANSWER_WITHIN_MINUTES,
) -> np.ndarray:
    """Fewest staff meeting the service level, per element of ``arrivals_per_hour``.

    The search starts at the smallest stable staffing ``floor(a) + 1`` and steps up with the
    Erlang B recursion ``B(N + 1) = a B(N) / (N + 1 + a B(N))``.

    Args:
        arrivals_per_hour: arrival rate (any shape).
        handling_minutes: mean handling time per arrival.
        service_level: target share answered within ``answer_within_minutes`` (0–1, exclusive).
        answer_within_minutes: the waiting-time target.

    Returns:
        Integer staff counts, 0 where there are no arrivals.
    """
    if not 0 < service_level < 1:
        raise ValueError(f"service_level must be between 0 and 1, not {service_level}")
    load = np.asarray(arrivals_per_hour, dtype=float) * handling_minutes / 60.0
    target_in_handling_times = answer_within_minutes / handling_minutes
    staff = np.floor(load) + 1
    blocking = erlang_b(staff, load)
    searching = load > 0
    while True:
        level = _service_level(staff, load, blocking, target_in_handling_times)
        searching &= level < service_level
        if not searching.any():
            break
        blocking = np.where(searching, _next_blocking(blocking, load, staff + 1), blocking)
        staff = staff + searching
    return np.where(load > 0, staff, 0).astype(int)


def _service_level(
    agents: np.ndarray, load: np.ndarray, blocking: np.ndarray, target_in_handling_times: float
) -> np.ndarray:
    """1 - C(N, a) exp(-(N - a) t / h) for N > a, else 0."""
    waits = _wait_from_blocking(agents, load, blocking)
    level = 1.0 - waits * np.exp(-(agents - load) * target_in_handling_times)
    return np.where(agents > load, level, 0.0)


def _wait_from_blocking(agents: np.ndarray, load: np.ndarray, blocking: np.ndarray) -> np.ndarray:
    """Erlang C from Erlang B: C = N B / (N - a (1 - B)) (valid for N > a)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return agents * blocking / (agents - load * (1.0 - blocking))


def ratio_staff(arrivals_per_hour: ArrayLike, *, arrivals_per_staff_hour: float) -> np.ndarray:
    """Staff by a productivity ratio: ``ceil(arrivals_per_hour / arrivals_per_staff_hour)``."""
    if arrivals_per_staff_hour <= 0:
        raise ValueError("arrivals_per_staff_hour must be positive")
    scaled = np.asarray(arrivals_per_hour, dtype=float) / arrivals_per_staff_hour
    return np.ceil(scaled - 1e-9).astype(int)


def staff_requirements(
    forecast: Forecast,
    *,
    method: Method = "erlang_c",
    skill_shares: Mapping[str, float] | None = None,
    handling_minutes: float | Mapping[str, float] = 10.0,
    service_level: float = 0.8,
    answer_within_minutes: float = DEFAULT_ANSWER_WITHIN_MINUTES,
    arrivals_per_staff_hour: float | Mapping[str, float] = 6.0,
    open_hours_per_day: float = 10.0,
    use_hourly: bool = True,
    site_classes: Mapping[str, str] | None = None,
    reserve_ratios: Mapping[tuple[str, str], float] | None = None,
    reserve_covers_upper: bool = False,
) -> pd.DataFrame:
    """Staff needed and on-call reserve per site × slot × skill.

    Slots are the forecast's hours when it has them (and ``use_hourly``), else its days; a
    daily forecast's arrivals are spread evenly over ``open_hours_per_day``, and the staff
    figure is the number on duty throughout those open hours.

    Args:
        forecast: the demand forecast (arrivals per day, and per hour if hourly).
        method: ``"erlang_c"`` or ``"ratio"``.
        skill_shares: share of arrivals needing each skill (default ``{"general": 1.0}``).
        handling_minutes: mean handling time per arrival (Erlang C), per skill if a mapping.
        service_level: share to be answered within ``answer_within_minutes`` (Erlang C).
        answer_within_minutes: waiting-time target (Erlang C); default 30 minutes.
        arrivals_per_staff_hour: productivity (ratio method), per skill if a mapping.
        open_hours_per_day: hours a site is open, for daily slots.
        use_hourly: use hourly slots when the forecast has them.
        site_classes: site → class (e.g. ``"scenic"``); unlisted sites have class ``""``.
        reserve_ratios: (site class, season name | ``"*"`` | ``"off"``) → on-call ratio of the
            base requirement; default 2.0 for scenic sites in any peak season.
        reserve_covers_upper: raise the reserve so base + reserve covers the staff needed
            at the upper prediction bound.

    Raises:
        ValueError: a site has slots without a forecast (too little history to fit).

    Returns:
        Frame with ``site``, ``slot`` (start timestamp), ``slot_hours``, ``skill``,
        ``arrivals`` (forecast count in the slot), ``arrivals_upper``, ``staff_needed``,
        ``reserve_ratio`` and ``reserve_needed`` (staff on call).
    """
    slots = _slots(forecast, use_hourly=use_hourly, open_hours_per_day=open_hours_per_day)
    unforecast = slots.loc[slots[["point", "upper"]].isna().any(axis=1), "site"].unique()
    if len(unforecast):
        raise ValueError(f"no forecast for sites {', '.join(map(str, unforecast))}")
    ratios = _reserve_ratios(
        slots,
        forecast,
        site_classes or {},
        DEFAULT_RESERVE_RATIOS if reserve_ratios is None else reserve_ratios,
    )
    hours = slots["active_hours"].to_numpy()
    frames = []
    for skill, share in (skill_shares or {"general": 1.0}).items():
        staff_for = partial(
            _staff,
            method=method,
            handling_minutes=_per_skill(handling_minutes, skill),
            service_level=service_level,
            answer_within_minutes=answer_within_minutes,
            arrivals_per_staff_hour=_per_skill(arrivals_per_staff_hour, skill),
        )
        arrivals = slots["point"].to_numpy() * share
        arrivals_upper = slots["upper"].to_numpy() * share
        base = staff_for(arrivals / hours)
        reserve = np.ceil(base * ratios - 1e-9).astype(int)
        if reserve_covers_upper:
            reserve = np.maximum(reserve, staff_for(arrivals_upper / hours) - base)
        frames.append(
            pd.DataFrame(
                {
                    "site": slots["site"].to_numpy(),
                    "slot": slots["slot"].to_numpy(),
                    "slot_hours": slots["slot_hours"].to_numpy(),
                    "skill": skill,
                    "arrivals": arrivals,
                    "arrivals_upper": arrivals_upper,
                    "staff_needed": base,
                    "reserve_ratio": ratios,
                    "reserve_needed": reserve,
                }
            )
        )
    return pd.concat(frames, ignore_index=True).sort_values(
        ["site", "slot", "skill"], ignore_index=True
    )


def _staff(
    arrivals_per_hour: np.ndarray,
    *,
    method: Method,
    handling_minutes: float,
    service_level: float,
    answer_within_minutes: float,
    arrivals_per_staff_hour: float,
) -> np.ndarray:
    """Staff needed at each arrival rate by the chosen method."""
    if method == "ratio":
        return ratio_staff(arrivals_per_hour, arrivals_per_staff_hour=arrivals_per_staff_hour)
    if method == "erlang_c":
        return erlang_c_staff(
            arrivals_per_hour,
            handling_minutes=handling_minutes,
            service_level=service_level,
            answer_within_minutes=answer_within_minutes,
        )
    raise ValueError(f"unknown staffing method {method!r}; use 'erlang_c' or 'ratio'")


def _per_skill(value: float | Mapping[str, float], skill: str) -> float:
    if isinstance(value, Mapping):
        if skill not in value:
            raise ValueError(f"no value for skill {skill!r}")
        return float(value[skill])
    return float(value)


def _slots(forecast: Forecast, *, use_hourly: bool, open_hours_per_day: float) -> pd.DataFrame:
    """Forecast rows as slots: site, slot, date, slot_hours, active_hours, point, upper."""
    if use_hourly and forecast.hourly is not None:
        hourly = forecast.hourly
        return hourly.assign(slot=hourly["time"], slot_hours=1.0, active_hours=1.0)
    daily = forecast.daily
    return daily.assign(slot=daily["date"], slot_hours=24.0, active_hours=open_hours_per_day)


def _reserve_ratios(
    slots: pd.DataFrame,
    forecast: Forecast,
    site_classes: Mapping[str, str],
    reserve_ratios: Mapping[tuple[str, str], float],
) -> np.ndarray:
    """On-call ratio per slot: the largest ratio of any season the slot's day is in, or the
    off-season ratio of the site's class when it is in none."""
    classes = slots["site"].map(lambda site: site_classes.get(site, "")).to_numpy()
    dates = pd.DatetimeIndex(slots["date"])
    calendar = forecast.calendar
    in_any = np.zeros(len(slots), dtype=bool)
    ratios = np.zeros(len(slots))
    for season in calendar.season_names:
        in_season = calendar.in_season(dates, season)
        in_any |= in_season
        for site_class in set(classes):
            ratio = reserve_ratios.get(
                (site_class, season), reserve_ratios.get((site_class, ANY_SEASON), 0.0)
            )
            hit = in_season & (classes == site_class)
            ratios[hit] = np.maximum(ratios[hit], ratio)
    off = np.array([reserve_ratios.get((c, OFF_SEASON), 0.0) for c in classes])
    return np.where(in_any, ratios, off)
