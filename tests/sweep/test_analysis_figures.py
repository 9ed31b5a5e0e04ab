"""The sweep analysis figures say what they show: titles, labels in words with units, colour
scales from a reference, confidence intervals, and a warning when a design is too small."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.container import BarContainer
from support.sweeps import METRICS, grid_text

from abm.sweep import analysis
from abm.sweep.labels import metric_label, parameter_label
from abm.sweep.spec import parse_sweep


@pytest.fixture
def drawn(monkeypatch):
    """The figures analysis would save, kept open instead."""
    figures = []
    monkeypatch.setattr(analysis, "_save", lambda figure, path: figures.append(figure))
    return figures


def grid_sweep():
    text = grid_text(extra='"settings.retaliation" = [true, false]')
    return parse_sweep(text, "grid.toml")


def runs_of(sweep, values):
    rows = []
    for (share, retaliation), value in zip(
        [(a, b) for a in (0.2, 0.8) for b in (True, False)], values, strict=True
    ):
        for seed in sweep.seeds:
            rows.append(
                {
                    "policy.export_licensing.quota_share": share,
                    "settings.retaliation": retaliation,
                    "seed": seed,
                    "sample": 0,
                    sweep.metrics[1].name: value,
                }
            )
    return pd.DataFrame(rows)


def test_parameters_and_metrics_are_labelled_in_words_with_units():
    sweep = grid_sweep()
    assert "share of capacity" in parameter_label("settings.investment_rate")
    assert parameter_label("policy.export_licensing.quota_share").startswith("quota_share of")
    label = metric_label(sweep.metrics[1]).replace("\n", " ")
    assert "unmet demand" in label and "[t, summed over months]" in label


def test_a_heat_map_is_titled_and_its_scale_starts_at_the_reference(drawn):
    sweep = grid_sweep()
    ok = runs_of(sweep, [1110.0, 1112.0, 1115.0, 1117.0])  # a 0.6% spread
    analysis._heat_map(sweep, ok, sweep.metrics[1], None)
    (figure,) = drawn
    axes = figure.axes[0]
    assert sweep.name in axes.get_title() and sweep.metrics[1].name in axes.get_title()
    low, high = axes.images[0].get_clim()
    assert low == 0.0 and high == pytest.approx(1117.0)  # unmet demand: from nothing
    assert "retaliation" in axes.get_xlabel() and "quota_share" in axes.get_ylabel()
    assert "unmet demand" in figure.axes[1].get_ylabel()  # the colour bar
    assert sorted(t.get_text() for t in axes.texts) == ["1110", "1112", "1115", "1117"]


def test_effect_figures_carry_the_sweep_metric_and_spread_over_seeds(drawn):
    sweep = grid_sweep()
    ok = runs_of(sweep, [1.0, 2.0, 3.0, 4.0])
    analysis._effect_figure(sweep, ok, sweep.metrics[1], "settings.retaliation", None)
    axes = drawn[0].axes[0]
    assert axes.get_title() == f"{sweep.name}: {sweep.metrics[1].name}"
    assert "seed" in axes.get_legend().get_texts()[0].get_text()
    assert "unmet demand" in axes.get_ylabel()


def sobol_sweep(samples: int):
    text = f"""
name = "s"
scenario = "default"
design = "sobol"
samples = {samples}
seeds = [1]
[parameters]
"settings.investment_rate" = {{ low = 0.1, high = 0.4 }}
"settings.purchase_elasticity" = {{ low = 0.2, high = 0.8 }}
{METRICS}"""
    return parse_sweep(text, "sobol.toml")


def indices(s1, s1_conf, st, st_conf):
    names = ["settings.investment_rate", "settings.purchase_elasticity"]
    return pd.DataFrame(
        {"S1": s1, "S1_conf": s1_conf, "ST": st, "ST_conf": st_conf},
        index=pd.Index(names, name="parameter"),
    )


def test_a_sobol_design_too_small_for_its_indices_is_warned_about(drawn):
    sweep = sobol_sweep(16)
    shaky = indices([1.08, 0.5], [0.02, 0.4], [0.9, 0.3], [0.05, 0.05])
    (warning,) = analysis.index_warnings(sweep, "unmet", shaky)
    assert "N = 16" in warning
    assert "above 1" in warning and "exceeds its ST" in warning and "+-0.4" in warning
    analysis._index_figure(sweep, sweep.metrics[1], shaky, [warning], None)
    axes = drawn[0].axes[0]
    assert "unreliable" in axes.get_title()
    # each bar has its interval drawn
    bars = [c for c in axes.containers if isinstance(c, BarContainer)]
    assert len(bars) == 2 and all(c.errorbar is not None for c in bars)


def test_sound_sobol_indices_draw_no_warning():
    sound = indices([0.6, 0.2], [0.03, 0.02], [0.7, 0.25], [0.04, 0.03])
    assert analysis.index_warnings(sobol_sweep(1024), "unmet", sound) == []


def test_the_example_sobol_sweep_is_warned_about_on_its_own_numbers():
    """The failure the issue found (N = 16, S1 = 1.08 > ST) gives the warning: the check reads
    the indices, not the sample size, so a big but noisy design is caught too."""
    noisy = indices([1.08, np.nan], [0.5, 0.5], [0.9, 0.1], [0.3, 0.3])
    assert analysis.index_warnings(sobol_sweep(4096), "unmet", noisy)
