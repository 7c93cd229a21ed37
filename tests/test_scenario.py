"""load_scenario: valid files load, every kind of broken file gives one precise line."""

from __future__ import annotations

import contextlib
import json
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimizer.errors import ScenarioError
from optimizer.scenario import load_scenario, output_folder, scenario_json_schema

from .conftest import REPO_ROOT, SAMPLE_SCENARIO

SAMPLE_TEXT = SAMPLE_SCENARIO.read_text().replace("../geodata", str(REPO_ROOT / "geodata"))


def test_sample_scenario_validates_with_resolved_paths() -> None:
    scenario = load_scenario(SAMPLE_SCENARIO)
    assert scenario.name == "porto-alegre"
    assert scenario.engines == ["siting"]
    assert scenario.region is not None
    assert scenario.region.roads == REPO_ROOT / "geodata/porto_alegre/poa_osm.pbf"
    assert scenario.siting is not None
    assert scenario.siting.coverage_minutes == 15
    assert scenario.siting.density is not None
    assert scenario.siting.density.residents_per_station == 5000


def test_toml_and_yaml_give_the_same_scenario(tmp_path: Path) -> None:
    data = yaml.safe_load(SAMPLE_TEXT)
    toml_path = tmp_path / "sample.toml"
    toml_path.write_text(_to_toml(data))
    assert load_scenario(toml_path) == load_scenario(_write(tmp_path, SAMPLE_TEXT))


def test_toml_errors_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('name = "x"\n\n[solver]\ntime_limit_seconds = -1\n')
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert caught.value.problems == [f"{path}:4: solver.time_limit_seconds: must be > 0 (got -1)"]


# Each broken scenario: (file content, expected line, expected message pattern).
BROKEN = {
    "wrong_type": (
        SAMPLE_TEXT.replace("coverage_minutes: 15", "coverage_minutes: fifteen"),
        34,
        r"siting\.coverage_minutes: expected a number \(got text 'fifteen'\)",
    ),
    "negative_minutes": (
        SAMPLE_TEXT.replace("coverage_minutes: 15", "coverage_minutes: -5"),
        34,
        r"siting\.coverage_minutes: must be > 0 \(got -5\)",
    ),
    "unknown_key": (
        SAMPLE_TEXT.replace("description:", "colour: blue\ndescription:"),
        5,
        r"colour: unknown key 'colour' \(valid keys: name, description, region",
    ),
    "misspelt_key": (
        SAMPLE_TEXT.replace("coverage_minutes: 15", "covrage_minutes: 15"),
        34,
        r"siting\.covrage_minutes: unknown key 'covrage_minutes'; "
        r"did you mean 'coverage_minutes'\?",
    ),
    "missing_file": (
        SAMPLE_TEXT.replace("poa_osm.pbf", "poa_osm_2099.pbf"),
        10,
        r"region\.roads: file not found: .*poa_osm_2099\.pbf",
    ),
    "empty_file": ("", 1, r"file is empty"),
    "not_yaml": ("name: [unclosed\nregion: {\n", 2, r"not valid YAML: expected ',' or ']'"),
    "list_for_mapping": (
        SAMPLE_TEXT.replace("solver:\n  time_limit_seconds: 120", "solver:\n  - 120").replace(
            "  relative_gap: 0.0\n  seed: 0\n", ""
        ),
        SAMPLE_TEXT.splitlines().index("solver:") + 1,
        r"solver: expected a mapping \(got a list\)",
    ),
    "duplicate_key": (
        SAMPLE_TEXT + "name: another-name\n",
        SAMPLE_TEXT.count("\n") + 1,
        r"name: duplicate key \(first defined on line 4\)",
    ),
    "binary_garbage": (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe",
        1,
        r"not a text file \(invalid UTF-8 byte 0x89 at offset 0\)",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_scenario_gives_one_line_with_file_line_and_field(tmp_path: Path, case: str) -> None:
    content, line, pattern = BROKEN[case]
    path = _write(tmp_path, content)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    problems = caught.value.problems
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{path}:{line}: "), problems[0]
    assert re.search(pattern, problems[0]), problems[0]
    assert "\n" not in problems[0]


def test_all_missing_files_are_reported_at_once(tmp_path: Path) -> None:
    text = SAMPLE_TEXT.replace("poa_osm.pbf", "gone.pbf").replace(
        "poa_points_of_interest.csv", "gone.csv"
    )
    with pytest.raises(ScenarioError) as caught:
        load_scenario(_write(tmp_path, text))
    fields = [problem.split(": ")[1] for problem in caught.value.problems]
    assert fields == ["region.roads", "region.points_of_interest"]


def test_paths_are_relative_to_the_scenario_file(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "roads.osm").write_text("<osm/>")
    (tmp_path / "data" / "people.gpkg").write_text("x")
    text = "name: rel\nregion:\n  roads: data/roads.osm\n  population: {path: data/people.gpkg}\n"
    scenario = load_scenario(_write(tmp_path, text))
    assert scenario.region is not None
    assert scenario.region.roads == tmp_path / "data" / "roads.osm"


def test_objective_without_its_limit_is_an_error(tmp_path: Path) -> None:
    text = SAMPLE_TEXT.replace("objective: lexicographic", "objective: min_travel")
    expected = r":31: siting: objective min_travel needs max_stations"
    with pytest.raises(ScenarioError, match=expected):
        load_scenario(_write(tmp_path, text))


def test_output_folder_default_override_and_relative() -> None:
    scenario = load_scenario(SAMPLE_SCENARIO)
    assert output_folder(scenario, SAMPLE_SCENARIO) == Path("out/porto-alegre")
    assert output_folder(scenario, SAMPLE_SCENARIO, Path("/x")) == Path("/x/porto-alegre")
    moved = scenario.model_copy(
        update={"outputs": scenario.outputs.model_copy(update={"directory": Path("results")})}
    )
    assert output_folder(moved, SAMPLE_SCENARIO) == SAMPLE_SCENARIO.parent / "results/porto-alegre"


def test_committed_schema_matches_the_models() -> None:
    committed = json.loads((REPO_ROOT / "scenarios" / "scenario.schema.json").read_text())
    assert committed == scenario_json_schema()


FIXTURE_OK = [HealthCheck.function_scoped_fixture]
yaml_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20))
yaml_keys = st.one_of(
    st.sampled_from(
        [
            "name",
            "region",
            "siting",
            "roads",
            "population",
            "coverage_minutes",
            "solver",
            "objective",
            "density",
            "typed_posts",
            "outputs",
            "formats",
            "path",
        ]
    ),
    st.text(max_size=12),
    st.integers(),
)
yaml_documents = st.recursive(
    yaml_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(yaml_keys, children, max_size=5)
    ),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None, suppress_health_check=FIXTURE_OK)
