"""Stress: 2023-2060 monthly with every instrument active and governments deciding."""

from __future__ import annotations

import numpy as np
import pytest
from support.worlds import EVERY_INSTRUMENT

from abm.model import MineralsModel
from abm.outputs import largest_relative_residual, tables
from abm.policy.instruments import Policy

TARIFF, TAX = 0.25, 0.1

POLICIES = [
    *EVERY_INSTRUMENT,
    Policy("export_ban", "CN", "gallium", "refined", ("US",), start="2025-01"),
    Policy("ira_rules", "US", start="2024-01"),
]


@pytest.mark.slow
def test_to_2060_with_every_instrument_and_endogenous_policy():
    model = MineralsModel(rng=7, end="2060-12", policies=POLICIES, policy_mode="both")
    model.run()
    assert model.month == (2060 - 2023 + 1) * 12
    result = tables(model)
    for name, table in result.items():
        numbers = table.select_dtypes("number").to_numpy()
        assert np.isfinite(numbers).all(), name
    assert largest_relative_residual(result["balance"]) < 1e-9
    # Prices are bounded by the highest willingness to pay of the mineral's buyers (nobody
    # buys above it; refiners pay less for ore), up to trade costs: ramp smoothing, taxes,
    # tariffs, freight.
    settings = model.settings
    world = model.world
    prices = result["prices"]
    mineral = prices.mineral.cat.codes.to_numpy()
    choke = model.buyers.price_bound(settings, len(world.minerals))[mineral]
    bound = (
        choke
        * np.exp(2 * settings.ramp_width)
        * (1 + TARIFF + settings.retaliation_tariff)
        * (1 + TAX)
        + world.transport_usd_per_t.max()
    )
    assert (prices.price.to_numpy() <= bound).all()
    assert (prices.price > 0).all()
