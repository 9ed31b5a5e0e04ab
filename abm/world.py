"""The calibrated 2023 world: who mines, refines, recycles and buys what, where, at what cost.

``build_world`` turns the calibration tables (``abm.data``) into plain arrays and agent
specifications. Everything is on a contained-material basis (t Li, t Ni, t magnet REO, ...):
one tonne of raw material refines into one tonne of refined material, so tonnes can be
followed through the chain and the books can balance.

Calibration rules (each documented in docs/ODD.md):
* Mine capacity at a location = 2023 mine output / 2023 utilisation; refinery capacity =
  refining share x world mine output / utilisation, so primary refining uses what is mined.
* World refined demand in 2023 = mine output / (1 - secondary share): primary plus recycled.
* Unit costs follow a cost curve through the 2023 price at the 2023 utilisation: the
  cheapest tranches cost ``cost_low_frac`` of the price, the dearest ``cost_high_frac``,
  and the marginal tonne at 2023 utilisation costs the 2023 price (for refiners: the
  refined price less the raw price). Every location gets the same curve, so at 2023 prices
  each location runs at the same utilisation and the 2023 shares are reproduced.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from abm.data import COUNTRIES, MINERALS, SECTORS, STAGES, Calibration
from abm.settings import ModelSettings, month_index
from abm.validation import InputError, number

RAW, REFINED = 0, 1
ENTRANT = -1  # tranche number of a site that has no capacity yet
BASE_YEAR = 2023
EARTH_RADIUS_KM = 6371.0


@dataclass(frozen=True)
class World:
    """Arrays of the calibrated world; indices follow COUNTRIES, MINERALS and STAGES."""

    countries: tuple[str, ...]
    minerals: tuple[str, ...]
    sectors: tuple[str, ...]
    months: pd.DatetimeIndex  # first day of each simulated month
    reference_price: np.ndarray  # (mineral, stage) USD/t, 2023
    transport_usd_per_t: np.ndarray  # (stage, mineral, origin, destination)
    world_demand_2023: np.ndarray  # (mineral,) t/month of refined material
    secondary_share: np.ndarray  # (mineral,)
    end_of_life_months: np.ndarray  # (mineral,)
    sites: pd.DataFrame  # one row per mine or refinery tranche (stage, mineral, location, owner)
    capacity_path: np.ndarray  # (site, month) t/month from 2023 capacity and the pipeline
    buyers: pd.DataFrame  # one row per (country, sector)
    need: np.ndarray  # (buyer, mineral) t/month in 2023
    growth: np.ndarray  # (buyer, mineral, month) demand index, 2023 = 1
    demand_path: np.ndarray  # (mineral, month) world demand index, 2023 = 1 (what investors read)
    recyclers: pd.DataFrame  # one row per (country, mineral) with recycling capacity
    decision_months: np.ndarray  # (stage, mineral) exploration and permits, greenfield only
    build_months: np.ndarray  # (stage, mineral) construction to first output
    ramp_months: np.ndarray  # (stage, mineral)
    capex_usd_per_tpa: np.ndarray  # (stage, mineral)


def month_starts(settings: ModelSettings) -> pd.DatetimeIndex:
    """The first day of every simulated month."""
    return pd.date_range(start=f"{settings.start}-01", periods=settings.months, freq="MS")


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
    _GROUPS.clear()
    try:
        return _build(calibration, settings, rng, adjustments)
    finally:
        _GROUPS.clear()


def _build(calibration, settings, rng, adjustments) -> World:
    months = month_starts(settings)
    prices = _reference_prices(calibration)
    supply = calibration.supply
    mined_total = np.array([_rows(supply, mineral=m, stage="raw").tonnes.sum() for m in MINERALS])
    recycling = calibration.recycling.set_index("mineral").reindex(list(MINERALS))
    secondary = recycling.secondary_share.fillna(0.0).to_numpy(float)
    world_demand = mined_total / (1.0 - secondary) / 12.0
    transport = _transport(calibration)
    pivots = _marginal_costs(calibration, prices, transport, settings.substitution_elasticity)
    sites, paths = _sites(calibration, settings, rng, prices, pivots, mined_total, months)
    for adjustment in adjustments:
        chosen = _adjusted(sites, adjustment)
        if not (paths[chosen] > 0).any():  # multiplying nothing would silently do nothing
            having = sites.location[
                (sites.mineral == adjustment["mineral"]).to_numpy()
                & (sites.stage == adjustment["stage"]).to_numpy()
                & (paths > 0).any(axis=1)
            ]
            raise AdjustmentError(
                f"adjust: {adjustment['country']} has no {adjustment['mineral']} "
                f"{adjustment['stage']} capacity"
                + (f" owned by {adjustment['owner']}" if "owner" in adjustment else "")
                + f" to multiply; countries with some: {', '.join(sorted(set(having)))}"
            )
        paths[chosen] *= adjustment["capacity_multiplier"]
    buyers, need, growth = _buyers(calibration, world_demand, months, settings)
    lead, costs = calibration.lead_times, calibration.costs
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
        sites=sites,
        capacity_path=paths,
        buyers=buyers,
        need=need,
        growth=growth,
        demand_path=(need[:, :, None] * growth).sum(axis=0)
        / np.maximum(need.sum(axis=0)[:, None], 1e-300),
        recyclers=_recyclers(need, buyers, world_demand, secondary),
        decision_months=_by_stage(lead, "decision_months"),
        build_months=_by_stage(lead, "build_months"),
        ramp_months=_by_stage(lead, "ramp_months"),
        capex_usd_per_tpa=_by_stage(costs, "capex_usd_per_tpa"),
    )


ADJUST_KEYS = ("mineral", "stage", "country", "owner", "capacity_multiplier")


MAX_CAPACITY_MULTIPLIER = 1000.0  # larger multiples overflow the market's tonnes


class AdjustmentError(InputError):
    """An [[adjust]] entry names an unknown field or value."""


def check_adjustment(adjustment: dict, where: str = "adjust") -> None:
    """Refuse an adjustment with an unknown field, value or multiplier (before any run)."""
    for key in adjustment:
        if key not in ADJUST_KEYS:
            raise AdjustmentError(
                f"{where}: unknown field '{key}'; fields are: {', '.join(ADJUST_KEYS)}"
            )
    for key, allowed in (
        ("mineral", MINERALS),
        ("stage", STAGES),
        ("country", COUNTRIES),
        ("owner", COUNTRIES),
    ):
        if key == "owner" and key not in adjustment:
            continue
        value = adjustment.get(key)
        if not isinstance(value, str) or value not in allowed:
            raise AdjustmentError(f"{where}: {key} {value!r} is not one of {', '.join(allowed)}")
    number(
        f"{where}: capacity_multiplier",
        adjustment.get("capacity_multiplier"),
        low=0.0,
        high=MAX_CAPACITY_MULTIPLIER,
        error=AdjustmentError,
    )


def _adjusted(sites: pd.DataFrame, adjustment: dict) -> np.ndarray:
    """Which sites an adjustment changes (validated here too, for adjustments made in code)."""
    check_adjustment(adjustment)
    mask = (
        (sites.mineral == adjustment["mineral"])
        & (sites.stage == adjustment["stage"])
        & (sites.location == adjustment["country"])
    )
    if "owner" in adjustment:
        mask &= sites.owner == adjustment["owner"]
    return mask.to_numpy()


_GROUPS: dict[tuple[int, tuple[str, ...]], dict[tuple, pd.DataFrame]] = {}


def _rows(table: pd.DataFrame, **equal: str) -> pd.DataFrame:
    """Rows of ``table`` whose columns equal the given values (in table order).

    The world is built from a few hundred such look-ups; each table is grouped once per
    build (``_GROUPS``, cleared by ``build_world``) instead of compared row by row each time.
    """
    columns = tuple(equal)
    groups = _GROUPS.get((id(table), columns))
    if groups is None:
        groups = {
            key if isinstance(key, tuple) else (key,): frame
            for key, frame in table.groupby(list(columns), sort=False, observed=True)
        }
        groups[()] = table.iloc[0:0]  # the answer for values no row has
        _GROUPS[(id(table), columns)] = groups
    return groups.get(tuple(equal.values()), groups[()])


def _by_stage(table: pd.DataFrame, column: str) -> np.ndarray:
    """(stage, mineral) array of one column of a table keyed by stage and mineral."""
    value = dict(
        zip(zip(table.stage, table.mineral, strict=True), table[column].astype(float), strict=True)
    )
    return np.array([[value[(s, m)] for m in MINERALS] for s in STAGES])


def _reference_prices(calibration: Calibration) -> np.ndarray:
    table = calibration.prices.set_index(["mineral", "stage"]).price_usd_per_t
    return np.array([[float(table.loc[(m, s)]) for s in STAGES] for m in MINERALS])


def _transport(calibration: Calibration) -> np.ndarray:
    """Freight per tonne between every pair of countries; zero at home."""
    countries = calibration.countries.set_index("code").reindex(list(COUNTRIES))
    lat, lon = np.radians(countries.lat.to_numpy(float)), np.radians(countries.lon.to_numpy(float))
    dlat, dlon = lat[:, None] - lat[None, :], lon[:, None] - lon[None, :]
    chord = (
        np.sin(dlat / 2) ** 2 + np.cos(lat[:, None]) * np.cos(lat[None, :]) * np.sin(dlon / 2) ** 2
    )
    distance_km = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(chord, 0.0, 1.0)))
    table = calibration.transport.set_index(["stage", "mineral"])
    out = np.zeros((len(STAGES), len(MINERALS), len(COUNTRIES), len(COUNTRIES)))
    for s, stage in enumerate(STAGES):
        for m, mineral in enumerate(MINERALS):
            row = table.loc[(stage, mineral)]
            out[s, m] = row.fixed_usd_per_t + row.usd_per_t_per_1000km * distance_km / 1000.0
            np.fill_diagonal(out[s, m], 0.0)
    return out


def cost_curve(quantile: np.ndarray, low: float, pivot: float, high: float, utilisation: float):
    """Unit cost (share of the reference price) at a capacity quantile.

    Piecewise linear through (0, low), (utilisation, pivot) and (1, high): the tonne at the
    2023 utilisation is the marginal one and costs the 2023 price.
    """
    low, high = min(low, 0.9 * pivot), max(high, 1.1 * pivot)
    return np.interp(quantile, [0.0, utilisation, 1.0], [low, pivot, high])


def _location_shares(calibration: Calibration) -> np.ndarray:
    """2023 shares by (stage, mineral, country): mining, refining, and use (stage 2)."""
    shares = np.zeros((3, len(MINERALS), len(COUNTRIES)))
    for row in calibration.supply.itertuples():
        shares[
            STAGES.index(row.stage), MINERALS.index(row.mineral), COUNTRIES.index(row.country)
        ] = row.share
    for row in calibration.demand.itertuples():
        shares[2, MINERALS.index(row.mineral), COUNTRIES.index(row.country)] += row.share
    return shares


def _marginal_costs(
    calibration: Calibration, prices: np.ndarray, transport: np.ndarray, sigma: float
) -> np.ndarray:
    """Cost of the marginal 2023 tonne at each location, as a share of the 2023 price.

    Reference prices are delivered prices, so a mine far from the refiners nets back less,
    and a refiner far from mines and buyers pays more for ore and nets back less for its
    product. The marginal tonne of each location is set to break even at 2023 prices after
    freight: mines at ``P_raw - F_i``, ``F_i`` the freight to the refiners they sell to;
    refiners at ``P_refined - G_l - D_l``, ``G_l`` the freight to the buyers they sell to and
    ``D_l`` the delivered cost of the ore they buy. Trading partners are weighted as the market
    weights them (size times delivered cost to the power -sigma). Without this, 2023 shares
    drift toward the locations near their inputs and customers.
    """
    mining, refining, use = _location_shares(calibration)
    use = use / use.sum(axis=1, keepdims=True)
    raw_freight, refined_freight = transport[RAW], transport[REFINED]
    raw_price, refined_price = prices[:, RAW, None, None], prices[:, REFINED, None, None]
    # mine i -> refiner l, weighted by refiner size and closeness
    to_refiners = _weighted(refining[:, None, :], raw_price + raw_freight, sigma, axis=2)
    netback = prices[:, RAW, None] - (to_refiners * raw_freight).sum(axis=2)
    # refiner l buys ore from mine i, weighted by mine size and delivered cost
    delivered = netback[:, :, None] + raw_freight  # (m, i, l)
    from_mines = _weighted(mining[:, :, None], delivered, sigma, axis=1)
    delivered_ore = (from_mines * delivered).sum(axis=1)
    to_buyers = _weighted(use[:, None, :], refined_price + refined_freight, sigma, axis=2)
    freight_out = (to_buyers * refined_freight).sum(axis=2)
    conversion = prices[:, REFINED, None] - freight_out - delivered_ore
    pivots = np.stack([netback / prices[:, RAW, None], conversion / prices[:, REFINED, None]])
    return np.maximum(pivots, 0.02)


def _weighted(size: np.ndarray, cost: np.ndarray, sigma: float, axis: int) -> np.ndarray:
    """Shares proportional to size x cost ** -sigma along ``axis`` (the market's rule)."""
    weight = size * (cost / cost.min(axis=axis, keepdims=True)) ** -sigma
    total = weight.sum(axis=axis, keepdims=True)
    return np.divide(weight, total, out=np.zeros_like(weight), where=total > 0)


def _sites(calibration, settings, rng, prices, pivots, mined_total, months):
    """One row per cost tranche of every mine and refinery group, and its capacity path."""
    costs = calibration.costs.set_index(["stage", "mineral"])
    owners = calibration.ownership
    supply = calibration.supply
    rows, paths = [], []
    reserves = _with_reserves(calibration)
    years = _years(months)
    for s, stage in enumerate(STAGES):
        for m, mineral in enumerate(MINERALS):
            cost = costs.loc[(stage, mineral)]
            utilisation = float(cost.utilisation_2023)
            table = _rows(supply, mineral=mineral, stage=stage)
            if stage == "raw":
                output = table.set_index("country").tonnes
            else:
                output = table.set_index("country").share * mined_total[m]
            growth = _pipeline_paths(calibration, mineral, stage, output, years)
            if not settings.use_pipeline:  # 2023 capacity only, for locations producing then
                growth = {loc: np.ones(len(months)) for loc, value in output.items() if value > 0}
            for location, path in growth.items():
                capacity0 = float(output.get(location, 0.0)) / 12.0 / utilisation
                capacity = path / 12.0 / utilisation if capacity0 == 0 else capacity0 * path
                for owner, owner_share in _owners(owners, mineral, stage, location):
                    quantiles = (np.arange(settings.tranches) + 0.5) / settings.tranches
                    pivot = pivots[s, m, COUNTRIES.index(location)]
                    unit = cost_curve(
                        quantiles, cost.cost_low_frac, pivot, cost.cost_high_frac, utilisation
                    )
                    jitter = np.exp(settings.cost_jitter * rng.standard_normal(settings.tranches))
                    for tranche in range(settings.tranches):
                        rows.append(
                            (
                                stage,
                                mineral,
                                location,
                                owner,
                                tranche,
                                unit[tranche] * jitter[tranche] * prices[m, s],
                                pivot * prices[m, s],
                            )
                        )
                        paths.append(capacity * owner_share / settings.tranches)
            # Entrants: a site with no capacity yet wherever there is none, so that new
            # supply can appear where prices or policy call for it (mines only where the
            # country has reserves). Their unit cost is the location's marginal 2023 cost.
            for location in COUNTRIES:
                if location in growth or (stage == "raw" and (mineral, location) not in reserves):
                    continue
                pivot = pivots[s, m, COUNTRIES.index(location)]
                rows.append(
                    (
                        stage,
                        mineral,
                        location,
                        location,
                        ENTRANT,
                        pivot * prices[m, s],
                        pivot * prices[m, s],
                    )
                )
                paths.append(np.zeros(len(months)))
    sites = pd.DataFrame(
        rows,
        columns=[
            "stage",
            "mineral",
            "location",
            "owner",
            "tranche",
            "unit_cost_usd_per_t",
            "new_capacity_cost_usd_per_t",
        ],
    )
    return sites, np.array(paths)


def _years(months) -> np.ndarray:
    """Each month as a fractional year (January 2023 is 2023.0), to interpolate annual
    figures in."""
    return months.year + (months.month - 1) / 12.0


def _with_reserves(calibration: Calibration) -> set[tuple[str, str]]:
    """The (mineral, country) pairs with reserves: where a new mine may open."""
    table = calibration.reserves
    return {
        (mineral, country)
        for mineral, country, tonnes in zip(
            table.mineral, table.country, table.tonnes.astype(float), strict=True
        )
        if tonnes > 0
    }


def _owners(ownership: pd.DataFrame, mineral: str, stage: str, location: str):
    rows = _rows(ownership, mineral=mineral, stage=stage, location=location)
    if rows.empty:
        return [(location, 1.0)]
    return list(zip(rows.owner, rows.share.astype(float), strict=True))


def _pipeline_paths(
    calibration, mineral, stage, output: pd.Series, years: np.ndarray
) -> dict[str, np.ndarray]:
    """Per location: capacity relative to 2023 along the IEA base case, or tonnes if new.

    Locations producing in 2023 follow the ratio of their IEA base-case output to 2023;
    locations with no 2023 output but projects in the pipeline get the projected tonnes
    (scaled to the model's basis). Between the IEA years the path is linear; after the last
    year it stays flat. ``years`` are the months as fractional years.
    """
    pipeline = _rows(calibration.pipeline, mineral=mineral, stage=stage)
    paths = {loc: np.ones(len(years)) for loc, value in output.items() if value > 0}
    if pipeline.empty:
        return paths
    # Tonnes by (country, year), countries and years sorted, zero where a country has none.
    countries, row = np.unique(pipeline.country.to_numpy(), return_inverse=True)
    columns, column = np.unique(pipeline.year.to_numpy(int), return_inverse=True)
    table = np.zeros((len(countries), len(columns)))
    np.add.at(table, (row, column), pipeline.tonnes.to_numpy(float))
    if BASE_YEAR not in columns:
        return paths
    base = table[:, np.searchsorted(columns, BASE_YEAR)]
    basis = output.sum() / max(float(base.sum()), 1e-12)
    knots = columns.astype(float) + 0.5  # annual figures: mid-year
    for location, values, in_base in zip(countries, table, base, strict=True):
        if in_base > 0 and location in paths:
            paths[location] = np.interp(years, knots, values / values[0])
        elif in_base == 0 and values.max() > 0:
            paths[location] = np.interp(years, knots, values * basis)
    return paths


def _buyers(calibration, world_demand, months, settings):
    """Buyers by (country, sector): 2023 needs per mineral and their IEA growth paths."""
    demand = calibration.demand
    pairs = sorted(
        {(c, s) for c, s in zip(demand.country, demand.sector, strict=True)},
        key=lambda pair: (COUNTRIES.index(pair[0]), SECTORS.index(pair[1])),
    )
    buyers = pd.DataFrame(pairs, columns=["country", "sector"])
    index = {pair: b for b, pair in enumerate(pairs)}
    need = np.zeros((len(pairs), len(MINERALS)))
    for row in demand.itertuples():
        m = MINERALS.index(row.mineral)
        need[index[(row.country, row.sector)], m] += row.share * world_demand[m]
    paths = _growth_paths(calibration.demand_growth, settings.demand_scenario, months)
    growth = np.ones((len(pairs), len(MINERALS), len(months)))
    for b, (_, sector) in enumerate(pairs):
        for m, mineral in enumerate(MINERALS):
            if (mineral, sector) in paths:
                growth[b, m] = paths[(mineral, sector)]
    return buyers, need, growth


def _growth_paths(table: pd.DataFrame, scenario: str, months) -> dict[tuple[str, str], np.ndarray]:
    """Monthly demand index per (mineral, sector), linear between the IEA years (mid-year).

    Where the chosen scenario has no figures for a sector, the Stated Policies path is used;
    after the last IEA year the index stays flat. A year with a historical and a scenario
    figure takes their mean.
    """
    years = _years(months)
    mineral, sector = table.mineral.to_numpy(), table.sector.to_numpy()
    named, year, index = table.scenario.to_numpy(), table.year.to_numpy(int), table["index"]
    index = index.to_numpy(float)
    paths = {}
    for key in sorted(set(zip(mineral, sector, strict=True))):
        rows = (mineral == key[0]) & (sector == key[1])
        chosen = rows & np.isin(named, ["historical", scenario])
        if chosen.any() and year[chosen].max() <= BASE_YEAR:
            chosen = rows & np.isin(named, ["historical", "STEPS"])
        knots, where = np.unique(year[chosen], return_inverse=True)
        level = np.bincount(where, index[chosen], len(knots)) / np.bincount(where, None, len(knots))
        at_base = np.searchsorted(knots, BASE_YEAR)
        if at_base < len(knots) and knots[at_base] == BASE_YEAR:
            level[at_base] = 1.0
        else:
            knots, level = np.insert(knots, at_base, BASE_YEAR), np.insert(level, at_base, 1.0)
        paths[key] = np.interp(years, knots.astype(float) + 0.5, level)
    return paths


def _recyclers(need, buyers, world_demand, secondary) -> pd.DataFrame:
    """Recycling capacity where the material is used: 2023 secondary supply by country."""
    by_country = pd.DataFrame(need, columns=list(MINERALS)).assign(country=buyers.country)
    by_country = by_country.groupby("country").sum()
    rows = []
    for m, mineral in enumerate(MINERALS):
        share = by_country[mineral] / max(by_country[mineral].sum(), 1e-300)
        for country, value in share.items():
            if value > 0 and secondary[m] > 0:
                rows.append((mineral, country, value * secondary[m] * world_demand[m]))
    return pd.DataFrame(rows, columns=["mineral", "country", "output_2023_t_per_month"])


def month_number(settings: ModelSettings, date: str) -> int:
    """Step index of a YYYY-MM month in a run."""
    return month_index(date) - month_index(settings.start)
