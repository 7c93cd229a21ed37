"""What the two neighbourhood searches (the whole model's, ``engine``; the windowed one,
``windows``) share about their re-solves: the CP-SAT solver each re-solve runs, and how a
kind of neighbourhood's sizes follow the re-solves' outcomes."""

from __future__ import annotations

from ortools.sat.python import cp_model

GROW, SHRINK = 1.1, 0.93
"""Factors on a neighbourhood kind's sizes after a re-solve proven optimal that found nothing
better / one not proven. A re-solve proven optimal that found better leaves them: growing
then made each re-solve slower without gaining more. From the same rosters of Curtois–Qu
Instances 22, 23 and 24 (120 s of windowed neighbourhoods, two workers,
``LINEARIZATION_LEVEL`` 2), growing on every proof ended at 39,295, 29,432 and 126,853;
never growing at 37,365, 26,303 and 123,303; this rule at 37,854, 24,717 and 122,525
(single runs)."""
LINEARIZATION_LEVEL = 2
"""CP-SAT's ``linearization_level`` for the re-solves: 2 adds the linear relaxation of the
cover rows, whose under-cover weights dominate; against the default (1), the same 30–40
windowed neighbourhoods of Curtois–Qu Instances 22, 23 and 24 gained 2.9×, 2.0× and 2.9× as
much in 55 %, 71 % and 66 % of the time, with 83–87 % proven optimal instead of 23–50 %."""


def one_worker(seconds: float, seed: int) -> cp_model.CpSolver:
    """A CP-SAT solver for one re-solve: one worker, ``LINEARIZATION_LEVEL``, the ``seed``,
    at most ``seconds`` (at least 0.01), and no handler of its own for Ctrl-C (the caller
    stops it through ``optimizer.stop``)."""
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.linearization_level = LINEARIZATION_LEVEL
    solver.parameters.random_seed = seed
    solver.parameters.catch_sigint_signal = False
    solver.parameters.max_time_in_seconds = max(seconds, 0.01)
    return solver


class Sizes(dict[str, float]):
    """Neighbourhood sizes by name (days, employees, …), each kind of neighbourhood owning
    some of them (``of_kind``)."""

    def __init__(self, first: dict[str, float], of_kind: dict[str, tuple[str, ...]]) -> None:
        super().__init__(first)
        self.of_kind = of_kind

    def after(self, kind: str, code: int, better: bool) -> None:
        """Grow ``kind``'s sizes by ``GROW`` after a re-solve proven optimal (``code``) that
        found nothing ``better``, shrink them by ``SHRINK`` after one not proven, and keep
        them after one proven with a better roster."""
        factor = SHRINK if code != cp_model.OPTIMAL else 1.0 if better else GROW
        for name in self.of_kind.get(kind, ()):
            self[name] *= factor
