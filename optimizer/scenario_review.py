"""The scenario's ``review`` section: the under-used outlet review (``svcplan review``)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from optimizer.scenario_base import DataFile, DistrictsConfig, Minutes, PopulationLayer, Section


class ThresholdConfig(Section):
    """When a month counts as below: under a fixed volume, or a share of the network median."""

    volume: float | None = Field(None, gt=0, description="Below this count per month.")
    share_of_median: float | None = Field(
        None,
        gt=0,
        le=10,
        description="Below this share of the month's median over the outlets counted then.",
    )

    @model_validator(mode="after")
    def _one_of_two(self) -> ThresholdConfig:
        if (self.volume is None) == (self.share_of_median is None):
            raise PydanticCustomError(
                "threshold", "give exactly one of volume, share_of_median", {}
            )
        return self


class StraightLineTravel(Section):
    """Travel without a road network: straight-line distance × a detour factor at a speed."""

    speed_kmh: float = Field(gt=0, le=200, description="Travel speed, km/h.")
    detour_factor: float = Field(1.3, ge=1, le=5, description="Route length per straight km.")
    mode: str = Field("walk", description="What the speed is of, for the labels (walk, bus).")


class AccessStandardConfig(Section):
    """Share of residents within reach of an outlet, per district class."""

    urban_share: float = Field(0.95, ge=0, le=1)
    urban_minutes: Minutes = 15.0
    rural_share: float = Field(0.95, ge=0, le=1)
    rural_minutes: Minutes = 30.0


class ServiceConfig(Section):
    """Erlang C figures of a receiving outlet."""

    handling_minutes: float = Field(5.0, gt=0, description="Staff minutes per visit.")
    answer_within_minutes: float = Field(10.0, gt=0, description="Waiting target, minutes.")
    open_hours_per_month: float = Field(200.0, gt=0, le=744, description="Open hours a month.")
    min_service_level: float = Field(
        0.8, gt=0, lt=1, description="A merge's main receiver answers this share in time."
    )
    recapture_shares: list[float] = Field(
        default_factory=lambda: [0.3, 0.6, 1.0],
        min_length=1,
        description="Shares of a closed outlet's volume its receivers take.",
    )
    test_recapture: float = Field(0.6, gt=0, le=1, description="The share the test uses.")


class TransformConfig(Section):
    """One way of keeping an outlet's place at lower cost."""

    kind: Literal["self_service_24h", "reduced_hours", "rounds_stop"]
    cost_share: float = Field(ge=0, le=1, description="Share of the annual cost kept.")
    staff_share: float = Field(ge=0, le=1, description="Share of the staff kept.")
    types: list[str] = Field(default_factory=list, description="Outlet types; empty: all.")


class OutletDefaults(Section):
    """Figures for outlets whose file leaves them empty (reported as assumed)."""

    annual_cost: float = Field(0.0, ge=0, description="Currency per year.")
    staff: float = Field(0.0, ge=0, description="People on duty per open hour.")


class ReviewConfig(Section):
    """Under-used outlet review: flags, options (merge, relocate, transform), joint closure."""

    outlets: DataFile = Field(
        description="CSV: id, name, lon, lat, type, optional annual_cost and staff."
    )
    volumes: DataFile = Field(description="CSV: outlet, month (YYYY-MM), volume.")
    volumes_origin: str = Field("", description="Where the outlets and volumes come from.")
    population: PopulationLayer | None = Field(
        None, description="Residents; default: region.population."
    )
    districts: DistrictsConfig = Field(default_factory=DistrictsConfig)
    threshold: ThresholdConfig
    streak_months: int = Field(6, ge=1, le=120, description="Consecutive months below.")
    missing_breaks_streak: bool = Field(True, description="A month without a count ends it.")
    zero_is_closed: bool = Field(True, description="A count of 0 is a closed month.")
    forecast_months: int = Field(6, ge=1, le=36)
    travel_mode: Literal["walk", "bike", "drive"] = Field(
        "walk", description="Travel on region.roads (without straight_line)."
    )
    straight_line: StraightLineTravel | None = Field(
        None, description="Travel without a road network (labelled so in every output)."
    )
    reach_minutes: Minutes = Field(60.0, description="Travel times are computed up to this.")
    coverage_minutes: Minutes = 15.0
    access_standard: AccessStandardConfig = Field(default_factory=AccessStandardConfig)
    residents_per_outlet: float | None = Field(
        None, gt=0, description="Density rule: outlets per urban district; null: off."
    )
    service: ServiceConfig = Field(default_factory=ServiceConfig)
    transforms: list[TransformConfig] = Field(
        default_factory=lambda: [
            TransformConfig(kind="self_service_24h", cost_share=0.25, staff_share=0.0),
            TransformConfig(kind="reduced_hours", cost_share=0.6, staff_share=0.6),
            TransformConfig(kind="rounds_stop", cost_share=0.15, staff_share=0.0),
        ]
    )
    outlet_defaults: OutletDefaults = Field(default_factory=OutletDefaults)
    relocation_cost: float = Field(0.0, ge=0, description="One-off cost of moving an outlet.")
    joint_objective: Literal["count", "saving"] = "count"

    @model_validator(mode="after")
    def _recapture_tested(self) -> ReviewConfig:
        if self.service.test_recapture not in self.service.recapture_shares:
            raise PydanticCustomError(
                "recapture", "service.test_recapture must be one of recapture_shares", {}
            )
        return self
