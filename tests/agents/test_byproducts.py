"""By-products: gallium, germanium and cobalt capacity follows their hosts, up to a recovery
limit that investment raises; circuits idle, restart and retire by the sites' rule."""

from __future__ import annotations

import numpy as np
import pytest

from abm.model import MineralsModel
from abm.outputs import balance_table, largest_relative_residual
from abm.world.hosts import EXOGENOUS_HOSTS, host_output


def model(**settings) -> MineralsModel:
    return MineralsModel(rng=1, end="2024-12", **settings)


def cell(m: MineralsModel, mineral: str, country: str) -> int:
    b, world = m.byproducts, m.world
    here = (b.mineral == world.minerals.index(mineral)) & (
        b.location == world.countries.index(country)
    )
    return int(np.flatnonzero(here)[0])


def rows(m: MineralsModel, mineral: str, country: str) -> np.ndarray:
    mines, world = m.mines, m.world
    return np.flatnonzero(
        (mines.mineral == world.minerals.index(mineral))
        & (mines.location == world.countries.index(country))
    )


def test_gallium_capacity_doubles_when_its_alumina_host_doubles():
    base, doubled = model(), model()
    china = cell(doubled, "gallium", "CN")
    doubled.byproducts.host_paths[EXOGENOUS_HOSTS.index("alumina"), china, 1:] *= 2.0
    for m in (base, doubled):
        m.step()
        m.step()
    gallium = rows(base, "gallium", "CN")
    before = base.mines.capacity_in(1)[gallium].sum()
    assert before > 0
    assert doubled.mines.capacity_in(1)[gallium].sum() == pytest.approx(2.0 * before)
    # The host's first month was as in the base run.
    assert doubled.mines.capacity_in(0)[gallium].sum() == pytest.approx(
        base.mines.capacity_in(0)[gallium].sum()
    )


def test_drc_cobalt_capacity_follows_drc_copper_mine_output_in_the_model():
    base, halved = model(), model()
    copper = rows(halved, "copper", "CD")
    halved.mines.hold_capacity(copper, 0, 0.5 * halved.mines.capacity_in(0)[copper])
    for m in (base, halved):
        for _ in range(12):
            m.step()
    drc = cell(base, "cobalt", "CD")
    ratio = halved.byproducts.installed[drc] / base.byproducts.installed[drc]
    copper_ratio = halved.mines.output[copper].sum() / base.mines.output[copper].sum()
    assert copper_ratio < 0.7
    assert ratio < 0.8
    # Capacity is host output times recovery: the smoothed host tracks the mines' output.
    host = halved.byproducts.host_now[drc]
    assert halved.byproducts.installed[drc] == pytest.approx(
        host * halved.byproducts.recovery[drc, 11]
    )


def _invest_at(m: MineralsModel, price_multiple: float, decisions: int) -> None:
    """Investors at every gallium circuit expect ``price_multiple`` times the 2023 price."""
    mines = m.mines
    gallium = mines.mineral == m.world.minerals.index("gallium")
    mines.investment_price[gallium] = (
        price_multiple * m.world.reference_price[m.world.minerals.index("gallium"), 0]
    )
    error = np.ones(len(m.world.minerals))
    for _ in range(decisions):  # repeated decisions in the first month
        m.byproducts.invest(0, mines, m.world, m.conditions, m.settings, error)


def test_raising_recovery_raises_supply_within_its_limit_and_never_past_it():
    m = MineralsModel(rng=1, end="2026-12")  # long enough for a first circuit to arrive
    b = m.byproducts
    china = cell(m, "gallium", "CN")
    start = b.recovery[china, 0]
    _invest_at(m, 20.0, 1)
    assert b.recovery[china, -1] > start  # committed, arriving after the build time
    assert b.recovery[china, 0] == start
    _invest_at(m, 20.0, 60)
    assert np.all(b.recovery[:, -1] <= b.limit * (1 + 1e-12))
    assert b.recovery[china, -1] == pytest.approx(b.limit[china], rel=1e-3)
    australia = cell(m, "gallium", "AU")  # a restart where alumina is refined
    assert b.recovery[australia, 0] == 0.0
    assert b.recovery[australia, -1] > 0.0
    # A first circuit waits for the decision as well as the build; a raised one does not.
    first_month = np.flatnonzero(b.recovery[australia] > 0)[0]
    raised_month = np.flatnonzero(b.recovery[china] > start)[0]
    assert first_month - raised_month == m.world.decision_months[0, b.mineral[china]]


