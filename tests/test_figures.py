"""Run figures say what they show: titles, units, policy starts, shares that sum to one."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from abm.experiment import run
from abm.figures import (
    OTHER,
    POLICY_START,
    price_figure,
    refined_shares,
    shares_figure,
    write_figures,
)


@pytest.fixture(scope="module")
def licensed():
    """China's graphite licensing (from 2023-12), run to mid-2024."""
    return run("graphite-licensing-2023", seed=2, end="2024-06").model


def _policy_lines(axis) -> list[float]:
    return [line.get_xdata()[0] for line in axis.lines if line.get_gid() == POLICY_START]


def test_price_figure_names_the_run_and_marks_the_policy_on_its_own_mineral(licensed):
    figure = price_figure(licensed, "graphite-licensing-2023")
    title = figure.get_suptitle()
    assert "graphite-licensing-2023" in title and "seed 2" in title and "world 2022" in title
    panels = {axis.get_title(): axis for axis in figure.axes}
    assert _policy_lines(panels["graphite"]) == [pytest.approx(2023 + 11 / 12)]
    assert _policy_lines(panels["lithium"]) == []
    assert all(axis.get_yscale() == "log" for axis in figure.axes)
    assert "2023 price" in figure.axes[0].get_ylabel()
    plt.close(figure)


def test_price_figure_draws_each_destination_in_its_own_style(licensed):
    figure = price_figure(licensed)
    styles = {(line.get_color(), line.get_linestyle()) for line in figure.axes[0].lines[:6]}
    assert len(styles) == 6
    plt.close(figure)


def test_refined_shares_sum_to_one_with_an_other_band(licensed):
    for m, mineral in enumerate(licensed.world.minerals):
        bands, labels = refined_shares(licensed, m)
        assert labels[-1] == OTHER and len(labels) == bands.shape[1]
        np.testing.assert_allclose(bands.sum(axis=1), 1.0, err_msg=mineral)
    figure = shares_figure(licensed, "graphite-licensing-2023")
    assert "seed 2" in figure.get_suptitle()
    assert figure.axes[0].get_ylabel() == "share of refined output"
    plt.close(figure)


def test_write_figures_writes_both_and_leaves_no_figure_open(licensed, tmp_path):
    plt.close("all")  # whatever an earlier test left open
    paths = write_figures(licensed, tmp_path, "graphite-licensing-2023")
    assert [p.name for p in paths] == ["prices.png", "refined_shares.png"]
    assert all(p.stat().st_size > 10_000 for p in paths)
    assert plt.get_fignums() == []
