"""The replication: claim rows come from the runs, bound rows never hold, bands are history's,
and the committed report is safe from quick runs and checked against the code."""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import lognorm

from abm.cli import main
from abm.model import MineralsModel
from abm.policy.instruments import Policy
from abm.replicate import check
from abm.replicate import measures as mx
from abm.replicate import report as report_module
from abm.replicate.claims import CLAIMS, ClaimsError, Metric, Target, load_claims, scenarios
from abm.replicate.command import default_folder
from abm.replicate.metrics import METRICS
from abm.replicate.runner import metric_values
from abm.replicate.summary import summarise
from abm.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "results" / "replication"


@pytest.fixture(scope="module")
def short_run():
    """Two years of the default world: a real summary to measure."""
    return summarise(MineralsModel(rng=3, end="2024-12").run(), "default")


def _row(kind="direction", **fields) -> Metric:
    values = dict(name="m", unit="x", metric="retaliations", args={}, target=Target(1.0))
    values.update(fields)
    return Metric(kind=kind, **values)


def test_every_claim_scenario_exists_and_pairs_share_a_world_and_horizon():
    for name in scenarios():
        load_scenario(name)
    for claim in CLAIMS:
        horizons = {
            (s.world, s.model_settings().start, s.model_settings().end)
            for s in (load_scenario(n) for n in claim.runs.values())
        }
        assert len(horizons) == 1, (claim.number, horizons)
    assert [c.number for c in CLAIMS] == list(range(1, 10))


def test_size_bands_are_history_within_a_factor_of_two():
    """A band is fixed by the historical figure, never widened to admit a result."""
    sizes = [m for c in CLAIMS for m in c.metrics if m.size]
    assert len(sizes) >= 12
    cited = (ROOT / "docs" / "DATA.md").read_text().split("## 4.")[1]
    for metric in sizes:
        assert f"| `{metric.source}` |" in cited, metric.name
        if metric.history is None:  # a range from the source itself (the IEA's 10-30%)
            continue
        low, high = sorted((metric.history / 2.0, metric.history * 2.0))
        if metric.unit == "%":
            low = max(low, -100.0)
        if metric.metric == "fall_from_peak_pct":
            high = min(high, 100.0)
        assert (metric.target.low, metric.target.high) == pytest.approx((low, high)), metric.name


def test_why_texts_hold_no_numbers_of_their_own():
    """Numbers in the explanations come from the values or the settings, never typed."""
    for claim in CLAIMS:
        for metric in claim.metrics:
            text = re.sub(r"\{[a-z_]+\}|`[^`]*`|\b(19|20)\d\d\b|issue \d+", "", metric.why)
            assert not re.search(r"\d", text), (claim.number, metric.name, text)
            measured = report_module.Measured(metric, np.array([1.0, 2.0]), np.array([0.1, 0.2]))
            assert "{" not in report_module.explain(measured)


def test_no_row_name_begins_another_rows_name():
    """Rows are found in the report by name: a name that begins another would find the wrong
    row."""
    names = [metric.name for claim in CLAIMS for metric in claim.metrics]
    clashes = [(a, b) for a in names for b in names if a != b and b.startswith(a)]
    assert not clashes


def test_judged_rows_name_the_prices_they_check_against_the_cap():
    for claim in CLAIMS:
        for metric in claim.metrics:
            assert metric.caps is not None or not metric.judged, metric.name
            assert set(metric.roles()) <= set(claim.runs), metric.name


def test_claims_file_errors_name_the_row_and_field(tmp_path):
    good = (ROOT / "experiments" / "claims.toml").read_text()
    cases = {
        'metric = "peak_ratio"': ('metric = "peak_ratios"', "metric 'peak_ratios'"),
        'kind = "direction"': ('kind = "trend"', "kind 'trend'"),
        "band = [6.0, 24.0]": ("band = [24.0, 6.0]", "band must be"),
        'treated = "policy", base = "counterfactual", mineral = "rare_earths", where = "JP", '
        'start = "2010-07", months = 36 }': (
            'treated = "policy", base = "counterfactual", mineral = "rare_earths", '
            'where = "JP", start = "2010-07", month = 36 }',
            "args do not fit",
        ),
    }
    for old, (new, message) in cases.items():
        path = tmp_path / "claims.toml"
        path.write_text(good.replace(old, new, 1))
        with pytest.raises(ClaimsError, match=re.escape(message)) as raised:
            load_claims(path)
        assert "claim 1, row" in str(raised.value)


