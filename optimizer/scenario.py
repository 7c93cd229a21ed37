"""The scenario file: pydantic models of its sections and ``load_scenario``.

A scenario is one YAML (safe-loaded) or TOML file. Sections that are absent switch their engine
off: no ``siting`` section, no station siting. Every relative path in the file is resolved
against the folder of the scenario file, and every data file it names must exist; all missing
files are reported together. Errors name file, line and field, e.g.
``scenarios/x.yaml:12: siting.coverage_minutes: must be > 0 (got -5)``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
from pydantic import (
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from optimizer.choices import (
    DEFAULT_OUTPUT_FORMATS,
    OUTPUT_FORMATS,
    SITING_OBJECTIVES,
    described,
)
from optimizer.errors import ScenarioError
from optimizer.scenario_base import (
    DataFile,
    DistrictsConfig,
    Meters,
    Minutes,
    PopulationLayer,
    Section,
)
from optimizer.scenario_errors import describe_validation_error
from optimizer.scenario_regions import inherited_defect, lay_region_siting
from optimizer.scenario_review import ReviewConfig
from optimizer.scenario_rounds import MobileRoundsConfig
from optimizer.scenario_source import ScenarioSource, read_scenario_source
from optimizer.solve import MAX_THREADS

SCENARIO_SUFFIXES = (".yaml", ".yml", ".toml")


Objective = Literal[tuple(SITING_OBJECTIVES)]  # type: ignore[valid-type]


class RegionConfig(Section):
    """The place being planned: its road network, residents, points of interest and districts."""

    roads: DataFile = Field(description="OpenStreetMap extract: .osm.pbf, .osm or .osm.bz2.")
    population: PopulationLayer
    points_of_interest: DataFile | None = Field(
        None, description="CSV with columns id, lat, lon (WGS84) of named places."
    )
    point_of_interest_categories: dict[str, str] = Field(
        default_factory=dict,
        description="Category of each named place, by id, e.g. bus_central_station: transport_hub.",
    )
    districts: DistrictsConfig = Field(default_factory=DistrictsConfig)
    max_snap_meters: Meters = Field(
        500.0, description="Residents farther than this from any road are listed as unreachable."
    )


class CandidatesConfig(Section):
    """Where new stations may be opened."""

    grid_spacing_meters: Meters | None = Field(
        500.0, description="A square grid over populated areas at this spacing; null: no grid."
    )
    points_of_interest: bool = Field(True, description="Every point of interest is a candidate.")
    demand_points: bool = Field(
        True, description="The road node nearest each populated place is a candidate."
    )
    path: DataFile | None = Field(None, description="CSV of extra candidate sites (id, lat, lon).")
    opening_cost: float = Field(1.0, ge=0, description="Cost of opening one new station.")


class ExistingStations(Section):
    """Stations that exist today."""

    path: DataFile = Field(description="CSV of existing stations (id, lat, lon).")
    allow_closing: bool = Field(False, description="May the plan close existing stations?")
    closing_saving: float = Field(0.0, ge=0, description="Saving per closed station (cost units).")


class DensityRule(Section):
    """At least one station per `residents_per_station` residents in every urban district."""

    residents_per_station: int = Field(5000, gt=0, description="Residents per required station.")
    as_capacity: bool = Field(
        False,
        description="Also cap each station at `residents_per_station` assigned residents; "
        "travel is then measured along that assignment.",
    )


class TypedPostRule(Section):
    """Every place of `category` has a post of `post_type` within `within_minutes`."""

    category: str = Field(description="Point-of-interest category, e.g. transport_hub.")
    post_type: str = Field(description="Post type required there, e.g. self_service_24h.")
    within_minutes: Minutes = Field(15.0, description="Travel minutes from the place to the post.")


class SitingConfig(Section):
    """Station siting: where stations should be."""

    objective: Objective = Field(
        next(iter(SITING_OBJECTIVES)), description=described(SITING_OBJECTIVES) + "."
    )
    travel_mode: Literal["walk", "bike", "drive"] = Field(
        "walk", description="How residents travel."
    )
    coverage_minutes: Minutes = Field(15.0, description="A resident is covered within this trip.")
    max_stations: int | None = Field(None, gt=0, description="At most this many stations (p).")
    budget: float | None = Field(None, gt=0, description="At most this total opening cost.")
    candidates: CandidatesConfig = Field(default_factory=CandidatesConfig)
    existing_stations: ExistingStations | None = None
    density: DensityRule | None = Field(
        default_factory=DensityRule, description="Density rule; null switches it off."
    )
    typed_posts: list[TypedPostRule] = Field(default_factory=list)

    @model_validator(mode="after")
    def _objective_has_its_limit(self) -> SitingConfig:
        needs_limit = self.objective in ("max_cover", "min_travel")
        if needs_limit and self.max_stations is None and self.budget is None:
            raise PydanticCustomError(
                "missing_limit",
                "objective {objective} needs max_stations or budget",
                {"objective": self.objective},
            )
        return self


class RegionEntry(RegionConfig):
    """One region of a multi-region scenario: its own roads, residents, places and districts,
    and the siting keys that differ in it."""

    name: str = Field(
        description="Region name: the `region` column of the plan's layers and the prefix of "
        "its station ids.",
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
        max_length=60,
    )
    siting: SitingConfig | None = Field(
        None,
        description="Siting keys for this region only (its candidates, existing stations, "
        "limits), laid over the scenario's siting section: mappings merged key by key, other "
        "values and lists replaced. Absent: the scenario's siting section as it is.",
    )


MonthDay = Annotated[str, Field(pattern=r"^\d\d-\d\d$")]
IsoDate = Annotated[str, Field(pattern=r"^\d{4}-\d\d-\d\d$")]


class PeakSeason(Section):
    """A named period of higher demand that recurs every year, e.g. the tourist season."""

    name: str
    start: MonthDay = Field(description="First day, MM-DD.")
    end: MonthDay = Field(description="Last day, MM-DD; may wrap over New Year.")


class DateRange(Section):
    """An inclusive range of dates, YYYY-MM-DD."""

    start: IsoDate
    end: IsoDate


class ForecastConfig(Section):
    """The demand model: weekly and yearly seasonality, holidays, seasons, trend."""

    yearly_order: int = Field(
        10,
        ge=0,
        le=30,
        description="Yearly Fourier harmonics (none while the history spans under two years).",
    )
    weekly_order: int = Field(3, ge=0, le=3, description="Weekly Fourier harmonics.")
    interval_level: float = Field(
        0.8, gt=0, lt=1, description="Central coverage of the prediction interval."
    )
    exclude_periods: list[DateRange] = Field(
        default_factory=list,
        description="Dates left out of the fit (lockdowns, counter faults).",
    )
    validation_weeks: int = Field(
        8,
        ge=0,
        le=52,
        description=(
            "Weekly origins of the validation backtest that weighs, per site, the model against "
            "the same weekday's count last week and last year; 0: the model alone."
        ),
    )
    backtest_weeks: int = Field(8, gt=0, le=104, description="Test window of `--backtest`.")


class RequirementsConfig(Section):
    """How forecast demand becomes staff needed."""

    method: Literal["erlang_c", "ratio"] = Field(
        "erlang_c", description="Erlang C queueing, or a fixed productivity ratio."
    )
    arrivals_per_count: float = Field(
        1.0, gt=0, description="Service requests per counted unit of history (e.g. per visitor)."
    )
    handling_minutes: float = Field(10.0, gt=0, description="Mean minutes to serve one request.")
    service_level: float = Field(
        0.8, gt=0, lt=1, description="Share of requests answered within the waiting target."
    )
    answer_within_minutes: float = Field(
        30.0, gt=0, description="Waiting-time target (the 30-minute response standard)."
    )
    arrivals_per_staff_hour: float = Field(
        6.0, gt=0, description="Requests one person serves per hour (ratio method)."
    )
    open_hours_per_day: float = Field(10.0, gt=0, le=24, description="Opening hours per day.")
    reserve_covers_upper: bool = Field(
        False, description="Raise reserve so base + reserve covers the upper forecast bound."
    )


class ReserveRule(Section):
    """On-call reserve as a ratio of the base requirement for a site class in a season."""

    site_class: str = Field(description="Class of sites, as in `site_classes`.")
    season: str = Field(
        "*", description="Peak season name; '*' any peak season; 'off' outside every season."
    )
    ratio: float = Field(ge=0, description="On-call headcount per base staff (2.0 = 200%).")


class RosterRules(Section):
    """Labour rules of the roster (each employee's CSV row may tighten them)."""

    min_rest_minutes: int = Field(660, ge=0, description="Least rest between two shifts (11 h).")
    max_consecutive_days: int = Field(6, gt=0, description="Most consecutive days on duty.")
    min_consecutive_days: int = Field(1, gt=0, description="Fewest consecutive days on duty.")
    min_consecutive_days_off: int = Field(1, gt=0, description="Fewest consecutive days off.")
    max_weekends: int | None = Field(None, ge=0, description="Most weekends with any duty.")
    max_night_shifts_per_week: int | None = Field(
        None, ge=0, description="Most night shifts per calendar week (Monday to Sunday)."
    )


class RosterWeights(Section):
    """Objective tiers: uncovered ≫ reserve shortfall ≫ partner cost ≫ over-cover ≫ fairness."""

    uncovered: int = Field(1_000_000, ge=0, description="Per staff-shift of demand not covered.")
    reserve_shortfall: int = Field(10_000, ge=0, description="Per on-call place not filled.")
    partner_cost: int = Field(1, ge=0, description="Per currency unit paid to partners.")
    stability: int = Field(100, ge=0, description="Per published assignment changed.")
    over_cover: int = Field(10, ge=0, description="Per staff-shift above the requirement.")
    requests: int = Field(10, ge=0, description="Per unit of request weight not granted.")
    fairness: int = Field(1, ge=0, description="Per day of spread of weekend and night work.")


class RosterConfig(Section):
    """Rostering named staff (and partners' shared employees) against the requirements."""

    employees: DataFile = Field(
        description="CSV: employee_id, sites (|-separated), skills, min/max_minutes_per_week, ..."
    )
    shift_types: DataFile = Field(description="CSV: shift_id, start (HH:MM), length_minutes.")
    shift: str = Field(description="The shift type that staffs each day's requirement.")
    shared_employees: DataFile | None = Field(
        None, description="CSV of partners' shared employees: who, where, when, max_days, cost."
    )
    requests: DataFile | None = Field(
        None, description="CSV of day-off and shift requests: employee_id, date, shift, kind."
    )
    previous_roster: DataFile | None = Field(
        None, description="A published roster.csv: warm start, and changes to it are penalised."
    )
    rules: RosterRules = Field(default_factory=RosterRules)
    weights: RosterWeights = Field(default_factory=RosterWeights)


class StaffingConfig(Section):
    """Staffing: forecast demand from history and the staff and reserve it needs."""

    history: DataFile = Field(description="CSV of (site, date or timestamp, count).")
    site_column: str = "site"
    time_column: str = "date"
    count_column: str = "count"
    day_start_hour: int = Field(0, ge=0, le=23, description="Hour a counting day starts.")
    country: str = Field(description="ISO country code for public holidays, e.g. NZ.")
    subdivision: str | None = Field(None, description="Holiday subdivision, e.g. AUK.")
    time_zone: str = Field(
        "UTC",
        description="IANA time zone of the sites, e.g. Pacific/Auckland: shift times are local "
        "to it, and roster calendars carry it.",
    )
    horizon_days: int = Field(28, gt=0, le=366, description="Days to forecast and staff.")
    peak_seasons: list[PeakSeason] = Field(default_factory=list)
    forecast: ForecastConfig = Field(default_factory=ForecastConfig)
    requirements: RequirementsConfig = Field(default_factory=RequirementsConfig)
    site_classes: dict[str, list[str]] = Field(
        default_factory=dict, description="Class name → sites, e.g. scenic: [Waterfront]."
    )
    reserve: list[ReserveRule] = Field(
        default_factory=lambda: [ReserveRule(site_class="scenic", season="*", ratio=2.0)],
        description="Reserve rules; default 200% at scenic sites in any peak season, else 0.",
    )
    roster: RosterConfig | None = Field(
        None, description="Roster named staff against the requirements; absent: no roster."
    )

    @field_validator("time_zone")
    @classmethod
    def _known_time_zone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise PydanticCustomError(
                "unknown_time_zone",
                "unknown time zone {name}; use an IANA name such as Europe/Lisbon",
                {"name": name},
            ) from None
        return name

    @field_validator("country")
    @classmethod
    def _known_country(cls, country: str) -> str:
        if country not in _holiday_countries():
            raise PydanticCustomError(
                "unknown_country", "no public-holiday calendar for {country}", {"country": country}
            )
        return country

    @field_validator("subdivision")
    @classmethod
    def _known_subdivision(cls, subdivision: str | None, info: ValidationInfo) -> str | None:
        country = info.data.get("country", "")
        known = getattr(holidays, country).subdivisions if country in _holiday_countries() else None
        if subdivision is not None and known is not None and subdivision not in known:
            raise PydanticCustomError(
                "unknown_subdivision",
                "unknown subdivision {subdivision} (known: {known})",
                {"subdivision": subdivision, "known": ", ".join(known)},
            )
        return subdivision


def _holiday_countries() -> set[str]:
    """The ISO codes (two- and three-letter) of the countries with a public-holiday calendar,
    read from the ``holidays`` registry without loading every calendar (which takes about
    0.2 s of CPU)."""
    return {
        code
        for _, *codes in holidays.registry.COUNTRIES.values()
        for code in codes
        if code.isupper() and len(code) in (2, 3)
    }


class TeamRule(Section):
    """Resources that only move together, in whole teams."""

    name: str
    units_per_team: dict[str, int] = Field(
        description="Units of each resource in one team, e.g. {ambulance: 1, paramedic: 2}."
    )


class SuppliesConfig(Section):
    """Stock kept at each region: reorder points, transfers within the window, then orders."""

    inventory: DataFile = Field(
        description="CSV inventory feed: site, item, and units per row or one row per RFID tag."
    )
    consumption: DataFile = Field(description="CSV of forecast use: site, item, units_per_day.")
    lead_time_days: float = Field(
        2.0, ge=0, le=366, description="Days a replenishment order takes."
    )
    safety_days: float = Field(1.0, ge=0, le=366, description="Extra days of stock kept as safety.")
    order_cover_days: float = Field(
        7.0,
        ge=0,
        le=366,
        description="An order brings stock to the reorder point plus these days.",
    )


class DispatchConfig(Section):
    """Cross-region dispatch when demand surges: who helps whom within the window."""

    regions: DataFile = Field(
        description="CSV of regions: region, priority (1 = normal, up to 1000), "
        "mobilisation_minutes, lat, lon."
    )
    resources: DataFile = Field(
        description="CSV of units: region, resource, available_units, demand_units, "
        "min_cover_units, partner_units."
    )
    travel: DataFile | None = Field(
        None,
        description="CSV of travel minutes between regions (square matrix or from,to,minutes). "
        "Absent: drive times over region.roads between the regions' lat/lon.",
    )
    window_minutes: Minutes = Field(120.0, description="Moves must arrive within this window.")
    donors_keep: Literal["min_cover", "demand"] = Field(
        "min_cover",
        description="What a region keeps when it lends: min_cover (its minimum cover, a hard "
        "floor: it may lend below its own demand when another region's priority-weighted need "
        "outweighs its own) or demand (its demand plus its minimum cover: it lends only "
        "beyond its own demand).",
    )
    min_batch_units: int = Field(1, ge=1, description="Every move carries 0 or at least this.")
    max_donors_per_receiver: int | None = Field(
        None, gt=0, description="A region receives from at most this many donors."
    )
    teams: list[TeamRule] = Field(default_factory=list)
    supplies: SuppliesConfig | None = Field(
        None, description="Stock levels and reorder planning; absent: no supply planning."
    )


class SolverConfig(Section):
    """Limits shared by every engine."""

    time_limit_seconds: float = Field(300.0, gt=0, description="Wall-clock limit per solve.")
    relative_gap: float = Field(
        0.0, ge=0, lt=1, description="Stop when proven within this relative gap (0: exact)."
    )
    threads: int | None = Field(
        None,
        gt=0,
        le=MAX_THREADS,
        description=f"Solver threads (at most {MAX_THREADS}); null: the solver decides.",
    )
    seed: int = Field(0, ge=0, description="Random seed: same inputs and seed give the same plan.")


OutputFormat = Literal[tuple(OUTPUT_FORMATS)]  # type: ignore[valid-type]


class OutputsConfig(Section):
    """Where and how results are written."""

    directory: Path | None = Field(
        None,
        description="Folder that receives <name>/; relative to the scenario file. "
        "Default: ./out in the working directory.",
    )
    formats: list[OutputFormat] = Field(
        default_factory=lambda: list(DEFAULT_OUTPUT_FORMATS),
        description=f"Map layers and maps: {described(OUTPUT_FORMATS)}. Tables (CSV) and "
        "summaries (JSON) are always written.",
    )
    tiles_url: str | None = Field(
        None, description="XYZ tile URL template for the HTML map's base layer; none: no tiles."
    )
    png_dpi: int = Field(150, ge=30, le=600, description="Resolution of the PNG map.")
    credit: str | None = Field(
        None,
        max_length=300,
        description="Who to credit on every map for the scenario's data besides OpenStreetMap "
        "(e.g. 'population: Ipea/r5r'); the maps print it after '© OpenStreetMap contributors'.",
    )


class Scenario(Section):
    """One planning scenario: the region, which engines run, and how."""

    name: str = Field(
        description="Scenario name; also the output folder name.",
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
        max_length=100,
    )
    description: str = ""
    region: RegionConfig | None = None
    regions: list[RegionEntry] | None = Field(
        None,
        min_length=1,
        description="Instead of `region`: several regions, each with its own data. Regions "
        "whose residents cannot reach another's sites within the siting reach are planned as "
        "separate tasks (`--executor`), those that can as one problem, and merged into one "
        "plan; max_stations and budget hold per region.",
    )
    siting: SitingConfig | None = None
    staffing: StaffingConfig | None = None
    dispatch: DispatchConfig | None = None
    review: ReviewConfig | None = None
    mobile_rounds: MobileRoundsConfig | None = None
    solver: SolverConfig = Field(default_factory=SolverConfig)
    outputs: OutputsConfig = Field(default_factory=OutputsConfig)

    @model_validator(mode="before")
    @classmethod
    def _regions_inherit_siting(cls, data: Any) -> Any:
        return lay_region_siting(data)

    @field_validator("regions")
    @classmethod
    def _regions_fit_the_scenario(
        cls, regions: list[RegionEntry] | None, info: ValidationInfo
    ) -> Any:
        if regions is not None and info.data.get("region") is not None:
            raise PydanticCustomError("region_and_regions", "give region or regions, not both", {})
        names = [region.name for region in regions or []]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise PydanticCustomError(
                "repeated_region", "region name(s) {names} repeat", {"names": ", ".join(repeated)}
            )
        return regions

    @field_validator("siting")
    @classmethod
    def _siting_needs_region(cls, siting: SitingConfig | None, info: ValidationInfo) -> Any:
        region_given = any(
            info.data.get(key, "invalid") is not None for key in ("region", "regions")
        )
        if siting is not None and not region_given:
            raise PydanticCustomError("missing_region", "needs a region or regions section", {})
        return siting

    @model_validator(mode="after")
    def _regions_need_siting(self) -> Scenario:
        if self.regions is not None and self.siting is None:
            raise PydanticCustomError(
                "regions_without_siting",
                "regions: need a siting section (stations are sited in each region)",
                {},
            )
        return self

    def region_siting(self, region: RegionEntry) -> SitingConfig:
        """The siting section of one of ``regions``: its own, else the scenario's."""
        siting = region.siting or self.siting
        assert siting is not None
        return siting

    @property
    def engines(self) -> list[str]:
        """Names of the engines this scenario switches on, in run order."""
        sections = {
            "siting": self.siting,
            "staffing": self.staffing,
            "dispatch": self.dispatch,
            "review": self.review,
            "mobile_rounds": self.mobile_rounds,
        }
        return [name for name, section in sections.items() if section is not None]


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file.

    Args:
        path: a ``.yaml``, ``.yml`` or ``.toml`` file.

    Returns:
        The validated ``Scenario``; its data-file paths are resolved and exist.

    Raises:
        ScenarioError: with one ``file:line: field: message`` line per defect.
    """
    path = Path(path)
    return scenario_from_source(read_scenario_source(path), base_dir=path.parent)


def scenario_from_source(source: ScenarioSource, *, base_dir: Path) -> Scenario:
    """Validate a parsed scenario document (a file's, or a sweep variant's).

    Args:
        source: the document, with the file and lines that errors name.
        base_dir: the folder that relative data-file paths are taken from.

    Returns:
        The validated ``Scenario``.

    Raises:
        ScenarioError: with one ``file:line: field: message`` line per defect.
    """
    try:
        return Scenario.model_validate(source.data, context={"base_dir": base_dir})
    except ValidationError as error:
        problems = [
            describe_validation_error(item, source, Scenario)
            for item in error.errors()
            if not inherited_defect(item["loc"], source)
        ]
        raise ScenarioError(problems) from None
    except RecursionError:
        raise ScenarioError([f"{source.path}:1: the document is nested too deeply"]) from None


def scenario_json_schema() -> dict[str, Any]:
    """The JSON Schema of the scenario file (what ``svcplan schema`` prints)."""
    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "svcplan scenario"
    return schema


def output_folder(scenario: Scenario, scenario_path: Path, override: Path | None = None) -> Path:
    """The folder ``<directory>/<name>`` that receives this scenario's outputs.

    ``override`` (the CLI's ``--out``) wins over ``outputs.directory``; a relative
    ``outputs.directory`` is taken from the scenario file's folder; the default is ``./out``.
    """
    if override is not None:
        base = override
    elif scenario.outputs.directory is not None:
        base = scenario_path.parent / scenario.outputs.directory
    else:
        base = Path("out")
    return base / scenario.name
