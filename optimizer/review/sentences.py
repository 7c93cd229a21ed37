"""The review's findings in words, each with its figures (for summary.json and the terminal)."""

from __future__ import annotations

from optimizer.review.plan import Option
from optimizer.review.problem import ReviewProblem
from optimizer.review.settings import ReviewSettings


def money(value: float) -> str:
    """A currency amount as ``140,000``."""
    return f"{value:,.0f}"


def residents(value: float) -> str:
    """A resident count as ``1,234``."""
    return f"{value:,.0f}"


def option_sentence(problem: ReviewProblem, settings: ReviewSettings, option: Option) -> str:
    """One option in words, e.g. ``closing Lakeview (S12) leaves 0 residents uncovered, ...``."""
    outlets = problem.outlets
    name = outlets.label(option.outlet)
    district = problem.district_name(option.district)
    density = (
        f"keeps district {district} at {option.district_open_after} outlet(s) "
        f"(the density rule keeps {option.district_required})"
    )
    uncovered = (
        f"leaves {residents(option.residents_losing_coverage)} residents without an outlet "
        f"within {settings.coverage_minutes:g} min"
    )
    travel = ""
    if option.travel_change_mean_minutes is not None:
        travel = (
            f", {residents(option.residents_moved)} residents travel "
            f"{option.travel_change_mean_minutes:+.1f} min on average "
            f"(p95 {option.travel_change_p95_minutes:+.1f}, "
            f"max {option.travel_change_max_minutes:+.1f})"
        )
    if option.kind == "merge":
        text = f"closing {name} {uncovered}{travel}, {density}"
        if option.receivers:
            main = option.receivers[0]
            share = settings.service_level_recapture
            level = main.service_level[share]
            reach = "no staff figure" if level is None else f"{level:.0%} service level"
            text += (
                f"; receiving outlet {outlets.label(main.outlet)} reaches {reach} at "
                f"{share:.0%} recapture ({main.load_per_month[share]:,.0f} a month)"
            )
    elif option.kind == "relocate":
        if option.site == option.outlet:
            text = f"no site in district {district} serves better than {name}'s own"
        else:
            text = (
                f"moving {name} to site {problem.siting.site_ids[option.site]} "
                f"{uncovered}, covers "
                f"{residents(option.residents_gaining_coverage)} more{travel}"
            )
    else:
        text = (
            f"turning {name} into {option.kind.replace('_', ' ')} keeps its coverage and "
            f"saves {option.staff_saved:g} staff"
        )
    text += f"; saves {money(option.annual_saving)}/yr"
    if option.one_off_cost:
        text += f" for {money(option.one_off_cost)} once"
    if not option.passes:
        text += f" — fails the {', '.join(option.failed)}"
    return text + f" ({problem.travel_label})"


def recommendation_sentence(problem: ReviewProblem, option: Option | None, outlet: int) -> str:
    """What the review recommends for one flagged outlet."""
    name = problem.outlets.label(outlet)
    if option is None:
        return f"{name}: no option keeps the access standard, the density rule and service"
    return f"{name}: recommended {option.kind.replace('_', ' ')}: {option.sentence}"
