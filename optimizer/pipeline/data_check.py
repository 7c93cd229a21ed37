"""What ``svcplan validate --data`` checks: the data files a scenario names, opened with the
readers the runs use, and their cross-references, without running an engine.

Per section (each problem is one ``file: field: message`` line, as the runs would raise it):

* ``region``: the population layer (its resident field, its id field), the points of interest
  (and that ``point_of_interest_categories`` names places of the file), the district layer (its
  name field, and that population features lie in it);
* ``siting``: candidate and existing-station files; each typed post's category is a place's;
* ``regions``: each region as ``region`` and ``siting`` are, with its own siting section, and
  that regions that can interact share what one problem needs (``regions_reach``);
* ``staffing``: the history (columns, times, counts); ``site_classes`` name its sites; the
  roster's shift types (with its ``shift``), employees, requests, partners' shared employees
  and previous roster; employees and shared employees work at sites of the history; requests
  name employees of the file;
* ``dispatch``: regions (with ``lat``/``lon`` when drive times are needed), resources (their
  regions; the resource types ``teams`` name), the travel file, and the supplies' inventory
  and consumption (their sites are regions);
* ``review``: the outlets, the monthly volumes (their outlets are the outlets file's) and its
  own population layer (an outlet off the road network is found by the run, which reads the
  OSM extract);
* ``mobile_rounds``: the places and stations (a station off the drivable roads is found by the
  run) and the district layer (its name field and urban flag, and that places lie in it).

The OSM extract is not read here: every run reads it first, and reading it is the slow part.
A file that cannot be read is reported once; the checks that need its contents are skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TypeVar

import pandas as pd

from optimizer.dispatch import readers as dispatch_readers
from optimizer.dispatch.supplies import read_consumption_csv, read_inventory_csv
from optimizer.errors import DataError
from optimizer.geo.demand import read_population_layer
from optimizer.geo.districts import read_district_layer
from optimizer.geo.points import read_places_csv
from optimizer.pipeline.dispatch import check_drive_time_inputs, check_team_resources
from optimizer.pipeline.forecast import check_site_classes, read_staffing_history
from optimizer.pipeline.regions_reach import region_groups
from optimizer.pipeline.roster import roster_shift_types
from optimizer.pipeline.rounds_inputs import read_rounds_tables, urban_places
from optimizer.pipeline.siting_inputs import feature_ids, places_of_category, read_places
from optimizer.review.readers import read_outlets_csv, read_volumes_csv
from optimizer.roster.problem import ShiftRequest
from optimizer.roster.readers import (
    read_employees,
    read_previous_roster,
    read_requests,
    read_shared_employees,
)
from optimizer.scenario import (
    DispatchConfig,
    RegionConfig,
    RegionEntry,
    RosterConfig,
    Scenario,
    SitingConfig,
    StaffingConfig,
)
from optimizer.scenario_review import ReviewConfig
from optimizer.scenario_rounds import MobileRoundsConfig
from optimizer.tables import quoted

T = TypeVar("T")

Requests = Mapping[str, tuple[ShiftRequest, ...]]
"""Shift and day-off requests by employee id, as ``read_requests`` returns them."""


class _Problems:
    """The problems found so far, one line each."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def check(self, read: Callable[[], T]) -> T | None:
        """``read()``, or ``None`` with its DataError's line kept."""
        try:
            return read()
        except DataError as error:
            self.lines.append(str(error))
            return None


def check_scenario_data(scenario: Scenario) -> list[str]:
    """Open every data file ``scenario`` names and check them and their cross-references.

    Returns:
        One line per problem (``file: field: message``), in section order, each once; empty
        when every file is usable.
    """
    problems = _Problems()
    if scenario.region is not None:
        _check_region(scenario.region, scenario.siting, problems)
    if scenario.siting is not None:
        _check_siting(scenario.siting, problems)
    if scenario.regions is not None:
        sitings = [scenario.region_siting(region) for region in scenario.regions]
        _check_regions(scenario.regions, sitings, problems)
    if scenario.staffing is not None:
        _check_staffing(scenario.staffing, problems)
    if scenario.dispatch is not None:
        _check_dispatch(scenario.dispatch, scenario.region, problems)
    if scenario.review is not None:
        _check_review(scenario.review, problems)
    if scenario.mobile_rounds is not None:
        _check_rounds(scenario.mobile_rounds, problems)
    return list(dict.fromkeys(problems.lines))  # regions inherit files: each problem once


