"""Shared fixtures: the repository root, the bundled sample scenario, ../shared/data and the
sample city solved once per test session."""

from __future__ import annotations

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


@pytest.fixture(scope="session")
def porto_alegre_plan(tmp_path_factory: pytest.TempPathFactory) -> PlanOutcome:
    """``api.plan`` of the bundled sample scenario as it is (lexicographic siting, every map),
    run once per session (about 20 s) and shared by every module that needs the solved city.

    Tests only read it: one that writes to the plan's folder works on a copy.
    """
    from optimizer import api

    return api.plan(SAMPLE_SCENARIO, out_dir=tmp_path_factory.mktemp("porto-alegre"))
