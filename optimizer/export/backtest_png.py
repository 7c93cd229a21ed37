"""A backtest as a PNG: actual demand against the model's forecast, one panel per site."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure

from optimizer.export.staging import staged
from optimizer.forecast.backtest import BacktestResult


def write_backtest_png(result: BacktestResult, path: str | Path, *, columns: int = 3) -> Path:
    """Plot actual, forecast (with its interval) and seasonal-naive per site into a PNG.

    The file is written under a temporary name and renamed into place.

    Returns:
        The path written.
    """
    path = Path(path)
    sites = list(result.scores.index)
    columns = max(1, min(columns, len(sites)))
    rows = max(1, -(-len(sites) // columns))
    figure = Figure(figsize=(5 * columns, 2.6 * rows), layout="constrained")
    FigureCanvasAgg(figure)
    axes = np.atleast_1d(figure.subplots(rows, columns, sharex=True, squeeze=False)).ravel()
    for ax, site in zip(axes, sites, strict=False):
        frame = result.predictions[result.predictions["site"] == site]
        ax.fill_between(frame["date"], frame["lower"], frame["upper"], color="C0", alpha=0.2)
        ax.plot(frame["date"], frame["actual"], color="black", lw=1.2, label="actual")
        ax.plot(frame["date"], frame["point"], color="C0", lw=1.2, label="forecast")
        ax.plot(frame["date"], frame["naive"], color="C1", lw=0.8, ls="--", label="last week")
        score = result.scores.loc[site]
        ax.set_title(
            f"{site}: MASE {score['mase']:.2f} (naive {score['naive_mase']:.2f})", fontsize=9
        )
        ax.tick_params(labelsize=7)
        locator = AutoDateLocator()
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    for ax in axes[len(sites) :]:
        ax.set_visible(False)
    axes[0].legend(fontsize=7, loc="upper left")
    figure.suptitle(
        f"Backtest: actual vs forecast, {result.interval_level:.0%} interval (counts per day)"
    )
    with staged([path]) as (temporary,):
        figure.savefig(temporary, format="png", dpi=90)
    return path
