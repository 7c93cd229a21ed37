"""``DispatchSettings``: which flow engine solves the pure case."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FlowEngine = Literal["network-simplex", "ortools"]
FLOW_ENGINES: tuple[FlowEngine, ...] = ("network-simplex", "ortools")


@dataclass(frozen=True)
class DispatchSettings:
    """Solver settings (time, gap, threads and seed are ``SolverLimits``).

    Attributes:
        flow_engine: solver of the pure case (``optimizer.dispatch.flow.solve_flow``).
    """

    flow_engine: FlowEngine = "network-simplex"