def _check_regions(
    regions: list[RegionEntry], sitings: list[SitingConfig], problems: _Problems
) -> None:
    """Every region (with its siting section) as ``region`` and ``siting`` are, and that
    regions that can interact can share one problem."""
    for region, siting in zip(regions, sitings, strict=True):
        _check_region(region, siting, problems)
        _check_siting(siting, problems)
    problems.check(lambda: region_groups(regions, sitings, lambda _line: None))


def _check_region(region: RegionConfig, siting: SitingConfig | None, problems: _Problems) -> None:
    """The population layer, the district layer, the places and the typed posts' categories."""
    population = region.population
    areas = problems.check(
        lambda: read_population_layer(
            population.path, population.layer, population.population_field
        )
    )
    if areas is not None:
        problems.check(
            lambda: feature_ids(areas, id_field=population.id_field, path=population.path)
        )
        if region.districts.path is not None:
            problems.check(lambda: _read_districts(region, areas))
    places = problems.check(lambda: read_places(region))
    if places is not None and siting is not None:
        for rule in siting.typed_posts:
            problems.check(lambda rule=rule: places_of_category(places, rule, region))


def _check_rounds(config: MobileRoundsConfig, problems: _Problems) -> None:
    """The places and stations, and the rural districts' layer with the places in it."""
    tables = problems.check(lambda: read_rounds_tables(config))
    if tables is not None and config.districts is not None:
        problems.check(lambda: urban_places(config, tables.places))


def _check_review(review: ReviewConfig, problems: _Problems) -> None:
    """The outlets, the volumes (of those outlets) and the review's own population layer."""
    outlets = problems.check(lambda: read_outlets_csv(review.outlets))
    if outlets is not None:
        problems.check(lambda: read_volumes_csv(review.volumes, outlet_ids=outlets.ids))
    population = review.population
    if population is not None:
        problems.check(
            lambda: read_population_layer(
                population.path, population.layer, population.population_field
            )
        )


def _read_districts(region: RegionConfig, areas: pd.DataFrame) -> None:
    """Read the district layer, placing the population features by a point inside each."""
    config = region.districts
    assert config.path is not None
    points = areas.geometry.representative_point().to_crs(4326)
    read_district_layer(
        config.path,
        layer=config.layer,
        name_field=config.name_field,
        urban_field=config.urban_field,
        lon=points.x.to_numpy(),
        lat=points.y.to_numpy(),
        residents=areas[region.population.population_field].to_numpy(),
        area_km2=None,
        urban_min_residents_per_km2=config.urban_min_residents_per_km2,
    )


def _check_siting(siting: SitingConfig, problems: _Problems) -> None:
    """The candidate-site and existing-station files."""
    paths = [siting.candidates.path]
    if siting.existing_stations is not None:
        paths.append(siting.existing_stations.path)
    for path in paths:
        if path is not None:
            problems.check(lambda path=path: read_places_csv(path))


def _check_staffing(staffing: StaffingConfig, problems: _Problems) -> None:
    """The history and its site classes; the roster's files and their sites."""
    history = problems.check(lambda: read_staffing_history(staffing))
    if history is not None:
        problems.check(lambda: check_site_classes(staffing, history.sites))
    if staffing.roster is not None:
        _check_roster(staffing.roster, None if history is None else history.sites, problems)


