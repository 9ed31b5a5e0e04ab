"""Leakage round bans (``abm.leakage``): a closed pair is served through a third country,
within its limit, visible in the flows table and kept in the books; crackdowns close it."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from abm.leakage import Leakage, _cheapest_via
from abm.market import Frictions
from abm.model import MineralsModel
from abm.outputs import largest_relative_residual, tables
from abm.policy.instruments import Policy
from abm.settings import ModelSettings
from abm.transit import lag_fractions

BAN = Policy(
    kind="export_ban",
    country="CN",
    mineral="gallium",
    stage="refined",
    targets=("US",),
    start="2024-01",
)
CRACKDOWN = replace(BAN, kind="enforcement_crackdown")  # by China, on the same pair


def _run(policies: list[Policy], **settings) -> MineralsModel:
    """A run to 2024-12 with third-country routes alone: unrecorded exports (the origin's
    own route, ``tests/test_evasion.py``) off unless ``settings`` turn them on."""
    chosen = ModelSettings(end="2024-12", **{"evasion_limit_share": 0.0, **settings})
    return MineralsModel(rng=1, settings=chosen, policies=policies).run()


@pytest.fixture(scope="module")
def leaking() -> tuple[MineralsModel, dict[str, pd.DataFrame]]:
    model = _run([BAN])
    return model, tables(model)


def _banned_pair(flows: pd.DataFrame) -> pd.DataFrame:
    return flows[
        (flows.mineral == "gallium")
        & (flows.stage == "refined")
        & (flows.origin == "CN")
        & (flows.destination == "US")
    ]


def test_a_ban_with_leakage_allowed_lets_some_flow_through_a_third_country(leaking):
    _, found = leaking
    pair = _banned_pair(found["flows"])
    after = pair[pair.date >= "2024-01-01"]
    assert len(after) and after.via.notna().all()  # no tonne goes direct
    assert after.tonnes.sum() > 0
    assert not set(after.via.astype(str)) & {"CN", "US"}
    before = pair[pair.date < "2024-01-01"]
    assert len(before) and before.via.isna().all()


def test_leaked_tonnes_stay_within_the_limit_of_the_pre_ban_flow(leaking):
    model, found = leaking
    pair = _banned_pair(found["flows"])
    monthly_before = pair[pair.date < "2024-01-01"].tonnes.sum() / 12
    leaked = pair[pair.date >= "2024-01-01"].tonnes
    assert leaked.max() <= model.settings.leak_limit_share * monthly_before * (1 + 1e-6)


def test_the_books_balance_with_leaked_flows_in_transit(leaking):
    model, found = leaking
    assert largest_relative_residual(found["balance"]) < 1e-9
    # The two legs take longer than the direct route: tonnes are still on their way.
    assert model.leakage.via_months[1].max() > 0
    assert found["balance"].held_by_in_transit.gt(0).any()


@pytest.mark.parametrize(
    ("policies", "settings"),
    [
        ([BAN, CRACKDOWN], {"evasion_limit_share": 0.59}),
        ([BAN], {"leak_limit_share": 0.0}),
    ],
    ids=["crackdown", "limit-zero"],
)
def test_no_flow_leaks_when_enforcement_is_total(policies, settings):
    found = tables(_run(policies, **settings))
    flows = found["flows"]
    assert flows.via.isna().all()
    pair = _banned_pair(flows)
    assert pair[pair.date >= "2024-01-01"].empty


def test_a_partial_crackdown_leaks_less(leaking):
    _, found = leaking
    half = replace(CRACKDOWN, params={"strength": 0.5})
    tightened = _banned_pair(tables(_run([BAN, half]))["flows"])
    full = _banned_pair(found["flows"])
    assert 0 < tightened[tightened.via.notna()].tonnes.sum() < full[full.via.notna()].tonnes.sum()


def _frictions(n: int = 4) -> Frictions:
    transport = np.full((1, n, n), 100.0)
    return Frictions.free_trade(1, n, transport)


def test_the_route_goes_through_the_cheapest_country_trading_freely_with_both_ends():
    frictions = _frictions()
    frictions.transport_usd_per_t[0, 0, 2] = 10.0  # 0 -> 2 -> 1 is the cheaper way
    frictions.allowed[0, 0, 1] = False
    free = frictions.allowed & np.isinf(frictions.cap_tonnes)
    via, found = _cheapest_via(frictions, free, np.full((1, 4), 1000.0))
    assert found[0, 0, 1] and via[0, 0, 1] == 2
    frictions.cap_tonnes[0, 0, 2] = 5.0  # a capped leg is not free: the next cheapest
    free = frictions.allowed & np.isinf(frictions.cap_tonnes)
    via, found = _cheapest_via(frictions, free, np.full((1, 4), 1000.0))
    assert found[0, 0, 1] and via[0, 0, 1] == 3


def test_a_ban_on_every_target_has_no_route_round_it():
    frictions = _frictions()
    frictions.allowed[0, 0, 1:] = False
    free = frictions.allowed & np.isinf(frictions.cap_tonnes)
    _, found = _cheapest_via(frictions, free, np.full((1, 4), 1000.0))
    assert not found[0, 0, 1:].any()


def test_a_binding_licence_quota_leaks_beyond_it_within_the_limit():
    licensing = Policy(
        kind="export_licensing",
        country="CN",
        mineral="gallium",
        stage="refined",
        targets=("US", "JP"),
        start="2024-01",
        params={"quota_share": 0.2},
    )
    model = _run([licensing])
    found = tables(model)
    flows = found["flows"]
    pair = flows[
        (flows.mineral == "gallium")
        & (flows.stage == "refined")
        & (flows.origin == "CN")
        & (flows.destination == "JP")
    ]
    before = pair[pair.date < "2024-01-01"].tonnes.sum() / 12
    after = pair[pair.date >= "2024-01-01"]
    direct, leaked = after[after.via.isna()], after[after.via.notna()]
    assert direct.tonnes.max() <= 0.2 * before * 1.01  # the quota holds
    assert leaked.tonnes.sum() > 0
    assert leaked.tonnes.max() <= model.settings.leak_limit_share * before * (1 + 1e-6)
    assert largest_relative_residual(found["balance"]) < 1e-9


def test_leaked_tonnes_travel_both_legs_and_direct_tonnes_their_own_route():
    leakage = Leakage(1, 3, ModelSettings())
    leakage.via[1, 0, 0, 1] = 2
    leakage.via_months[1, 0, 0, 1] = 2.0  # two legs of a month each
    leakage.quota[1, 0, 0, 1] = 10.0  # a capped pair: its quota goes direct
    flows = np.zeros((1, 3, 3))
    flows[0, 0, 1] = 20.0
    leakage.record(1, flows)
    direct = lag_fractions(np.zeros((3, 3)))[:, None]  # every route arrives at once
    lags = leakage.route_lags(1, direct, flows, lag_fractions)
    np.testing.assert_allclose(lags[:, 0, 0, 1], [0.5, 0.0, 0.5])  # half leaked, two months
    np.testing.assert_allclose(lags[:, 0, 1, 0], [1.0, 0.0, 0.0])
