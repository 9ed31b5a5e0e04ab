"""A table of bad inputs: each gets one clear message, exit status 2, and nothing written."""

from __future__ import annotations

import pytest

from abm.cli import main

GOOD = """name = "x"
start = "2023-01"
end = "2023-03"
"""

# (scenario file text, --set arguments, the message the user must see)
CASES = [
    (GOOD + "[settings\n", [], "x.toml: not valid TOML"),
    (GOOD + "setings = {}\n", [], "unknown key 'setings' (did you mean 'settings'?)"),
    (GOOD + "[settings]\nchoke_multiplier = 3\n", [], "did you mean 'choke_multiple'"),
    (GOOD + "[settings]\ntranches = 0\n", [], "tranches: 0 is below the minimum 1"),
    (GOOD + "[settings]\ntranches = 2.5\n", [], "tranches: expected a whole number"),
    (GOOD + '[settings]\nretaliation = "yes"\n', [], "retaliation: expected true or false"),
    (GOOD + '[settings]\npolicy_mode = "auto"\n', [], "policy_mode: 'auto' is not one of"),
    (GOOD + '[settings]\ndemand_scenario = "SDS"\n', [], "demand_scenario: 'SDS' is not one of"),
    (GOOD + "[settings]\nretaliation_probability = 1.5\n", [], "above the maximum 1.0"),
    (GOOD + "[settings]\ninvestment_rate = -0.1\n", [], "investment_rate: -0.1 is below"),
    (GOOD + '[settings]\nsubstitution_elasticity = "high"\n', [], "expected a number"),
    ('name = "x"\nstart = "2023-05"\nend = "2023-01"\n', [], "end: 2023-01 is before start"),
    ('name = "x"\nstart = "2023-13"\n', [], "month '2023-13' is not of the form YYYY-MM"),
    (GOOD + '[[policy]]\nkind = "export_bam"\ncountry = "CN"\n', [], "did you mean 'export_ban'"),
    (
        GOOD + '[[policy]]\nkind = "export_ban"\ncountry = "China"\n',
        [],
        "country 'China' is not one of",
    ),
    (
        GOOD + '[[policy]]\nkind = "export_ban"\ncountry = "CN"\nmineral = "lithum"\n',
        [],
        "did you mean 'lithium'",
    ),
    (
        GOOD + '[[policy]]\nkind = "export_ban"\ncountry = "CN"\nmineral = "tin"\n',
        [],
        "mineral 'tin' is not one of",
    ),
    (
        GOOD + '[[policy]]\nkind = "export_ban"\ncountry = "CN"\nstage = "ore"\n',
        [],
        "stage 'ore' is not one of",
    ),
    (
        GOOD + '[[policy]]\nkind = "export_ban"\ncountry = "CN"\ntargets = ["JP", "XX"]\n',
        [],
        "targets 'XX' is not one of",
    ),
    (
        GOOD + '[[policy]]\nkind = "import_tariff"\ncountry = "US"\nrate = -0.25\n',
        [],
        "rate: -0.25 is below the minimum",
    ),
    (
        GOOD + '[[policy]]\nkind = "import_tariff"\ncountry = "US"\nrate = "high"\n',
        [],
        "rate: expected a number from 0.0 to 10.0",
    ),
    (
        GOOD + '[[policy]]\nkind = "export_licensing"\ncountry = "CN"\nquota_share = 1.2\n',
        [],
        "quota_share: 1.2 is above the maximum",
    ),
    (
        GOOD + '[[policy]]\nkind = "export_licensing"\ncountry = "CN"\ndelay = 3\n',
        [],
        "unknown field 'delay'",
    ),
    (
        GOOD + '[[policy]]\nkind = "export_licensing"\ncountry = "CN"\ndelay_months = 1.5\n',
        [],
        "delay_months: expected a whole number",
    ),
    (
        GOOD + '[[policy]]\nkind = "export_ban"\ncountry = "CN"\nstart = "2024"\n',
        [],
        "start: month '2024' is not of the form YYYY-MM",
    ),
    (
        GOOD + '[[policy]]\nkind = "export_ban"\ncountry = "CN"\nstart = "2025-01"\n'
        'end = "2024-01"\n',
        [],
        "end 2024-01 is before start 2025-01",
    ),
    (GOOD + '[[policy]]\ncountry = "CN"\n', [], "kind is missing"),
    (
        GOOD + '[[policy]]\nkind = "ira_rules"\ncountry = "US"\nleasing_share = 2\n',
        [],
        "leasing_share: 2 is above the maximum",
    ),
    (
        GOOD + '[[policy]]\nkind = "ira_rules"\ncountry = "US"\n'
        "minerals_schedule = { 2024 = 1.5 }\n",
        [],
        "minerals_schedule[2024]: 1.5 is above the maximum 1.0",
    ),
    (
        GOOD + '[[policy]]\nkind = "forum"\ncountry = "JP"\nmembers = ["IN", "Atlantis"]\n',
        [],
        "members 'Atlantis' is not one of",
    ),
    (GOOD + 'policy = "ban"\n', [], "policy must be written as [[policy]] tables"),
    (
        GOOD + '[[adjust]]\nmineral = "nickel"\nstage = "raw"\ncountry = "ID"\nmultiplier = 2\n',
        [],
        "adjust[0]: unknown field 'multiplier' (did you mean 'capacity_multiplier'?)",
    ),
    (
        GOOD + '[[adjust]]\nmineral = "nikel"\nstage = "raw"\ncountry = "ID"\n'
        "capacity_multiplier = 2\n",
        [],
        "adjust[0]: mineral 'nikel' is not one of",
    ),
    (
        GOOD + '[[adjust]]\nmineral = "nickel"\nstage = "raw"\ncountry = "ID"\n'
        "capacity_multiplier = -1\n",
        [],
        "capacity_multiplier: -1 is below the minimum 0.0",
    ),
    (
        GOOD + '[[adjust]]\nmineral = "rare_earths"\nstage = "refined"\ncountry = "AU"\n'
        "capacity_multiplier = 3\n",
        [],
        "adjust: AU has no rare_earths refined capacity to multiply; countries with some: CN, MY",
    ),
    (GOOD, ["--set", "choke_multipl=3"], "unknown setting 'choke_multipl'"),
    (GOOD, ["--set", "tranches"], "--set 'tranches': expected key=value"),
    (GOOD, ["--set", "ramp_width=0"], "ramp_width: 0.0 is below the minimum 0.005"),
    (GOOD, ["--start", "23-01"], "month '23-01' is not of the form YYYY-MM"),
]


@pytest.mark.parametrize(("text", "extra", "message"), CASES)
def test_bad_input_gets_one_clear_message_exit_2_and_writes_nothing(
    tmp_path, capsys, text, extra, message
):
    scenario = tmp_path / "x.toml"
    scenario.write_text(text)
    out = tmp_path / "out"
    status = main(["run", "--scenario", str(scenario), "--out", str(out), *extra])
    error = capsys.readouterr().err
    assert status == 2
    assert message in error, error
    assert "Traceback" not in error
    assert len(error.strip().splitlines()) == 1
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.toml"]


def test_an_unknown_scenario_name_suggests_the_closest(capsys):
    assert main(["run", "--scenario", "graphite-licencing"]) == 2
    assert "did you mean 'graphite-licensing'" in capsys.readouterr().err


def test_the_table_has_at_least_thirty_cases():
    assert len(CASES) >= 30
