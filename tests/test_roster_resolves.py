"""The neighbourhood searches' shared size rule (``optimizer.roster.resolves``)."""

from __future__ import annotations

import pytest
from ortools.sat.python import cp_model

from optimizer.roster.resolves import GROW, SHRINK, Sizes


def sizes() -> Sizes:
    """The whole-model search's kinds: ``weekends`` owns no size."""
    return Sizes(
        {"days": 7.0, "staff": 10.0, "window": 14.0},
        {"days": ("days",), "staff": ("staff", "window")},
    )


@pytest.mark.parametrize(
    ("code", "better", "factor"),
    [
        (cp_model.OPTIMAL, False, GROW),
        (cp_model.OPTIMAL, True, 1.0),
        (cp_model.FEASIBLE, True, SHRINK),
        (cp_model.UNKNOWN, False, SHRINK),
    ],
)
def test_only_the_kinds_own_sizes_follow_its_re_solve(
    code: int, better: bool, factor: float
) -> None:
    size = sizes()
    size.after("staff", code, better)
    assert size == pytest.approx({"days": 7.0, "staff": 10.0 * factor, "window": 14.0 * factor})


def test_a_kind_without_sizes_changes_none() -> None:
    size = sizes()
    size.after("weekends", cp_model.OPTIMAL, False)
    assert size == {"days": 7.0, "staff": 10.0, "window": 14.0}
