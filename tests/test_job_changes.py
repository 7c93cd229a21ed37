"""The change set: per person and day over the days both rosters cover, with its reason."""

from __future__ import annotations

from datetime import date

from optimizer.job.changes import change_set

D1, D2, D3 = date(2026, 1, 1), date(2026, 1, 2), date(2026, 1, 3)


def _duty(employee: str, day: date, site: str = "A", role: str = "work") -> dict[str, object]:
    return {
        "employee": employee,
        "date": day,
        "shift": "day",
        "site": site,
        "skill": "g",
        "role": role,
    }


def _need(site: str, day: date, staff: int, reserve: int = 0) -> dict[str, object]:
    return {
        "site": site,
        "date": day,
        "shift": "day",
        "skill": "g",
        "staff_needed": staff,
        "reserve_needed": reserve,
    }


def test_added_removed_and_moved_with_their_reasons() -> None:
    before = [_duty("E1", D1), _duty("E2", D1), _duty("E3", D2), _duty("E4", D2, "B")]
    after = [
        _duty("E1", D1),  # unchanged
        _duty("E5", D1),  # covers for E2, absent on D1
        _duty("E3", D2, "B"),  # moved: demand at B went up
        _duty("E6", D2, "B"),  # added at B: demand
        _duty("E7", D3),  # D3 is new: not a change
    ]
    needs_before = [_need("A", D1, 2), _need("A", D2, 1), _need("B", D2, 1)]
    needs_after = [_need("A", D1, 2), _need("A", D2, 1), _need("B", D2, 3)]
    changes = change_set(
        before,
        after,
        days={D1, D2},
        requirements_before=needs_before,
        requirements_after=needs_after,
        absent=lambda person, day: (person, day) == ("E2", D1),
    )
    summary = [(c["employee"], str(c["date"]), c["change"], c["reason"]) for c in changes]
    assert summary == [
        ("E2", "2026-01-01", "removed", "absence"),
        ("E5", "2026-01-01", "added", "absence"),
        ("E3", "2026-01-02", "moved", "demand"),
        ("E4", "2026-01-02", "removed", "demand"),
        ("E6", "2026-01-02", "added", "demand"),
    ]
    moved = changes[2]
    assert (moved["before_site"], moved["after_site"]) == ("A", "B")
    assert changes[0]["after_site"] is None and changes[1]["before_site"] is None


def test_a_change_without_absence_or_demand_is_a_rule_change() -> None:
    before = [_duty("E1", D1), _duty("E2", D2)]
    after = [_duty("E1", D2), _duty("E2", D2, role="on-call")]
    needs = [_need("A", D1, 1, 1), _need("A", D2, 1, 1)]
    changes = change_set(
        before,
        after,
        days={D1, D2},
        requirements_before=needs,
        requirements_after=needs,
        absent=lambda *_: False,
    )
    assert [(c["employee"], str(c["date"]), c["change"], c["reason"]) for c in changes] == [
        ("E1", "2026-01-01", "removed", "rule"),
        ("E1", "2026-01-02", "added", "rule"),
        ("E2", "2026-01-02", "moved", "rule"),
    ]
    assert (changes[2]["before_role"], changes[2]["after_role"]) == ("work", "on-call")