def test_a_run_against_itself_shows_no_effect(short_run):
    runs = {"policy": short_run, "counterfactual": short_run}
    args = dict(mineral="lithium", where="world", start="2024-01", months=12)
    assert METRICS["peak_ratio"](runs, "policy", "counterfactual", **args) == pytest.approx(1.0)
    assert METRICS["mean_ratio"](runs, "policy", "counterfactual", **args) == pytest.approx(1.0)
    assert np.allclose(mx.welfare_change(short_run, short_run, "2024-01"), 0.0)
    assert mx.primary_cut_pct(short_run, short_run, 2024) == pytest.approx(0.0)


def test_metrics_follow_the_runs_data(short_run):
    """Change a run's data and the row built on it changes accordingly."""
    doubled = short_run.ex_china_price.copy()
    doubled[:, :, short_run.minerals.index("gallium")] *= 2.0
    treated = dataclasses.replace(short_run, ex_china_price=doubled)
    runs = {"policy": treated, "counterfactual": short_run}
    ratio = METRICS["mean_ratio"](
        runs, "policy", "counterfactual", "gallium", "ex_china", "2023-08", 12
    )
    assert ratio == pytest.approx(2.0)
    rise = METRICS["rise_pct"](runs, "policy", "gallium", "ex_china", "2024-01", 1, "2024-01", 1)
    assert rise == pytest.approx(0.0)
    less = dataclasses.replace(short_run, mined=short_run.mined * 0.8)
    assert mx.primary_cut_pct(less, short_run, 2024) == pytest.approx(20.0)
    richer = short_run.producer_surplus.copy()
    richer[:, short_run.countries.index("CN")] += 1e9
    gain = mx.welfare_change(
        dataclasses.replace(short_run, producer_surplus=richer), short_run, "2024-01"
    )
    assert gain[short_run.countries.index("CN")] == pytest.approx(12e9)
    assert (np.delete(gain, short_run.countries.index("CN")) == 0).all()


def test_welfare_does_not_value_undelivered_use_at_the_cap(short_run):
    """Use that is not delivered counts nothing, so the choke price cannot enter."""
    p = short_run.price_in.copy()
    consumed = short_run.consumed.copy()
    span = slice(short_run.month("2024-01"), None)
    p[1, span] = np.nan
    consumed[span] = 0.0
    starved = dataclasses.replace(short_run, price_in=p, consumed=consumed)
    dearer_cap = dataclasses.replace(starved, choke_price=starved.choke_price * 10.0)
    assert np.array_equal(
        mx.welfare_change(starved, short_run, "2024-01"),
        mx.welfare_change(dearer_cap, short_run, "2024-01"),
    )


def test_replacement_and_half_life_are_counted_from_the_shock(short_run):
    months = len(short_run.months)
    cobalt, cd, au = (
        short_run.minerals.index("cobalt"),
        *map(short_run.countries.index, ["CD", "AU"]),
    )
    sold = np.zeros((2, months, len(short_run.minerals), len(short_run.countries)))
    sold[0, :, cobalt, cd] = 100.0
    shock = short_run.month("2024-01")
    sold[0, shock:, cobalt, cd] = 40.0  # 60 lost from the shock on
    sold[0, shock:, cobalt, au] = [0, 10, 20, 30, 40, 50, 60, 60, 60, 60, 60, 60]
    run = dataclasses.replace(short_run, sold_by_origin=sold)
    assert mx.replacement_months(run, "cobalt", "CD", "2024-01", "2024-12") == 3.0
    price = np.full((2, months, len(short_run.minerals)), 100.0)
    price[1, shock : shock + 5, cobalt] = [150.0, 200.0, 180.0, 150.0, 120.0]
    run = dataclasses.replace(short_run, world_price=price)
    assert mx.shock_peak(run, "cobalt", "2024-01", 12) == pytest.approx(2.0)
    assert mx.half_life(run, "cobalt", "2024-01") == 2.0  # 150 is half of the peak's excess