def test_recovery_is_not_raised_where_the_price_does_not_cover_its_cost():
    m = model()
    before = m.byproducts.recovery.copy()
    _invest_at(m, 0.1, 4)
    gallium = m.byproducts.mineral == m.world.minerals.index("gallium")
    assert np.array_equal(m.byproducts.recovery[gallium], before[gallium])


def test_recovery_investment_share_sets_how_fast_recovery_rises():
    slow, fast = model(recovery_investment_share=0.1), model(recovery_investment_share=0.8)
    for m in (slow, fast):
        _invest_at(m, 20.0, 1)
    china = cell(slow, "gallium", "CN")
    assert fast.byproducts.recovery[china, -1] > slow.byproducts.recovery[china, -1]


def _months_of_circuits(m: MineralsModel, rows: np.ndarray, prices: list[tuple[float, float]]):
    """Hold and review the circuits month by month, their short-run and investors' prices
    each month the given multiples of their unit cost; yields each month after review."""
    mines, capex = m.mines, m.world.capex_usd_per_tpa[0, m.mines.mineral]
    for month, (now, long_run) in enumerate(prices):
        m.byproducts.hold(month, mines, m.world, m.settings)
        mines.expected_price[rows] = now * mines.unit_cost[rows]
        mines.investment_price[rows] = long_run * mines.unit_cost[rows]
        mines.review_operations(month, m.settings, capex)
        yield month


def test_a_price_oscillating_around_a_circuits_cost_does_not_switch_it_off_and_on():
    m = model()
    gallium = rows(m, "gallium", "CN")
    swings = [(0.8, 0.8) if month % 2 else (1.2, 1.2) for month in range(20)]
    for month in _months_of_circuits(m, gallium, swings):
        assert np.all(m.mines.operating_capacity(month + 1)[gallium] > 0), month
    assert not m.mines.operations.idled[gallium].any()
    assert m.mines.operations.restarts[gallium].sum() == 0
    china = cell(m, "gallium", "CN")
    assert m.byproducts.installed[china] > 0


def test_a_circuit_idled_by_sustained_losses_restarts_only_after_the_delay_and_when_it_pays():
    m = MineralsModel(rng=1, end="2025-12", idle_after_loss_months=3, restart_months=4)
    gallium, operations = rows(m, "gallium", "CN"), m.mines.operations
    losses, outlook_poor, outlook_good = [(0.5, 0.5)] * 3, [(0.5, 0.5)] * 5, [(0.5, 2.0)] * 10
    months = _months_of_circuits(m, gallium, losses + outlook_poor + outlook_good)
    for month in months:
        if month < 2:  # two months of losses are not enough
            assert not operations.idled[gallium].any()
        elif month < 8:  # idle while the outlook does not pay a restart
            assert operations.idled[gallium].all() and (operations.restart_month[gallium] < 0).all()
            assert m.mines.operating_capacity(month + 1)[gallium].sum() == 0.0
        elif month == 8:  # it pays: decided now, running 1 + 4 months later
            assert (operations.restart_month[gallium] == 8 + 1 + 4).all()
        elif month < 12:
            assert m.mines.operating_capacity(month + 1)[gallium].sum() == 0.0
        else:
            assert np.all(m.mines.operating_capacity(month + 1)[gallium] > 0)
    assert np.all(operations.restarts[gallium] == 1)
    assert np.all(operations.restart_cost_usd[gallium] > 0)
    china = cell(m, "gallium", "CN")
    assert m.byproducts.installed[china] > 0  # the host ran on throughout


