"""Episodes run in the world of their own year, from its start, and every claim row reads
months its runs have (issue 19: episodes at their own dates)."""

from __future__ import annotations

import pandas as pd
import pytest

from abm.replicate.claims import CLAIMS, Metric
from abm.scenario import load_scenario

EPISODES = {  # scenario: (world, first month, the first month of its restriction)
    "rare-earth-2010": (2010, "2010-01", "2010-07"),
    "rare-earth-2010-counterfactual": (2010, "2010-01", None),
    "rare-earth-2010-thick": (2010, "2010-01", "2010-07"),
    "rare-earth-diversified": (2010, "2010-01", None),
    "nickel-ban-2014": (2013, "2013-01", "2014-01"),
    "nickel-ban-2014-counterfactual": (2013, "2013-01", None),
    "graphite-licensing-2023": (2022, "2022-01", "2023-12"),
    "graphite-licensing-2023-counterfactual": (2022, "2022-01", None),
    "gallium-germanium-2023": (2022, "2022-01", "2023-08"),
    "gallium-germanium-2023-counterfactual": (2022, "2022-01", None),
}


@pytest.mark.parametrize("name", EPISODES)
def test_each_episode_runs_in_the_world_of_its_year_from_its_start(name):
    world, start, first_policy = EPISODES[name]
    scenario = load_scenario(name)
    assert scenario.world == world
    assert scenario.model_settings().start == start
    starts = sorted(policy.start for policy in scenario.policies)
    assert (starts[0] if starts else None) == first_policy


def test_the_2010_restriction_keeps_its_real_dates():
    """Quotas from July 2010 until their removal in 2015; the halt to Japan Oct-Nov 2010."""
    licences, halt = load_scenario("rare-earth-2010").policies
    assert (licences.kind, licences.start, licences.end) == (
        "export_licensing",
        "2010-07",
        "2014-12",
    )
    assert (halt.kind, halt.start, halt.end, halt.target_codes()) == (
        "export_ban",
        "2010-10",
        "2010-11",
        ("JP",),
    )


def test_the_2013_world_refines_with_its_own_map_and_is_not_adjusted():
    for name in ("nickel-ban-2014", "nickel-ban-2014-counterfactual"):
        assert load_scenario(name).adjustments == ()


def _months(start: str, count: int) -> list[str]:
    return [m.strftime("%Y-%m") for m in pd.period_range(start, periods=count, freq="M")]


def _months_read(metric: Metric) -> list[str]:
    """Every month a row's arguments and cap check read (a quarter before a peak window too)."""
    args, read = metric.args, []
    if "start" in args:
        count = args.get("months") or 3 * args.get("quarters", 0) or 1
        read += _months(args["start"], count)
        if metric.metric == "quarterly_peak":
            read += _months(str(pd.Period(args["start"], "M") - 3), 3)
    if "before_start" in args:
        read += _months(args["before_start"], args["before_months"])
    if "at" in args:
        read += _months(args["at"], 3)
    if "end" in args:
        read.append(args["end"])
    for key in ("year", "first_year", "last_year"):
        if key in args:
            read += _months(f"{args[key]}-01", 12)
    if metric.caps is not None and metric.caps.start is not None:
        read += _months(metric.caps.start, metric.caps.months or 1)
    return read


@pytest.mark.parametrize("claim", CLAIMS, ids=lambda claim: f"claim-{claim.number}")
def test_every_claim_row_reads_only_months_inside_its_runs(claim):
    for role in {role for metric in claim.metrics for role in metric.roles()}:
        settings = load_scenario(claim.runs[role]).model_settings()
        for metric in claim.metrics:
            outside = [m for m in _months_read(metric) if not settings.start <= m <= settings.end]
            assert not outside, (claim.number, metric.name, role, outside[:3])


def test_the_episode_claims_are_marked_at_their_real_dates():
    marks = {claim.number: claim.mark for claim in CLAIMS}
    assert (marks[1], marks[2], marks[3], marks[4]) == ("2010-07", "2014-01", "2023-12", "2023-08")
