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
    for name in ("default", "quota"):
        run = report[name]
        assert run["whole_run_s"]["min"] <= run["whole_run_s"]["median"] > 0
        phases = run["phases"]
        assert phases["months"] >= 24 and phases["agents"] > 1000  # to 2024-12, from its world
        for phase in ("import_s", "build_s", "step_s", "tables_s", "figures_s"):
            assert phases[phase]["median"] > 0, phase
        # the phases happen inside the whole command, which also starts Python and writes
        assert run["whole_run_s"]["median"] > phases["step_s"]["median"]
        assert phases["clearings_per_month"] >= 2  # raw and refined books, every month
        assert phases["ms_per_clearing"] > 0 and phases["peak_rss_mb"] > 0
    assert report["quota"]["scenario"] == "gallium-germanium-2023"
    assert report["quota_cost_per_month_over_default"] > 0
    sweep = report["sweep"]
    assert sweep["runs"] == 2 and sweep["runs_per_core_hour_2"] > 0
    assert sweep["parallel_efficiency"] > 0
    assert len(report["machine_before"]["load_average"]) == 3
    printed = capsys.readouterr().out
    assert "runs per core-hour" in printed and "context only" in printed
    assert "Boltzmann" in table(report)
