"""Exporters of a siting plan: GIS layers (GeoPackage, GeoParquet, FlatGeobuf, GeoJSON) and maps.

The plan arrives as five layers (see ``optimizer.export.layers``; the README documents them). Every
writer checks them first and writes under a temporary name, renaming into place at the end.
"""

from optimizer.export.html_map import write_html_map
from optimizer.export.layers import LAYERS, validate_layers
from optimizer.export.png_map import write_png_map
from optimizer.export.sinks import FORMATS, layer_artifacts, read_layers, write_layers

__all__ = [
    "FORMATS",
    "LAYERS",
    "layer_artifacts",
    "read_layers",
    "validate_layers",
    "write_html_map",
    "write_layers",
    "write_png_map",
]
