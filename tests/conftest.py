"""Shared fixtures: the repository root, the bundled sample scenario, ../shared/data, the
sample city solved once per test session, and banded roster pricing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from optimizer.api import PlanOutcome

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLE_SCENARIO = REPO_ROOT / "scenarios" / "porto-alegre.yaml"
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"


@pytest.fixture
def shared_data() -> Path:
    """``../shared/data``; the test is skipped when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"{SHARED_DATA} is absent")
    return SHARED_DATA


@pytest.fixture
def band_programs(monkeypatch: pytest.MonkeyPatch) -> Callable[[int], None]:
    """A function that holds every roster pricing program to the given states × days × type
    groups for the test, whatever column generation's time (``columns.EMPLOYEE_BUDGET`` both
    ways, ``columns.EXACT_PER_MINUTE`` 0)."""
    from optimizer.roster import columns

    def band(budget: int) -> None:
        monkeypatch.setattr(columns, "EMPLOYEE_BUDGET", (budget, budget))
        monkeypatch.setattr(columns, "EXACT_PER_MINUTE", 0)

    return band


@pytest.fixture(scope="session")
def porto_alegre_plan(tmp_path_factory: pytest.TempPathFactory) -> PlanOutcome:
    """``api.plan`` of the bundled sample scenario as it is (lexicographic siting, every map),
    run once per session (about 20 s) and shared by every module that needs the solved city.

    Tests only read it: one that writes to the plan's folder works on a copy.
    """
    from optimizer import api

    return api.plan(SAMPLE_SCENARIO, out_dir=tmp_path_factory.mktemp("porto-alegre"))


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Groups for pytest-xdist's ``--dist loadgroup`` (the suite runs on one worker per core):
    each module's tests stay on one worker, so module fixtures are built once, and every
    module with a test of the solved sample city is on the same worker, so the session
    fixture ``porto_alegre_plan`` is built once. A module naming a parametrized module
    fixture in ``XDIST_GROUP_BY`` is split into one group per parameter of it. Runs before
    xdist reads the groups."""
    with_city = {item.module.__name__ for item in items if "porto_alegre_plan" in item.fixturenames}
    for item in items:
        module = item.module.__name__
        group = "porto_alegre_plan" if module in with_city else module
        split_by = getattr(item.module, "XDIST_GROUP_BY", None)
        params = getattr(getattr(item, "callspec", None), "params", {})
        if split_by in params:
            group += f"[{params[split_by]}]"
        item.add_marker(pytest.mark.xdist_group(group))
