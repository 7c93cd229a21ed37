"""Hard siting rules added on top of any objective, and their cheap feasibility checks.

Rules (each one named function, rows tagged with the rule's group name):

- ``density``: every urban district has at least ``ceil(residents / residents_per_station)``
  open sites inside it.
- ``density_capacity`` (the density rule as a capacity): each open site serves at most
  ``residents_per_station`` residents, assigned (fractionally) within ``coverage_minutes`` for
  the covering objectives or to any reachable site for the travel objectives; every covered
  (travel objectives: reachable) resident is assigned, and travel is then measured along the
  assignment.
- ``typed_posts:<type>``: every place of a category has an open post of that type within its
  reach; a post needs an open site and posts may share a site.

``necessary_clashes`` finds contradictions that need no solver, naming districts and rules,
and says how to resolve each (which scenario key to change, and to what).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from optimizer.siting.mip import ModelBuilder
from optimizer.siting.problem import SitingProblem

NAMES_SHOWN = 3
"""Districts a clash names before "and N more"."""

GROUP_DENSITY = "density"
GROUP_CAPACITY = "density_capacity"
POSTS_PREFIX = "typed_posts:"


def required_stations(problem: SitingProblem, residents_per_station: float) -> np.ndarray:
    """Stations each district needs under the density rule (0 for rural districts)."""
    if problem.districts is None:
        return np.zeros(0, dtype=np.int64)
    residents = problem.district_residents()
    needed = np.ceil(residents / residents_per_station - 1e-9).astype(np.int64)
    return np.where(np.asarray(problem.districts.urban, dtype=bool), needed, 0)


def sites_per_district(site_district: np.ndarray, n_districts: int) -> np.ndarray:
    """Count of sites per district (sites outside every district, index -1, are skipped)."""
    inside = site_district[site_district >= 0]
    return np.bincount(inside, minlength=n_districts)


def add_density_rule(
    builder: ModelBuilder, problem: SitingProblem, y: slice, *, residents_per_station: float
) -> None:
    """Each urban district has >= ceil(residents / residents_per_station) open sites in it."""
    needed = required_stations(problem, residents_per_station)
    districts = np.flatnonzero(needed > 0)
    if problem.districts is None or len(districts) == 0:
        return
    row_of = np.full(len(needed) + 1, -1)  # last entry: sites outside every district (-1)
    row_of[districts] = np.arange(len(districts))
    site_rows = row_of[problem.districts.site_district]
    sites = np.flatnonzero(site_rows >= 0)
    builder.add_rows(
        GROUP_DENSITY, site_rows[sites], sites + y.start, 1.0,
        lower=needed[districts].astype(float), upper=np.inf, count=len(districts),
    )  # fmt: skip


@dataclass(frozen=True)
class AssignmentColumns:
    """The capacity rule's assignment columns: column ``k`` assigns ``demand[k]`` to ``site[k]``."""

    columns: slice
    demand: np.ndarray
    site: np.ndarray

    def shares(self, values: np.ndarray, shape: tuple[int, int]) -> sparse.csr_matrix:
        """Share of each demand point's residents assigned to each site, from solver ``values``
        (csr of ``shape`` = (n_demand, n_sites); shares below 1e-9 are left out)."""
        share = np.asarray(values[self.columns], dtype=float)
        keep = share > 1e-9
        return sparse.csr_matrix(
            (np.minimum(share[keep], 1.0), (self.demand[keep], self.site[keep])), shape=shape
        )


