"""What every scenario section shares: the section base, data-file paths, units, and the
residents and districts layers (the region's, and the review's own when it has no region)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, model_validator
from pydantic_core import PydanticCustomError


def _resolve_existing_file(value: Path, info: ValidationInfo) -> Path:
    """Resolve ``value`` against the scenario's folder and require that the file exists."""
    base_dir = (info.context or {}).get("base_dir")
    path = value if value.is_absolute() or base_dir is None else Path(base_dir) / value
    path = Path(os.path.normpath(path))
    if not path.is_file():
        what = "is a folder, not a file" if path.is_dir() else "file not found"
        raise PydanticCustomError(
            "missing_file", "{what}: {path}", {"what": what, "path": str(path)}
        )
    return path


DataFile = Annotated[Path, AfterValidator(_resolve_existing_file)]
"""A path to an input file, relative to the scenario file; it must exist."""

Minutes = Annotated[float, Field(gt=0, le=24 * 60)]
Meters = Annotated[float, Field(gt=0)]


class Section(BaseModel):
    """Base of every scenario section: unknown keys are errors, NaN/inf are rejected."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class PopulationLayer(Section):
    """Where residents live: a polygon or point layer with a resident count per feature."""

    path: DataFile = Field(description="GeoPackage, GeoJSON or GeoParquet file.")
    layer: str | None = Field(
        None, description="Layer name inside a GeoPackage; default: the first."
    )
    population_field: str = Field(
        "population", description="Field holding the number of residents of each feature."
    )
    id_field: str | None = Field(
        None,
        description="Field holding each feature's own id (an H3 cell, a census tract), kept as "
        "`demand_id` in the plan's layers so they join back to this layer. Default: the first "
        "text field whose values are all present and unique, else the 1-based feature number.",
    )


class DistrictsConfig(Section):
    """Districts for the density rule, from a polygon layer or derived from the population grid."""

    path: DataFile | None = Field(
        None, description="Polygon layer of districts. When absent, districts are derived."
    )
    layer: str | None = Field(None, description="Layer name inside a GeoPackage.")
    name_field: str = Field("name", description="Field holding the district name (with `path`).")
    derive_h3_resolution: int = Field(
        7,
        ge=0,
        le=15,
        description="Without `path`: districts are the H3 cells of this resolution (res 7 ≈ 5 km²) "
        "containing the population features.",
    )
    urban_min_residents_per_km2: float = Field(
        1500.0,
        ge=0,
        description="A district at or above this density is urban (the density rule applies).",
    )
    urban_field: str | None = Field(
        None,
        description="With `path`: field flagging each district urban (true/yes/1/urban) or "
        "rural (false/no/0/rural); it decides instead of the density.",
    )

    @model_validator(mode="after")
    def _flag_needs_a_layer(self) -> DistrictsConfig:
        if self.urban_field is not None and self.path is None:
            raise PydanticCustomError(
                "urban_field", "urban_field needs a district layer (path)", {}
            )
        return self
