"""What a siting plan's stations are called, and which places their typed posts serve.

A station is named after the nearest named street to its road node (within
``NAME_REACH_METERS``), else the nearest named place of the OSM extract (a bus stop, a square),
else its id. A station sited at a point of interest is named after that place. Stations that
would share a name add the nearest other street (``Avenida Ipiranga near Rua Santana``), and
any still alike are numbered in station order (``Rua da Praia (2)``). Names are computed for the
open stations only, with arrays (``optimizer.geo.streets``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from optimizer.pipeline.siting_inputs import SitingInputs
from optimizer.siting.plan import SitingPlan

NAME_REACH_METERS = 500.0
"""Farthest street or place a station is named after, in metres (the default
``region.max_snap_meters``: a candidate that far from a road is still sited)."""


def station_names(inputs: SitingInputs, open_sites: np.ndarray) -> np.ndarray:
    """The name of each site in ``open_sites`` (candidate indices), unique among them."""
    table = inputs.candidates.table.iloc[np.asarray(open_sites, dtype=np.int64)]
    nodes = table["node"].to_numpy()
    x_meters, y_meters = inputs.network.x_meters[nodes], inputs.network.y_meters[nodes]
    street, other, _ = inputs.streets.streets.nearest(
        x_meters, y_meters, max_meters=NAME_REACH_METERS
    )
    place, _, _ = inputs.streets.places.nearest(x_meters, y_meters, max_meters=NAME_REACH_METERS)
    ids = table["id"].astype(str).to_numpy(dtype=object)
    names = np.where(street != "", street, np.where(place != "", place, ids))
    labels = inputs.places.set_index("id")["label"] if len(inputs.places) else pd.Series()
    at_place = (table["source"] == "place").to_numpy()
    names[at_place] = labels.reindex(ids[at_place]).fillna(pd.Series(ids[at_place])).to_numpy()
    return distinct_names(names, np.where(at_place | (street == ""), "", other))


def distinct_names(names: np.ndarray, other: np.ndarray) -> np.ndarray:
    """``names`` made unique: those shared by several stations add ``near <other>`` (where
    ``other`` is not ``""``), and any still alike are numbered in order from the second one:
    ``["A", "A", "B"]`` with others ``["X", "Y", ""]`` → ``A near X``, ``A near Y``, ``B``."""
    names = np.asarray(names, dtype=object).copy()
    other = np.asarray(other, dtype=object)
    widen = pd.Series(names).duplicated(keep=False).to_numpy() & (other != "")
    names[widen] = names[widen] + " near " + other[widen]
    repeat = pd.Series(names).groupby(names).cumcount().to_numpy()
    numbered = repeat > 0
    names[numbered] = [
        f"{name} ({count + 1})"
        for name, count in zip(names[numbered], repeat[numbered], strict=True)
    ]
    return names.astype(str)


def served_places(inputs: SitingInputs, plan: SitingPlan) -> list[dict[str, list[str]]]:
    """Per open station (in ``plan.open_sites`` order), post type → the ids of the points of
    interest that post serves: the places of the post's category that have the station within
    the rule's reach, in the order of the scenario's rules and the places file."""
    problem = inputs.problem
    position = np.full(problem.n_sites, -1)
    position[plan.open_sites] = np.arange(len(plan.open_sites))
    posts_of = [plan.post_types.get(site_id, []) for site_id in plan.site_ids]
    served: list[dict[str, list[str]]] = [{} for _ in plan.open_sites]
    for requirement in problem.typed_posts:
        holds = np.zeros(problem.n_sites, dtype=bool)
        holds[plan.open_sites] = [requirement.post_type in posts for posts in posts_of]
        counts = [len(sites) for sites in requirement.place_sites]
        place = np.repeat(np.arange(len(counts)), counts)
        site = np.concatenate(
            [np.asarray(sites, dtype=np.int64) for sites in requirement.place_sites]
            or [np.zeros(0, dtype=np.int64)]
        )
        keep = holds[site]
        for station, place_index in zip(position[site[keep]], place[keep], strict=True):
            name = requirement.place_name(int(place_index))
            places = served[station].setdefault(requirement.post_type, [])
            if name not in places:
                places.append(name)
    return served
