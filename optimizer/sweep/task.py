"""What a worker runs for one variant of a sweep: a whole ``plan`` into its own folder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from optimizer.api import plan_scenario
from optimizer.solve import SolverLimits
from optimizer.sweep.grid import Variant


@dataclass(frozen=True)
class VariantTask:
    """One variant to plan.

    Attributes:
        variant: the variant (its validated scenario travels with it).
        folder: its output folder, ``<out>/<name>-sweep/<variant>/``.
        limits: the solver limits, threads set for the executor's workers.
        key: what the variant's outputs are made from (``run.variant_key``), recorded in its
            ``summary.json`` for ``--resume``.
    """

    variant: Variant
    folder: Path
    limits: SolverLimits
    key: str


def run_variant(task: VariantTask) -> dict[str, object]:
    """Plan ``task``'s variant and publish it into its folder (atomically, under its lock).

    Returns:
        The variant's ``summary.json`` document, with ``variant``: its name, values and key.

    Raises:
        SvcplanError: what ``plan`` raises (the executor reports it with the variant).
    """
    variant = task.variant
    label = {"name": variant.name, "values": variant.values, "key": task.key}
    outcome = plan_scenario(
        variant.scenario, task.folder, limits=task.limits, labels={"variant": label}
    )
    return outcome.summary
