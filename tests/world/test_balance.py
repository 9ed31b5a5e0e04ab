"""Each world starts from the market balance its sources report for its base year."""

from __future__ import annotations

import numpy as np
import pytest

from abm.data import MINERALS
from abm.data.balance import reported_balance
from abm.experiment import build


def test_the_2023_balance_is_the_reported_one():
    shares = dict(zip(MINERALS, reported_balance(2023), strict=True))
    assert shares["nickel"] == pytest.approx(0.0511)  # INSG: production 3.36 Mt, use 3.19 Mt
    assert shares["cobalt"] == pytest.approx(0.0710)
    assert shares["copper"] == pytest.approx(-0.0023)


@pytest.mark.parametrize("year", [2023, 2013])
def test_buyers_use_the_supply_less_the_reported_surplus(year, tmp_path):
    scenario = tmp_path / "base-year.toml"
    scenario.write_text(
        f'name = "base-year"\nworld = {year}\nstart = "{year}-01"\nend = "{year}-03"\n'
    )
    world = build(str(scenario), seed=1).world
    use = world.need.sum(axis=0)
    np.testing.assert_allclose(use, world.world_demand_2023 / (1.0 + reported_balance(year)))
    assert (use < world.world_demand_2023).any()  # some surplus is reported in each