def add_density_capacity(
    builder: ModelBuilder,
    problem: SitingProblem,
    y: slice,
    *,
    residents_per_station: float,
    covered: slice | None,
    within_coverage: bool,
    travel_cost: bool,
) -> AssignmentColumns:
    """Assignment columns ``x`` per (demand, site) pair; each site serves <= residents_per_station.

    Args:
        covered: the ``u`` columns (covered fraction per coverable demand point), or ``None``
            when every demand point with a pair must be fully assigned.
        within_coverage: pairs within ``coverage_minutes`` only; otherwise every reachable pair.
        travel_cost: ``x`` carries its resident-weighted minutes as cost, and ``x <= y`` per
            pair keeps the travel bound tight.

    Returns:
        The ``x`` columns and their pairs.
    """
    demand, site, minutes = capacity_pairs(problem, within_coverage=within_coverage)
    assigned, row = np.unique(demand, return_inverse=True)
    weights = problem.weights_residents[demand]
    x = builder.add_columns(
        "x", len(demand), cost=weights * minutes if travel_cost else 0.0, lower=0.0, upper=1.0
    )
    x_cols = np.arange(x.start, x.stop)
    n_rows = len(assigned)
    if covered is None:
        builder.add_rows(GROUP_CAPACITY, row, x_cols, 1.0, lower=1.0, upper=1.0, count=n_rows)
    else:
        builder.add_rows(
            GROUP_CAPACITY,
            np.concatenate([row, np.arange(n_rows)]),
            np.concatenate([x_cols, np.arange(covered.start, covered.stop)]),
            np.concatenate([np.ones(len(row)), -np.ones(n_rows)]),
            lower=0.0, upper=0.0, count=n_rows,
        )  # fmt: skip
    sites = np.arange(problem.n_sites)
    builder.add_rows(
        GROUP_CAPACITY,
        np.concatenate([site, sites]),
        np.concatenate([x_cols, sites + y.start]),
        np.concatenate([weights, np.full(problem.n_sites, -float(residents_per_station))]),
        lower=-np.inf, upper=0.0, count=problem.n_sites,
    )  # fmt: skip
    if travel_cost:
        pairs = np.arange(len(demand))
        builder.add_rows(
            GROUP_CAPACITY,
            np.concatenate([pairs, pairs]),
            np.concatenate([x_cols, site + y.start]),
            np.concatenate([np.ones(len(pairs)), -np.ones(len(pairs))]),
            lower=-np.inf, upper=0.0, count=len(pairs),
        )  # fmt: skip
    return AssignmentColumns(columns=x, demand=demand, site=site)


