"""Station siting: where stations go so residents are within reach, under density and post rules.

Entry point: ``solve_siting(problem, settings) -> (SitingPlan, SolveReport)``.
"""

from optimizer.siting.model import solve_siting
from optimizer.siting.plan import DistrictDensity, SitingPlan
from optimizer.siting.problem import Districts, SitingProblem, TypedPostRequirement
from optimizer.siting.reduce import Reduction, reduce_problem
from optimizer.siting.settings import SitingSettings

__all__ = [
    "DistrictDensity",
    "Districts",
    "Reduction",
    "SitingPlan",
    "SitingProblem",
    "SitingSettings",
    "TypedPostRequirement",
    "reduce_problem",
    "solve_siting",
]
