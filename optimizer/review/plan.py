"""``ReviewPlan``: flags, options and the joint closure, as tables and sentences."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import pandas as pd

from optimizer.review.streaks import OutletMonths


@dataclass(frozen=True)
class Receiver:
    """An outlet that takes a closed outlet's residents.

    Attributes:
        outlet: its index.
        resident_share: share of the closed outlet's moved residents it takes (0–1).
        load_per_month: recapture share → its monthly volume with that share of the closed
            outlet's volume (its own recent volume + share × resident_share × closed volume).
        service_level: recapture share → Erlang C share answered within the target (None
            without a staff figure).
    """

    outlet: int
    resident_share: float
    load_per_month: dict[float, float]
    service_level: dict[float, float | None]


@dataclass(frozen=True)
class Option:
    """One option for one flagged outlet, with its figures.

    Attributes:
        outlet: the outlet's index.
        kind: ``merge``, ``relocate`` or a transformation (``self_service_24h``, ...).
        passes: whether it keeps every rule; ``failed`` names those it breaks.
        annual_cost_after: what the outlet's service costs per year after the option.
        annual_saving: currency per year saved.
        one_off_cost: currency, once (relocation).
        staff_saved: people.
        residents_losing_coverage: residents within ``coverage_minutes`` of an outlet today and
            not after.
        residents_gaining_coverage: the reverse (relocation).
        residents_moved: residents whose nearest outlet changes.
        travel_change_mean_minutes, travel_change_p95_minutes, travel_change_max_minutes:
            the change in their minutes to the nearest outlet (None when nobody moves).
        beyond_reach_residents: moved residents with no outlet within the computed reach.
        urban_share, rural_share: the access standard's shares after the option.
        district: the outlet's district (-1: none); district_required: outlets the density
            rule keeps there; district_open_after: outlets open there after the option.
        receivers: for a merge, the outlets taking its residents, most residents first.
        site: the site the outlet moves to (relocate), else the outlet's own site.
        sentence: the option in words, with its figures.
    """

    outlet: int
    kind: str
    passes: bool
    failed: tuple[str, ...]
    annual_cost_after: float
    annual_saving: float
    one_off_cost: float
    staff_saved: float
    residents_losing_coverage: float
    residents_gaining_coverage: float
    residents_moved: float
    travel_change_mean_minutes: float | None
    travel_change_p95_minutes: float | None
    travel_change_max_minutes: float | None
    beyond_reach_residents: float
    urban_share: float
    rural_share: float
    district: int
    district_required: int
    district_open_after: int
    receivers: tuple[Receiver, ...] = ()
    site: int = -1
    sentence: str = ""


@dataclass(frozen=True)
class OutletReview:
    """One outlet's reading: volumes, streak, forecast, and (when flagged) options.

    Attributes:
        outlet: index.
        months: its month-by-month reading.
        flagged: current streak of at least ``streak_months``.
        recent_volume: mean count of its last 12 counted months (per month).
        last_threshold: the threshold of the last month.
        forecast: ``month`` (YYYY-MM), ``point``, ``lower``, ``upper`` per forecast month
            (counts per month; empty when too few months were counted).
        options: its options (flagged outlets only).
        recommended: index into ``options`` of the cheapest passing one (None: none passes).
    """

    outlet: int
    months: OutletMonths
    flagged: bool
    recent_volume: float
    last_threshold: float
    forecast: list[dict[str, object]]
    options: tuple[Option, ...] = ()
    recommended: int | None = None


@dataclass(frozen=True)
class JointClosure:
    """The largest set (or saving) of flagged outlets that can close together.

    Attributes:
        outlets: indices of the outlets closed together.
        objective: ``count`` or ``saving``; value: outlets or currency per year.
        annual_saving: currency per year.
        urban_share, rural_share: the access standard's shares with them closed.
        status: the MIP's status (``optimal`` only when proven).
        sentence: the closure in words.
    """

    outlets: tuple[int, ...]
    objective: str
    value: float
    annual_saving: float
    urban_share: float
    rural_share: float
    status: str
    sentence: str


@dataclass(frozen=True)
class ReviewPlan:
    """The review: every outlet's reading, the flagged outlets' options and the closure."""

    outlets: list[OutletReview]
    joint: JointClosure | None
    travel_label: str
    today_urban_share: float
    today_rural_share: float
    sentences: list[str] = field(default_factory=list)

    def flagged(self) -> list[OutletReview]:
        """The flagged outlets' reviews."""
        return [review for review in self.outlets if review.flagged]


def option_dict(option: Option) -> dict[str, object]:
    """One option as JSON-ready data (non-finite numbers become None)."""
    data = asdict(option)
    data["failed"] = list(option.failed)
    data["receivers"] = [
        {
            "outlet": receiver.outlet,
            "resident_share": receiver.resident_share,
            "load_per_month": {f"{k:g}": v for k, v in receiver.load_per_month.items()},
            "service_level": {f"{k:g}": v for k, v in receiver.service_level.items()},
        }
        for receiver in option.receivers
    ]
    return {key: _finite(value) for key, value in data.items()}


def _finite(value: object) -> object:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def options_frame(plan: ReviewPlan) -> pd.DataFrame:
    """Every option of every flagged outlet, one row each (the review CSV's option columns)."""
    rows = []
    for review in plan.flagged():
        for index, option in enumerate(review.options):
            data = option_dict(option)
            receiver = option.receivers[0] if option.receivers else None
            data.pop("receivers")
            data["failed"] = "; ".join(option.failed)
            data["recommended"] = index == review.recommended
            data["receiver"] = -1 if receiver is None else receiver.outlet
            data["receiver_share"] = None if receiver is None else receiver.resident_share
            if receiver is not None:
                for share, load in receiver.load_per_month.items():
                    data[f"receiver_load_{share:.0%}"] = load
                    data[f"receiver_service_level_{share:.0%}"] = receiver.service_level[share]
            rows.append(data)
    return pd.DataFrame(rows)
