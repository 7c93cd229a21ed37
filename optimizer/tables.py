"""CSV data files read and checked the same way by every reader.

Rows are numbered as a spreadsheet shows them: the header is row 1, the first data row is row 2,
and blank lines keep their numbers (they are skipped, not renumbered). A problem is one
:class:`~optimizer.errors.DataError` line naming the file, the column and the row, e.g.
``resources.csv: demand_units: row 3: expected a whole number from 0 to 1000000 (got '1.5')``.

A data path may point at any file, so messages never quote a file's header or lines: only a
bad cell's value is quoted back, cut to :data:`QUOTE_CHARS` characters.

Text is UTF-8 (a byte-order mark is skipped) or UTF-16 with a byte-order mark; cells are
comma-separated, quoted as the ``csv`` module reads them, and stripped of surrounding spaces.
Every row holds one value per header column (an empty value is an empty cell): a row with
more values would lose them, a row with fewer has shifted or missing cells; both are errors.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from optimizer.errors import DataError

QUOTE_CHARS = 40
"""Most characters of a cell's value quoted back in a message."""

NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
"""Accepted spelling of a number: ASCII digits, an optional point and exponent (``inf``,
``nan``, thousands separators and other scripts' digits are not numbers here)."""


def quoted(value: object) -> str:
    """``repr`` of a cell's value as plain Python (no ``np.int64(...)``), cut to
    :data:`QUOTE_CHARS` characters (``...`` marks a cut)."""
    if isinstance(value, np.generic):
        value = value.item()
    text = repr(value)
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 3] + "..."


