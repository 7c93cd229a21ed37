"""The ``regions`` list of a multi-region scenario: how a region's own ``siting`` keys are laid
over the scenario's ``siting`` section, and which validation errors that leaves to the section.

A region's ``siting`` mapping holds only what differs in that region (its candidate file, its
existing stations, a shorter coverage time)::

    siting: {coverage_minutes: 15, candidates: {grid_spacing_meters: 500}}
    regions:
      - name: north
        ...
        siting: {candidates: {path: north-sites.csv}}   # grid_spacing_meters stays 500

Before validation the region's mapping is laid over a copy of the scenario's (mappings merged
key by key, any other value, lists included, replaced), so each region validates as a whole
``siting`` section. A defect in a key the region only inherits is the scenario section's, and
is reported once, at its own line (``inherited_defect``).
"""

from __future__ import annotations

from typing import Any

from optimizer.scenario_source import FieldPath, ScenarioSource

REGIONS = "regions"
SITING = "siting"


def lay_region_siting(data: Any) -> Any:
    """The scenario document with each region's ``siting`` mapping laid over the scenario's
    ``siting`` mapping; ``data`` itself is left as it was. A document without both is
    returned as it is (validation then reports what is wrong with it)."""
    if not isinstance(data, dict):
        return data
    regions, siting = data.get(REGIONS), data.get(SITING)
    if not isinstance(regions, list) or not isinstance(siting, dict):
        return data
    laid = [
        {**region, SITING: overlay(siting, region[SITING])}
        if isinstance(region, dict) and isinstance(region.get(SITING), dict)
        else region
        for region in regions
    ]
    return {**data, REGIONS: laid}


def overlay(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``over``'s keys laid over it: mappings in both merged the same way, any
    other value of ``over`` (lists included) replacing ``base``'s."""
    merged = dict(base)
    for key, value in over.items():
        below = merged.get(key)
        merged[key] = (
            overlay(below, value) if isinstance(below, dict) and isinstance(value, dict) else value
        )
    return merged


def inherited_defect(location: FieldPath, source: ScenarioSource) -> bool:
    """Whether a validation error at ``location`` lies in a ``siting`` key a region only
    inherits (not written in its ``siting`` mapping): the scenario's own ``siting`` section
    reports that defect at its line."""
    if len(location) < 4 or location[0] != REGIONS or location[2] != SITING:
        return False
    return tuple(location[:4]) not in source.lines