@given(document=yaml_documents)
def test_random_yaml_raises_only_scenario_error(tmp_path: Path, document: object) -> None:
    path = tmp_path / "random.yaml"
    path.write_text(yaml.safe_dump(document))
    with contextlib.suppress(ScenarioError):
        load_scenario(path)


@settings(max_examples=200, deadline=None, suppress_health_check=FIXTURE_OK)
@given(text=st.text(max_size=200))
def test_random_text_raises_only_scenario_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "random.yaml"
    path.write_bytes(text.encode("utf-8", errors="surrogatepass"))
    with contextlib.suppress(ScenarioError):
        load_scenario(path)


def _write(folder: Path, content: str | bytes) -> Path:
    path = folder / "scenario.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    return path


def _to_toml(data: dict, prefix: str = "") -> str:
    """A small TOML writer for the sample's shapes (tables, scalars, lists of scalars/tables)."""
    scalars, tables = [], []
    for key, value in data.items():
        if isinstance(value, dict):
            tables.append(f"\n[{prefix}{key}]\n" + _to_toml(value, f"{prefix}{key}."))
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            for item in value:
                tables.append(f"\n[[{prefix}{key}]]\n" + _to_toml(item, f"{prefix}{key}."))
        else:
            scalars.append(f"{key} = {json.dumps(value)}\n")
    return "".join(scalars) + "".join(tables)


def test_capacity_combines_with_a_travel_objective(tmp_path: Path) -> None:
    text = SAMPLE_TEXT.replace("objective: lexicographic", "objective: min_cost").replace(
        "as_capacity: false", "as_capacity: true"
    )
    siting = load_scenario(_write(tmp_path, text)).siting
    assert siting.objective == "min_cost" and siting.density.as_capacity


def test_an_unknown_time_zone_is_named_with_its_line(tmp_path: Path) -> None:
    scenario = REPO_ROOT / "scenarios" / "tourist-peak.yaml"
    text = scenario.read_text().replace("Pacific/Auckland", "Auckland/Harbour")
    (tmp_path / "scenarios").mkdir()
    path = tmp_path / "scenarios" / "tz.yaml"
    path.write_text(text)
    (tmp_path / "scenarios" / "data").symlink_to(scenario.parent / "data")
    (tmp_path / "geodata").symlink_to(REPO_ROOT / "geodata")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    (problem,) = caught.value.problems
    line = text.splitlines().index(next(x for x in text.splitlines() if "Auckland/Harbour" in x))
    assert problem.startswith(f"{path}:{line + 1}: staffing.time_zone: unknown time zone")
