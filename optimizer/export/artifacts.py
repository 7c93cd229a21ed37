"""The files of a plan's layers and maps, as writers for ``optimizer.export.staging.publish``.

A ``MapKind`` says what one kind of plan is drawn as: its layer set and its two maps. The
siting plan's layers go to ``plan.gpkg`` (or one file per layer) with ``map.html`` and
``map.png``; the dispatch plan's to ``dispatch.gpkg`` with ``dispatch_map.html`` and
``dispatch_map.png``, the rounds plan's to ``rounds.gpkg`` with ``rounds_map.html`` and
``rounds_map.png``, so they never clash when ``svcplan plan`` writes them into one folder.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from optimizer.export.dispatch_html_map import write_dispatch_html_map
from optimizer.export.dispatch_layers import DISPATCH
from optimizer.export.dispatch_png_map import write_dispatch_png_map
from optimizer.export.html_map import write_html_map
from optimizer.export.layers import PLAN, Layers, LayerSet
from optimizer.export.png_map import write_png_map
from optimizer.export.review_html_map import write_review_html_map
from optimizer.export.review_layers import REVIEW
from optimizer.export.review_png_map import write_review_png_map
from optimizer.export.rounds_html_map import write_rounds_html_map
from optimizer.export.rounds_layers import ROUNDS
from optimizer.export.rounds_png_map import write_rounds_png_map
from optimizer.export.sinks import FORMATS, layer_artifacts
from optimizer.export.tables import ArtifactWriter


@dataclass(frozen=True)
class MapKind:
    """One kind of plan's layer files and maps.

    Attributes:
        layer_set: the layers' contract.
        html_name, png_name: file names of the interactive and the static map.
        write_html: writes the HTML map: ``(layers, path, *, tiles_url, title, credit)``.
        write_png: writes the PNG map: ``(layers, path, *, dpi, title, credit)``.
    """

    layer_set: LayerSet
    html_name: str
    png_name: str
    write_html: Callable[..., Path]
    write_png: Callable[..., Path]


SITING_MAPS = MapKind(PLAN, "map.html", "map.png", write_html_map, write_png_map)
DISPATCH_MAPS = MapKind(
    DISPATCH,
    "dispatch_map.html",
    "dispatch_map.png",
    write_dispatch_html_map,
    write_dispatch_png_map,
)
REVIEW_MAPS = MapKind(
    REVIEW, "review_map.html", "review_map.png", write_review_html_map, write_review_png_map
)
ROUNDS_MAPS = MapKind(
    ROUNDS, "rounds_map.html", "rounds_map.png", write_rounds_html_map, write_rounds_png_map
)


def map_artifacts(
    layers: Layers,
    *,
    formats: Sequence[str],
    title: str,
    credit: str,
    tiles_url: str | None = None,
    png_dpi: int = 150,
    kind: MapKind = SITING_MAPS,
) -> dict[str, ArtifactWriter]:
    """Writers of the plan's layer files (the layer formats in ``formats``) and maps (``html``
    and ``png``), named as ``kind`` says (default: the siting plan's).

    Raises:
        DataError: layers that break the kind's contract.
    """
    artifacts = layer_artifacts(
        layers,
        formats=[name for name in formats if name in FORMATS],
        layer_set=kind.layer_set,
    )
    if "html" in formats:
        artifacts[kind.html_name] = lambda path: kind.write_html(
            layers, path, tiles_url=tiles_url, title=title, credit=credit
        )
    if "png" in formats:
        artifacts[kind.png_name] = lambda path: kind.write_png(
            layers, path, dpi=png_dpi, title=title, credit=credit
        )
    return artifacts
