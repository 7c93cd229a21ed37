"""A sweep end to end: the grid's variants on an executor, complete ones skipped with
``--resume``, and the comparison published.

Layout: ``<out>/<name>-sweep/`` holds one folder per variant (``<variant>/``: what ``plan``
writes, published atomically by its own task) and ``comparison/`` (``sweep.csv``,
``tradeoffs.png``, ``summary.json``, published atomically at the end, its manifest recording
each variant's manifest as an input). The sweep folder itself is a plain folder, as ``out/``
is; variants of an earlier grid stay in it, outside the comparison.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from optimizer import __version__
from optimizer.export.lock import output_lock
from optimizer.export.manifest import MANIFEST, is_complete
from optimizer.export.staging import check_output_folder, publish
from optimizer.export.sweep_png import tradeoff_writer
from optimizer.export.tables import csv_writer, json_writer
from optimizer.parallel import Executor, open_executor
from optimizer.pipeline.limits import solver_limits
from optimizer.scenario import output_folder
from optimizer.sweep.grid import Grid, Variant, load_grid
from optimizer.sweep.table import FAILED, variant_row
from optimizer.sweep.task import VariantTask, run_variant

SWEEP_SUFFIX = "-sweep"
"""The sweep folder is the scenario's output folder name with this after it."""
COMPARISON_FOLDER = "comparison"

OnResult = Callable[[int, int, dict[str, Any]], None]
"""Called as each variant ends: (variants done, variants in all, its table row)."""


@dataclass
class SweepOutcome:
    """What one sweep produced.

    Attributes:
        grid: the scenario and its variants.
        folder: the sweep folder, ``<out>/<name>-sweep``.
        rows: the comparison table, one row per variant in grid order.
        executor: the executor's name; ``slots``: tasks it ran at once;
            ``threads_per_task``: solver threads each task had.
        wall_seconds: the whole sweep, validation to the comparison's publication.
        files: the comparison's published files, manifest last.
    """

    grid: Grid
    folder: Path
    rows: list[dict[str, Any]]
    executor: str
    slots: int
    threads_per_task: int
    wall_seconds: float
    files: list[Path] = field(default_factory=list)

    @property
    def failed(self) -> list[dict[str, Any]]:
        """The rows of variants whose run raised."""
        return [row for row in self.rows if row["status"] == FAILED]


def run_sweep(
    scenario_path: Path,
    grid_path: Path,
    *,
    out_dir: Path | None = None,
    executor: str = "local",
    workers: int | None = None,
    address: str | None = None,
    threads: int | None = None,
    resume: bool = False,
    time_limit_seconds: float | None = None,
    relative_gap: float | None = None,
    on_result: OnResult | None = None,
) -> SweepOutcome:
    """Plan every variant of the grid, one task each, and publish the comparison.

    Args:
        scenario_path: the scenario file.
        grid_path: the grid file (``optimizer.sweep.grid``).
        out_dir: overrides ``outputs.directory``: the sweep goes to ``<out_dir>/<name>-sweep``.
        executor: ``local``, ``dask`` or ``serial`` (``optimizer.parallel``).
        workers: tasks at once (see ``open_executor``).
        address: a running Dask scheduler.
        threads: solver threads per task; default: the executor's share of the cores.
        resume: skip variants whose folder is complete (``manifest.is_complete``) and was made
            from the same scenario, values and limits.
        time_limit_seconds: overrides every variant's ``solver.time_limit_seconds``.
        relative_gap: overrides every variant's ``solver.relative_gap``.
        on_result: called as each variant ends (resumed ones first).

    Returns:
        The ``SweepOutcome``; a failed variant is a row with status ``failed`` and its error.

    Raises:
        ScenarioError: bad scenario or grid (nothing runs or is written).
        DataError: a variant folder svcplan did not write, or an executor that cannot start.
        OutputBusyError: another sweep is writing the same sweep folder.
    """
    started = time.perf_counter()
    grid = load_grid(scenario_path, grid_path)
    plan_folder = output_folder(grid.scenario, scenario_path, out_dir)
    folder = plan_folder.with_name(plan_folder.name + SWEEP_SUFFIX)
    report = on_result or (lambda _done, _total, _row: None)
    with output_lock(folder):
        for name in [*(variant.name for variant in grid.variants), COMPARISON_FOLDER]:
            check_output_folder(folder / name)
        with open_executor(executor, workers=workers, address=address) as pool:
            per_task = threads or pool.threads_per_task
            tasks = [
                _task(variant, folder, per_task, time_limit_seconds, relative_gap)
                for variant in grid.variants
            ]
            rows = _run_tasks(pool, grid, tasks, resume=resume, report=report)
        wall_seconds = time.perf_counter() - started
        outcome = SweepOutcome(
            grid=grid,
            folder=folder,
            rows=rows,
            executor=pool.name,
            slots=pool.slots,
            threads_per_task=per_task,
            wall_seconds=wall_seconds,
        )
        outcome.files = _publish_comparison(outcome, scenario_path, grid_path)
    return outcome


