"""Turning pydantic validation errors into one-line messages a planner can act on.

``siting.coverage_minutes: must be > 0 (got -5)`` rather than pydantic's multi-line report;
unknown keys suggest the nearest valid key.
"""

from __future__ import annotations

import difflib
import types
import typing
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from optimizer.scenario_source import describe_type

if TYPE_CHECKING:
    from optimizer.scenario_source import FieldPath, ScenarioSource

_BOUNDS = {
    "greater_than": ("gt", ">"),
    "greater_than_equal": ("ge", ">="),
    "less_than": ("lt", "<"),
    "less_than_equal": ("le", "<="),
}
_EXPECTED = {
    "int_type": "an integer",
    "int_parsing": "an integer",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "finite_number": "a finite number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "string_type": "text",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "dict_type": "a mapping",
    "list_type": "a list",
    "path_type": "a file path",
}


def describe_validation_error(
    error: ErrorDetails, source: ScenarioSource, root: type[BaseModel]
) -> str:
    """One ``file:line: field: message`` line for one pydantic error."""
    kind = error["type"]
    location: FieldPath = tuple(error["loc"])
    value = error.get("input")
    context = error.get("ctx") or {}
    if kind == "extra_forbidden":
        message = _unknown_key_message(location, root)
    elif kind == "missing":
        message = "required field is missing"
    elif kind in _BOUNDS:
        name, symbol = _BOUNDS[kind]
        message = f"must be {symbol} {_show(context.get(name))} (got {_show(value)})"
    elif kind in _EXPECTED:
        message = f"expected {_EXPECTED[kind]} (got {_show_typed(value)})"
    elif kind == "literal_error":
        message = f"must be one of {context.get('expected')} (got {_show(value)})"
    elif kind == "string_pattern_mismatch":
        message = f"must match {context.get('pattern')} (got {_show(value)})"
    elif kind == "string_too_long":
        message = f"must be at most {context.get('max_length')} characters"
    else:
        message = error["msg"][:1].lower() + error["msg"][1:]
    return source.problem(location, message)


def _show(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _show_typed(value: Any) -> str:
    if isinstance(value, dict | list) or value is None:
        return describe_type(value)
    return f"{describe_type(value)} {_show(value)}"


def _unknown_key_message(location: FieldPath, root: type[BaseModel]) -> str:
    key = str(location[-1])
    model = _model_at(root, location[:-1])
    if model is None:
        return f"unknown key '{key}'"
    valid = list(model.model_fields)
    close = difflib.get_close_matches(key, valid, n=1, cutoff=0.6)
    if close:
        return f"unknown key '{key}'; did you mean '{close[0]}'?"
    return f"unknown key '{key}' (valid keys: {', '.join(valid)})"


def _model_at(root: type[BaseModel], location: FieldPath) -> type[BaseModel] | None:
    """The model class that validates the mapping at ``location`` below ``root``."""
    annotation: Any = root
    for part in location:
        if isinstance(part, int):
            annotation = _unwrap(annotation, want_list=True)
            continue
        model = _unwrap(annotation)
        if model is None or part not in model.model_fields:
            return None
        annotation = model.model_fields[part].annotation
    return _unwrap(annotation)


def _unwrap(annotation: Any, *, want_list: bool = False) -> Any:
    """The model class inside ``annotation`` (through Optional/Annotated), or a list's item type."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel) and not want_list:
        return annotation
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if want_list and origin is list and args:
        return args[0]
    if origin in (typing.Union, types.UnionType, typing.Annotated):
        for arg in args:
            found = _unwrap(arg, want_list=want_list)
            if found is not None:
                return found
    return None
