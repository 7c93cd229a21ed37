"""A multi-region scenario's siting (``regions:``): the regions in groups that cannot interact
with each other (``regions_reach``), each group one task on an executor
(``optimizer.parallel``), the results merged into one plan (``regions_merge``): one set of
layers and maps, one ``summary``.

A group of one region is that region planned on its own (``siting.site_stations``). A group of
regions that can interact is planned as one problem (``siting_inputs.build_shared_inputs``):
every resident of the group may be served by every candidate site of the group, on the group's
one road network; its regions share the roads file, the snap distance, the districts and the
siting section (but their own candidate and existing-station files: checked by
``regions_reach.region_groups``), and its ``max_stations`` and ``budget`` are its regions'
summed. Every task runs with the scenario's
solver limits, its threads set so that the tasks running at once share the cores; a task that
raises stops the plan (nothing is written) with its regions named.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from optimizer.errors import SvcplanError
from optimizer.export.tables import ArtifactWriter, json_writer
from optimizer.parallel import IN_PROCESS, ExecutorChoice, open_executor
from optimizer.pipeline.regions_merge import JOINT, SitedTask, merged_layers, merged_summary
from optimizer.pipeline.regions_reach import region_groups
from optimizer.pipeline.siting import (
    SitedStations,
    site_stations,
    siting_map_artifacts,
    solve_stations,
)
from optimizer.pipeline.siting_inputs import RegionPart, build_shared_inputs
from optimizer.scenario import RegionEntry, Scenario, SitingConfig
from optimizer.solve import SolverLimits

PNG = "png"
"""The output format of the static map."""


@dataclass(frozen=True)
class RegionTask:
    """One group of regions to site on a worker.

    Attributes:
        parts: the group's regions, each with its siting section (the first's holds for the
            group, with the group's limits) and, in a group of several, its id prefix.
        limits: the solver limits, threads set for the executor.
        draw_layers: whether the plan's layers are drawn (the scenario writes layers or maps).
    """

    parts: tuple[RegionPart, ...]
    limits: SolverLimits
    draw_layers: bool


@dataclass(frozen=True)
class TaskFailure:
    """A task's svcplan error, carried back as text with its exit code (errors of every kind
    travel alike, whatever their constructor)."""

    exit_code: int
    message: str


class RegionFailed(SvcplanError):
    """A group's task failed: its error, with its regions named and the error's exit code."""

    def __init__(self, regions: str, exit_code: int, message: str) -> None:
        self.exit_code = exit_code
        super().__init__(f"region {regions}: {message}")


def site_region_group(task: RegionTask) -> SitedStations | TaskFailure:
    """What a worker runs: one group of regions sited, alone or as one problem.

    Returns:
        The group's ``SitedStations``, or its svcplan error as a ``TaskFailure``.
    """
    parts, silent = task.parts, (lambda _line: None)
    try:
        if len(parts) == 1:
            part = parts[0]
            return site_stations(
                part.region, part.siting, task.limits, silent, draw_layers=task.draw_layers
            )
        return solve_stations(
            lambda: build_shared_inputs(parts, progress=silent),
            parts[0].siting,
            task.limits,
            silent,
            draw_layers=task.draw_layers,
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
    """Site every region of ``scenario.regions``, one task per group of regions that can
    interact, on ``executor``, and add the merged plan's files (layers and maps with a
    ``region`` column, ``siting_plan.json`` with each task's plan) to ``artifacts``.

    Returns:
        The merged summary (``regions_merge.merged_summary``).

    Raises:
        DataError: unreadable region data, or regions that can interact but cannot share one
            problem (different roads, snap distance, districts or siting).
        RegionFailed: a task failed (its error's exit code).
    """
    assert scenario.regions is not None
    regions = scenario.regions
    sitings = [scenario.region_siting(region) for region in regions]
    groups, pairs = region_groups(regions, sitings, progress)
    by_name = {region.name: index for index, region in enumerate(regions)}
    draw_layers = bool(scenario.outputs.formats)
    if len(groups) == 1:  # one task: no workers to start
        executor = IN_PROCESS
    with open_executor(executor.name, workers=executor.workers, address=executor.address) as pool:
        task_limits = _task_limits(limits, pool.name, executor.threads or pool.threads_per_task)
        tasks = [
            RegionTask(
                _group_parts(
                    [regions[by_name[n]] for n in group], [sitings[by_name[n]] for n in group]
                ),
                task_limits,
                draw_layers,
            )
            for group in groups
        ]
        progress(f"siting {len(regions)} regions in {len(tasks)} tasks on {pool.name}")
        results: list[SitedStations | None] = [None] * len(tasks)
        for done, result in enumerate(pool.run(site_region_group, tasks), start=1):
            label = JOINT.join(groups[result.index])
            value = result.value
            if isinstance(value, TaskFailure):
                raise RegionFailed(label, value.exit_code, value.message)
            if value is None:
                raise RegionFailed(label, 1, str(result.error))
            results[result.index] = value
            progress(f"region {label} sited ({done} of {len(tasks)} tasks)")
    sited = [
        SitedTask(names=group, sited=value)
        for group, value in zip(groups, results, strict=True)
        if value is not None
    ]
    if draw_layers:
        artifacts.update(_map_artifacts(scenario, sited))
    artifacts["siting_plan.json"] = json_writer(
        {"tasks": {task.label: task.sited.plan.to_dict() for task in sited}}
    )
    return merged_summary(sited, pairs)


def _map_artifacts(scenario: Scenario, tasks: list[SitedTask]) -> dict[str, ArtifactWriter]:
    """The merged plan's layer files and maps; when its tasks lie in different projected CRSs
    (UTM zones: regions far apart), a PNG map per task (``map_<regions>.png``) instead of one
    PNG that would show each region as a dot."""
    minutes = {task.sited.summary["coverage_minutes"] for task in tasks}
    common = next(iter(minutes)) if len(minutes) == 1 else None
    formats = list(scenario.outputs.formats)
    apart = len({task.sited.stations.crs for task in tasks}) > 1 and PNG in formats
    kept = [name for name in formats if not (apart and name == PNG)]
    artifacts = siting_map_artifacts(
        scenario,
        merged_layers(tasks),
        coverage_minutes=common,  # type: ignore[arg-type]
        formats=kept,
    )
    for task in tasks if apart else []:
        assert task.sited.layers is not None
        png = siting_map_artifacts(
            scenario,
            task.sited.layers,
            coverage_minutes=task.sited.summary["coverage_minutes"],  # type: ignore[arg-type]
            formats=[PNG],
            place=task.label,
        )
        artifacts[f"map_{task.label}.png"] = next(iter(png.values()))
    return artifacts


def _group_parts(
    regions: Sequence[RegionEntry], sitings: Sequence[SitingConfig]
) -> tuple[RegionPart, ...]:
    """A group's regions as the parts of one task: a region alone as it is; several with their
    names as id prefixes and the first's siting holding the group's summed limits."""
    if len(regions) == 1:
        return (RegionPart(regions[0], sitings[0]),)
    limits = {
        key: sum(getattr(siting, key) for siting in sitings)
        for key in ("max_stations", "budget")
        if getattr(sitings[0], key) is not None
    }
    group_siting = sitings[0].model_copy(update=limits)
    return tuple(
        RegionPart(region, group_siting if index == 0 else siting, prefix=f"{region.name}/")
        for index, (region, siting) in enumerate(zip(regions, sitings, strict=True))
    )


def _task_limits(limits: SolverLimits, executor: str, threads: int) -> SolverLimits:
    """The limits of each task: in this process (``serial``) the run's own; on workers, the
    executor's share of the cores (the scenario's ``solver.threads`` when it asks for
    fewer)."""
    if executor == IN_PROCESS.name:
        return limits
    return dataclasses.replace(limits, threads=min(threads, limits.threads or threads))
