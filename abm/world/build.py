"""``build_world``: the calibration tables and settings in, the World of a run out."""

from __future__ import annotations

import numpy as np

from abm.data import COUNTRIES, MINERALS, SECTORS, Calibration
from abm.data.balance import reported_balance
from abm.settings import ModelSettings
from abm.world.adjust import apply_adjustments
from abm.world.costs import marginal_costs, reference_prices
from abm.world.demand import buyers_and_needs, recyclers
from abm.world.hosts import host_output, last_host_year
from abm.world.investment import investment_terms, lookahead_months
from abm.world.months import month_starts, path_starts
from abm.world.sites import Tables, sites_and_capacity
from abm.world.state import World
from abm.world.stocks import evidence_stocks
from abm.world.trade import transport_costs
from abm.world.transit import transit_months
from abm.world.willingness import cost_shares_and_margins


def build_world(
    calibration: Calibration,
    settings: ModelSettings,
    rng: np.random.Generator,
    adjustments: list[dict] | tuple = (),
) -> World:
    """Arrays and agent specifications for a run; ``rng`` draws the unit-cost jitter.

    ``adjustments`` change the calibrated world: each multiplies the capacity (now and along
    the pipeline) of the sites of one mineral, stage and location (and owner, if given).
    """
    months = month_starts(settings)
    # The paths run past the run's end by what investors look ahead, so a month of the run
    # does not depend on when the run ends; outputs cover the run's months only.
    calendar = path_starts(settings, lookahead_months(calibration), last_data_year(calibration))
    prices = reference_prices(calibration)
    tables = Tables.of(calibration)
    mined_total = np.array([tables.supply(m, "raw").tonnes.sum() for m in MINERALS])
    recycling = calibration.recycling.set_index("mineral").reindex(list(MINERALS))
    secondary = recycling.secondary_share.fillna(0.0).to_numpy(float)
    world_demand = mined_total / (1.0 - secondary) / 12.0
    transport = transport_costs(calibration)
    pivots = marginal_costs(calibration, prices, transport, settings.substitution_elasticity)
    sites, paths = sites_and_capacity(
        calibration, tables, settings, rng, prices, pivots, mined_total, calendar
    )
    apply_adjustments(sites, paths, adjustments)
    # Buyers use what the base year's sources say was used: production less the reported
    # surplus (abm.data.balance), so stocks build or draw at the reported rate.
    use = world_demand / (1.0 + reported_balance(calibration.year))
    buyers, need, growth = buyers_and_needs(calibration, use, calendar, settings)
    cost_share, product_margin = cost_shares_and_margins(calibration, buyers, need)
    return World(
        countries=COUNTRIES,
        minerals=MINERALS,
        sectors=SECTORS,
        months=months,
        reference_price=prices,
        transport_usd_per_t=transport,
        world_demand_2023=world_demand,
        secondary_share=secondary,
        end_of_life_months=recycling.end_of_life_years.fillna(15.0).to_numpy(float) * 12.0,
        collection_rate_2023=recycling.collection_rate_2023.to_numpy(float),
        sites=sites,
        capacity_path=paths,
        buyers=buyers,
        need=need,
        growth=growth,
        demand_path=(need[:, :, None] * growth).sum(axis=0)
        / np.maximum(need.sum(axis=0)[:, None], 1e-300),
        recyclers=recyclers(need, buyers, world_demand, secondary),
        **investment_terms(calibration),
        cost_share=cost_share,
        product_margin=product_margin,
        **evidence_stocks(calibration, buyers),
        transit_months=transit_months(calibration),
        host_output=host_output(calendar),
    )


def last_data_year(calibration: Calibration) -> int:
    """The last year any path's data cites (pipeline, demand outlook, hosts)."""
    years = (calibration.pipeline.year, calibration.demand_growth.year)
    return max(last_host_year(), *(int(y.max()) for y in years if len(y)))