def capacity_pairs(
    problem: SitingProblem, *, within_coverage: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The (demand, site) pairs the capacity rule may assign, in csr order.

    Returns:
        (demand index, site index, minutes) per pair: every reachable pair, or only those within
        ``coverage_minutes``.
    """
    matrix = problem.travel_minutes
    demand = np.repeat(np.arange(problem.n_demand), np.diff(matrix.indptr))
    keep = matrix.data <= problem.coverage_minutes if within_coverage else slice(None)
    return demand[keep], matrix.indices[keep], matrix.data[keep]


def add_typed_posts(builder: ModelBuilder, problem: SitingProblem, y: slice) -> dict[str, slice]:
    """Post columns ``t[type, site] <= y[site]``; each place has a post of its type in reach.

    Returns:
        post type -> slice of its columns (one per candidate site, in site order).
    """
    posts: dict[str, slice] = {}
    for requirement in problem.typed_posts:
        group = POSTS_PREFIX + requirement.post_type
        if requirement.post_type not in posts:
            t = builder.add_columns(
                f"t:{requirement.post_type}", problem.n_sites, lower=0.0, upper=1.0, integer=True
            )
            posts[requirement.post_type] = t
            sites = np.arange(problem.n_sites)
            builder.add_rows(
                group,
                np.concatenate([sites, sites]),
                np.concatenate([sites + t.start, sites + y.start]),
                np.concatenate([np.ones(problem.n_sites), -np.ones(problem.n_sites)]),
                lower=-np.inf, upper=0.0, count=problem.n_sites,
            )  # fmt: skip
        t = posts[requirement.post_type]
        counts = [len(sites) for sites in requirement.place_sites]
        rows = np.repeat(np.arange(len(counts)), counts)
        cols = np.concatenate([np.asarray(s, dtype=np.int64) for s in requirement.place_sites])
        builder.add_rows(
            group, rows, cols + t.start, 1.0, lower=1.0, upper=np.inf, count=len(counts)
        )
    return posts


def necessary_clashes(
    problem: SitingProblem,
    *,
    residents_per_station: float | None,
    max_stations: int | None,
    budget: float | None,
) -> list[str]:
    """Contradictions provable without a solver, one message per clash (empty when none)."""
    clashes: list[str] = []
    costs = problem.site_costs()
    forced = problem.forced_open()
    limit = "max_stations" if max_stations is not None else "budget"
    if max_stations is not None and forced.sum() > max_stations:
        clashes.append(
            f"existing stations: {int(forced.sum())} must stay open but max_stations is "
            f"{max_stations}"
        )
    for requirement in problem.typed_posts:
        for place, sites in enumerate(requirement.place_sites):
            if len(sites) == 0:
                clashes.append(
                    f"typed_posts:{requirement.post_type}: {requirement.place_name(place)} "
                    f"({requirement.category}) has no candidate site within "
                    f"{requirement.within_minutes:g} minutes"
                )
    if residents_per_station is None or problem.districts is None:
        return clashes
    needed = required_stations(problem, residents_per_station)
    residents = problem.district_residents()
    site_district = problem.districts.site_district
    available = sites_per_district(site_district, len(needed))
    cheapest_total = 0.0
    for district in np.flatnonzero(needed > 0):
        name = problem.districts.name(district)
        if available[district] < needed[district]:
            clashes.append(
                f"density: {name} needs {needed[district]} stations "
                f"({residents[district]:,.0f} residents / {residents_per_station:,.0f}) "
                f"but has only {available[district]} candidate sites"
            )
        district_costs = np.sort(costs[site_district == district])
        cheapest_total += float(district_costs[: needed[district]].sum())
    urban = np.flatnonzero(needed > 0)
    names = _first_names([problem.districts.name(d) for d in urban])
    if max_stations is not None and needed.sum() > max_stations:
        clashes.append(
            f"density vs {limit}: {_urban_districts(len(urban))} ({names}) need "
            f"{int(needed.sum()):,} stations in total but max_stations is {max_stations:,}; "
            + _density_resolution(
                problem, residents_per_station, max_stations, int(needed.sum()), len(urban)
            )
        )
    if budget is not None and cheapest_total > budget + 1e-9:
        clashes.append(
            f"density vs budget: {_urban_districts(len(urban))} ({names}) need stations costing "
            f"at least {cheapest_total:,.2f} but the budget is {budget:,.2f}; raise budget to "
            f"at least {cheapest_total:,.2f}, or raise density.residents_per_station, or switch "
            "the density rule off with `density: null`"
        )
    return clashes


def _urban_districts(count: int) -> str:
    """``"1 urban district"``, ``"34 urban districts"``."""
    return f"{count} urban district{'' if count == 1 else 's'}"


def _first_names(names: list[str], shown: int = NAMES_SHOWN) -> str:
    """``"a, b, c and 4 more"``."""
    more = len(names) - shown
    return ", ".join(names[:shown]) + (f" and {more} more" if more > 0 else "")


def _density_resolution(
    problem: SitingProblem,
    residents_per_station: float,
    max_stations: int,
    needed_total: int,
    urban_count: int,
) -> str:
    """How to resolve density vs max_stations: the scenario keys to change, and to what.

    The density rule needs at least one station in each urban district whatever
    ``residents_per_station`` is, so raising it helps only when ``max_stations`` allows one per
    urban district; the smallest whole ``residents_per_station`` that fits is then found by
    bisection (the stations needed fall as it rises).
    """
    ways = [f"raise max_stations to at least {needed_total:,}"]
    if max_stations >= urban_count:
        low, high = int(residents_per_station), int(np.ceil(problem.district_residents().max()))
        while high - low > 1:  # stations needed at ``high`` fit; at ``low`` they do not
            middle = (low + high) // 2
            if required_stations(problem, middle).sum() <= max_stations:
                high = middle
            else:
                low = middle
        ways.append(f"raise density.residents_per_station to at least {high:,}")
    ways.append("switch the density rule off with `density: null`")
    return ", or ".join(ways)