def _check_roster(roster: RosterConfig, sites: list[str] | None, problems: _Problems) -> None:
    """Shift types, employees, requests, shared employees and a previous roster; with the
    history's ``sites``, that everyone works at known sites."""
    shift_types = problems.check(lambda: roster_shift_types(roster))
    requests: Requests = {}
    if roster.requests is not None:
        path = roster.requests
        requests = problems.check(lambda: read_requests(path)) or {}
    employees = problems.check(lambda: read_employees(roster.employees, requests=requests))
    if employees is not None:
        if sites is not None:
            people = [(employee.employee_id, employee.sites) for employee in employees]
            problems.check(lambda: _check_sites(roster.employees, people, sites))
        if roster.requests is not None:
            known = {employee.employee_id for employee in employees}
            problems.check(lambda: _check_request_employees(roster, requests, known))
    if requests and shift_types is not None:
        known_shifts = {shift.shift_id for shift in shift_types}
        problems.check(lambda: _check_request_shifts(roster, requests, known_shifts))
    if roster.shared_employees is not None:
        path = roster.shared_employees
        shared = problems.check(lambda: read_shared_employees(path))
        if shared is not None and sites is not None:
            people = [(person.employee_id, person.sites) for person in shared]
            problems.check(lambda: _check_sites(path, people, sites))
    if roster.previous_roster is not None:
        path = roster.previous_roster
        problems.check(lambda: read_previous_roster(path))


def _check_sites(
    path: Path, people: Iterable[tuple[str, tuple[str, ...]]], sites: list[str]
) -> None:
    """Raise DataError (naming ``path`` and its ``sites`` column) at the first person who may
    work at a site the history does not have (a typo would leave them without work)."""
    known = set(sites)
    unknown = [(person, site) for person, places in people for site in places if site not in known]
    if unknown:
        person, site = unknown[0]
        more = f" ({len(unknown) - 1} more such sites)" if len(unknown) > 1 else ""
        raise DataError(
            path,
            f"employee {quoted(person)}: site {quoted(site)} is not in the history{more}",
            field="sites",
        )


def _check_request_employees(roster: RosterConfig, requests: Requests, known: set[str]) -> None:
    """Raise DataError (naming the requests file) for requests of unknown employees."""
    unknown = sorted(set(requests) - known)
    if unknown:
        assert roster.requests is not None
        raise DataError(
            roster.requests,
            f"employees not in {roster.employees.name}: {', '.join(map(quoted, unknown))}",
            field="employee_id",
        )


def _check_request_shifts(roster: RosterConfig, requests: Requests, known: set[str]) -> None:
    """Raise DataError (naming the requests file) for requests of unknown shift types."""
    asked = {item.shift_id for items in requests.values() for item in items if item.shift_id}
    unknown = sorted(asked - known)
    if unknown:
        assert roster.requests is not None
        raise DataError(
            roster.requests,
            f"shift types not in {roster.shift_types.name}: {', '.join(map(quoted, unknown))}",
            field="shift",
        )


def _check_dispatch(
    dispatch: DispatchConfig, region: RegionConfig | None, problems: _Problems
) -> None:
    """Regions, resources (and the teams' resource types), travel and supplies."""
    regions = problems.check(lambda: dispatch_readers.read_regions_csv(dispatch.regions))
    if regions is None:
        return
    region_ids = list(regions["region"])
    problems.check(lambda: check_drive_time_inputs(dispatch, regions, region))
    units = problems.check(
        lambda: dispatch_readers.read_resources_csv(dispatch.resources, region_ids=region_ids)
    )
    if units is not None:
        problems.check(lambda: check_team_resources(dispatch, units.resource_names))
    if dispatch.travel is not None:
        path = dispatch.travel
        problems.check(lambda: dispatch_readers.read_travel_csv(path, region_ids=region_ids))
    supplies = dispatch.supplies
    if supplies is not None:
        inventory = problems.check(
            lambda: read_inventory_csv(supplies.inventory, site_ids=region_ids)
        )
        if inventory is not None:
            problems.check(
                lambda: read_consumption_csv(
                    supplies.consumption, site_ids=region_ids, items=inventory.items
                )
            )
