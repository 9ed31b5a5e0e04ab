"""The model as a function: one ``run`` behind every front end."""

from __future__ import annotations

import pandas as pd
import pytest

from abm.experiment import build, run
from abm.model import MineralsModel
from abm.scenario import load_scenario


def test_run_gives_the_tables_of_the_model_the_scenario_file_describes():
    scenario = load_scenario("ira")
    direct = MineralsModel(
        rng=2,
        settings=scenario.model_settings({"end": "2024-06"}),
        policies=list(scenario.policies),
        adjustments=list(scenario.adjustments),
    ).run()
    outcome = run("ira", seed=2, end="2024-06")
    from abm.outputs import tables

    for name, table in tables(direct).items():
        pd.testing.assert_frame_equal(outcome.tables[name], table, check_exact=True)


def test_overrides_by_path_change_settings_and_policies():
    model = build(
        "ira",
        overrides={
            "tranches": 3,
            "policy.ira_rules.leasing_share": 0.4,
            "policy[0].start": "2025-01",
        },
        end="2023-02",
    )
    assert model.settings.tranches == 3
    rule = model.policies.policies[0]
    assert rule.param("leasing_share") == 0.4 and rule.start == "2025-01"


def test_an_invalid_override_is_refused_by_the_instrument_it_changes():
    from abm.policy.instruments import PolicyError

    with pytest.raises(PolicyError, match="leasing_share"):
        build("ira", overrides={"policy.ira_rules.leasing_share": 2.0}, end="2023-02")
