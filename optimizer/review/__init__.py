"""Under-used outlet review: flags from monthly volumes, and merge, relocate or transform
options with the figures that justify them (issue #20).

Entry point: ``solve_review(problem, settings, limits) -> (ReviewPlan, SolveReport)``.
"""

from optimizer.review.engine import solve_review
from optimizer.review.plan import ReviewPlan
from optimizer.review.problem import Outlets, ReviewProblem
from optimizer.review.settings import ReviewSettings

__all__ = ["Outlets", "ReviewPlan", "ReviewProblem", "ReviewSettings", "solve_review"]