def test_shock_sizes_are_computed_from_the_world():
    """The DRC's halt and quotas, sized from its own exports before the start."""
    policy = Policy(
        "export_licensing",
        "CD",
        "cobalt",
        "raw",
        "all",
        start="2025-03",
        end="2027-12",
        params={"quota_share": 0.44, "delay_months": 7},
    )
    model = MineralsModel(rng=1, end="2025-12", policies=[policy]).run()
    (size,) = summarise(model, "test", [policy]).shocks
    flows = model.recorder.flows[0, 14:26, model.world.minerals.index("cobalt")]
    cd = model.world.countries.index("CD")
    exports = np.delete(flows[:, cd, :], cd, axis=1).sum(axis=1).mean()
    assert size.baseline_t_per_month == pytest.approx(exports)
    assert size.months == 10
    assert size.licensed_t_per_month == pytest.approx(0.44 * exports)
    assert size.planned_cut_t == pytest.approx(exports * 7 + 0.56 * exports * 3)
    assert 0.0 < size.share_of_world_pct < 100.0


def test_a_licensing_process_is_sized_by_the_share_its_reviews_leave_unlicensed():
    """Licences under review withhold the unlicensed share of the baseline each month."""
    params = {"review_months": 2.0, "review_spread": 0.5, "quota_share": 1.0}
    policy = Policy("export_licensing", "CN", "graphite", "all", "all", "2023-06", None, params)
    model = MineralsModel(rng=1, end="2023-12", policies=[policy]).run()
    raw, refined = summarise(model, "test", [policy]).shocks
    share = lognorm.cdf(np.arange(7) + 0.5, s=0.5, scale=2.0)
    for size in (raw, refined):
        assert size.months == 7
        assert size.licensed_t_per_month == pytest.approx(size.baseline_t_per_month)
        assert size.planned_cut_t == pytest.approx(size.baseline_t_per_month * (1 - share).sum())


def test_targets_and_verdicts():
    direction = _row(target=Target(low=1.0), caps=None)
    size = _row("size", target=Target(6.0, 24.0))
    measured = report_module.Measured
    assert measured(direction, np.array([1.2, 1.3, 1.25])).holds
    assert not measured(direction, np.array([0.5, 2.0, 1.2])).holds  # interval crosses 1
    assert report_module.verdict(
        [measured(direction, np.array([1.2, 1.3, 1.25])), measured(size, np.array([3.0, 3.0]))]
    ) == ("direction holds, size does not")
    assert report_module.verdict([measured(direction, np.array([0.9, 0.8]))]) == "does not hold"


def test_a_bound_result_never_counts_as_holding():
    """A row taken near the cap in any seed is flagged and fails, whatever its value."""
    row = _row(target=Target(low=1.0))
    good = np.array([1.5, 1.6, 1.55])
    measured = report_module.Measured
    assert measured(row, good, np.array([0.1, 0.79, 0.3])).holds
    bound = measured(row, good, np.array([0.1, 0.8, 0.3]))
    assert bound.meets and bound.bound and not bound.holds
    assert "bound by the model's price cap" in bound.status
    assert report_module.verdict([bound]) == "does not hold (1 bound by the cap)"
    assert "shows the cap, not the mechanism" in report_module.explain(bound)


