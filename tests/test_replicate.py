"""The replication: claim metrics come from the runs, and the report is complete and stable."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pandas as pd
import pytest

from abm.cli import main
from abm.model import MineralsModel
from abm.replicate import claims as claims_module
from abm.replicate import measures as mx
from abm.replicate import report as report_module
from abm.replicate.claims import CLAIMS, scenarios
from abm.replicate.runner import metric_values
from abm.replicate.summary import summarise
from abm.scenario import load_scenario


@pytest.fixture(scope="module")
def short_run():
    """Two years of the default world: a real summary to measure."""
    return summarise(MineralsModel(rng=3, end="2024-12").run(), "default")


def test_every_claim_scenario_exists_and_pairs_share_a_horizon():
    for name in scenarios():
        load_scenario(name)
    for claim in CLAIMS:
        horizons = {
            (s.model_settings().start, s.model_settings().end)
            for s in (load_scenario(n) for n in claim.runs.values())
        }
        assert len(horizons) == 1, (claim.number, horizons)
    assert [c.number for c in CLAIMS] == list(range(1, 10))


def test_a_run_against_itself_shows_no_effect(short_run):
    span = mx.window(short_run, "2024-01", 12)
    price = mx.world_price(short_run, "lithium")
    assert mx.peak_ratio(price, price, span) == pytest.approx(1.0)
    assert mx.mean_ratio(price, price, span) == pytest.approx(1.0)
    assert np.allclose(mx.welfare_change(short_run, short_run, "2024-01"), 0.0)
    assert mx.primary_cut_pct(short_run, short_run, 2024) == pytest.approx(0.0)


def test_metrics_follow_the_runs_data(short_run):
    """Change a run's data and the claim metric built on it changes accordingly."""
    doubled = short_run.ex_china_price.copy()
    gallium = short_run.minerals.index("gallium")
    doubled[:, :, gallium] *= 2.0
    treated = dataclasses.replace(short_run, ex_china_price=doubled)
    ratio = claims_module._controls("gallium")({"policy": treated, "counterfactual": short_run})
    assert ratio == pytest.approx(2.0)
    less = dataclasses.replace(short_run, mined=short_run.mined * 0.8)
    assert mx.primary_cut_pct(less, short_run, 2024) == pytest.approx(20.0)
    richer = short_run.producer_surplus.copy()
    richer[:, short_run.countries.index("CN")] += 1e9
    gain = mx.welfare_change(
        dataclasses.replace(short_run, producer_surplus=richer), short_run, "2024-01"
    )
    assert gain[short_run.countries.index("CN")] == pytest.approx(12e9)
    assert (np.delete(gain, short_run.countries.index("CN")) == 0).all()


def test_recovery_is_counted_from_the_shock(short_run):
    months = len(short_run.months)
    price = np.full((2, months, len(short_run.minerals)), 100.0)
    cobalt = short_run.minerals.index("cobalt")
    shock = short_run.month("2024-01")
    price[1, shock : shock + 5, cobalt] = [150.0, 200.0, 160.0, 120.0, 105.0]
    run = dataclasses.replace(short_run, world_price=price)
    assert mx.shock_peak(run, "cobalt", "2024-01", 12) == pytest.approx(2.0)
    assert mx.months_to_recover(run, "cobalt", "2024-01") == 4.0  # 105 is within 10%


def test_targets_and_verdicts():
    direction = claims_module.Metric("d", "x", lambda r: 0.0, claims_module.above(1.0, "> 1"))
    size = claims_module.Metric(
        "s", "x", lambda r: 0.0, claims_module.band(6.0, 24.0, "6-24"), size=True
    )
    measured = report_module.Measured
    assert measured(direction, np.array([1.2, 1.3, 1.25])).holds
    assert not measured(direction, np.array([0.5, 2.0, 1.2])).holds  # interval crosses 1
    assert report_module.verdict(
        [measured(direction, np.array([1.2, 1.3, 1.25])), measured(size, np.array([3.0, 3.0]))]
    ) == ("direction holds, size does not")
    assert report_module.verdict([measured(direction, np.array([0.9, 0.8]))]) == "does not hold"


def test_seeds_below_one_and_unknown_claims_are_refused(capsys, tmp_path):
    assert main(["replicate", "--seeds", "0", "--out", str(tmp_path / "a")]) == 2
    assert "--seeds" in capsys.readouterr().err
    assert main(["replicate", "--claims", "3,12", "--out", str(tmp_path / "b")]) == 2
    assert "expected numbers from 1 to 9" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert main(["replicate", "--quick", "--out", str(blocker / "report")]) == 2
    assert "cannot write to" in capsys.readouterr().err


def test_report_is_the_same_for_the_same_runs(tmp_path, short_run):
    """Writing the report twice from the same runs gives the same bytes (no clock in it)."""
    claim = claims_module.Claim(
        1,
        "test",
        "nowhere",
        {"policy": "default", "counterfactual": "default"},
        (claims_module.Metric("m", "x", lambda r: 1.0, claims_module.above(0.0, "> 0")),),
        (claims_module.Panel("p", "y", lambda s: mx.world_price(s, "lithium"), ("policy",)),),
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


@pytest.fixture(scope="module")
def quick_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("replication")
    status = main(["replicate", "--quick", "--out", str(out)])
    return out, status


@pytest.mark.slow
def test_quick_replication_writes_a_complete_report(quick_report):
    out, status = quick_report
    text = (out / "REPORT.md").read_text()
    values = pd.read_csv(out / "values.csv")
    assert sorted(values.seed.unique()) == [1, 2]
    rows = [line for line in text.splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert len(rows) == sum(len(c.metrics) for c in CLAIMS)
    verdicts = re.findall(r"^\| (\d) \| ([a-z ,]+) \|", text, flags=re.M)
    assert [int(n) for n, _ in verdicts] == list(range(1, 10))
    holding = sum(v == "holds" for _, v in verdicts)
    assert f"**{holding} of 9 claims hold.**" in text
    assert status == (0 if holding == 9 else 1)
    for claim in CLAIMS:
        assert (out / f"claim-{claim.number}.png").stat().st_size > 10_000
        assert f"## Claim {claim.number}:" in text


@pytest.mark.slow
def test_quick_report_values_are_the_runs_metrics(quick_report):
    """Each mean in the table is the mean of that metric's per-seed values, and the values
    differ between seeds for metrics of stochastic runs (they are measured, not fixed)."""
    out, _ = quick_report
    text = (out / "REPORT.md").read_text()
    values = pd.read_csv(out / "values.csv")
    means = values.groupby(["claim", "metric"], sort=False).value.mean()
    for (claim, metric), mean in means.items():
        row = next(line for line in text.splitlines() if f"| {metric}" in line)
        shown = row.split("|")[4].split()[0].replace(",", "")
        if shown != "n/a":
            assert float(shown) == pytest.approx(mean, rel=0.051, abs=0.051), (claim, metric)
    spread = values.groupby(["claim", "metric"]).value.std()
    assert (spread > 0).sum() >= len(spread) // 2
