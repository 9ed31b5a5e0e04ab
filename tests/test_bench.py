"""The benchmark reports every figure it promises (no timing is asserted)."""

from __future__ import annotations

import json

import pytest

from abm.bench import BoltzmannWealth, mesa_boltzmann, table
from abm.cli import main


def test_boltzmann_reference_conserves_wealth():
    model = BoltzmannWealth(agents=50, rng=3)
    for _ in range(20):
        model.step()
    assert sum(agent.wealth for agent in model.agents) == 50


def test_mesa_benchmark_reference_is_mesas_own_model_and_conserves_wealth():
    model = mesa_boltzmann(seed=3)
    assert type(model).__module__.startswith("mesa.examples")
    assert len(model.agents) == 100 and model.grid.width == 10
    for _ in range(20):
        model.step()
    assert sum(agent.wealth for agent in model.agents) == 100


@pytest.mark.slow
def test_quick_bench_writes_every_figure(tmp_path, capsys):
    assert main(["bench", "--quick", "--out", str(tmp_path)]) == 0
    report = json.loads((tmp_path / "bench.json").read_text())
    full = report["full_run"]
    assert full["months"] == 216 and full["agents"] > 1000
    assert full["step_s"] > 0 and full["peak_rss_mb"] > 0
    assert 0 < full["private_mb"] <= full["peak_rss_mb"]
    assert report["agent_steps_ratio"] > 0 and report["agent_steps_ratio_bare"] > 0
    assert full["import_s"] > 0
    assert set(report["scaling"]["agents"]) == {"1x", "4x"}
    assert report["scaling"]["agents"]["4x"]["agents"] > 3 * full["agents"]
    assert report["scaling"]["months"]["2x"]["months"] == 432
    assert report["sweep"]["parallel_efficiency"] > 0
    assert report["sweep"]["startup_s_2_workers"] > 0
    assert "parallel efficiency" in capsys.readouterr().out
    assert "Boltzmann" in table(report)
