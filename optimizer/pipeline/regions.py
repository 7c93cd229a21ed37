"""A multi-region scenario's siting (``regions:``): the regions in groups that cannot interact
(``regions_reach``), each group one task on an executor (``optimizer.parallel``), the results
merged into one plan (``regions_merge``): one set of layers and maps, one ``summary``.

A group of regions that can interact is one task: today such a group must be a single region,
so regions that can interact are refused with the pairs and their distances (plan them as one
region, with one population layer, or give each its own area). Every task's siting runs with
the scenario's solver limits, its threads set so that the tasks running at once share the
cores; a task that raises stops the plan (nothing is written) with the region named.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from optimizer.errors import DataError, SvcplanError
from optimizer.export.tables import ArtifactWriter, json_writer
from optimizer.parallel import IN_PROCESS, ExecutorChoice, open_executor
from optimizer.pipeline.regions_merge import merged_layers, merged_summary
from optimizer.pipeline.regions_reach import (
    interaction_groups,
    interactions,
    region_extent,
)
from optimizer.pipeline.siting import SitedStations, site_stations, siting_map_artifacts
from optimizer.scenario import RegionEntry, Scenario, SitingConfig
from optimizer.solve import SolverLimits


@dataclass(frozen=True)
class RegionTask:
    """One region to site on a worker.

    Attributes:
        region: the region (its data paths resolved).
        siting: its siting section (the scenario's with its own keys laid over).
        limits: the solver limits, threads set for the executor.
        draw_layers: whether the plan's layers are drawn (the scenario writes layers or maps).
    """

    region: RegionEntry
    siting: SitingConfig
    limits: SolverLimits
    draw_layers: bool


@dataclass(frozen=True)
class TaskFailure:
    """A task's svcplan error, carried back as text with its exit code (errors of every kind
    travel alike, whatever their constructor)."""

    exit_code: int
    message: str


class RegionFailed(SvcplanError):
    """A region's task failed: its error, with the region named and the error's exit code."""

    def __init__(self, region: str, exit_code: int, message: str) -> None:
        self.exit_code = exit_code
        super().__init__(f"region {region}: {message}")


def site_region(task: RegionTask) -> SitedStations | TaskFailure:
    """What a worker runs: one region sited (``pipeline.siting.site_stations``).

    Returns:
        The region's ``SitedStations``, or its svcplan error as a ``TaskFailure``.
    """
    try:
        return site_stations(
            task.region, task.siting, task.limits, lambda _line: None, draw_layers=task.draw_layers
        )
    except SvcplanError as error:
        return TaskFailure(error.exit_code, str(error))


def run_regions_siting(
    scenario: Scenario,
    limits: SolverLimits,
    artifacts: dict[str, ArtifactWriter],
    progress: Callable[[str], None],
    executor: ExecutorChoice,
) -> dict[str, object]:
    """Site every region of ``scenario.regions``, one task per group on ``executor``, and add
    the merged plan's files (layers and maps with a ``region`` column, ``siting_plan.json``
    with each region's plan) to ``artifacts``.

    Returns:
        The merged summary (``regions_merge.merged_summary``).

    Raises:
        DataError: unreadable region data, or regions that can interact.
        RegionFailed: a region's siting failed (its error's exit code).
    """
    assert scenario.regions is not None
    regions = scenario.regions
    sitings = [scenario.region_siting(region) for region in regions]
    groups = independent_groups(regions, sitings, progress)
    draw_layers = bool(scenario.outputs.formats)
    names = [region.name for region in regions]
    results: list[SitedStations | None] = [None] * len(regions)
    if len(groups) == 1:  # one task: no workers to start
        executor = IN_PROCESS
    with open_executor(executor.name, workers=executor.workers, address=executor.address) as pool:
        task_limits = _task_limits(limits, pool.name, executor.threads or pool.threads_per_task)
        tasks = [
            RegionTask(region, siting, task_limits, draw_layers)
            for region, siting in zip(regions, sitings, strict=True)
        ]
        progress(f"siting {len(tasks)} regions on {pool.name} ({pool.slots} at once)")
        for done, result in enumerate(pool.run(site_region, tasks), start=1):
            name = names[result.index]
            value = result.value
            if isinstance(value, TaskFailure):
                raise RegionFailed(name, value.exit_code, value.message)
            if value is None:
                raise RegionFailed(name, 1, str(result.error))
            results[result.index] = value
            progress(f"region {name} sited ({done} of {len(tasks)})")
    sited = [item for item in results if item is not None]
    if draw_layers:
        layers = merged_layers(names, [item.layers or {} for item in sited])
        artifacts.update(siting_map_artifacts(scenario, layers))
    artifacts["siting_plan.json"] = json_writer(
        {"regions": {name: item.plan.to_dict() for name, item in zip(names, sited, strict=True)}}
    )
    return merged_summary(names, sited, groups)


def independent_groups(
    regions: list[RegionEntry], sitings: list[SitingConfig], progress: Callable[[str], None]
) -> list[list[str]]:
    """The regions in groups that cannot interact, each group one task.

    Raises:
        DataError: regions that can interact (``regions_reach``), each pair with its distance
            and reach, on one line.
    """
    progress(f"checking which of {len(regions)} regions can interact")
    extents = [
        region_extent(region, siting) for region, siting in zip(regions, sitings, strict=True)
    ]
    pairs = interactions(extents)
    groups = interaction_groups([region.name for region in regions], pairs)
    joint = [group for group in groups if len(group) > 1]
    if joint:
        raise DataError(
            "regions",
            "regions that can interact must be planned together as one region (one "
            "population layer and roads file): " + "; ".join(pair.sentence() for pair in pairs),
        )
    return groups


def _task_limits(limits: SolverLimits, executor: str, threads: int) -> SolverLimits:
    """The limits of each task: in this process (``serial``) the run's own; on workers, the
    executor's share of the cores (the scenario's ``solver.threads`` when it asks for
    fewer)."""
    if executor == IN_PROCESS.name:
        return limits
    return dataclasses.replace(limits, threads=min(threads, limits.threads or threads))
