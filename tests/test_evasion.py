"""Exports outside authorised channels (``abm.leakage``): a banned or capped pair may export
unrecorded, direct, within its limit; the public record and licence use leave them out; the
books keep them; a crackdown or a limit of zero stops them."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from abm.leakage import DIRECT, Leakage
from abm.market import Frictions
from abm.model import MineralsModel
from abm.outputs import largest_relative_residual, tables
from abm.policy.instruments import Policy
from abm.replicate.summary import summarise
from abm.settings import ModelSettings

BAN_ALL = Policy(
    kind="export_ban",
    country="CN",
    mineral="gallium",
    stage="refined",
    targets="all",
    start="2024-01",
)
LICENCES = replace(BAN_ALL, kind="export_licensing", params={"quota_share": 0.2})
CRACKDOWN = replace(BAN_ALL, kind="enforcement_crackdown")  # by China, on every target


def _run(policies: list[Policy], **settings) -> MineralsModel:
    return MineralsModel(
        rng=1, settings=ModelSettings(end="2024-12", **settings), policies=policies
    ).run()


def _from_china(flows: pd.DataFrame) -> pd.DataFrame:
    return flows[(flows.mineral == "gallium") & (flows.stage == "refined") & (flows.origin == "CN")]


@pytest.fixture(scope="module")
def banned() -> tuple[MineralsModel, dict[str, pd.DataFrame]]:
    model = _run([BAN_ALL])
    return model, tables(model)


@pytest.fixture(scope="module")
def licensed() -> tuple[MineralsModel, dict[str, pd.DataFrame]]:
    model = _run([LICENCES])
    return model, tables(model)


def test_a_ban_on_every_target_leaves_unrecorded_and_direct_only_once_in_force(banned):
    _, found = banned
    exports = _from_china(found["flows"])
    abroad = exports[exports.destination != "CN"]
    after = abroad[abroad.date >= "2024-01-01"]
    assert after.tonnes.sum() > 0
    assert (after.via.astype(str) == "CN").all()  # the origin's own route: unrecorded
    before = abroad[abroad.date < "2024-01-01"]
    assert len(before) and before.via.isna().all()


def test_unrecorded_exports_stay_within_the_limit_of_the_pre_restriction_flow(banned):
    model, found = banned
    abroad = _from_china(found["flows"])
    abroad = abroad[abroad.destination != "CN"]
    monthly_before = abroad[abroad.date < "2024-01-01"].groupby("destination", observed=True)
    limit = model.settings.evasion_limit_share * monthly_before.tonnes.sum() / 12
    after = abroad[abroad.date >= "2024-01-01"]
    most = after.groupby("destination", observed=True).tonnes.max()
    assert len(most) and (most <= limit.reindex(most.index) * (1 + 1e-6)).all()


def test_the_books_balance_with_unrecorded_exports(banned, licensed):
    for _, found in (banned, licensed):
        assert largest_relative_residual(found["balance"]) < 1e-9


def test_the_public_record_and_recorded_exports_leave_unrecorded_tonnes_out(banned):
    model, _ = banned
    rec, m = model.recorder, model.world.minerals.index("gallium")
    cn = model.world.countries.index("CN")
    unrecorded = rec.unrecorded_flows()
    last = rec.months_done - 1
    assert unrecorded[1, last, m, cn].sum() > 0
    seen = model.observations.recent_flows(1, 1)[0, m, cn]
    np.testing.assert_allclose(seen, rec.flows[1, last, m, cn] - unrecorded[1, last, m, cn])
    summary = summarise(model, "ban", [BAN_ALL])
    in_force = [t for t, month in enumerate(summary.months) if month >= "2024-01"]
    assert summary.china_exports[1, in_force, m].max() < 1e-6  # customs record nothing


def test_licence_use_counts_only_authorised_exports(licensed):
    model, found = licensed
    abroad = _from_china(found["flows"])
    abroad = abroad[abroad.destination != "CN"]
    after = abroad[abroad.date >= "2024-01-01"]
    unrecorded = after[after.via.astype(str) == "CN"].tonnes.sum()
    assert unrecorded > 0  # beyond the quota, once buyers pay its cost
    summary = summarise(model, "licences", [LICENCES])
    m = model.world.minerals.index("gallium")
    in_force = [t for t, month in enumerate(summary.months) if month >= "2024-01"]
    recorded = summary.china_exports[1, in_force, m].sum()
    np.testing.assert_allclose(recorded, after.tonnes.sum() - unrecorded, rtol=1e-9)


@pytest.mark.parametrize(
    ("policies", "settings"),
    [
        ([BAN_ALL, CRACKDOWN], {}),
        ([BAN_ALL], {"evasion_limit_share": 0.0}),
        ([LICENCES], {"evasion_limit_share": 0.0}),
    ],
    ids=["crackdown", "limit-zero", "licences-limit-zero"],
)
def test_no_unrecorded_exports_with_the_limit_at_zero_or_total_enforcement(policies, settings):
    flows = tables(_run(policies, **settings))["flows"]
    assert not (flows.via.astype(str) == flows.origin.astype(str)).any()


def _capped_pair(price: float = 1000.0, export_tax: float = 0.2) -> tuple[Frictions, Leakage]:
    """Two countries; 0 -> 1 capped at 5 t (no third country to go through)."""
    frictions = Frictions.free_trade(1, 2, np.full((1, 2, 2), 100.0))
    frictions.cap_tonnes[0, 0, 1] = 5.0
    frictions.export_tax[0, 0, 1] = export_tax
    return frictions, Leakage(1, 2, ModelSettings())


def _route(frictions: Frictions, leakage: Leakage, allowance: float = 1.0) -> Frictions:
    flows = np.zeros((12, 1, 2, 2))
    flows[:, 0, 0, 1] = 10.0  # the pre-restriction flow: 10 t a month
    return leakage.route(
        1,
        frictions,
        np.full((1, 2, 2), allowance),
        np.full((1, 2), 1000.0),
        lambda months: flows[:months],
        np.zeros((2, 2)),
    )


def test_a_capped_pair_leaks_unrecorded_beyond_its_quota_at_the_evasion_cost():
    frictions, leakage = _capped_pair()
    routed = _route(frictions, leakage)
    settings = ModelSettings()
    assert leakage.via[1, 0, 0, 1] == 0  # its own origin: unrecorded
    np.testing.assert_allclose(routed.leak_tonnes[0, 0, 1], settings.evasion_limit_share * 10.0)
    markup = settings.evasion_mislabel_cost_share + settings.leak_enforcement_cost_share
    own = (1.2 * 1000.0 + 100.0) * 1.0
    np.testing.assert_allclose(
        routed.leak_rent[0, 0, 1], max(((1.0 + markup) * 1000.0 + 100.0) / own, 1.0)
    )
    assert (leakage.via[1][frictions.allowed & np.isinf(frictions.cap_tonnes)] == DIRECT).all()


def test_a_dearer_evasion_needs_a_higher_quota_rent_before_it_leaks():
    frictions, leakage = _capped_pair(export_tax=0.0)
    cheap = _route(frictions, leakage).leak_rent[0, 0, 1]
    dear = Leakage(1, 2, ModelSettings(evasion_mislabel_cost_share=2.0))
    assert _route(frictions, dear).leak_rent[0, 0, 1] > cheap > 1.0


def test_a_full_crackdown_closes_the_unrecorded_route():
    frictions, leakage = _capped_pair()
    routed = _route(frictions, leakage, allowance=0.0)
    assert routed is frictions and (leakage.via[1] == DIRECT).all()