def number_text(value: float) -> str:
    """A bound as people write it: ``1000000``, ``0.5``, ``-90``."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def expected_number(*, whole: bool, minimum: float, maximum: float) -> str:
    """What a numeric cell must hold, e.g. ``a whole number from 0 to 1000000``."""
    kind = "a whole number" if whole else "a number"
    if maximum == math.inf:
        return f"{kind} >= {number_text(minimum)}"
    return f"{kind} from {number_text(minimum)} to {number_text(maximum)}"


def number_ok(value: float, *, whole: bool, minimum: float, maximum: float) -> bool:
    """Whether ``value`` is finite, within ``[minimum, maximum]`` and whole when asked."""
    return bool(
        math.isfinite(value)
        and minimum <= value <= maximum
        and (not whole or value == math.floor(value))
    )


def parse_number(
    text: str, *, whole: bool = False, minimum: float = 0.0, maximum: float = math.inf
) -> float:
    """One cell as a number checked like :func:`number_column` checks a column.

    Raises:
        ValueError: not a number in the range; its message is what was expected.
    """
    value = float(text) if NUMBER.fullmatch(text.strip()) else math.nan
    if not number_ok(value, whole=whole, minimum=minimum, maximum=maximum):
        raise ValueError(expected_number(whole=whole, minimum=minimum, maximum=maximum))
    return value


def row_error(path: str | Path, row: int, column: str | None, message: str) -> DataError:
    """The one-line error of a cell (or, with ``column`` None, a whole row)."""
    return DataError(path, f"row {row}: {message}", field=column)


def reject_rows(
    path: str | Path,
    rows: np.ndarray,
    bad: np.ndarray,
    column: str | None,
    message: str | Callable[[int], str],
) -> None:
    """Raise the error of the first ``bad`` position, if any, naming its row (``rows`` holds
    each position's row number); ``message`` may depend on the position."""
    positions = np.flatnonzero(bad)
    if len(positions):
        first = int(positions[0])
        text = message(first) if callable(message) else message
        raise row_error(path, int(rows[first]), column, text)


def read_text(path: str | Path) -> str:
    """The text of a data file.

    Raises:
        DataError: missing, a folder, unreadable, or not UTF-8/UTF-16 text.
    """
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise DataError(path, "file not found") from None
    except IsADirectoryError:
        raise DataError(path, "is a folder, not a file") from None
    except OSError as error:
        raise DataError(path, f"cannot be read ({error.strerror})") from None
    return decode_text(path, data)


def decode_text(path: str | Path, data: bytes) -> str:
    """``data`` as text: UTF-16 when it starts with a UTF-16 byte-order mark, else UTF-8.

    Raises:
        DataError: undecodable bytes or NUL characters (a binary file, or UTF-16 without a
            byte-order mark), naming the byte offset, never the content.
    """
    utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    try:
        text = data.decode("utf-16" if utf16 else "utf-8-sig")
    except UnicodeDecodeError as error:
        raise DataError(
            path, f"not UTF-8 text (undecodable byte at offset {error.start}); save it as UTF-8"
        ) from None
    if "\x00" in text:
        raise DataError(
            path, "not a text file (NUL characters; UTF-16 needs a byte-order mark)"
        ) from None
    return text


@dataclass(frozen=True)
class Table:
    """A CSV file's data rows as text.

    Attributes:
        path: the file, for messages.
        frame: one column per named header cell; cells are stripped text, ``""`` when empty.
        rows: spreadsheet row number of each frame row, int64.
    """

    path: Path
    frame: pd.DataFrame
    rows: np.ndarray

    def __len__(self) -> int:
        return len(self.frame)

    def has(self, column: str) -> bool:
        """Whether the header names ``column``."""
        return column in self.frame.columns

    def cells(self, column: str) -> pd.Series:
        """The stripped text cells of ``column`` (all empty when the header lacks it)."""
        if self.has(column):
            return self.frame[column]
        return pd.Series("", index=self.frame.index, dtype=object)

    def reject(
        self, bad: np.ndarray, column: str | None, message: str | Callable[[int], str]
    ) -> None:
        """Raise the error of the first ``bad`` row, if any; ``message`` may depend on its
        position in the frame."""
        reject_rows(self.path, self.rows, bad, column, message)


def read_table(
    path: str | Path, required: Sequence[str] = (), *, allow_empty: bool = False
) -> Table:
    """A CSV file's data rows, with the ``required`` columns in its header.

    Raises:
        DataError: unreadable or not CSV text, no header, a repeated column name, a missing
            column, a row with more values than columns, or (unless ``allow_empty``) no data
            rows.
    """
    path = Path(path)
    records = _records(path, read_text(path))
    if not records:
        expected = f" (expected columns {', '.join(required)})" if required else ""
        raise DataError(path, f"file is empty{expected}")
    _, header = records[0]
    names = [cell.strip().lstrip("\ufeff") for cell in header]
    while names and not names[-1]:
        names.pop()
    _check_header(path, names, required)
    body = [(row, _fitted(path, row, cells, len(names))) for row, cells in records[1:]]
    if not body and not allow_empty:
        raise DataError(path, "no data rows (only a header)")
    named = [i for i, name in enumerate(names) if name]
    frame = pd.DataFrame(
        {names[i]: [cells[i] for _, cells in body] for i in named},
        index=pd.RangeIndex(len(body)),
        dtype=object,
    )
    return Table(path, frame, np.array([row for row, _ in body], dtype=np.int64))


def _records(path: Path, text: str) -> list[tuple[int, list[str]]]:
    """Non-blank CSV records with their row numbers (blank lines count as rows)."""
    records = []
    row = 0
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for row, cells in enumerate(reader, start=1):
            if any(cell.strip() for cell in cells):
                records.append((row, cells))
    except csv.Error as error:
        raise row_error(path, row + 1, None, f"not CSV ({error})") from None
    return records


def _check_header(path: Path, names: list[str], required: Sequence[str]) -> None:
    """Raise DataError for a repeated column name or a missing required column."""
    seen: dict[str, int] = {}
    for number, name in enumerate(names, start=1):
        if name and name in seen:
            raise DataError(
                path, f"columns {seen[name]} and {number} have the same name", field="header"
            )
        seen.setdefault(name, number)
    missing = [column for column in required if column not in seen]
    if missing:
        count = sum(1 for name in names if name)
        raise DataError(
            path,
            f"missing column(s) {', '.join(missing)}; the header has {count} named column(s)",
            field="header",
        )


def _fitted(path: Path, row: int, cells: list[str], width: int) -> list[str]:
    """``cells`` stripped, checked to hold ``width`` values (trailing empty ones beyond the
    header are ignored)."""
    count = len(cells)
    while count > width and not cells[count - 1].strip():
        count -= 1
    if count != width:
        raise row_error(path, row, None, f"{count} values for {width} columns in the header")
    return [cell.strip() for cell in cells[:width]]


def text_column(table: Table, column: str) -> pd.Series:
    """``table[column]``, every cell non-empty.

    Raises:
        DataError: naming the first empty cell's row.
    """
    cells = table.cells(column)
    table.reject((cells == "").to_numpy(), column, "empty; a value is required")
    return cells


def to_numbers(values: pd.Series) -> np.ndarray:
    """Each value as a float64 in a new (writable) array: numbers as they are, text spelled as
    :data:`NUMBER` parsed (too large: ``inf``), anything else (empty, missing, other text,
    booleans) ``NaN``."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values.to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
    cells = values.astype("string").fillna("").str.strip()
    spelled = cells.str.fullmatch(NUMBER.pattern).to_numpy(dtype=bool)
    numbers = np.full(len(cells), np.nan)
    numbers[spelled] = [float(cell) for cell in cells[spelled]]
    return numbers


def number_column(
    table: Table,
    column: str,
    *,
    whole: bool = False,
    minimum: float = 0.0,
    maximum: float = math.inf,
    default: float | None = None,
) -> np.ndarray:
    """``table[column]`` as a new (writable) float64 array, each value finite, within
    ``[minimum, maximum]`` and whole when asked.

    Empty cells (or an absent column) take ``default``; without a default they are errors.

    Raises:
        DataError: naming the first bad row and the column.
    """
    if not table.has(column):
        if default is None:
            raise DataError(table.path, f"missing column {column}", field="header")
        return np.full(len(table), default, dtype=np.float64)
    cells = table.frame[column]
    values = to_numbers(cells)
    empty = (cells == "").to_numpy()
    inside = np.isfinite(values) & (values >= minimum) & (values <= maximum)
    if whole:
        inside &= values == np.floor(values)
    if default is not None:
        inside |= empty
        values[empty] = default
    expected = expected_number(whole=whole, minimum=minimum, maximum=maximum)
    table.reject(~inside, column, lambda i: f"expected {expected} (got {quoted(cells.iloc[i])})")
    return values


def reject_duplicates(
    table: Table, columns: Sequence[str], keys: pd.DataFrame | None = None
) -> None:
    """Raise DataError at the first row that repeats an earlier row's ``columns`` (compared
    as ``keys`` when given: one row per table row, e.g. the cells resolved to indices),
    naming the first column, the row and the earlier row."""
    keys = table.frame[list(columns)] if keys is None else keys.reset_index(drop=True)
    repeated = keys.duplicated().to_numpy()
    if repeated.any():
        position = int(np.flatnonzero(repeated)[0])
        same = (keys == keys.iloc[position]).all(axis=1).to_numpy()
        earlier = int(table.rows[int(np.flatnonzero(same)[0])])
        value = ", ".join(quoted(table.cells(name).iloc[position]) for name in columns)
        table.reject(repeated, columns[0], f"duplicate {value} (first on row {earlier})")