def variant_key(scenario_json: str, limits: dict[str, Any]) -> str:
    """What a variant's outputs are made from, as 16 hex digits: its validated scenario (every
    value and resolved data path), its solver limits but threads, and svcplan's version."""
    text = json.dumps([scenario_json, limits, __version__], sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _task(
    variant: Variant,
    folder: Path,
    threads: int,
    time_limit_seconds: float | None,
    relative_gap: float | None,
) -> VariantTask:
    """The task of one variant: its folder, and its limits with the executor's threads (the
    scenario's own ``solver.threads`` when it asks for fewer)."""
    solver = variant.scenario.solver
    limits = solver_limits(
        solver,
        time_limit_seconds=time_limit_seconds,
        relative_gap=relative_gap,
        threads=min(threads, solver.threads or threads),
    )
    recorded = {
        "time_limit_seconds": limits.time_limit_seconds,
        "relative_gap": limits.relative_gap,
        "seed": limits.seed,
    }
    key = variant_key(variant.scenario.model_dump_json(), recorded)
    return VariantTask(variant=variant, folder=folder / variant.name, limits=limits, key=key)


def _run_tasks(
    pool: Executor,
    grid: Grid,
    tasks: list[VariantTask],
    *,
    resume: bool,
    report: OnResult,
) -> list[dict[str, Any]]:
    """Run the tasks (those already complete skipped when ``resume``); the rows in grid order."""
    total = len(tasks)
    rows: list[dict[str, Any] | None] = [None] * total
    waiting: list[int] = []
    done = 0
    for index, task in enumerate(tasks):
        summary = _complete_summary(task) if resume else None
        if summary is None:
            waiting.append(index)
            continue
        rows[index] = variant_row(task.variant.name, _shown(grid, task), summary, resumed=True)
        done += 1
        report(done, total, rows[index])
    for result in pool.run(run_variant, [tasks[index] for index in waiting]):
        task = tasks[waiting[result.index]]
        row = variant_row(
            task.variant.name,
            _shown(grid, task),
            result.value,
            run_seconds=result.seconds if result.ok else None,
            error=result.error,
        )
        rows[waiting[result.index]] = row
        done += 1
        report(done, total, row)
    return [row for row in rows if row is not None]


def _shown(grid: Grid, task: VariantTask) -> dict[str, Any]:
    """The variant's values of the keys that vary (the table's columns)."""
    return {key: task.variant.values[key] for key in grid.varying}


def _complete_summary(task: VariantTask) -> dict[str, Any] | None:
    """The variant's ``summary.json`` when its folder is complete and was made from the same
    scenario, values and limits (``task.key``); else ``None``."""
    if not is_complete(task.folder):
        return None
    try:
        summary = json.loads((task.folder / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    label = summary.get("variant") if isinstance(summary, dict) else None
    return summary if isinstance(label, dict) and label.get("key") == task.key else None


def _publish_comparison(outcome: SweepOutcome, scenario_path: Path, grid_path: Path) -> list[Path]:
    """Publish ``comparison/``: the table as CSV, the trade-off curves, and a summary."""
    grid = outcome.grid
    table = pd.DataFrame(outcome.rows)
    manifests = [
        outcome.folder / row["variant"] / MANIFEST
        for row in outcome.rows
        if row["status"] != FAILED
    ]
    summary = {
        "scenario": grid.scenario.name,
        "scenario_file": str(scenario_path),
        "grid_file": str(grid_path),
        "svcplan_version": __version__,
        "keys": {key.dotted: list(key.values) for key in grid.keys},
        "variants": len(outcome.rows),
        "failed": len(outcome.failed),
        "resumed": sum(bool(row["resumed"]) for row in outcome.rows),
        "executor": outcome.executor,
        "slots": outcome.slots,
        "threads_per_task": outcome.threads_per_task,
        "wall_seconds": outcome.wall_seconds,
        "rows": outcome.rows,
    }
    artifacts = {
        "sweep.csv": csv_writer(table),
        "tradeoffs.png": tradeoff_writer(
            table, keys=grid.varying, title=f"{grid.scenario.name}: {len(outcome.rows)} variants"
        ),
        "summary.json": json_writer(summary),
    }
    return publish(
        outcome.folder / COMPARISON_FOLDER, artifacts, inputs=[grid_path, scenario_path, *manifests]
    )
