"""Demand forecasting: history input, holiday calendar, per-site model and backtests."""

from optimizer.forecast.backtest import BacktestResult, backtest
from optimizer.forecast.calendar import Calendar, build_calendar
from optimizer.forecast.history import Gap, History, HistoryReport, load_history
from optimizer.forecast.model import Forecast, ModelOptions, fit_forecast

__all__ = [
    "BacktestResult",
    "Calendar",
    "Forecast",
    "Gap",
    "History",
    "HistoryReport",
    "ModelOptions",
    "backtest",
    "build_calendar",
    "fit_forecast",
    "load_history",
]
