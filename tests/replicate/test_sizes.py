"""The sizes of answers come from mechanisms, not caps (issue 18)."""

from __future__ import annotations

import numpy as np
import pytest

from abm.experiment import run
from abm.replicate.cap_check import TOLERANCE, changes


def world_price(model, mineral: str) -> np.ndarray:
    """The use-weighted refined price over all destinations, month by month."""
    rec, m = model.recorder, model.world.minerals.index(mineral)
    price, used = rec.destination_price[1][:, m, :], rec.consumed[:, m, :]
    return np.nansum(price * used, axis=1) / np.maximum(used.sum(axis=1), 1e-300)


@pytest.mark.slow
def test_the_nickel_price_after_a_ban_converges_without_a_second_peak():
    model = run("nickel-ban-2014", seed=1).model
    price = world_price(model, "nickel")
    months = list(model.world.months.strftime("%Y-%m"))
    start = months.index("2014-01")  # the ban, in the 2013 world
    excess = price[start : start + 120] / price[start - 1] - 1.0
    peak = int(np.argmax(excess))
    after = excess[peak:]
    fallen = np.flatnonzero(after < 0.5 * excess[peak])
    if len(fallen):  # once below half the peak, it stays below half
        assert after[fallen[0] :].max() <= 0.5 * excess[peak]


# Price metrics still set by rationing at the willingness to pay (issue 18 stays open on
# them). Claim 7's lithium volatility ratio moves 34% (seed 1, session 10): in the opaque
# world lithium's 2031-2040 shortage is rationed inside battery makers' willingness to pay
# (yearly mean 1.5-1.6x 2023 with it, 1.9-2.6x with it doubled; the transparent world
# 1.3-1.5x and 1.5-1.9x), so the ratio reads the rationing, not investors' information.
# Off the list (seed 1): claim 1's three rare-earth rows once exports leave China outside
# authorised channels (11%, 10% and 6%; 89%, 81% and 26% before: the 2010 licences outlasted
# every stock and were rationed at users' willingness to pay, now the evasion cost bounds
# the price in Japan), claim 6's volatility ratio of the segmented world once by-product
# circuits idle and restart by the sites' rule (7%; 42% while circuits stopped and started
# with each month's price after sites idled, 7% before that), the graphite premium once
# users' cover curve was measured on the base cover (21%), claim 9's cobalt peak once
# governments weighed their bans and bans leak (1%), Indonesia's nickel ban once refiners
# kept their covers.
# Listed, so that a new one fails the test and a fixed one must be taken off.
AT_THE_CAP = {
    (7, "volatility of the lithium price 2023-2040, transparent / opaque"),
}


@pytest.mark.slow
def test_doubling_every_willingness_to_pay_moves_no_other_price_metric_by_a_quarter():
    table = changes(seed=1, workers=2)
    moved = table[table.change > TOLERANCE]
    assert set(zip(moved.claim, moved.metric, strict=True)) == AT_THE_CAP, moved


@pytest.mark.slow
def test_the_in_sample_graphite_episode_lands_within_a_factor_of_two_of_history():
    from abm.replicate import metrics
    from abm.replicate.summary import summarise

    graphite = run("graphite-licensing-2023", seed=1, end="2024-03")
    runs = {"policy": summarise(graphite.model, "graphite-licensing-2023")}
    rush = metrics.china_exports_pct(runs, "policy", "graphite", "2023-11", 1, "2023-01", 10)
    fall = metrics.china_exports_pct(runs, "policy", "graphite", "2023-12", 1, "2023-01", 10)
    assert 81.0 <= rush <= 324.0  # history +162%
    assert -100.0 < fall <= -37.5  # history -75%, from the review, not a zero cap


@pytest.mark.slow
def test_the_in_sample_gallium_episode_lands_within_a_factor_of_two_of_history():
    from abm.replicate import metrics
    from abm.replicate.summary import summarise

    gallium = run("gallium-germanium-2023", seed=1, end="2024-01")
    runs = {"policy": summarise(gallium.model, "gallium-germanium-2023")}
    rise = metrics.rise_pct(runs, "policy", "gallium", "ex_china", "2023-12", 1, "2023-06", 1)
    assert 57.0 <= rise <= 228.0  # history +114%
