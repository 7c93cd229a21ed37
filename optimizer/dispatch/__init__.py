"""Cross-region surge dispatch: who lends which units to whom within the window.

``DispatchProblem`` (from arrays or CSV files) → ``solve_dispatch`` → ``DispatchPlan`` and a
``SolveReport``. One model over all regions: each has its demand, its minimum cover (a hard
floor) and its priority, and lends above its floor when another region's priority-weighted need
outweighs its own (``donors_keep="demand"``: only beyond its own demand). The pure case is one
min-cost flow per resource type (svcplan's network simplex, or OR-Tools' ``SimpleMinCostFlow``
with ``DispatchSettings(flow_engine="ortools")``); rules a flow cannot express (minimum batch,
donor count, teams) switch to a HiGHS MIP. ``plan_supplies`` turns an inventory feed and
forecast consumption into transfers and replenishment orders.
"""

from optimizer.dispatch.model import solve_dispatch
from optimizer.dispatch.plan import DispatchPlan
from optimizer.dispatch.problem import DEFAULT_WINDOW_MINUTES, DONORS_KEEP, DispatchProblem
from optimizer.dispatch.rules import DispatchRules, Team
from optimizer.dispatch.settings import DispatchSettings
from optimizer.dispatch_reasons import (
    BEYOND_THE_WINDOW,
    DONORS_EXHAUSTED,
    NO_SPARE_IN_WINDOW,
    RULES_HOLD_BACK,
    UNMET_REASONS,
)

__all__ = [
    "BEYOND_THE_WINDOW",
    "DEFAULT_WINDOW_MINUTES",
    "DONORS_EXHAUSTED",
    "DONORS_KEEP",
    "NO_SPARE_IN_WINDOW",
    "RULES_HOLD_BACK",
    "UNMET_REASONS",
    "DispatchPlan",
    "DispatchProblem",
    "DispatchRules",
    "DispatchSettings",
    "Team",
    "solve_dispatch",
]