def test_cap_ratio_reads_the_highest_price_over_the_choke(short_run):
    span = mx.window(short_run, "2024-01", 12)
    ratio = mx.cap_ratio([short_run], ("lithium",), span)
    assert 0.0 < ratio < 0.8
    prices = short_run.price_in.copy()
    lithium = short_run.minerals.index("lithium")
    prices[1, short_run.month("2024-06"), lithium, 0] = 0.9 * short_run.choke_price[lithium]
    spiked = dataclasses.replace(short_run, price_in=prices)
    assert mx.cap_ratio([short_run, spiked], ("lithium",), span) == pytest.approx(0.9)
    assert mx.cap_ratio([spiked], ("nickel",), span) == pytest.approx(
        mx.cap_ratio([short_run], ("nickel",), span)
    )
    elsewhere = [c for c in short_run.countries if c != short_run.countries[0]]
    assert mx.cap_ratio([spiked], ("lithium",), span, elsewhere) == pytest.approx(ratio)


def test_seeds_workers_unknown_claims_and_the_committed_folder_are_refused(capsys, tmp_path):
    assert main(["replicate", "--seeds", "0", "--out", str(tmp_path / "a")]) == 2
    assert "--seeds" in capsys.readouterr().err
    assert main(["replicate", "--workers", "0", "--out", str(tmp_path / "a")]) == 2
    assert "--workers" in capsys.readouterr().err
    assert main(["replicate", "--claims", "3,12", "--out", str(tmp_path / "b")]) == 2
    assert "expected numbers from 1 to 9" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert main(["replicate", "--quick", "--out", str(blocker / "report")]) == 2
    assert "cannot write to" in capsys.readouterr().err
    before = {p: p.read_bytes() for p in COMMITTED.iterdir()}
    cwd = os.getcwd()
    try:
        os.chdir(ROOT)
        assert main(["replicate", "--quick", "--out", "results/replication"]) == 2
        assert "holds the committed report" in capsys.readouterr().err
        assert main(["replicate", "--seeds", "3", "--out", "results/replication/"]) == 2
        os.chdir(tmp_path)
        assert main(["replicate", "--claims", "7", "--out", str(COMMITTED)]) == 2
    finally:
        os.chdir(cwd)
    assert {p: p.read_bytes() for p in COMMITTED.iterdir()} == before


def test_only_the_committed_run_writes_to_the_committed_folder():
    assert default_folder(10, False, None) == Path("results/replication")
    assert default_folder(2, True, None) == Path("results/replication-quick")
    assert default_folder(5, False, None) == Path("results/replication-5seeds")
    assert default_folder(30, False, None) == Path("results/replication-30seeds")
    assert default_folder(10, False, [7, 9]) == Path("results/replication-claims-7-9")


def test_report_is_the_same_for_the_same_runs(tmp_path, short_run):
    """Writing the report twice from the same runs gives the same bytes (no clock in it)."""
    claim = dataclasses.replace(
        CLAIMS[4],
        number=1,
        runs={"policy": "default", "leasing": "default"},
        metrics=(
            _row(
                metric="mean_ratio",
                args=dict(
                    treated="leasing",
                    base="policy",
                    mineral="lithium",
                    where="world",
                    start="2024-01",
                    months=12,
                ),
                target=Target(high=1.0),
            ),
        ),
        panels=CLAIMS[4].panels[:1],
    )
    claim = dataclasses.replace(
        claim, panels=(dataclasses.replace(claim.panels[0], roles=("policy",)),)
    )
    runs = {("default", 3): short_run}
    values = {1: metric_values(claim, runs, [3])}
    texts = []
    for folder in ("a", "b"):
        report_module.write_report(
            values, runs, [3], tmp_path / folder, "abm replicate", "x", (claim,)
        )
        texts.append(
            [
                (tmp_path / folder / f).read_bytes()
                for f in ("REPORT.md", "values.csv", "claim-1.png")
            ]
        )
    assert texts[0] == texts[1]


