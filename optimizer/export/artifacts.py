"""The files of a plan's layers and maps, as writers for ``optimizer.export.staging.publish``."""

from __future__ import annotations

from collections.abc import Sequence

from optimizer.export.html_map import write_html_map
from optimizer.export.layers import Layers
from optimizer.export.png_map import write_png_map
from optimizer.export.sinks import FORMATS, layer_artifacts
from optimizer.export.tables import ArtifactWriter

HTML_MAP = "map.html"
PNG_MAP = "map.png"


def map_artifacts(
    layers: Layers,
    *,
    formats: Sequence[str],
    title: str,
    tiles_url: str | None = None,
    png_dpi: int = 150,
) -> dict[str, ArtifactWriter]:
    """Writers of the plan's layer files and maps (``html`` → map.html, ``png`` → map.png)."""
    artifacts = layer_artifacts(layers, formats=[name for name in formats if name in FORMATS])
    if "html" in formats:
        artifacts[HTML_MAP] = lambda path: write_html_map(
            layers, path, tiles_url=tiles_url, title=title
        )
    if "png" in formats:
        artifacts[PNG_MAP] = lambda path: write_png_map(layers, path, dpi=png_dpi, title=title)
    return artifacts
