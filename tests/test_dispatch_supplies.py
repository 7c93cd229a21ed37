"""Supplies: inventory feed, reorder points, transfers within the window, then orders."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from optimizer.dispatch.readers import read_travel_csv
from optimizer.dispatch.supplies import (
    plan_supplies,
    read_consumption_csv,
    read_inventory_csv,
    reorder_points,
)
from optimizer.errors import DataError

DATA = Path(__file__).parent / "data" / "dispatch"
SITES = ["north", "centre", "south", "east"]


def test_inventory_feed_counts_each_tag_once() -> None:
    inventory = read_inventory_csv(DATA / "inventory.csv", site_ids=SITES)
    assert inventory.items == ("blanket", "water")
    # north: tags T001..T010 with T008 read twice.
    np.testing.assert_array_equal(inventory.stock_units, [[10, 0], [1, 0], [0, 1], [0, 0]])


def test_reorder_point_is_consumption_over_lead_time_and_safety() -> None:
    rates = np.array([[1.0, 0.5], [2.0, 0.0]])
    points = reorder_points(rates, lead_time_days=2, safety_days=1)
    np.testing.assert_array_equal(points, [[3, 2], [6, 0]])


def test_sites_below_reorder_point_get_a_transfer_or_an_order() -> None:
    inventory = read_inventory_csv(DATA / "inventory.csv", site_ids=SITES)
    rates = read_consumption_csv(DATA / "consumption.csv", site_ids=SITES, items=inventory.items)
    plan, report = plan_supplies(
        site_ids=SITES,
        inventory=inventory,
        units_per_day=rates,
        travel_minutes=read_travel_csv(DATA / "travel_matrix.csv", region_ids=SITES),
    )
    assert report.status == "optimal"
    transfers = plan.transfers.moves
    # centre: 1 blanket, reorder point 6 -> 5 from north (10 on hand, reorder point 3).
    assert transfers[["from_region", "to_region", "resource", "units"]].to_dict("records") == [
        {"from_region": "north", "to_region": "centre", "resource": "blanket", "units": 5}
    ]
    orders = plan.orders.set_index(["site", "item"])
    # east: no blankets and no neighbour within the window -> order up to 2 + 4 (7 × 0.5).
    # south: 1 water, reorder point 9, nobody has water -> order up to 9 + 21.
    assert orders["order_units"].to_dict() == {("east", "blanket"): 6, ("south", "water"): 29}
    assert orders.loc[("east", "blanket"), "transferred_in_units"] == 0


def test_inventory_row_with_unknown_site_is_rejected(tmp_path: Path) -> None:
    feed = tmp_path / "feed.csv"
    feed.write_text("site,item,units\nnorth,blanket,3\nharbour,blanket,2\n")
    with pytest.raises(DataError, match=r"feed.csv: site: row 3: unknown region 'harbour'"):
        read_inventory_csv(feed, site_ids=SITES)
