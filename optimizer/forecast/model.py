"""Per-site demand forecast: a log-linear regression with a short-term residual correction.

For each site, ``log(1 + count per day)`` is regressed by least squares (``numpy.linalg.lstsq``
with a ridge penalty on the calendar and yearly terms) on

- an intercept and a linear trend (per year),
- weekly Fourier terms (``weekly_order`` harmonics; 3 is a full day-of-week effect),
- yearly Fourier terms (``yearly_order`` harmonics; none when the counted days span less
  than two years, ``YEARLY_MIN_SPAN_DAYS``),
- the weekly terms times the first yearly harmonic (a weekly cycle that changes with the
  season: weekends matter more in a tourist low season than at its peak),
- the calendar's day tags: holiday-break offsets, peak seasons and events.

The regression residuals of the last day and the last week then correct the first days of the
forecast: for each horizon ``h`` the correction ``a_h * e_T + b_h * mean(e_{T-6..T})`` has
coefficients fitted by least squares on the in-sample residuals of all sites. Prediction
intervals are empirical quantiles of the in-sample ``h``-day-ahead errors per site.

The corrected regression is then blended, per site, with the same weekday's count last week
and last year, with weights chosen by a validation backtest on the site's own history
(``blend``); the interval moves with the point.

Hourly profiles, when hourly history is given, split each daily forecast into hours by the
mean share of each hour in recent days of the same weekday (public holidays use the Sunday
profile), so the hours of a day always add up to its daily forecast.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from optimizer.forecast.blend import blend, choose_weights
from optimizer.forecast.calendar import Calendar, DateLike
from optimizer.forecast.history import History

_DAYS_PER_YEAR = 365.25
YEARLY_MIN_SPAN_DAYS = 730
"""Days of counted history below which the regression has no yearly terms (two years, as
Prophet's default)."""
_SUNDAY = 6


@dataclass(frozen=True)
class ModelOptions:
    """Settings of the forecast model; the defaults suit daily footfall and visitor counts."""

    yearly_order: int = 10
    """Yearly Fourier harmonics (none while the counted days span under two years)."""
    weekly_order: int = 3
    """Weekly Fourier harmonics (at most 3)."""
    ridge: float = 1.0
    """Ridge penalty on calendar-tag and yearly-term coefficients (log-count units)."""
    interval_level: float = 0.8
    """Central coverage of the prediction interval."""
    exclude_periods: Sequence[tuple[DateLike, DateLike]] = field(default_factory=tuple)
    """Inclusive date ranges left out of the fit (lockdowns, counter faults)."""
    profile_weeks: int = 8
    """Weeks of hourly history behind the hourly profiles."""
    validation_weeks: int = 8
    """Weekly origins of the validation backtest that chooses each site's blend of the
    regression with last week's and last year's counts (``blend``); 0: the regression alone."""


@dataclass(frozen=True)
class Forecast:
    """Forecast demand per site.

    ``daily`` has columns ``site``, ``date``, ``point``, ``lower``, ``upper`` (counts per
    day; the interval covers ``interval_level``). ``hourly``, present when hourly history was
    given, has ``site``, ``date`` (the counting day), ``time`` (start of the hour), ``point``,
    ``lower``, ``upper`` (counts per hour); its points add up to the daily points.
    """

    daily: pd.DataFrame
    hourly: pd.DataFrame | None
    interval_level: float
    calendar: Calendar


def fit_forecast(
    history: History,
    calendar: Calendar,
    *,
    horizon_days: int,
    options: ModelOptions | None = None,
    hourly: History | None = None,
    day_start_hour: int = 0,
) -> Forecast:
    """Fit one model per site on the whole history and forecast the next ``horizon_days``.

    Args:
        history: daily or hourly counts; hourly counts are summed into days.
        calendar: holidays, seasons and events; must cover the history and the horizon.
        horizon_days: days forecast after the last date of the history.
        options: model settings.
        hourly: hourly history for the hourly profiles when ``history`` is daily; when
            ``history`` itself is hourly it is used.
        day_start_hour: the hour a counting day starts (6 for a 06:00–05:59 day).

    Returns:
        The :class:`Forecast`.
    """
    options = options or ModelOptions()
    daily_counts = history.daily_matrix(day_start_hour=day_start_hour)
    point, lower, upper = forecast_matrix(
        daily_counts, calendar, horizon_days=horizon_days, options=options
    )
    daily = stack_sites(point, lower, upper, "date")
    hourly_history = history if history.frequency == "hourly" else hourly
    hourly_frame = None
    if hourly_history is not None:
        shares = hourly_profiles(
            hourly_history, calendar, day_start_hour=day_start_hour, weeks=options.profile_weeks
        )
        hourly_frame = split_into_hours(daily, shares, calendar, day_start_hour=day_start_hour)
    return Forecast(
        daily=daily,
        hourly=hourly_frame,
        interval_level=options.interval_level,
        calendar=calendar,
    )


def forecast_matrix(
    counts: pd.DataFrame,
    calendar: Calendar,
    *,
    horizon_days: int,
    options: ModelOptions,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Forecast the ``horizon_days`` after a date × site matrix of daily counts: the
    regression, blended with the seasonal-naive forecasts (``blend``) unless
    ``options.validation_weeks`` is 0; the interval is the regression's, moved with the point.

    Returns:
        Point, lower and upper forecasts as date × site matrices (counts per day).
    """
    train_dates = pd.DatetimeIndex(counts.index)
    future = pd.date_range(train_dates[-1] + pd.Timedelta(days=1), periods=horizon_days)
    log_counts = np.log1p(counts.to_numpy(dtype=float))
    log_counts[_excluded(train_dates, options.exclude_periods)] = np.nan
    all_dates = train_dates.append(future)

    def regression(
        cut: int, days: int, interval_level: float | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        design_train, design_future, penalty = _design(
            train_dates[:cut],
            all_dates[cut : cut + days],
            calendar,
            options,
            _yearly_order(train_dates[:cut], log_counts[:cut], options.yearly_order),
        )
        return project_log_counts(
            log_counts[:cut], design_train, design_future, penalty, interval_level
        )

    log_point, low_error, high_error = regression(
        len(train_dates), horizon_days, options.interval_level
    )
    if options.validation_weeks:
        special = calendar.special_days(all_dates)
        weights = choose_weights(
            log_counts,
            special,
            lambda cut, days: regression(cut, days)[0],
            horizon_days,
            options.validation_weeks,
        )
        log_point = blend(log_counts, special, log_point, weights)
    return count_frames(log_point, low_error, high_error, index=future, columns=counts.columns)


def project_log_counts(
    log_counts: np.ndarray,
    design_train: np.ndarray,
    design_future: np.ndarray,
    penalty: np.ndarray,
    interval_level: float | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fit the regression per site, correct the first periods from the latest residuals and
    add the empirical interval; any period length (days here, months in ``monthly``).

    Args:
        log_counts: ``log(1 + count)`` per training period × site (NaN: left out).
        design_train, design_future: design matrices of the training and future periods.
        penalty: ridge weight per design column.
        interval_level: central coverage of the interval; ``None``: no interval.

    Returns:
        The point forecast (future period × site, ``log(1 + count)``) and the interval's
        low and high offsets from it (log units; 0 without an interval).
    """
    coefficients = _fit_sites(design_train, log_counts, penalty)
    residuals = log_counts - design_train @ coefficients
    correction, low_error, high_error = _residual_correction(
        residuals, len(design_future), interval_level, n_parameters=design_train.shape[1]
    )
    return design_future @ coefficients + correction, low_error, high_error


def count_frames(
    log_point: np.ndarray,
    low_error: np.ndarray,
    high_error: np.ndarray,
    *,
    index: pd.Index,
    columns: pd.Index,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Point, lower and upper count frames (counts per period, at least 0) from the log
    point and the interval's offsets (log units)."""
    return tuple(  # type: ignore[return-value]
        pd.DataFrame(np.expm1(values).clip(min=0), index=index, columns=columns)
        for values in (log_point, log_point + low_error, log_point + high_error)
    )


def _design(
    train: pd.DatetimeIndex,
    future: pd.DatetimeIndex,
    calendar: Calendar,
    options: ModelOptions,
    yearly_order: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Design matrices for the training and future dates, and the per-column ridge weights;
    ``yearly_order`` yearly harmonics (0: no yearly terms, nor the weekly terms' seasonal
    change).

    Calendar tags that never occur in training dates are dropped (nothing to learn).
    """
    dates = train.append(future)
    days = ((dates - train[0]) / pd.Timedelta(days=1)).to_numpy()
    weekly = fourier(days, 7.0, options.weekly_order)
    yearly = fourier(dates.day_of_year.to_numpy() - 1.0, _DAYS_PER_YEAR, yearly_order)
    tags = calendar.features(dates)
    tags = tags.loc[:, tags.iloc[: len(train)].sum() > 0].to_numpy()
    trend_years = (days - days[len(train) - 1]) / _DAYS_PER_YEAR
    first_harmonic = yearly[:, [0, yearly_order]] if yearly_order else yearly
    seasonal_weekly = (weekly[:, :, None] * first_harmonic[:, None, :]).reshape(len(dates), -1)
    design = np.column_stack(
        [np.ones_like(days), trend_years, weekly, yearly, seasonal_weekly, tags]
    )
    n_free = 2 + weekly.shape[1]
    penalty = np.concatenate([np.zeros(n_free), np.full(design.shape[1] - n_free, options.ridge)])
    return design[: len(train)], design[len(train) :], penalty


def _yearly_order(dates: pd.DatetimeIndex, log_counts: np.ndarray, yearly_order: int) -> int:
    """``yearly_order``, or 0 when the days with a count span less than
    ``YEARLY_MIN_SPAN_DAYS``: a year's shape is not learned from one sight of it."""
    counted = np.flatnonzero(np.isfinite(log_counts).any(axis=1))
    if not len(counted):
        return 0
    span_days = (dates[counted[-1]] - dates[counted[0]]).days + 1
    return yearly_order if span_days >= YEARLY_MIN_SPAN_DAYS else 0


def fourier(t: np.ndarray, period: float, order: int) -> np.ndarray:
    """Columns sin(2πkt/period) for k = 1..order, then cos(2πkt/period) for k = 1..order."""
    angles = 2 * np.pi * np.outer(t, np.arange(1, order + 1)) / period
    return np.column_stack([np.sin(angles), np.cos(angles)])


def _excluded(dates: pd.DatetimeIndex, periods: Sequence[tuple[DateLike, DateLike]]) -> np.ndarray:
    """Boolean array: does each date fall in one of the excluded ranges."""
    mask = np.zeros(len(dates), dtype=bool)
    for start, end in periods:
        mask |= (dates >= pd.Timestamp(start)) & (dates <= pd.Timestamp(end))
    return mask


def _fit_sites(design: np.ndarray, log_counts: np.ndarray, penalty: np.ndarray) -> np.ndarray:
    """Ridge least-squares coefficients per site (columns), each on its observed days, from
    the normal equations, shared by the sites observed on the same days; NaN (no forecast)
    for a site with fewer observed days than a quarter of the parameters."""
    coefficients = np.full((design.shape[1], log_counts.shape[1]), np.nan)
    observed = np.isfinite(log_counts)
    masks, group = np.unique(observed.T, axis=0, return_inverse=True)
    for k, mask in enumerate(masks):
        if mask.sum() < design.shape[1] // 4:
            continue
        sites = np.flatnonzero(group.reshape(-1) == k)
        rows = design[mask]
        gram = rows.T @ rows + np.diag(penalty)
        coefficients[:, sites] = np.linalg.lstsq(
            gram, rows.T @ log_counts[np.ix_(mask, sites)], rcond=None
        )[0]
    return coefficients


def _residual_correction(
    residuals: np.ndarray, horizon_days: int, level: float | None, *, n_parameters: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-horizon correction of the regression from the latest residuals, and the interval
    offsets (log units) from the in-sample errors of that corrected forecast (0 without a
    ``level``: the validation's forecasts need no interval).

    Returns:
        ``correction``, ``low`` and ``high``, each horizon × site.
    """
    frame = pd.DataFrame(residuals)
    last_day = frame.ffill(limit=2).to_numpy()
    last_week = frame.rolling(7, min_periods=3).mean().to_numpy()
    predictors = np.stack([np.nan_to_num(last_day), np.nan_to_num(last_week)], axis=-1)
    n_days, n_sites = residuals.shape
    inflation = np.sqrt(
        np.isfinite(residuals).sum(0) / np.maximum(np.isfinite(residuals).sum(0) - n_parameters, 1)
    )
    shape = (horizon_days, n_sites)
    correction, low, high = np.zeros(shape), np.zeros(shape), np.zeros(shape)
    for h in range(1, horizon_days + 1):
        target = residuals[h:] if h < n_days else np.empty((0, n_sites))
        x = predictors[: n_days - h]
        usable = np.isfinite(target)
        if usable.sum() > 10:
            a = np.linalg.lstsq(x[usable], target[usable], rcond=None)[0]
        else:
            a = np.zeros(2)
        correction[h - 1] = predictors[-1] @ a
        if level is not None:
            errors = np.where(usable, target - x @ a, np.nan)
            tail = (1 - level) / 2
            low[h - 1], high[h - 1] = np.nanquantile(errors, [tail, 1 - tail], axis=0) * inflation
    return correction, low, high


def stack_sites(
    point: pd.DataFrame, lower: pd.DataFrame, upper: pd.DataFrame, time: str
) -> pd.DataFrame:
    """Stack date × site matrices into rows of (site, time, point, lower, upper)."""
    stacked = pd.concat(
        {"point": point.stack(), "lower": lower.stack(), "upper": upper.stack()}, axis=1
    )
    stacked.index = stacked.index.set_names([time, "site"])
    return stacked.reset_index()[["site", time, "point", "lower", "upper"]].sort_values(
        ["site", time], ignore_index=True
    )


def hourly_profiles(
    history: History, calendar: Calendar, *, day_start_hour: int, weeks: int
) -> pd.DataFrame:
    """Share of a counting day's total in each of its hours, per site and day type.

    Uses the last ``weeks`` weeks of complete days. The day type is the weekday (0 = Monday);
    public holidays count as Sundays.

    Returns:
        Frame indexed by (site, day_type) with 24 columns, hour offsets 0..23 from
        ``day_start_hour``; each row sums to 1.
    """
    counts = history.counts.dropna(subset=["count"])
    start = counts["time"] - pd.Timedelta(hours=day_start_hour)
    day = start.dt.normalize()
    recent = day >= day.max() - pd.Timedelta(weeks=weeks)
    table = pd.DataFrame(
        {
            "site": counts["site"],
            "day": day,
            "offset": start.dt.hour,
            "count": counts["count"],
        }
    )[recent]
    totals = table.groupby(["site", "day"])["count"].transform("sum")
    table = table.assign(share=table["count"] / totals.where(totals > 0))
    table["day_type"] = _day_types(pd.DatetimeIndex(table["day"]), calendar)
    shares = table.pivot_table(
        index=["site", "day_type"], columns="offset", values="share", aggfunc="mean"
    )
    shares = shares.reindex(columns=range(24)).fillna(0.0)
    return shares.div(shares.sum(axis=1).where(lambda s: s > 0), axis=0).fillna(1 / 24)


def split_into_hours(
    daily: pd.DataFrame, shares: pd.DataFrame, calendar: Calendar, *, day_start_hour: int
) -> pd.DataFrame:
    """Hourly forecast from daily forecasts and hourly profiles (reconciled: the hours of a day
    sum to its daily point forecast; interval bounds are split by the same shares)."""
    keys = pd.MultiIndex.from_arrays(
        [daily["site"], _day_types(pd.DatetimeIndex(daily["date"]), calendar)]
    )
    fallback = shares.groupby(level="site").mean()
    day_shares = shares.reindex(keys).to_numpy(copy=True)
    missing = np.isnan(day_shares).any(axis=1)
    day_shares[missing] = fallback.reindex(daily["site"][missing]).fillna(1 / 24).to_numpy()
    offsets = np.arange(24)
    rows = np.repeat(np.arange(len(daily)), 24)
    hours = np.tile(offsets, len(daily))
    flat_shares = day_shares.reshape(-1)
    return pd.DataFrame(
        {
            "site": daily["site"].to_numpy()[rows],
            "date": daily["date"].to_numpy()[rows],
            "time": daily["date"].to_numpy()[rows]
            + pd.to_timedelta(day_start_hour + hours, unit="h").to_numpy(),
            **{
                column: daily[column].to_numpy()[rows] * flat_shares
                for column in ("point", "lower", "upper")
            },
        }
    )


def _day_types(days: pd.DatetimeIndex, calendar: Calendar) -> np.ndarray:
    """Weekday (0 = Monday) of each day, with public holidays as Sunday."""
    return np.where(calendar.is_holiday(days), _SUNDAY, days.day_of_week)
