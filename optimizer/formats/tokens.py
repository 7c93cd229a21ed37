"""Whitespace tokens of a published instance file, read with the line each came from, so that
every reader's errors name the line of a bad value the same way."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from optimizer.errors import DataError
from optimizer.tables import quoted, read_text


class Tokens:
    """Whitespace tokens of a text file with their 1-based line numbers."""

    def __init__(self, path: Path) -> None:
        self.path = path
        text = read_text(path)
        self.tokens: list[str] = []
        self.lines: list[int] = []
        for number, line in enumerate(text.splitlines(), start=1):
            parts = line.split()
            self.tokens += parts
            self.lines += [number] * len(parts)
        self.position = 0

    def _line(self, index: int) -> int:
        return self.lines[min(index, len(self.lines) - 1)] if self.lines else 1

    def take(self, count: int, what: str) -> list[str]:
        """The next ``count`` tokens; DataError when the file ends first."""
        end = self.position + count
        if end > len(self.tokens):
            raise DataError(
                self.path,
                f"line {self._line(len(self.tokens))}: file ends early; expected {count} "
                f"values for {what}, found {len(self.tokens) - self.position}",
            )
        chunk = self.tokens[self.position : end]
        self.position = end
        return chunk

    def numbers(self, count: int, what: str, *, integer: bool = False) -> np.ndarray:
        """The next ``count`` tokens as numbers; DataError naming the line of a bad one."""
        first = self.position
        chunk = self.take(count, what)
        numbers = [_number(token, integer=integer) for token in chunk]
        for offset, number in enumerate(numbers):
            if number is None:
                raise DataError(
                    self.path,
                    f"line {self._line(first + offset)}: expected "
                    f"{'an integer' if integer else 'a number'} for {what}, "
                    f"got {quoted(chunk[offset])}",
                )
        return np.array(numbers, dtype=np.int64 if integer else np.float64)

    def integer(self, what: str) -> int:
        """The next token as an integer."""
        return int(self.numbers(1, what, integer=True)[0])

    def seek(self, word: str) -> None:
        """Move past the next token equal to ``word`` (ignoring case); DataError when none."""
        for index in range(self.position, len(self.tokens)):
            if self.tokens[index].upper() == word.upper():
                self.position = index + 1
                return
        raise DataError(self.path, f"no {word!r} after line {self._line(self.position)}")

    def remaining(self) -> int:
        """How many tokens are left."""
        return len(self.tokens) - self.position

    def expect_end(self) -> None:
        """DataError when tokens remain."""
        if self.position < len(self.tokens):
            raise DataError(
                self.path,
                f"line {self._line(self.position)}: unexpected extra value "
                f"{quoted(self.tokens[self.position])} after the last record",
            )


def _number(token: str, *, integer: bool) -> float | int | None:
    """``token`` as a 64-bit integer or a finite float; None when it is not one."""
    try:
        value = int(token) if integer else float(token)
    except ValueError:
        return None
    if integer and not -(2**63) <= value < 2**63:
        return None
    return value if integer or math.isfinite(value) else None