def test_staleness_check_fails_when_a_value_moves(tmp_path, capsys):
    """A model change that moves any value (or drops a row) makes the committed report stale."""
    values = pd.read_csv(COMMITTED / "values.csv")
    same = tmp_path / "same.csv"
    values.to_csv(same, index=False, float_format="%.10g")
    assert check.main([str(COMMITTED / "values.csv"), str(same)]) == 0
    doctored = values.copy()
    finite = doctored.index[np.isfinite(doctored.value) & (doctored.value != 0)][0]
    doctored.loc[finite, "value"] *= 1.0 + 1e-6
    moved = tmp_path / "moved.csv"
    doctored.to_csv(moved, index=False, float_format="%.17g")
    assert check.main([str(COMMITTED / "values.csv"), str(moved)]) == 1
    assert "is stale: 1 differences" in capsys.readouterr().err
    dropped = tmp_path / "dropped.csv"
    values.iloc[1:].to_csv(dropped, index=False)
    assert check.differences(COMMITTED / "values.csv", dropped)[0].startswith(
        "only in the committed report"
    )


def test_make_test_runs_the_staleness_check():
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("\ntest:")[1].split("\n\n")[0]
    assert "check-replication" in recipe
    assert "abm.replicate.check results/replication/values.csv" in makefile


@pytest.fixture(scope="module")
def quick_report():
    """``abm replicate --quick`` as a user runs it, from the repository, default folder."""
    cwd = os.getcwd()
    try:
        os.chdir(ROOT)
        before = {p.name: p.read_bytes() for p in COMMITTED.iterdir()}
        status = main(["replicate", "--quick", "--workers", "2"])
        after = {p.name: p.read_bytes() for p in COMMITTED.iterdir()}
    finally:
        os.chdir(cwd)
    return ROOT / "results" / "replication-quick", status, before, after


@pytest.mark.slow
def test_quick_replication_leaves_the_committed_report_untouched(quick_report):
    out, _, before, after = quick_report
    assert before == after
    assert (out / "REPORT.md").exists()
    git = subprocess.run(
        ["git", "status", "--porcelain", "--", "results"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert git.stdout == ""


@pytest.mark.slow
def test_quick_replication_writes_a_complete_report(quick_report):
    out, status, _, _ = quick_report
    text = (out / "REPORT.md").read_text()
    values = pd.read_csv(out / "values.csv")
    assert sorted(values.seed.unique()) == [1, 2]
    rows = [line for line in text.splitlines() if line.startswith("| ") and "---" not in line]
    rows = [line for line in rows if not line.startswith(("| claim |", "| scenario |", "| `"))]
    assert len(rows) == sum(len(c.metrics) for c in CLAIMS)
    verdicts = dict(re.findall(r"^\| (\d) \| ([a-z ,()0-9]+) \|", text, flags=re.M))
    assert sorted(int(n) for n in verdicts) == list(range(1, 10))
    holding = sum(v == "holds" for v in verdicts.values())
    assert f"**{holding} of 9 claims hold.**" in text
    assert status == (0 if holding == 9 else 1)
    assert "## In-sample" in text and "## Held-out" in text
    assert "| `open-trade` | export_licensing CD cobalt raw -> all |" in text
    for claim in CLAIMS:
        assert (out / f"claim-{claim.number}.png").stat().st_size > 10_000
        assert f"## Claim {claim.number}:" in text


@pytest.mark.slow
def test_quick_report_values_are_the_runs_metrics(quick_report):
    """Each mean in the table is the mean of that row's per-seed values, and bound rows are
    exactly those with a cap ratio of 0.8 or more."""
    out = quick_report[0]
    text = (out / "REPORT.md").read_text()
    values = pd.read_csv(out / "values.csv")
    for (claim, metric), group in values.groupby(["claim", "metric"], sort=False):
        row = next(line for line in text.splitlines() if f"| {metric}" in line)
        shown = row.split("|")[4].split()[0].replace(",", "")
        if shown != "n/a":
            assert float(shown) == pytest.approx(group.value.mean(), rel=0.051, abs=0.051)
        judged = "not judged" not in row and "not measurable" not in row
        assert ("bound by the model's price cap" in row) == (
            judged and group.cap_ratio.max() >= 0.8
        ), (claim, metric)
