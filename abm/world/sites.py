"""Mines and refineries: one row per cost tranche of each (stage, mineral, location, owner),
with its capacity path along the IEA pipeline, and entrants where there is no capacity yet."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from abm.data import COUNTRIES, MINERALS, STAGES, Calibration
from abm.settings import ModelSettings
from abm.world.costs import cost_curve
from abm.world.hosts import host_locations
from abm.world.lookup import RowGroups
from abm.world.months import BASE_YEAR, fractional_years

ENTRANT = -1  # tranche number of a site that has no capacity yet
INVESTOR_SHARE = 0.10  # share of a stage's world capacity that makes an owner invest abroad


@dataclass(frozen=True)
class Tables:
    """The calibration tables the sites are built from, grouped once per build."""

    supply: RowGroups  # by (mineral, stage)
    ownership: RowGroups  # by (mineral, stage, location)
    pipeline: RowGroups  # by (mineral, stage)

    @classmethod
    def of(cls, calibration: Calibration) -> Tables:
        """Group each table by the columns the sites look it up by."""
        return cls(
            supply=RowGroups(calibration.supply, "mineral", "stage"),
            ownership=RowGroups(calibration.ownership, "mineral", "stage", "location"),
            pipeline=RowGroups(calibration.pipeline, "mineral", "stage"),
        )


def sites_and_capacity(
    calibration: Calibration,
    tables: Tables,
    settings: ModelSettings,
    rng: np.random.Generator,
    prices: np.ndarray,
    pivots: np.ndarray,
    mined_total: np.ndarray,
    months: pd.DatetimeIndex,
) -> tuple[pd.DataFrame, np.ndarray]:
    """One row per cost tranche of every mine and refinery group, and its capacity path."""
    costs = calibration.costs.set_index(["stage", "mineral"])
    rows: list[tuple] = []
    paths: list[np.ndarray] = []
    # By-products may start wherever their host runs (abm.world.hosts), reserves or not.
    reserves = _with_reserves(calibration) | host_locations(calibration)
    years = fractional_years(months)
    for s, stage in enumerate(STAGES):
        for m, mineral in enumerate(MINERALS):
            cost = costs.loc[(stage, mineral)]
            first_row = len(rows)
            utilisation = float(cost.utilisation_2023)
            table = tables.supply(mineral, stage)
            if stage == "raw":
                output = table.set_index("country").tonnes
            else:
                output = table.set_index("country").share * mined_total[m]
            growth = _pipeline_paths(tables, mineral, stage, output, years)
            if not settings.use_pipeline:  # 2023 capacity only, for locations producing then
                growth = {loc: np.ones(len(months)) for loc, value in output.items() if value > 0}
            for location, path in growth.items():
                capacity0 = float(output.get(location, 0.0)) / 12.0 / utilisation
                capacity = path / 12.0 / utilisation if capacity0 == 0 else capacity0 * path
                for owner, owner_share in _owners(tables, mineral, stage, location):
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
            block = slice(first_row, len(rows))
            ore = set(growth) if stage == "raw" else set(growth) | _mined(tables, mineral)
            for location, owner in _investor_entrants(rows[block], paths[block], ore):
                pivot = pivots[s, m, COUNTRIES.index(location)]
                cost = pivot * prices[m, s]
                rows.append((stage, mineral, location, owner, ENTRANT, cost, cost))
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


def _mined(tables: Tables, mineral: str) -> set[str]:
    """The countries that mine ``mineral`` at the start: where a refinery has local ore."""
    table = tables.supply(mineral, "raw")
    return set(table.country[table.tonnes.astype(float) > 0])


def _investor_entrants(
    rows: list[tuple], paths: list[np.ndarray], access: set[str]
) -> list[tuple[str, str]]:
    """(location, owner) entrant sites for the major owners of one stage and mineral.

    Owners holding at least ``INVESTOR_SHARE`` of the stage's world capacity at the start
    (firms of one nationality; not the ROW aggregate) may build at every location of
    ``access`` (mines: where the stage has capacity or a pipeline; refineries: also where
    the mineral is mined, local ore) where they have no site yet, so each gets a site with no
    capacity there: what lets Chinese owners build refining in Indonesia.
    """
    capacity: dict[str, float] = {}
    for row, path in zip(rows, paths, strict=True):
        capacity[row[3]] = capacity.get(row[3], 0.0) + float(path[0])
    total = sum(capacity.values())
    if total <= 0:
        return []
    investors = [o for o, c in capacity.items() if c >= INVESTOR_SHARE * total and o != "ROW"]
    held = {(row[2], row[3]) for row in rows}
    locations = [loc for loc in dict.fromkeys(row[2] for row in rows) if loc in access]
    return [(loc, o) for o in investors for loc in locations if (loc, o) not in held]


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


def _owners(tables: Tables, mineral: str, stage: str, location: str) -> list[tuple[str, float]]:
    rows = tables.ownership(mineral, stage, location)
    if rows.empty:
        return [(location, 1.0)]
    return list(zip(rows.owner, rows.share.astype(float), strict=True))


def _pipeline_paths(
    tables: Tables, mineral: str, stage: str, output: pd.Series, years: np.ndarray
) -> dict[str, np.ndarray]:
    """Per location: capacity relative to 2023 along the IEA base case, or tonnes if new.

    Locations producing in 2023 follow the ratio of their IEA base-case output to 2023;
    locations with no 2023 output but projects in the pipeline get the projected tonnes
    (scaled to the model's basis). Between the IEA years the path is linear; after the last
    year it stays flat. ``years`` are the months as fractional years.
    """
    pipeline = tables.pipeline(mineral, stage)
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
