"""Supplies: stock per site from an inventory feed, reorder points, transfers and orders.

* Stock comes from an inventory CSV as an RFID reader feed gives it: ``site,item`` and either a
  ``units`` count per row or one row per tag (``tag`` column: a tag read twice counts once; a
  row without a tag counts). Counts are whole units from 0 to ``readers.MAX_UNITS``.
* Forecast consumption: ``site,item,units_per_day``.
* Reorder point of a site and item = ``ceil(units_per_day × (lead_time_days + safety_days))``.
* A site below its reorder point is first topped up to it by transfers from sites that hold
  more than their own reorder point and can deliver within the window (the dispatch flow
  engine, sites as regions, items as resource types, each site keeping its own reorder point:
  ``donors_keep="demand"``); whatever is still missing triggers a
  replenishment order up to ``reorder point + units_per_day × order_cover_days``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from optimizer.dispatch.model import solve_dispatch
from optimizer.dispatch.plan import DispatchPlan
from optimizer.dispatch.problem import DEFAULT_WINDOW_MINUTES, DispatchProblem
from optimizer.dispatch.readers import MAX_UNITS, region_rows
from optimizer.errors import DataError
from optimizer.solve import SolveReport
from optimizer.tables import (
    number_column,
    quoted,
    read_table,
    reject_duplicates,
    text_column,
)

ORDER_COLUMNS = (
    "site",
    "item",
    "stock_units",
    "reorder_point_units",
    "transferred_in_units",
    "order_units",
)


@dataclass(frozen=True)
class Inventory:
    """Stock per site and item, int (n_sites, n_items), in ``site_ids`` × ``items`` order."""

    items: tuple[str, ...]
    stock_units: np.ndarray


@dataclass(frozen=True)
class SupplyPlan:
    """Transfers between sites and replenishment orders.

    Attributes:
        transfers: the dispatch plan of the transfers (its ``moves`` are the transfers; its
            ``unmet`` rows are what transfers could not cover).
        orders: one row per site and item with an order, columns :data:`ORDER_COLUMNS`.
    """

    transfers: DispatchPlan
    orders: pd.DataFrame


def read_inventory_csv(path: str | Path, *, site_ids: Sequence[str]) -> Inventory:
    """Stock per site and item from an inventory feed (module docstring for the columns).

    Raises:
        DataError: an unknown site, an empty item, a count that is not a whole number from 0
            to ``MAX_UNITS`` (or a total beyond it).
    """
    table = read_table(path, ["site", "item"])
    sites = region_rows(table, "site", site_ids)
    items = text_column(table, "item").to_numpy(dtype=str)
    units = number_column(table, "units", whole=True, maximum=MAX_UNITS, default=1.0)
    if table.has("tag"):
        tags = table.cells("tag")
        units[(tags.duplicated() & (tags != "")).to_numpy()] = 0.0
    names, item_index = np.unique(items, return_inverse=True)
    stock = np.zeros((len(site_ids), len(names)), dtype=np.int64)
    np.add.at(stock, (sites, item_index), units.astype(np.int64))
    if (stock > MAX_UNITS).any():
        site, item = (int(i) for i in np.argwhere(stock > MAX_UNITS)[0])
        raise DataError(
            path,
            f"{int(stock[site, item])} units of {quoted(str(names[item]))} at "
            f"{quoted(site_ids[site])} in all; at most {MAX_UNITS}",
            field="units",
        )
    return Inventory(tuple(str(name) for name in names), stock)


def read_consumption_csv(
    path: str | Path, *, site_ids: Sequence[str], items: Sequence[str]
) -> np.ndarray:
    """Forecast ``units_per_day`` per site and item, float (n_sites, n_items); unlisted: 0.

    Raises:
        DataError: an unknown site or item, a duplicate row, a rate that is not a number
            from 0 to ``MAX_UNITS``.
    """
    table = read_table(path, ["site", "item", "units_per_day"])
    sites = region_rows(table, "site", site_ids)
    names = text_column(table, "item")
    item_index = pd.Index(items).get_indexer(names)
    table.reject(
        item_index < 0, "item", lambda i: f"item {quoted(names.iloc[i])} is not in the inventory"
    )
    keys = pd.DataFrame({"site": sites, "item": item_index})
    reject_duplicates(table, ["site", "item"], keys)
    rates = np.zeros((len(site_ids), len(items)))
    rates[sites, item_index] = number_column(table, "units_per_day", maximum=MAX_UNITS)
    return rates


def reorder_points(
    units_per_day: np.ndarray, *, lead_time_days: float, safety_days: float
) -> np.ndarray:
    """Reorder point per site and item in whole units: consumption over lead time + safety."""
    return np.ceil(units_per_day * (lead_time_days + safety_days) - 1e-9).astype(np.int64)


def plan_supplies(
    *,
    site_ids: Sequence[str],
    inventory: Inventory,
    units_per_day: np.ndarray,
    travel_minutes: np.ndarray | sp.sparray,
    lead_time_days: float = 2.0,
    safety_days: float = 1.0,
    order_cover_days: float = 7.0,
    window_minutes: float = DEFAULT_WINDOW_MINUTES,
    mobilisation_minutes: np.ndarray | None = None,
    coordinates_deg: np.ndarray | None = None,
) -> tuple[SupplyPlan, SolveReport]:
    """Transfers within the window, then replenishment orders, for sites below reorder point.

    Args:
        site_ids: site identifiers (n).
        inventory: stock per site and item.
        units_per_day: forecast consumption, float (n, items).
        travel_minutes: (n, n) minutes between sites (dense or sparse, as for
            ``DispatchProblem.from_arrays``).
        lead_time_days, safety_days: reorder point = consumption over both.
        order_cover_days: an order brings the site to its reorder point plus this many days.
        window_minutes: a transfer must arrive within this many minutes.
        mobilisation_minutes: minutes before a site can ship, float (n,); default 0.
        coordinates_deg: optional (n, 2) ``lon, lat`` for map lines of transfers.

    Returns:
        The supply plan and the solve report of the transfers.
    """
    reorder = reorder_points(units_per_day, lead_time_days=lead_time_days, safety_days=safety_days)
    problem = DispatchProblem.from_arrays(
        region_ids=site_ids,
        resource_names=inventory.items,
        available_units=inventory.stock_units,
        demand_units=reorder,
        travel_minutes=travel_minutes,
        mobilisation_minutes=mobilisation_minutes,
        window_minutes=window_minutes,
        coordinates_deg=coordinates_deg,
        donors_keep="demand",  # a site lends only stock beyond its own reorder point
    )
    transfers, report = solve_dispatch(problem)
    unmet = transfers.unmet
    site = pd.Index(problem.region_ids).get_indexer(unmet["region"])
    item = pd.Index(problem.resource_names).get_indexer(unmet["resource"])
    stock = inventory.stock_units[site, item]
    transferred = (unmet["need_units"] - unmet["unmet_units"]).to_numpy(dtype=np.int64)
    order_up_to = reorder[site, item] + np.ceil(
        units_per_day[site, item] * order_cover_days - 1e-9
    ).astype(np.int64)
    orders = pd.DataFrame(
        {
            "site": unmet["region"].to_numpy(),
            "item": unmet["resource"].to_numpy(),
            "stock_units": stock,
            "reorder_point_units": reorder[site, item],
            "transferred_in_units": transferred,
            "order_units": order_up_to - stock - transferred,
        },
        columns=list(ORDER_COLUMNS),
    )
    return SupplyPlan(transfers=transfers, orders=orders), report
