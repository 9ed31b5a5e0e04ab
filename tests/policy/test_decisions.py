"""Governments weigh what a restriction costs them: retaliation, resource nationalism, forums.

Most runs are in the small hand-made world of eight countries (``conftest.shrink``); the
check over ten seeds of the built-in scenarios is slow.
"""

from __future__ import annotations

import pytest

from abm.experiment import build
from abm.model import MineralsModel
from abm.policy.audit import costly_restrictions, restriction_counts
from abm.policy.decisions import weighed
from abm.policy.instruments import Policy
from abm.policy.retaliation import signature

# Australia bans lithium ore to China; China answers with a tariff on Australian nickel.
LITHIUM_BAN = Policy("export_ban", "AU", "lithium", "raw", ("CN",), start="2023-07")


def run(calibration, policies, end="2025-12", **settings):
    return MineralsModel(
        rng=1,
        calibration=calibration,
        end=end,
        policies=list(policies),
        policy_mode="both",
        **settings,
    ).run()


def answers(model):
    log = model.policies.log_table()
    return log[(log.cause == "endogenous") & log.reason.str.startswith("retaliation")]


def test_exposure_threshold_decides_whether_a_government_answers(small_calibration):
    exposed = answers(run(small_calibration, [LITHIUM_BAN], retaliation_probability=1.0))
    sheltered = answers(
        run(
            small_calibration,
            [LITHIUM_BAN],
            retaliation_probability=1.0,
            retaliation_min_exposure=1.0,
        )
    )
    assert (exposed.country == "CN").any()
    assert sheltered.empty


def test_no_restriction_is_adopted_while_the_same_one_is_in_force(small_calibration):
    # China's answer to the lithium ban, put in force beforehand (at a token rate).
    already = Policy(
        "import_tariff", "CN", "nickel", "refined", ("AU",), start="2023-01", params={"rate": 0.01}
    )
    model = run(small_calibration, [LITHIUM_BAN, already], retaliation_probability=1.0)
    book = model.policies
    for number, policy in enumerate(book.policies):
        if policy.cause != "endogenous" or policy.kind == "investment_support":
            continue
        month = book.added_month[number]
        others = [signature(p) for i, p in book.in_force(month) if i != number]
        assert signature(policy) not in others, policy.reason


def test_no_answer_costs_the_retaliator_more_than_it_harms_the_aggressor(small_calibration):
    tariff = Policy(
        "import_tariff", "US", "all", "refined", ("CN",), start="2023-07", params={"rate": 0.5}
    )
    found = 0
    for policies in ([LITHIUM_BAN], [tariff]):
        for _, row in answers(
            run(small_calibration, policies, retaliation_probability=1.0)
        ).iterrows():
            numbers = weighed(row.reason)
            assert numbers["cost_usd"] <= numbers["gain_usd"] <= numbers["harm_received_usd"]
            found += 1
    assert found >= 2


def test_a_country_without_refining_does_not_ban_raw_exports_in_its_first_years(
    small_calibration,
):
    # Indonesia with no nickel refining at all: it mines much, refines nothing.
    model = MineralsModel(
        rng=1,
        calibration=small_calibration,
        end="2026-12",
        policy_mode="endogenous",
        retaliation=False,
        adjustments=[
            {"mineral": "nickel", "stage": "refined", "country": "ID", "capacity_multiplier": 0.0}
        ],
    ).run()
    log = model.policies.log_table()
    bans = log[(log.kind == "export_ban") & (log.stage == "raw")]
    assert bans[bans.country == "ID"].empty


def test_resource_nationalism_bans_raw_exports_when_the_investment_case_pays():
    # With investment five times faster and free capital, attracted refining arrives so
    # fast that keeping the ore at home pays somewhere; each ban logs a gain above its cost.
    overrides = {"policy_mode": "endogenous", "investment_rate": 5.0, "hurdle_rate": 0.0}
    log = build("default", seed=1, overrides=overrides, end="2023-06").run().policies.log_table()
    bans = log[log.reason.str.startswith("resource nationalism")]
    assert not bans.empty
    for reason in bans.reason:
        numbers = weighed(reason)
        assert numbers["gain_usd"] > numbers["cost_usd"] > 0
    slow = build("default", seed=1, overrides={"policy_mode": "endogenous"}, end="2023-06")
    assert not slow.run().policies.log_table().reason.str.startswith("resource").any()


def forum_case(calibration, void_share):
    ban = Policy("export_ban", "CN", "gallium", "refined", ("US",), start="2023-07")
    forum = Policy("forum", "US", params={"members": ["CN"], "dispute_settlement": True})
    return run(
        calibration,
        [ban, forum],
        end="2025-06",
        retaliation=False,
        forum_case_months=12,
        forum_appeal_void_share=void_share,
    )


def test_a_forum_case_removes_a_restriction_after_its_delay(small_calibration):
    ruled = forum_case(small_calibration, 0.0).policies.log_table()
    ban = ruled[(ruled.kind == "export_ban") & (ruled.country == "CN")].iloc[0]
    # Filed at the first decision with the ban in force (2023-07), ruled 12 months later.
    assert str(ban.end.date()) == "2024-06-01"
    assert "ended by a forum ruling on a case filed 2023-07" in ban.reason


def test_an_appeal_into_the_void_keeps_the_restriction(small_calibration):
    kept = forum_case(small_calibration, 1.0).policies.log_table()
    ban = kept[(kept.kind == "export_ban") & (kept.country == "CN")].iloc[0]
    assert ban.end != ban.end  # NaT: no end


def test_policy_audit_finds_a_restriction_that_costs_more_than_it_gains():
    import pandas as pd

    log = pd.DataFrame(
        {
            "cause": ["endogenous", "endogenous", "scripted"],
            "kind": ["export_ban", "import_tariff", "export_ban"],
            "reason": [
                "retaliation ... [gain_usd=5 cost_usd=2 harm_received_usd=9]",
                "retaliation ... [gain_usd=1 cost_usd=2 harm_received_usd=9]",
                "scenario",
            ],
        }
    )
    assert list(costly_restrictions(log).index) == [1]
    assert restriction_counts(log).to_dict() == {"export_ban": 1, "import_tariff": 1}


@pytest.mark.slow
@pytest.mark.parametrize("scenario", ["unilateral", "cooperation"])
def test_no_government_adopts_a_restriction_its_own_numbers_show_costs_more(scenario):
    for seed in range(1, 11):
        log = build(scenario, seed=seed).run().policies.log_table()
        costly = costly_restrictions(log)
        assert costly.empty, costly.reason.tolist()
