"""The regression's forecast blended with two seasonal-naive forecasts, per site.

For daily forecasts (``model``) as below; monthly forecasts (``monthly``) blend the
regression with last month's count and the same month's last year, validated from monthly
origins, with no special months.

The regression (``model``) knows the calendar and the yearly shape; the naive forecasts
(the same weekday last week, and last year) know the latest level, which a long fit follows
slowly: on the bundled Auckland counts the regression alone was worse than last week's
counts in 7 of 22 eight-week windows. The blend is a weighted mean in ``log(1 + count)``
units; each site's weights come from a validation backtest on its own history: from
``validation_weeks`` origins a week apart, the last one horizon before the end of the
history, the regression is fitted on the days before the origin and forecasts the same
horizon, and each forecast's weight is the inverse of its mean squared error in counts over
those days (Bates and Granger's combination), normalised to add up to 1.

On special days, public holidays and events (``Calendar.special_days``), the naive forecasts
know nothing of the day, so where the day forecast or a naive forecast's source day is one,
the regression alone is used, in the validation and in the forecast.
A naive forecast whose source day has no count (a gap, an excluded period) gives way to the
regression the same way.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

NAIVE_LAGS_DAYS = (7, 364)
"""The seasonal-naive forecasts: the latest day with the same weekday a week, and a year
(52 weeks), before."""
VALIDATION_STEP_DAYS = 7
"""Days between validation origins."""

Regression = Callable[[int, int], np.ndarray]
"""``(cut, horizon)`` → the regression's ``log(1 + count)`` forecast (horizon × site) of the
``horizon`` periods from history period ``cut`` on, fitted on the periods before it."""


def _sources(cut: int, horizon: int, lag: int) -> np.ndarray:
    """Period index each forecast period's naive value comes from (may be negative: none)."""
    ahead = np.arange(horizon)
    source = cut + ahead - lag * (ahead // lag + 1)
    return np.where(source >= 0, source, -1)


def _components(
    log_counts: np.ndarray,
    special: np.ndarray,
    regression_log: np.ndarray,
    cut: int,
    lags: tuple[int, ...],
) -> np.ndarray:
    """The forecasts (1 + len(lags) × horizon × site, log units) of the periods from ``cut``
    on, each naive one replaced by the regression where it has no value or the period, or
    its source period, is special (``special``: per period of the history and the
    horizon)."""
    horizon = len(regression_log)
    parts = [regression_log]
    for lag in lags:
        sources = _sources(cut, horizon, lag)
        naive = np.where(sources[:, None] >= 0, log_counts[sources], np.nan)
        plain = ~special[cut : cut + horizon] & ~special[sources] & (sources >= 0)
        usable = plain[:, None] & np.isfinite(naive)
        parts.append(np.where(usable, naive, regression_log))
    return np.stack(parts)


def choose_weights(
    log_counts: np.ndarray,
    special: np.ndarray,
    regression: Regression,
    horizon: int,
    origins: int,
    *,
    lags: tuple[int, ...] = NAIVE_LAGS_DAYS,
    step: int = VALIDATION_STEP_DAYS,
) -> np.ndarray:
    """Per site, each forecast's weight in the blend: the inverse of its mean squared error
    in counts over the validation backtest (see the module; ``origins`` origins ``step``
    periods apart, each forecasting ``horizon`` periods), normalised to add up to 1; the
    regression alone for a site with no validation period. ``lags``: the naive forecasts'
    (periods; days by default). Returns 1 + len(lags) (the regression first) × site."""
    n_periods, n_sites = log_counts.shape
    squared = np.zeros((1 + len(lags), n_sites))
    scored = np.zeros(n_sites)
    for origin in range(origins):
        cut = n_periods - horizon - step * origin
        if cut <= max(lags[0], horizon):
            break
        parts = _components(log_counts, special, regression(cut, horizon), cut, lags)
        actual = np.expm1(log_counts[cut : cut + horizon])
        squared += np.nansum((np.expm1(parts) - actual) ** 2, axis=1)
        scored += np.isfinite(actual).sum(axis=0)
    inverse = 1 / np.maximum(squared, np.finfo(float).tiny)
    weights = inverse / inverse.sum(axis=0)
    weights[:, scored == 0] = np.eye(len(weights))[:, :1]
    return weights


def blend(
    log_counts: np.ndarray,
    special: np.ndarray,
    regression_log: np.ndarray,
    weights: np.ndarray,
    *,
    lags: tuple[int, ...] = NAIVE_LAGS_DAYS,
) -> np.ndarray:
    """The blended forecast (horizon × site, log units) of the periods after the history,
    with ``weights`` (``choose_weights`` with the same ``lags``)."""
    parts = _components(log_counts, special, regression_log, len(log_counts), lags)
    return np.einsum("ks,khs->hs", weights, parts)
