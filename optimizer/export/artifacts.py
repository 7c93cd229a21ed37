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
from importlib import import_module
from pathlib import Path

from optimizer.export.dispatch_layers import DISPATCH
from optimizer.export.layers import PLAN, Layers, LayerSet
from optimizer.export.review_layers import REVIEW
from optimizer.export.rounds_layers import ROUNDS
from optimizer.export.sinks import FORMATS, layer_artifacts
from optimizer.export.tables import ArtifactWriter


@dataclass(frozen=True)
class MapKind:
    """One kind of plan's layer files and maps.

    The map writers are named, not imported, so that a run loads only the drawing code of the
    maps it writes (matplotlib and the page builder are a second of a short command's start).

    Attributes:
        layer_set: the layers' contract.
        html_name, png_name: file names of the interactive and the static map.
        html_writer: ``"module:function"`` writing the HTML map:
            ``(layers, path, *, tiles_url, title, credit)``.
        png_writer: ``"module:function"`` writing the PNG map:
            ``(layers, path, *, dpi, title, credit)``.
    """

    layer_set: LayerSet
    html_name: str
    png_name: str
    html_writer: str
    png_writer: str


def _writer(reference: str) -> Callable[..., Path]:
    """The function a ``"module:function"`` reference names, its module imported now."""
    module, name = reference.split(":")
    return getattr(import_module(module), name)  # type: ignore[no-any-return]


def _maps(layer_set: LayerSet, prefix: str) -> MapKind:
    """The maps ``<prefix>map.html`` and ``<prefix>map.png``, written by
    ``optimizer.export.<prefix>html_map.write_<prefix>html_map`` and its PNG twin."""
    html, png = f"{prefix}html_map", f"{prefix}png_map"
    return MapKind(
        layer_set,
        f"{prefix}map.html",
        f"{prefix}map.png",
        f"optimizer.export.{html}:write_{html}",
        f"optimizer.export.{png}:write_{png}",
    )


SITING_MAPS = _maps(PLAN, "")
DISPATCH_MAPS = _maps(DISPATCH, "dispatch_")
REVIEW_MAPS = _maps(REVIEW, "review_")
ROUNDS_MAPS = _maps(ROUNDS, "rounds_")
MAP_KINDS = (SITING_MAPS, DISPATCH_MAPS, REVIEW_MAPS, ROUNDS_MAPS)


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
        write_html = _writer(kind.html_writer)
        artifacts[kind.html_name] = lambda path: write_html(
            layers, path, tiles_url=tiles_url, title=title, credit=credit
        )
    if "png" in formats:
        write_png = _writer(kind.png_writer)
        artifacts[kind.png_name] = lambda path: write_png(
            layers, path, dpi=png_dpi, title=title, credit=credit
        )
    return artifacts
