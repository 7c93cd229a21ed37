"""Cross-region surge dispatch: who lends which units to whom within the window.

``DispatchProblem`` (from arrays or CSV files) → ``solve_dispatch`` → ``DispatchPlan`` and a
``SolveReport``. The pure case is one min-cost flow per resource type (svcplan's network
simplex, or OR-Tools' ``SimpleMinCostFlow`` with ``DispatchSettings(flow_engine="ortools")``);
rules a flow cannot express (minimum batch, donor count, teams) switch to a HiGHS MIP.
``plan_supplies`` turns an inventory feed and forecast consumption into transfers and
replenishment orders.
"""

from optimizer.dispatch.model import solve_dispatch
from optimizer.dispatch.plan import DONORS_EXHAUSTED, NO_DONOR_IN_WINDOW, DispatchPlan
from optimizer.dispatch.problem import DEFAULT_WINDOW_MINUTES, DispatchProblem
from optimizer.dispatch.rules import DispatchRules, Team
from optimizer.dispatch.settings import DispatchSettings

__all__ = [
    "DEFAULT_WINDOW_MINUTES",
    "DONORS_EXHAUSTED",
    "NO_DONOR_IN_WINDOW",
    "DispatchPlan",
    "DispatchProblem",
    "DispatchRules",
    "DispatchSettings",
    "Team",
    "solve_dispatch",
]
