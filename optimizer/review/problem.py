"""``ReviewProblem``: the outlets, their monthly volumes, and the residents they serve.

Travel minutes are the siting engine's: ``siting`` is a ``SitingProblem`` whose sites are the
outlets (first, marked ``existing``) and then the candidate sites an outlet may move to; its
demand points are the residents, its districts the density rule's. How the minutes were
measured (a road network, or straight-line distance × a detour factor at a stated speed) is
``travel_label``, which every output repeats.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimizer.siting.problem import SitingProblem


@dataclass(frozen=True)
class Outlets:
    """The outlets under review (arrays of one row per outlet).

    Attributes:
        ids, names, types: text.
        lon, lat: WGS84 degrees.
        annual_cost: currency per year (the scenario's default where the file has none).
        staff: people on duty per open hour (the scenario's default where the file has none).
        assumed_cost, assumed_staff: True where the default was used.
    """

    ids: np.ndarray
    names: np.ndarray
    types: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    annual_cost: np.ndarray
    staff: np.ndarray
    assumed_cost: np.ndarray
    assumed_staff: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)

    def label(self, outlet: int) -> str:
        """``name (id)`` of one outlet, for sentences."""
        return f"{self.names[outlet]} ({self.ids[outlet]})"


@dataclass(frozen=True)
class ReviewProblem:
    """Everything the review weighs.

    Attributes:
        outlets: the outlets; outlet ``k`` is site ``k`` of ``siting``.
        volumes: counts per month (rows: monthly ``pd.Period``s without gaps) × outlet
            (columns in ``outlets`` order); NaN where a month has no count.
        siting: residents × sites (outlets, then relocation candidates) travel minutes,
            districts and residents; ``existing`` marks the outlets.
        demand_urban: whether each demand point lies in an urban district (the access
            standard's class).
        demand_ids: each demand point's id in the population layer.
        site_lonlat: ``(n_sites, 2)`` WGS84 degrees of every site.
        travel_label: how travel minutes were measured, e.g. ``"straight line × 1.3 at
            4.5 km/h (no road network)"``.
    """

    outlets: Outlets
    volumes: pd.DataFrame
    siting: SitingProblem
    demand_urban: np.ndarray
    demand_ids: np.ndarray
    site_lonlat: np.ndarray
    travel_label: str

    def __post_init__(self) -> None:
        n = len(self.outlets)
        if self.volumes.shape[1] != n:
            raise ValueError(f"volumes has {self.volumes.shape[1]} columns for {n} outlets")
        if not np.asarray(self.siting.existing)[:n].all():
            raise ValueError("the first sites of `siting` must be the outlets (existing)")

    @property
    def n_outlets(self) -> int:
        """Number of outlets."""
        return len(self.outlets)

    def outlet_district(self) -> np.ndarray:
        """District index of each outlet (-1: none)."""
        districts = self.siting.districts
        if districts is None:
            return np.full(self.n_outlets, -1)
        return np.asarray(districts.site_district)[: self.n_outlets]

    def district_name(self, district: int) -> str:
        """Display name of a district (``"no district"`` for -1)."""
        if district < 0 or self.siting.districts is None:
            return "no district"
        return self.siting.districts.name(district)
