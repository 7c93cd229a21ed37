"""Monthly forecasts: the daily model's regression on months, for volumes counted per month.

``log(1 + count per month)`` is regressed per site on an intercept, a linear trend (per
year) and yearly Fourier terms over the month of the year, with the ridge penalty on the
yearly terms; the latest residuals correct the first months and the interval is the empirical
quantiles of the in-sample errors, as in ``model.project_counts``. Months without a count
(NaN) are left out of the fit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from optimizer.forecast.model import fourier, project_counts

MONTHS_PER_YEAR = 12.0


def forecast_months(
    counts: pd.DataFrame,
    *,
    horizon_months: int,
    interval_level: float = 0.8,
    yearly_order: int = 3,
    ridge: float = 1.0,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Forecast the ``horizon_months`` after a month × site matrix of counts.

    Args:
        counts: counts per month (index: monthly ``pd.Period``s without gaps; NaN: no count).
        horizon_months: months forecast after the last one.
        interval_level: central coverage of the interval.
        yearly_order: yearly Fourier harmonics (at most 6).
        ridge: ridge penalty on the yearly terms (log-count units).

    Returns:
        Point, lower and upper forecasts as month × site matrices (counts per month); a site
        with too few counted months has NaN.
    """
    months = pd.PeriodIndex(counts.index, freq="M")
    future = pd.period_range(months[-1] + 1, periods=horizon_months, freq="M")
    steps = np.arange(len(months) + horizon_months, dtype=float)
    month_of_year = np.concatenate([months.month, future.month]).astype(float) - 1.0
    yearly = fourier(month_of_year, MONTHS_PER_YEAR, yearly_order)
    trend_years = (steps - (len(months) - 1)) / MONTHS_PER_YEAR
    design = np.column_stack([np.ones_like(steps), trend_years, yearly])
    penalty = np.concatenate([np.zeros(2), np.full(yearly.shape[1], ridge)])
    return project_counts(
        np.log1p(counts.to_numpy(dtype=float)),
        design[: len(months)],
        design[len(months) :],
        penalty,
        index=future,
        columns=counts.columns,
        interval_level=interval_level,
    )
