"""Mobile service rounds: which day each place is visited on, and each vehicle's ordered stops.

``RoundsProblem`` (places, allowed day patterns, stops, windows, depots, fleet, shift and a
travel-minute matrix) → ``solve_rounds`` → ``RoundsPlan`` and a ``SolveReport``. Each day's
vehicle routing is solved by PyVRP (or OR-Tools routing, ``RoundsSettings(engine="ortools")``);
an outer search moves places between their day patterns and re-solves the days that changed.
Fewest vehicles first, then fewest driving minutes.
"""

from optimizer.rounds.engine import solve_rounds
from optimizer.rounds.period import DayRoute
from optimizer.rounds.plan import RoundsPlan, Stop, VehicleDay
from optimizer.rounds.problem import RoundsProblem, pattern_days
from optimizer.rounds.rules import vehicles_lower_bound
from optimizer.rounds.settings import ROUNDS_OBJECTIVES, ROUTING_ENGINES, RoundsSettings

__all__ = [
    "ROUNDS_OBJECTIVES",
    "ROUTING_ENGINES",
    "DayRoute",
    "RoundsPlan",
    "RoundsProblem",
    "RoundsSettings",
    "Stop",
    "VehicleDay",
    "pattern_days",
    "solve_rounds",
    "vehicles_lower_bound",
]
