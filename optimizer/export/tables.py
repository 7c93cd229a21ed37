"""Writers of tabular and text outputs: JSON documents, CSV tables, text lines.

An ``ArtifactWriter`` writes one output (a file, or a folder of files) at the path it is
given; ``export.staging`` decides where that path is, so every writer is staged the same way.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

ArtifactWriter = Callable[[Path], None]
"""Writes one output file (or folder) at the path it is given."""


def json_writer(document: object) -> ArtifactWriter:
    """An artifact writer that dumps ``document`` as indented UTF-8 JSON."""

    def write(path: Path) -> None:
        path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    return write


def csv_writer(frame: pd.DataFrame, *, float_format: str | None = None) -> ArtifactWriter:
    """An artifact writer of ``frame`` as UTF-8 CSV without the index."""
    return lambda path: frame.to_csv(path, index=False, float_format=float_format)


def lines_writer(lines: Iterable[str]) -> ArtifactWriter:
    """An artifact writer of text ``lines``, one per line."""
    text = "".join(f"{line}\n" for line in lines)
    return lambda path: path.write_text(text, encoding="utf-8")
