"""IRA content rules: a compliant tier whose premium comes from the rules and from scarcity."""

from __future__ import annotations

import pytest

from abm.model import MineralsModel
from abm.outputs import largest_relative_residual, tables
from abm.policy.instruments import Policy, PolicyError, policy_from_record, required_share
from abm.scenario import load_scenario

END = "2029-12"
ASSESSED = "2027-01-01"  # the Table 5.1 minerals share reaches 80% in 2027


def ira(**params):
    return Policy("ira_rules", "US", start="2024-01", params=params)


def run(calibration, policies=(), adjustments=(), seed=1):
    model = MineralsModel(
        rng=seed,
        calibration=calibration,
        end=END,
        policies=list(policies),
        adjustments=list(adjustments),
    )
    return tables(model.run())


def premium(result, mineral, since=ASSESSED):
    table = result["premiums"]
    rows = table[(table.mineral == mineral) & (table.date >= since)]
    return rows.premium_pct.mean()


@pytest.fixture(scope="module")
def with_rules(calibration):
    return run(calibration, [ira()])


def test_rules_make_a_compliant_premium_where_compliant_supply_is_scarce(with_rules):
    # Graphite refined outside China from non-FEOC ore is the scarcest: its premium is the
    # largest of the four.
    others = [premium(with_rules, mineral) for mineral in ("lithium", "cobalt", "nickel")]
    assert min(others) > 0.0
    assert premium(with_rules, "graphite") > max(others)
    prices = with_rules["prices"]
    us = prices[
        (prices.country == "US")
        & (prices.mineral == "graphite")
        & (prices.stage == "refined")
        & (prices.date >= ASSESSED)
    ]
    assert set(us.tier) == {"compliant", "noncompliant"}
    flows = with_rules["flows"]
    assert (flows[flows.tier == "compliant"].tonnes > 0).any()


def test_without_rules_there_is_no_tier_and_no_premium(calibration):
    result = run(calibration)
    assert result["premiums"].empty
    assert set(result["prices"].tier) == {"all"}
    assert set(result["flows"].tier) == {"all"}


def test_ample_compliant_refining_shrinks_the_premium(calibration, with_rules):
    more = [
        {"mineral": "graphite", "stage": "refined", "country": country, "capacity_multiplier": 6.0}
        for country in ("JP", "US", "CA")  # Korea refines no graphite in the data
    ]
    more += [
        {"mineral": "graphite", "stage": "raw", "country": country, "capacity_multiplier": 6.0}
        for country in ("BR", "IN")
    ]
    ample = run(calibration, [ira()], more)
    assert premium(ample, "graphite") < 0.5 * premium(with_rules, "graphite")


def test_leasing_loophole_lowers_the_premium(calibration, with_rules):
    leased = run(calibration, [ira(leasing_share=0.7)])
    assert premium(leased, "graphite") < premium(with_rules, "graphite")


def test_tighter_schedule_raises_the_premium(calibration):
    loose = run(calibration, [ira(minerals_schedule={"2024": 0.2})])
    tight = run(calibration, [ira(minerals_schedule={"2024": 0.9})])
    assert premium(tight, "graphite") > premium(loose, "graphite")


def test_books_balance_across_tiers(with_rules):
    assert largest_relative_residual(with_rules["balance"]) < 1e-9
    # No tonne counted twice: what refiners and recyclers produced is what left them.
    supply = with_rules["supply"]
    refined = supply[(supply.stage == "refined")].groupby("mineral", observed=True).tonnes.sum()
    balance = with_rules["balance"]
    inflow = balance[balance.stage == "refined"].groupby("mineral", observed=True).inflow.sum()
    assert ((refined - inflow).abs() <= 1e-6 * inflow.clip(lower=1.0)).all()


def test_schedule_follows_table_5_1():
    rule = ira()
    schedule = rule.param("minerals_schedule")
    assert [required_share(schedule, y) for y in (2023, 2024, 2025, 2026, 2027, 2030)] == [
        0.0,
        0.5,
        0.6,
        0.7,
        0.8,
        0.8,
    ]
    components = rule.param("components_schedule")
    assert required_share(components, 2029) == 1.0


def test_bad_ira_parameters_are_rejected():
    with pytest.raises(PolicyError, match=r"leasing_share: 1\.5 is above the maximum"):
        policy_from_record({"kind": "ira_rules", "country": "US", "leasing_share": 1.5})
    with pytest.raises(PolicyError, match="minerals_schedule year 'soon' is not a year"):
        policy_from_record(
            {"kind": "ira_rules", "country": "US", "minerals_schedule": {"soon": 0.5}}
        )
    with pytest.raises(PolicyError, match="fta_partners 'XX' is not one of"):
        policy_from_record({"kind": "ira_rules", "country": "US", "fta_partners": ["XX"]})


def test_ira_scenarios_load():
    assert load_scenario("ira").policies[0].kind == "ira_rules"
    assert load_scenario("ira-leasing").policies[0].param("leasing_share") == 0.5
    assert not load_scenario("ira-counterfactual").policies


def test_feoc_rule_judges_owners_as_well_as_locations(calibration):
    from abm.policy import ira as rules_module

    model = MineralsModel(rng=1, calibration=calibration, end="2024-03", policies=[ira()])
    model.run()
    plan = rules_module.plan(model, model.month - 1, model.last_clearing[0])
    fleet, world = model.refineries, model.world
    in_australia = fleet.location == world.countries.index("AU")
    chinese_owned = in_australia & (fleet.owner == world.countries.index("CN"))
    australian_owned = in_australia & (fleet.owner == world.countries.index("AU"))
    covered = plan.covered[fleet.mineral]
    assert (chinese_owned & covered).any() and not plan.refiners[chinese_owned].any()
    assert plan.refiners[australian_owned & covered].all()
    indonesia = fleet.location == world.countries.index("ID")
    assert not plan.refiners[indonesia].any()  # not an FTA partner, and largely CN-owned
