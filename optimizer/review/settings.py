"""``ReviewSettings``: the thresholds, standards and assumptions of an outlet review."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class AccessStandard:
    """Share of residents that must reach an outlet within a time, per district class.

    An option passes when, after it, each class reaches its share, or keeps at least the share
    it has today when the network already misses the standard.
    """

    urban_share: float = 0.95
    urban_minutes: float = 15.0
    rural_share: float = 0.95
    rural_minutes: float = 30.0


@dataclass(frozen=True)
class Transform:
    """One way of keeping an outlet's place at a lower cost.

    Attributes:
        kind: ``self_service_24h``, ``reduced_hours`` or ``rounds_stop`` (a stop of the mobile
            rounds), or another name the scenario gives.
        cost_share: share of the outlet's annual cost it still costs (0–1).
        staff_share: share of the outlet's staff it still needs (0–1).
        types: outlet types it applies to; empty: every type.
    """

    kind: str
    cost_share: float
    staff_share: float
    types: tuple[str, ...] = ()


DEFAULT_TRANSFORMS = (
    Transform("self_service_24h", cost_share=0.25, staff_share=0.0),
    Transform("reduced_hours", cost_share=0.6, staff_share=0.6),
    Transform("rounds_stop", cost_share=0.15, staff_share=0.0),
)


@dataclass(frozen=True, kw_only=True)
class ReviewSettings:
    """What counts as under-used and what an option must keep.

    Attributes:
        threshold_volume: a month is below when its volume is under this count; or
        threshold_share_of_median: ... under this share of that month's median over the
            outlets counted that month (exactly one of the two is set).
        streak_months: consecutive months below that flag an outlet (6).
        missing_breaks_streak: a month without a count ends a streak (True) or is skipped.
        zero_is_closed: a count of 0 is a closed month (treated as missing) rather than a
            month below the threshold.
        forecast_months: months forecast after the last month (6).
        coverage_minutes: a resident is covered within this many minutes of an outlet.
        access: the access standard every option must keep.
        residents_per_outlet: density rule: an urban district needs
            ceil(residents / this) outlets; ``None`` switches it off.
        recapture_shares: shares of a closed outlet's volume its receivers take (0–1).
        handling_minutes: mean minutes of staff time per service event (Erlang C).
        answer_within_minutes: the waiting target of the service level (Erlang C).
        open_hours_per_month: hours an outlet is open per month (events per hour = volume /
            this).
        min_service_level: a receiving outlet must answer at least this share within the
            target at ``service_level_recapture`` for a merge to pass.
        service_level_recapture: the recapture share the merge's test uses.
        transforms: the transformations offered.
        relocation_cost: one-off cost of moving an outlet (currency).
        joint_objective: ``count`` (most outlets closed together) or ``saving`` (largest
            annual saving).
    """

    threshold_volume: float | None = None
    threshold_share_of_median: float | None = None
    streak_months: int = 6
    missing_breaks_streak: bool = True
    zero_is_closed: bool = True
    forecast_months: int = 6
    coverage_minutes: float = 15.0
    access: AccessStandard = field(default_factory=AccessStandard)
    residents_per_outlet: float | None = None
    recapture_shares: tuple[float, ...] = (0.3, 0.6, 1.0)
    handling_minutes: float = 5.0
    answer_within_minutes: float = 10.0
    open_hours_per_month: float = 200.0
    min_service_level: float = 0.8
    service_level_recapture: float = 0.6
    transforms: tuple[Transform, ...] = DEFAULT_TRANSFORMS
    relocation_cost: float = 0.0
    joint_objective: str = "count"

    def __post_init__(self) -> None:
        if (self.threshold_volume is None) == (self.threshold_share_of_median is None):
            raise ValueError("set exactly one of threshold_volume and threshold_share_of_median")
        if self.streak_months < 1:
            raise ValueError("streak_months must be >= 1")
        if self.joint_objective not in ("count", "saving"):
            raise ValueError("joint_objective must be count or saving")
        if self.service_level_recapture not in self.recapture_shares:
            raise ValueError("service_level_recapture must be one of recapture_shares")
