"""The scenario's ``mobile_rounds`` section: mobile service rounds to the places no station
covers (``svcplan rounds``)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from optimizer.choices import ROUNDS_OBJECTIVES, ROUTING_ENGINES, described
from optimizer.scenario_base import DataFile, DistrictsConfig, Meters, Minutes, Section


class FrequencyStep(Section):
    """Places with at least ``min_residents`` are visited ``visits`` times a period."""

    min_residents: float = Field(ge=0, description="Residents from which this step applies.")
    visits: int = Field(ge=1, le=28, description="Visits per period.")


class MobileRoundsConfig(Section):
    """Weekly (or other periodic) rounds of mobile service vehicles from the stations."""

    roads: DataFile = Field(description="OpenStreetMap extract driven in drive mode.")
    places: DataFile = Field(
        description="CSV with columns id, name, lat, lon, residents; optional open_minutes and"
        " close_minutes: the window a visit starts in, minutes after the shift day starts."
    )
    stations: DataFile = Field(
        description="CSV with columns id, lat, lon: the stations; vehicles start and end there."
    )
    coverage_minutes: Minutes = Field(
        10.0, description="Places within this drive of a station are served by it, not visited."
    )
    max_snap_meters: Meters = Field(
        500.0, description="Places farther than this from a drivable road are unreachable."
    )
    period_days: int = Field(7, ge=1, le=28, description="Days in the planning period.")
    working_days: list[int] = Field(
        default_factory=lambda: [1, 2, 3, 4, 5],
        min_length=1,
        description="Days of the period (1-based) the vehicles work.",
    )
    visits_per_period: int = Field(1, ge=1, le=28, description="Visits of a place a period.")
    frequency: list[FrequencyStep] = Field(
        default_factory=list, description="Larger places more often: residents → visits."
    )
    min_days_between_visits: int = Field(1, ge=1, le=28, description="Days between visits.")
    stop_minutes: float = Field(30.0, ge=0, le=24 * 60, description="Minutes of one stop.")
    stop_minutes_per_resident: float = Field(
        0.0, ge=0, le=60, description="Minutes a stop adds per resident of the place."
    )
    districts: DistrictsConfig | None = Field(
        None,
        description="Rounds go to places in rural districts only: a district layer's "
        "urban_field flag, or residents per km² (of the places in it) below "
        "urban_min_residents_per_km2; places outside every district count as rural. Absent: "
        "every place no station covers.",
    )
    shift_hours: float = Field(
        8.0, gt=0, le=24, description="Longest vehicle shift, hours, breaks included."
    )
    break_minutes: float = Field(
        0.0, ge=0, le=24 * 60, description="The crew's break, minutes; 0: no break rule."
    )
    max_minutes_before_break: Minutes | None = Field(
        None,
        description="Longest work (driving, stops and waiting) before a break, minutes from "
        "leaving the station or the end of the last break; null: no break rule.",
    )
    vehicles_per_station: int | None = Field(
        None, ge=1, le=1000, description="Vehicles a station has each day; empty: as needed."
    )
    engine: Literal[tuple(ROUTING_ENGINES)] = Field(  # type: ignore[valid-type]
        next(iter(ROUTING_ENGINES)), description=described(ROUTING_ENGINES) + "."
    )
    objective: Literal[tuple(ROUNDS_OBJECTIVES)] = Field(  # type: ignore[valid-type]
        next(iter(ROUNDS_OBJECTIVES)), description=described(ROUNDS_OBJECTIVES) + "."
    )

    @model_validator(mode="after")
    def _days_in_the_period(self) -> MobileRoundsConfig:
        outside = [day for day in self.working_days if not 1 <= day <= self.period_days]
        if outside:
            raise PydanticCustomError(
                "working_days",
                "working day {day} is outside the {period}-day period",
                {"day": outside[0], "period": self.period_days},
            )
        return self

    @model_validator(mode="after")
    def _break_rule_complete(self) -> MobileRoundsConfig:
        if (self.break_minutes > 0) != (self.max_minutes_before_break is not None):
            raise PydanticCustomError(
                "break_rule",
                "break_minutes and max_minutes_before_break go together (a break rule needs both)",
                {},
            )
        return self

    def visits_for(self, residents: float) -> int:
        """Visits a period of a place with ``residents``: the most of the frequency steps it
        reaches, else ``visits_per_period``."""
        reached = [s.visits for s in self.frequency if residents >= s.min_residents]
        return max(reached, default=self.visits_per_period)
