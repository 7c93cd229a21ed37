"""From a scenario's ``staffing`` section to forecast demand and staff requirements.

Reads the history, builds the holiday and peak-season calendar, fits the forecast over the
horizon (and optionally backtests it), converts counted units into service requests and those
into staff needed and on-call reserve per site × slot.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from optimizer.errors import DataError
from optimizer.export.tables import ArtifactWriter, csv_writer, lines_writer
from optimizer.forecast import (
    BacktestResult,
    Calendar,
    Forecast,
    History,
    ModelOptions,
    backtest,
    build_calendar,
    fit_forecast,
    load_history,
)
from optimizer.scenario import StaffingConfig
from optimizer.staffing.requirements import staff_requirements


@dataclass(frozen=True)
class StaffingDemand:
    """Forecast demand and what it takes to serve it.

    Attributes:
        history: the demand history read (with its gap report).
        calendar: holidays and peak seasons over history and horizon.
        forecast: counts per site and day over the horizon (history units).
        requirements: staff needed and reserve per site × slot × skill (see
            ``staff_requirements``); arrivals there are service requests.
        backtest: rolling-origin scores over ``forecast.backtest_weeks``, when asked for.
    """

    history: History
    calendar: Calendar
    forecast: Forecast
    requirements: pd.DataFrame
    backtest: BacktestResult | None


def forecast_staffing(
    config: StaffingConfig,
    *,
    with_backtest: bool,
    progress: Callable[[str], None],
    history: History | None = None,
) -> StaffingDemand:
    """Forecast demand over ``config.horizon_days`` and derive staff requirements.

    ``history``: the demand history, when the caller has read it already (the roster job
    reads it to cut it at its as-of date); default: ``read_staffing_history(config)``.

    Raises:
        DataError: unusable history, sites in ``site_classes`` missing from it, or sites with
            too little history to forecast.
    """
    if history is None:
        progress(f"reading demand history {config.history.name}")
        history = read_staffing_history(config)
    check_site_classes(config, history.sites)
    days = history.daily_matrix(day_start_hour=config.day_start_hour).index
    last_day = days[-1] + pd.Timedelta(days=config.horizon_days)
    calendar = build_calendar(
        country=config.country,
        subdivision=config.subdivision,
        years=range(days[0].year, last_day.year + 1),
        peak_seasons={season.name: [(season.start, season.end)] for season in config.peak_seasons},
    )
    options = ModelOptions(
        yearly_order=config.forecast.yearly_order,
        weekly_order=config.forecast.weekly_order,
        interval_level=config.forecast.interval_level,
        exclude_periods=[(period.start, period.end) for period in config.forecast.exclude_periods],
        validation_weeks=config.forecast.validation_weeks,
    )
    progress(f"forecasting {len(history.sites)} sites over {config.horizon_days} days")
    forecast = fit_forecast(
        history,
        calendar,
        horizon_days=config.horizon_days,
        options=options,
        day_start_hour=config.day_start_hour,
    )
    requirements = _requirements(config, forecast)
    tested = None
    if with_backtest:
        progress(f"backtesting the last {config.forecast.backtest_weeks} weeks")
        tested = backtest(
            history,
            calendar,
            weeks=config.forecast.backtest_weeks,
            options=options,
            day_start_hour=config.day_start_hour,
        )
    return StaffingDemand(history, calendar, forecast, requirements, tested)


def check_site_classes(config: StaffingConfig, sites: Collection[str]) -> None:
    """Raise DataError (naming the history and its site column) when ``staffing.site_classes``
    names sites that are not among the history's ``sites``."""
    unknown = sorted(
        {site for members in config.site_classes.values() for site in members} - set(sites)
    )
    if unknown:
        raise DataError(
            config.history,
            f"staffing.site_classes names sites not in the history: {', '.join(unknown)}",
            field=config.site_column,
        )


def read_staffing_history(config: StaffingConfig) -> History:
    """The demand history a ``staffing`` section names.

    Raises:
        DataError: an unusable history file.
    """
    return load_history(
        config.history,
        site_column=config.site_column,
        time_column=config.time_column,
        count_column=config.count_column,
    )


