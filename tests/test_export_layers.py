"""The plan-layer contract: what validate_layers accepts and the clear errors it gives."""

from __future__ import annotations

import pytest

from optimizer.errors import DataError
from optimizer.export.layers import LAYERS, layers_markdown, validate_layers
from tests.conftest import REPO_ROOT
from tests.export_sample import empty_like, porto_alegre_layers

LAYERS_MD = REPO_ROOT / "README.md"


def test_porto_alegre_sample_follows_the_contract() -> None:
    layers = porto_alegre_layers()
    validate_layers(layers)
    assert len(layers["stations"]) == 15
    assert len(layers["demand"]) == 1227
    assert layers["demand"]["residents"].sum() == pytest.approx(812_935)
    assert layers["blind_spots"]["residents"].sum() < layers["demand"]["residents"].sum()


@pytest.mark.parametrize("plan", [None, {}], ids=["none", "no-layers"])
def test_a_failed_plan_is_a_clear_error(plan: object) -> None:
    with pytest.raises(DataError, match="the plan has no layers"):
        validate_layers(plan)  # type: ignore[arg-type]


def test_a_plan_without_stations_is_an_error() -> None:
    with pytest.raises(DataError, match="no stations") as caught:
        validate_layers(empty_like(porto_alegre_layers()))
    assert caught.value.field == "stations"


def test_a_missing_layer_is_named() -> None:
    layers = porto_alegre_layers()
    del layers["blind_spots"]
    with pytest.raises(DataError, match=r"missing layer.*blind_spots") as caught:
        validate_layers(layers, source="out/poa/plan.gpkg")
    assert caught.value.path == "out/poa/plan.gpkg"


def test_a_missing_attribute_is_named_with_its_layer() -> None:
    layers = porto_alegre_layers()
    layers["stations"] = layers["stations"].drop(columns="residents_served")
    with pytest.raises(DataError, match="missing attribute") as caught:
        validate_layers(layers)
    assert caught.value.field == "stations.residents_served"


def test_a_layer_without_crs_is_an_error() -> None:
    layers = porto_alegre_layers()
    layers["demand"] = layers["demand"].set_crs(None, allow_override=True)
    with pytest.raises(DataError, match="no CRS") as caught:
        validate_layers(layers)
    assert caught.value.field == "demand"


def test_wrong_types_and_values_are_errors() -> None:
    layers = porto_alegre_layers()
    layers["districts"]["compliant"] = layers["districts"]["compliant"].map({True: 1, False: 0})
    with pytest.raises(DataError, match="expected bool") as caught:
        validate_layers(layers)
    assert caught.value.field == "districts.compliant"

    layers = porto_alegre_layers()
    layers["stations"].loc[0, "status"] = "planned"
    with pytest.raises(DataError, match=r"'planned'.*existing, new"):
        validate_layers(layers)


def test_a_geometry_of_the_wrong_type_is_an_error() -> None:
    layers = porto_alegre_layers()
    layers["stations"] = layers["stations"].set_geometry(layers["stations"].buffer(10.0))
    with pytest.raises(DataError, match="Polygon not allowed") as caught:
        validate_layers(layers)
    assert caught.value.field == "stations"


def test_readme_documents_every_attribute_of_the_contract() -> None:
    document = LAYERS_MD.read_text(encoding="utf-8")
    assert layers_markdown() in document
    for layer in LAYERS.values():
        for attribute in layer.attributes:
            assert f"| `{attribute.name}` |" in document
