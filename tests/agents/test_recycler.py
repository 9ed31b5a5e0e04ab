"""Recyclers: end-of-life flows from past use, collected at the cited rates."""

from __future__ import annotations

import numpy as np
import pytest

from abm.agents.recycler import RecyclerFleet

LIFE = 144.0  # months: a 12-year product life


def fleet(order: int, output: float = 2.0, consumption: float = 100.0) -> RecyclerFleet:
    return RecyclerFleet(
        mineral=np.array([0]),
        country=np.array([0]),
        output_2023=np.array([output]),
        end_of_life_months=np.array([LIFE]),
        consumption_2023=np.array([consumption]),
        collection_rate_2023=np.array([0.2]),
        cost_usd_per_t=np.array([1.0]),
        life_order=order,
    )


def test_the_2023_end_of_life_flow_is_secondary_output_over_the_collection_rate():
    recyclers = fleet(3)
    assert recyclers.end_of_life[0] == pytest.approx(10.0)  # 2 t recycled / 0.2 collected
    assert recyclers.collection_rate[0] == 0.2
    # In steady state the first month collects what 2023 recycled.
    recyclers.collect(np.array([[10.0]]), recyclers.collection_rate, np.zeros(1))
    assert recyclers.collected[0] == pytest.approx(2.0)


def _returns(order: int, months: int = 1200) -> np.ndarray:
    """End-of-life tonnes each month after 1,000 t used in the first month, on top of a
    chain started empty."""
    recyclers = fleet(order, output=0.0)
    out = []
    for month in range(months):
        used = np.array([[1000.0 if month == 0 else 0.0]])
        recyclers.collect(used, np.zeros(1), np.zeros(1))
        out.append(recyclers.end_of_life[0])
    return np.array(out)


def test_a_year_of_use_comes_back_around_its_life_and_every_tonne_comes_back():
    spread, exponential = _returns(3), _returns(1)
    months = np.arange(len(spread))
    for returns in (spread, exponential):
        assert returns.sum() == pytest.approx(1000.0, rel=1e-3)
        assert (months * returns).sum() / returns.sum() == pytest.approx(LIFE, rel=0.02)
    # Three stages return under 2% in the first year; one stage returns about 8%.
    assert spread[:12].sum() < 20.0 < 70.0 < exponential[:12].sum()
    assert abs(int(np.argmax(spread)) - 2 * LIFE / 3) <= 2  # the mode of an Erlang-3
