"""Demand: buyers by (country, sector), their 2023 needs, growth paths and recycling."""

from __future__ import annotations

import numpy as np
import pandas as pd

from abm.data import COUNTRIES, MINERALS, SECTORS, Calibration
from abm.settings import ModelSettings
from abm.world.months import BASE_YEAR, fractional_years


def buyers_and_needs(
    calibration: Calibration,
    world_demand: np.ndarray,
    months: pd.DatetimeIndex,
    settings: ModelSettings,
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
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
    paths = growth_paths(
        calibration.demand_growth, settings.demand_scenario, months, calibration.year
    )
    growth = np.ones((len(pairs), len(MINERALS), len(months)))
    for b, (_, sector) in enumerate(pairs):
        for m, mineral in enumerate(MINERALS):
            if (mineral, sector) in paths:
                growth[b, m] = paths[(mineral, sector)]
    return buyers, need, growth


def growth_paths(
    table: pd.DataFrame, scenario: str, months: pd.DatetimeIndex, base_year: int = BASE_YEAR
) -> dict[tuple[str, str], np.ndarray]:
    """Monthly demand index per (mineral, sector), linear between the IEA years (mid-year).

    Where the chosen scenario has no figures for a sector after 2023, the Stated Policies
    path is used; after the last IEA year the index stays flat. A year with a historical and
    a scenario figure takes their mean. The index is 1 in ``base_year``, the world's year
    (abm.data.vintage builds the path of an earlier world).
    """
    years = fractional_years(months)
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
        at_base = np.searchsorted(knots, base_year)
        if at_base < len(knots) and knots[at_base] == base_year:
            level[at_base] = 1.0
        else:
            knots, level = np.insert(knots, at_base, base_year), np.insert(level, at_base, 1.0)
        paths[key] = np.interp(years, knots.astype(float) + 0.5, level)
    return paths


def recyclers(
    need: np.ndarray, buyers: pd.DataFrame, world_demand: np.ndarray, secondary: np.ndarray
) -> pd.DataFrame:
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