def test_a_circuit_idle_too_long_retires_and_its_share_of_recovery_goes():
    m = MineralsModel(rng=1, end="2025-12", idle_after_loss_months=2, retire_after_idle_months=3)
    gallium, b = rows(m, "gallium", "CN"), m.byproducts
    china = cell(m, "gallium", "CN")
    mines, operations = m.mines, m.mines.operations
    losing = gallium[-2:]  # the two dearest tranches lose money; the rest earn
    prices = np.where(np.isin(gallium, losing), 0.5, 2.0)
    capex = m.world.capex_usd_per_tpa[0, mines.mineral]
    for month in range(8):
        b.hold(month, mines, m.world, m.settings)
        kept = mines.capacity_in(month)[gallium[:-2]].copy()
        mines.expected_price[gallium] = prices * mines.unit_cost[gallium]
        mines.investment_price[gallium] = prices * mines.unit_cost[gallium]
        mines.review_operations(month, m.settings, capex)
    assert operations.retired[losing].all() and not operations.retired[gallium[:-2]].any()
    assert np.all(mines.capacity_in(7)[losing] == 0.0)
    assert np.all(b.share[np.isin(b.rows, losing)] == 0.0)
    # The cell lost the retired share of its recovery; the tranches left kept their capacity.
    assert b.recovery[china, 7] == pytest.approx(0.75 * b.recovery[china, 0])
    assert mines.capacity_in(7)[gallium[:-2]] == pytest.approx(kept)


def test_mines_do_not_invest_in_byproducts_as_mines_of_their_own():
    m = MineralsModel(rng=1, end="2030-12")  # long enough for projects to arrive
    mines = m.mines
    error = np.ones(len(m.world.minerals))
    m.step()
    mines.investment_price[:] = 50.0 * m.world.reference_price[mines.mineral, 0]
    before = mines.capacity_of(np.arange(len(mines)), m.running_months - 1).copy()
    mines.invest(0, m.world, m.conditions, m.settings, error)
    after = mines.capacity_of(np.arange(len(mines)), m.running_months - 1)
    assert np.array_equal(after[mines.byproduct], before[mines.byproduct])
    assert (after[~mines.byproduct] > before[~mines.byproduct]).any()
    # Without the by-product mechanism they invest as mines again.
    old = model(byproducts=False)
    assert old.byproducts is None and not old.mines.byproduct.any()


def test_holding_capacity_keeps_the_months_before():
    m = model()
    mines = m.mines
    gallium = rows(m, "gallium", "CN")
    history = mines.capacity_in(2)[gallium].copy()
    mines.hold_capacity(gallium, 5, np.full(len(gallium), 7.0))
    assert np.array_equal(mines.capacity_in(2)[gallium], history)
    assert np.all(mines.capacity_in(5)[gallium] == 7.0)
    assert np.all(mines.capacity[gallium, 5:] == 7.0)


def test_the_books_balance_with_byproduct_circuits():
    m = MineralsModel(rng=1, world_year=2022, start="2022-01", end="2023-12").run()
    assert largest_relative_residual(balance_table(m)) < 1e-9


def test_the_books_balance_while_circuits_idle_and_restart():
    m = MineralsModel(rng=1, end="2025-12", idle_after_loss_months=1, restart_months=1)
    gallium = rows(m, "gallium", "CN")
    for month in range(m.running_months):
        if month < 6:  # losses idle the circuits; they restart when the outlook recovers
            m.mines.investment_price[gallium] = 0.5 * m.mines.unit_cost[gallium]
        m.step()
    operations = m.mines.operations
    assert operations.restarts[gallium].sum() > 0
    assert m.recorder.mine_idled[:, gallium].sum() > 0
    assert largest_relative_residual(balance_table(m)) < 1e-9


def test_host_paths_cover_every_world_year():
    m = MineralsModel(rng=1, world_year=2010, start="2010-01", end="2010-03")
    paths = host_output(m.world.months)
    china = m.world.countries.index("CN")
    assert paths[EXOGENOUS_HOSTS.index("alumina"), china, 0] > 0
    assert paths[EXOGENOUS_HOSTS.index("zinc"), china, 0] > 0
    assert m.byproducts.host_now[cell(m, "gallium", "CN")] > 0


def test_the_capacity_path_written_out_is_what_each_month_offered():
    m = MineralsModel(rng=1, end="2024-06").run()
    recorded = m.recorder.mine_capacity
    assert len(recorded) == m.running_months  # the path runs on past the end; outputs do not
    assert np.array_equal(recorded, m.mines.capacity.T[: m.running_months])
