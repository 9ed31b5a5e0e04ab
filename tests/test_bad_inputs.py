"""A table of bad inputs to ``abm run``: each gets one line naming the field or path, exit 2,
no traceback, and nothing written or changed anywhere (the folder is compared before and after).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import pytest

from abm.cli import main
from abm.data.vintage import world_years
from abm.policy.instruments import KINDS
from abm.settings import ModelSettings

GOOD = """name = "x"
start = "2023-01"
end = "2023-03"
"""

# (scenario file text, arguments after it, the message the user must see)
CASES = [
    (GOOD + "[settings\n", [], "x.toml: not valid TOML"),
    (GOOD + "setings = {}\n", [], "unknown key 'setings' (did you mean 'settings'?)"),
    (GOOD + "[settings]\nrelease_elasticities = 3\n", [], "did you mean 'release_elasticity'"),
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
        # Capacity counts along the whole path investors look ahead on (the run's months and
        # the longest lead time past them), so pipeline-only countries (AU, US) have some.
        GOOD + '[[adjust]]\nmineral = "rare_earths"\nstage = "refined"\ncountry = "JP"\n'
        "capacity_multiplier = 3\n",
        [],
        "adjust: JP has no rare_earths refined capacity to multiply; countries with some: AU, CN, "
        "MY, ROW, US",
    ),
    (GOOD, ["--set", "release_elasticit=3"], "unknown setting 'release_elasticit'"),
    (GOOD, ["--set", "tranches"], "--set 'tranches': expected key=value"),
    (GOOD, ["--set", "ramp_width=0"], "ramp_width: 0.0 is below the minimum 0.005"),
    (GOOD, ["--start", "23-01"], "month '23-01' is not of the form YYYY-MM"),
]

NUMBERS = [f.name for f in fields(ModelSettings) if f.type in ("int", "float")]
# Every numeric setting refuses NaN and inf in a file, and inf and a huge value from --set.
CASES += [
    (GOOD + f"[settings]\n{name} = nan\n", [], f"{name}: nan is not a finite number")
    for name in NUMBERS
]
CASES += [
    (GOOD, ["--set", f"{name}=1e999"], f"{name}: inf is not a finite number") for name in NUMBERS
]
CASES += [
    (GOOD + f"[settings]\n{name} = 1e300\n", [], f"{name}: 1e+300 is above the maximum")
    for name in NUMBERS
]


def _policy(kind: str, extra: str) -> str:
    country = {"ira_rules": "US", "forum": "JP"}.get(kind, "CN")
    return GOOD + f'[[policy]]\nkind = "{kind}"\ncountry = "{country}"\n{extra}\n'


POLICY_NUMBERS = [
    (kind, name)
    for kind, schema in KINDS.items()
    for name, spec in schema.items()
    if spec.kind in (int, float)
]
# Every numeric policy parameter refuses NaN, inf and -inf (NaN passed every range check).
CASES += [
    (_policy(kind, f"{name} = {value}"), [], f"({kind}): {name}: {shown} is not a finite number")
    for kind, name in POLICY_NUMBERS
    for value, shown in (("nan", "nan"), ("inf", "inf"), ("-inf", "-inf"))
]

ADJUST = GOOD + '[[adjust]]\nmineral = "nickel"\nstage = "raw"\ncountry = "ID"\n'
CASES += [
    # The cases the issue found: each gave a traceback or passed as success.
    (GOOD + "settings = 5\n", [], "x.toml: settings must be a table, got 5"),
    (
        _policy("export_ban", "").replace('"export_ban"', '["export_ban"]'),
        [],
        "kind ['export_ban']",
    ),
    (_policy("export_licensing", "delay_months = nan"), [], "delay_months: nan is not a finite"),
    (_policy("stockpile", "size_months = 1e300"), [], "size_months: 1e+300 is above the maximum"),
    (GOOD + "[settings]\ninvestment_rate = 1e300\n", [], "investment_rate: 1e+300 is above"),
    (_policy("import_tariff", "rate = nan"), [], "rate: nan is not a finite number"),
    (_policy("export_licensing", "quota_share = nan"), [], "quota_share: nan is not a finite"),
    # Leakage round bans (abm.leakage): its settings and the crackdown instrument.
    (GOOD + "[settings]\nleak_limit_share = 2\n", [], "leak_limit_share: 2.0 is above the maximum"),
    (GOOD + "[settings]\nleak_relabel_cost_share = -0.1\n", [], "leak_relabel_cost_share: -0.1"),
    (GOOD + '[settings]\nleak_enforcement_rise = "fast"\n', [], "expected a number"),
    (GOOD + "[settings]\nevasion_limit_share = 1.5\n", [], "evasion_limit_share: 1.5 is above"),
    (GOOD + "[settings]\nevasion_mislabel_cost_share = -1\n", [], "evasion_mislabel_cost_share"),
    (_policy("enforcement_crackdown", "strength = 1.5"), [], "strength: 1.5 is above the maximum"),
    (_policy("enforcement_crackdown", 'strength = "total"'), [], "strength: expected a number"),
    (_policy("enforcement_crackdown", "strenght = 1"), [], "did you mean 'strength'"),
    (
        _policy("export_ban", 'start = "2023-03"\nannounced = "2023-3"'),
        [],
        "announced: month '2023-3' is not of the form YYYY-MM",
    ),
    (
        _policy("export_ban", 'start = "2023-03"\nannounced = "2023-04"'),
        [],
        "announced 2023-04 is after start 2023-03",
    ),
    (_policy("export_ban", 'announced = "2023-01"'), [], "announced 2023-01 needs a start"),
    (ADJUST + "capacity_multiplier = inf\n", [], "capacity_multiplier: inf is not a finite"),
    (ADJUST + "capacity_multiplier = nan\n", [], "capacity_multiplier: nan is not a finite"),
    (ADJUST + "capacity_multiplier = 1e300\n", [], "capacity_multiplier: 1e+300 is above"),
    (ADJUST + "capacity_multiplier = true\n", [], "capacity_multiplier: expected a number"),
    (ADJUST + 'capacity_multiplier = "2"\n', [], "capacity_multiplier: expected a number"),
    (ADJUST, [], "adjust[0]: capacity_multiplier: expected a number"),
    (
        GOOD + '[[adjust]]\nmineral = ["nickel"]\nstage = "raw"\ncountry = "ID"\n'
        "capacity_multiplier = 2\n",
        [],
        "adjust[0]: mineral ['nickel'] is not one of",
    ),
    (GOOD + "[settings]\ncost_jitter = inf\n", [], "cost_jitter: inf is not a finite number"),
    (GOOD + "[settings]\ntranches = true\n", [], "tranches: expected a whole number"),
    (GOOD + "[settings]\ncost_jitter = [0.1]\n", [], "cost_jitter: expected a number"),
    (GOOD + '[settings]\ndemand_scenario = ["STEPS"]\n', [], "demand_scenario: expected text"),
    (GOOD + "[settings]\nrecycling = 1\n", [], "recycling: expected true or false"),
    ('name = "x"\nstart = 2023-01-01\n', [], "start: month datetime.date"),
    (GOOD.replace('"2023-01"', '"1999-01"'), [], "start: month '1999-01' is outside 2000-01"),
    (GOOD.replace('"2023-03"', '"2101-01"'), [], "end: month '2101-01' is outside"),
    (GOOD.replace('"2023-03"', "2023"), [], "end: month 2023 is not of the form YYYY-MM"),
    (GOOD.replace('"2023-01"', '"2023-00"'), [], "start: month '2023-00' is not of the form"),
    ('name = "x"\nend = "2023-13"\n', [], "end: month '2023-13' is not of the form YYYY-MM"),
    (GOOD + 'description = ["a"]\n', [], "x.toml: description: expected text"),
    (GOOD.replace('"x"', '""'), [], "x.toml: name '' is not a safe name"),
    (GOOD.replace('"x"', '"."'), [], "x.toml: name '.' is not a safe name"),
    (GOOD.replace('"x"', '".."'), [], "x.toml: name '..' is not a safe name"),
    (GOOD.replace('"x"', '"../../x"'), [], "x.toml: name '../../x' is not a safe name"),
    (GOOD.replace('"x"', '"/abs/path"'), [], "x.toml: name '/abs/path' is not a safe name"),
    (GOOD.replace('"x"', '".hidden"'), [], "x.toml: name '.hidden' is not a safe name"),
    (GOOD.replace('"x"', '"a b"'), [], "x.toml: name 'a b' is not a safe name"),
    (GOOD.replace('"x"', '"' + "n" * 101 + '"'), [], "is not a safe name"),
    (GOOD.replace('"x"', "5"), [], "x.toml: name: expected text, got 5"),
    (GOOD.replace('"x"', '["x"]'), [], "x.toml: name: expected text"),
    (GOOD + "adjust = 3\n", [], "adjust must be written as [[adjust]] tables"),
    (GOOD + "policy = [1, 2]\n", [], "policy must be written as [[policy]] tables"),
    (_policy("export_ban", 'start = "2023-13"'), [], "start: month '2023-13' is not of the form"),
    (_policy("export_ban", "start = 202301"), [], "start: month 202301 is not of the form"),
    (_policy("export_ban", 'end = "2101-01"'), [], "end: month '2101-01' is outside"),
    (_policy("export_ban", "targets = 5"), [], "targets must be 'all' or a list of country"),
    (_policy("export_ban", "targets = [1]"), [], "targets 1 is not one of"),
    (_policy("export_ban", "mineral = 3"), [], "mineral 3 is not one of"),
    (_policy("export_ban", 'stage = ["raw"]'), [], "stage ['raw'] is not one of"),
    (_policy("export_ban", "").replace('"CN"', '["CN"]'), [], "country ['CN'] is not one of"),
    (_policy("transparency", "futures = 1"), [], "futures: expected true or false, got 1"),
    (_policy("transparency", "report_lag_months = 61"), [], "report_lag_months: 61 is above"),
    (_policy("forum", 'members = "XX"'), [], "members 'XX' is not one of"),
    (_policy("ira_rules", 'covered = ["tin"]'), [], "covered 'tin' is not one of"),
    (_policy("ira_rules", "minerals_schedule = { 2024 = nan }"), [], "[2024]: nan is not a finite"),
    (_policy("ira_rules", "minerals_schedule = { abc = 0.5 }"), [], "year 'abc' is not a year"),
    (_policy("ira_rules", "minerals_schedule = 0.5"), [], "must be a table of year = share"),
    (_policy("ira_rules", "credit_per_vehicle = 1e300"), [], "credit_per_vehicle: 1e+300 is above"),
    (GOOD + "a = [[[1]]]\n", [], "x.toml: unknown key 'a'"),
    (GOOD + "[settings]\nx = " + "[" * 8 + "]" * 8 + "\n", [], "nested deeper than 6"),
    ("a = " + "[" * 50_000 + "]" * 50_000 + "\n", [], "x.toml: nested deeper than 6"),
    ('name = "x"\n' + "# padding\n" * 120_000, [], "x.toml: larger than 1000000 bytes"),
    ('name = "x"\nstart = "2023\u2013"\n', [], "start: month '2023\u2013' is not of the form"),
    # --set, --seed, --start and --end.
    (GOOD, ["--set", "cost_jitter=nan"], "cost_jitter: nan is not a finite number"),
    (GOOD, ["--set", "cost_jitter=-inf"], "cost_jitter: -inf is not a finite number"),
    (GOOD, ["--set", "investment_rate=1e300"], "investment_rate: 1e+300 is above the maximum"),
    (GOOD, ["--set", "tranches=2.5"], "tranches: expected a whole number"),
    (GOOD, ["--set", "tranches=1e3"], "tranches: 1000.0 is above the maximum 256"),
    (GOOD, ["--set", "use_pipeline=1"], "use_pipeline: expected true or false, got '1'"),
    (GOOD, ["--set", "start=2023-13"], "start: month '2023-13' is not of the form YYYY-MM"),
    (GOOD, ["--set", "end=2023"], "end: month '2023' is not of the form YYYY-MM"),
    (GOOD, ["--set", "demand_scenario=5"], "demand_scenario: '5' is not one of"),
    (GOOD, ["--set", "=3"], "--set '=3': expected key=value"),
    (GOOD, ["--set", "cost_jitter="], "cost_jitter: expected a number from 0.0 to 1.0, got ''"),
    (GOOD, ["--set", "name=y"], "unknown setting 'name'"),
    (GOOD, ["--seed", "-1"], "--seed: '-1' is not a whole number from 0"),
    (GOOD, ["--seed", "x"], "--seed: 'x' is not a whole number from 0"),
    (GOOD, ["--seed", "1.5"], "--seed: '1.5' is not a whole number from 0"),
    (GOOD, ["--seed", str(2**64)], f"--seed: '{2**64}' is not a whole number from 0"),
    (GOOD, ["--seed", ""], "--seed: '' is not a whole number from 0"),
    (GOOD, ["--start", "2023-13"], "start: month '2023-13' is not of the form YYYY-MM"),
    (GOOD, ["--end", "2023-00"], "end: month '2023-00' is not of the form YYYY-MM"),
    (GOOD, ["--end", "2022-12"], "end: 2022-12 is before start 2023-01"),
    (GOOD, ["--end", "9999-12"], "end: month '9999-12' is outside 2000-01 to 2100-12"),
    (GOOD, ["--start", ""], "start: month '' is not of the form YYYY-MM"),
    (GOOD, ["--bogus"], "unrecognized arguments: --bogus"),
    (GOOD, ["--set"], "argument --set: expected one argument"),
]

# world = YEAR: an unknown year, a non-integer, NaN, a bool or text names the years available;
# a start before January of the world's year names start and world.
YEARS = ", ".join(str(year) for year in world_years())
WORLD = "is not one of the years available: " + YEARS
CASES += [
    (f"world = {value}\n" + GOOD, [], f"x.toml: world: {shown} {WORLD}")
    for value, shown in (
        ("1999", "1999"),
        ("2024", "2024"),
        ("2010.0", "2010.0"),
        ("2010.5", "2010.5"),
        ("nan", "nan"),
        ("inf", "inf"),
        ("true", "True"),
        ('"2010"', "'2010'"),
        ("[2010]", "[2010]"),
        ("-2013", "-2013"),
    )
]
CASES += [
    (GOOD, ["--world", "1999"], f"x.toml: world: 1999 {WORLD}"),
    (GOOD, ["--world", "abc"], f"x.toml: world: 'abc' {WORLD}"),
    (GOOD, ["--world", "2010.0"], f"x.toml: world: '2010.0' {WORLD}"),
    (GOOD, ["--world", ""], f"x.toml: world: '' {WORLD}"),
    (
        "world = 2013\n" + GOOD.replace('"2023-01"', '"2012-12"'),
        [],
        "x.toml: start 2012-12 is before January of its world (world = 2013)",
    ),
    (
        "world = 2022\n" + GOOD,
        ["--start", "2021-06"],
        "x.toml: start 2021-06 is before January of its world (world = 2022)",
    ),
    (GOOD, ["--world", "2022", "--start", "2010-01"], "start 2010-01 is before January"),
    (GOOD, ["--set", "world=1999"], f"x.toml: world: 1999 {WORLD}"),
    (GOOD, ["--set", "world=2013.0"], f"x.toml: world: '2013.0' {WORLD}"),
    (GOOD, ["--set", "world=2022", "--start", "2021-12"], "start 2021-12 is before January"),
    (
        "world = 2010\n" + GOOD,
        ["--set", "start=2009-12"],
        "x.toml: start 2009-12 is before January of its world (world = 2010)",
    ),
]


def _tree(root: Path) -> dict[str, tuple]:
    """Every entry under ``root`` with its kind, size, time and content hash."""
    found = {}
    for path in sorted(root.rglob("*")):
        info = path.lstat()
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
        found[str(path.relative_to(root))] = (info.st_mode, info.st_size, info.st_mtime_ns, digest)
    return found


def run_refused(arguments: list[str], capsys) -> str:
    """Run ``abm run`` in-process; return its stderr after checking exit 2 and one line."""
    try:
        status = main(["run", *arguments])
    except SystemExit as stop:  # argparse's own refusals
        status = stop.code
    error = capsys.readouterr().err
    assert status == 2, error
    assert "Traceback" not in error
    assert len(error.strip().splitlines()) == 1, error
    return error


@pytest.mark.parametrize(("text", "extra", "message"), CASES)
def test_bad_input_gets_one_clear_message_exit_2_and_writes_nothing(
    tmp_path, monkeypatch, capsys, text, extra, message
):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.toml").write_text(text)
    before = _tree(tmp_path)
    error = run_refused(["--scenario", "x.toml", "--no-figures", *extra], capsys)
    assert message in error, error
    assert _tree(tmp_path) == before


def _deep_symlink(tmp_path: Path) -> None:
    (tmp_path / "folder").mkdir()
    (tmp_path / "link.toml").symlink_to(tmp_path / "folder")


# (what to make in the folder, arguments, the message) for files and folders in the way.
PLACES = [
    (lambda tmp: (tmp / "folder").mkdir(), ["--scenario", "folder"], "folder: is a folder"),
    (_deep_symlink, ["--scenario", "link.toml"], "link.toml: is a folder, not a regular TOML file"),
    (
        lambda tmp: (tmp / "latin1.toml").write_bytes(b'name = "caf\xe9"\n'),
        ["--scenario", "latin1.toml"],
        "latin1.toml: not UTF-8 text (byte 11)",
    ),
    (lambda tmp: None, ["--scenario", "missing.toml"], "missing.toml: file does not exist"),
    (lambda tmp: None, ["--scenario", "/dev/null"], "/dev/null: is not a regular file"),
    (lambda tmp: None, ["--scenario", "no-such"], "scenario 'no-such' is not a file nor"),
    (
        lambda tmp: (tmp / "v").mkdir() or (tmp / "v" / "thesis.tex").write_text("work"),
        ["--out", "v"],
        "v: holds thesis.tex, which abm did not write",
    ),
    (lambda tmp: (tmp / "notes").write_text("mine"), ["--out", "notes"], "notes: is a file"),
    (
        lambda tmp: (tmp / "notes").write_text("mine"),
        ["--out", "notes/run"],
        "notes is in the way and is not a folder",
    ),
    (lambda tmp: None, ["--out", "/dev/null"], "/dev/null: is a device, pipe or socket"),
    (lambda tmp: os.mkfifo(tmp / "pipe"), ["--out", "pipe"], "pipe: is a device, pipe or socket"),
    (
        lambda tmp: (tmp / "real").mkdir() or (tmp / "alias").symlink_to(tmp / "real"),
        ["--out", "alias"],
        "alias: is a symbolic link",
    ),
    (lambda tmp: None, ["--out", "."], ".: abm will not replace '.', '..', '/'"),
    (lambda tmp: None, ["--out", ".."], "..: abm will not replace '.', '..', '/'"),
    (lambda tmp: None, ["--out", "/"], "/: abm will not replace '.', '..', '/'"),
    (lambda tmp: (tmp / "sub").mkdir(), ["--out", "sub/.."], "sub/..: abm will not replace"),
]


@pytest.mark.parametrize(("make", "extra", "message"), PLACES)
def test_a_bad_file_or_folder_is_refused_naming_it_and_nothing_changes(
    tmp_path, monkeypatch, capsys, make, extra, message
):
    monkeypatch.chdir(tmp_path)
    make(tmp_path)
    before = _tree(tmp_path)
    error = run_refused(["--end", "2023-02", "--no-figures", *extra], capsys)
    assert message in error, error
    assert _tree(tmp_path) == before


def test_a_fifo_as_scenario_file_is_refused_without_hanging(tmp_path):
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    before = _tree(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "abm", "run", "--scenario", str(fifo), "--out", "out"],
        capture_output=True,
        text=True,
        timeout=60,  # a FIFO opened for reading blocks until a writer comes: here none does
        cwd=tmp_path,
    )
    assert done.returncode == 2
    assert f"{fifo}: is not a regular file" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert _tree(tmp_path) == before


def test_an_unknown_scenario_name_suggests_the_closest(capsys):
    assert main(["run", "--scenario", "graphite-licencing"]) == 2
    assert "did you mean 'graphite-licensing'" in capsys.readouterr().err


def test_the_table_has_at_least_120_cases():
    assert len(CASES) + len(PLACES) >= 120
