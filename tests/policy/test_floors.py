"""A price floor holds its producers' price, its payments and offtakes balance, and its
investors expect at least the floor (``abm.policy.floors``)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from abm.agents.sites import site_prices
from abm.model import MineralsModel
from abm.outputs import largest_relative_residual, tables
from abm.policy.instruments import Policy, PolicyError, policy_from_record

REFINED = 1
HIGH = 2.0e5  # USD/t: above the rare-earth refined price of the run (about 1.3e5)
LOW = 1.0e4  # below it: the floor never binds


@pytest.fixture(scope="module")
def calibration(small_calibration):
    """The small hand-made world of eight countries (conftest.shrink)."""
    return small_calibration


def floor(level: float, share: float = 0.0, **fields) -> Policy:
    params = {"floor_usd_per_t": level, "offtake_share": share, **fields}
    return Policy("price_floor", "US", "rare_earths", "refined", params=params)


class Watched(MineralsModel):
    """The model, keeping each month what the covered refineries received and sold."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.seen: list[tuple[np.ndarray, np.ndarray]] = []

    def step(self) -> None:
        settle = self.floors.settle

        def watching(date, raw, refined):
            here = self.floors.covered(self.policies.policies[0], "rare_earths", "refined")
            price = site_prices(self.refineries, refined)[here]
            self.seen.append((price, self.refineries.sold[here].copy()))
            settle(date, raw, refined)

        self.floors.settle = watching
        super().step()
        self.floors.settle = settle


def watched(calibration, policy, end="2023-12") -> Watched:
    return Watched(rng=1, calibration=calibration, end=end, policies=[policy]).run()


@pytest.fixture(scope="module")
def high(calibration):
    return watched(calibration, floor(HIGH, 0.5))


def test_a_floor_above_the_price_pays_the_gap_on_every_tonne_sold(high):
    rows = high.floors.table()
    assert len(rows) == 12
    for (price, sold), row in zip(high.seen, rows.itertuples(), strict=True):
        assert (price < HIGH).all()
        assert row.payment_usd == pytest.approx(((HIGH - price) * sold).sum(), rel=1e-12)
        assert row.tonnes_topped_up == pytest.approx(sold.sum(), rel=1e-12)
        # Received = market revenue + top-up: the floor on every tonne sold.
        received = (price * sold).sum() + row.payment_usd
        assert received == pytest.approx(HIGH * sold.sum(), rel=1e-12)
    assert rows.payment_usd.sum() > 0


def test_a_floor_below_the_price_pays_nothing(calibration):
    model = watched(calibration, floor(LOW, 0.5))
    rows = model.floors.table()
    assert all((price > LOW).all() for price, _ in model.seen)
    assert (rows.payment_usd == 0).all() and (rows.tonnes_topped_up == 0).all()


def test_offtake_tonnes_are_held_by_the_government_and_the_books_balance(calibration, high):
    plain = MineralsModel(rng=1, calibration=calibration, end="2023-12").run()
    rows = high.floors.table()
    assert rows.offtake_t.sum() > 0
    assert np.allclose(rows.offtake_cost_usd, rows.offtake_t * HIGH, rtol=1e-12)
    us, mineral = high.world.countries.index("US"), high.world.minerals.index("rare_earths")
    gained = high.stockpiles.stock[us, mineral] - plain.stockpiles.stock[us, mineral]
    assert gained == pytest.approx(rows.offtake_t.sum(), rel=1e-9)
    found = tables(high)
    balance = found["balance"]
    assert largest_relative_residual(balance) < 1e-9
    assert found["floors"].offtake_t.sum() == pytest.approx(rows.offtake_t.sum())
    here = (balance.mineral == "rare_earths") & (balance.stage == "refined")
    assert balance[here].held_by_governments.iloc[-1] == pytest.approx(
        high.stockpiles.held_by_mineral()[mineral]
    )


def test_no_offtake_without_an_offtake_share(calibration):
    model = watched(calibration, floor(HIGH, 0.0), end="2023-06")
    rows = model.floors.table()
    assert (rows.offtake_t == 0).all() and rows.payment_usd.sum() > 0


def test_investors_of_covered_sites_expect_at_least_the_floor_and_others_do_not(calibration):
    model = MineralsModel(rng=1, calibration=calibration, end="2023-03", policies=[floor(HIGH)])
    model.run()
    here = model.floors.covered(model.policies.policies[0], "rare_earths", "refined")
    elsewhere = (model.refineries.mineral == model.refineries.mineral[here][0]) & ~here
    own = model.refineries.investment_price.copy()
    with model.floors.investors_expect_floors():
        seen = model.refineries.investment_price.copy()
    assert (own[here] < HIGH).all() and (seen[here] == HIGH).all()
    assert np.array_equal(seen[elsewhere], own[elsewhere])
    assert np.array_equal(model.refineries.investment_price, own)  # theirs comes back


def test_the_floor_leaves_uncovered_sites_and_runs_without_it_alone(calibration):
    """A floor that never starts changes nothing; one covering another owner covers none."""
    plain = tables(MineralsModel(rng=1, calibration=calibration, end="2023-06").run())
    for policy in (
        Policy("price_floor", "US", "rare_earths", "refined", start="2030-01"),
        floor(HIGH, 1.0, owners=["JP"]),
    ):
        model = MineralsModel(rng=1, calibration=calibration, end="2023-06", policies=[policy])
        found = tables(model.run())
        for name in ("prices", "flows", "supply", "balance", "capacity"):
            pd.testing.assert_frame_equal(plain[name], found[name], check_exact=True)
    assert (found["floors"].payment_usd == 0).all()


def test_a_run_without_a_floor_writes_no_floors_table(calibration):
    model = MineralsModel(rng=1, calibration=calibration, end="2023-02").run()
    assert "floors" not in tables(model)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("floor_usd_per_t", -1.0, "floor_usd_per_t: -1.0 is below the minimum"),
        ("floor_usd_per_t", float("nan"), "floor_usd_per_t: nan is not a finite number"),
        ("floor_usd_per_t", "high", "floor_usd_per_t: expected a number"),
        ("offtake_share", 1.5, "offtake_share: 1.5 is above the maximum"),
        ("owners", ["MP"], "owners 'MP' is not one of"),
        ("floor", 1.0, "unknown field 'floor'"),
    ],
)
def test_bad_floor_parameters_are_refused_naming_the_field(field, value, message):
    record = {"kind": "price_floor", "country": "US", "mineral": "rare_earths", field: value}
    with pytest.raises(PolicyError, match=message) as caught:
        policy_from_record(record)
    assert "\n" not in str(caught.value)


def test_the_readme_names_every_column_of_the_floors_table(high):
    from test_readme import outputs_table  # tests/ is on the path, as support is

    row = outputs_table()["floors.parquet"]
    missing = [c for c in tables(high)["floors"].columns if not re.search(rf"\b{c}\b", row)]
    assert not missing, f"the README does not name {missing}"