def _requirements(config: StaffingConfig, forecast: Forecast) -> pd.DataFrame:
    """Staff needed per site × day from the forecast, in service requests."""
    rules = config.requirements
    scale = rules.arrivals_per_count
    requests = forecast.daily.assign(
        point=forecast.daily["point"] * scale,
        lower=forecast.daily["lower"] * scale,
        upper=forecast.daily["upper"] * scale,
    )
    try:
        return staff_requirements(
            replace(forecast, daily=requests, hourly=None),
            method=rules.method,
            handling_minutes=rules.handling_minutes,
            service_level=rules.service_level,
            answer_within_minutes=rules.answer_within_minutes,
            arrivals_per_staff_hour=rules.arrivals_per_staff_hour,
            open_hours_per_day=rules.open_hours_per_day,
            site_classes={
                site: site_class
                for site_class, sites in config.site_classes.items()
                for site in sites
            },
            reserve_ratios={(rule.site_class, rule.season): rule.ratio for rule in config.reserve},
            reserve_covers_upper=rules.reserve_covers_upper,
        )
    except ValueError as error:
        raise DataError(config.history, str(error)) from None


def staffing_summary(demand: StaffingDemand) -> dict[str, object]:
    """Key figures of a staffing forecast: history gaps, demand, staff and reserve, backtest."""
    requirements = demand.requirements
    per_day = requirements.groupby("slot")[["staff_needed", "reserve_needed"]].sum()
    summary: dict[str, object] = {
        "status": "forecast",
        "sites": len(demand.history.sites),
        "history_frequency": demand.history.frequency,
        "history_gaps": len(demand.history.report.gaps),
        "history_missing_periods": demand.history.report.missing_periods,
        "horizon": {
            "first_day": str(demand.forecast.daily["date"].min().date()),
            "last_day": str(demand.forecast.daily["date"].max().date()),
        },
        "forecast_total": float(demand.forecast.daily["point"].sum()),
        "staff_needed_peak_day": int(per_day["staff_needed"].max()),
        "staff_needed_mean_day": float(per_day["staff_needed"].mean()),
        "reserve_needed_peak_day": int(per_day["reserve_needed"].max()),
        "staff_days_needed": int(requirements["staff_needed"].sum()),
        "reserve_days_needed": int(requirements["reserve_needed"].sum()),
    }
    if demand.backtest is not None:
        summary["backtest"] = backtest_summary(demand.backtest)
    return summary


def backtest_summary(result: BacktestResult) -> dict[str, object]:
    """Mean scores of a backtest and the ratio of the model's MASE to seasonal-naive's (for
    hourly history also the hours' ratio, else ``None``)."""
    return {
        "mean_mase": result.mean_mase,
        "mean_naive_mase": result.mean_naive_mase,
        "mean_naive_year_mase": result.mean_naive_year_mase,
        "mase_ratio_to_naive": result.mean_mase / result.mean_naive_mase,
        "interval_coverage": float(result.scores["coverage"].mean()),
        "interval_level": result.interval_level,
        "hourly_mase_ratio_to_naive": result.hourly_mase_ratio,
    }


def staffing_artifacts(demand: StaffingDemand) -> dict[str, ArtifactWriter]:
    """Writers of the staffing tables (CSV) and, after a backtest, its scores and PNG."""
    artifacts: dict[str, ArtifactWriter] = {
        "forecast.csv": csv_writer(demand.forecast.daily, float_format="%.6g"),
        "requirements.csv": csv_writer(demand.requirements, float_format="%.6g"),
        "history_gaps.txt": lines_writer(demand.history.report.lines()),
    }
    if demand.backtest is not None:
        tested = demand.backtest
        artifacts["backtest.csv"] = csv_writer(tested.scores.reset_index(), float_format="%.6g")
        artifacts["backtest.png"] = lambda path: _write_backtest_png(tested, path)
        if tested.hourly_scores is not None:
            artifacts["hourly_backtest.csv"] = csv_writer(
                tested.hourly_scores.reset_index(), float_format="%.6g"
            )
    return artifacts


def _write_backtest_png(tested: BacktestResult, path: Path) -> None:
    """The backtest chart; matplotlib is imported only when one is written."""
    from optimizer.export.backtest_png import write_backtest_png

    write_backtest_png(tested, path)
