"""The calibration of a historical world: 2023's tables with a vintage's base-year tables in.

A world of year Y (a folder ``abm/data/vintages/Y``) takes that year's supply, prices,
reserves, ownership and demand tables in place of 2023's; its demand grows along the
historical world output index of ``growth_Y.csv`` to 2023 and along the 2023 IEA path after,
both relative to Y. Everything else (costs, lead times, stocks in months of use, transport,
transit, recycling, willingness to pay) is 2023's, an estimate carried forward (see
abm/data/vintages/README.md).

The 2023 project pipeline is not carried back: an earlier world has no listed pipeline, so
its capacity grows only by the model's own investment. The pipeline of the time was not
found, and 2023's projects (many announced after Y) would hand an earlier world the
capacity history built in response to the prices it is meant to produce.
"""

from __future__ import annotations

import functools
import hashlib
import math

import numpy as np
import pandas as pd

from abm.data import load_calibration
from abm.data.loader import (
    Calibration,
    CalibrationError,
    package_directory,
    read_all,
    read_table,
    validate,
)
from abm.data.schema import MINERALS

BASE_YEAR = 2023
VINTAGE_TABLES = {
    "supply": "supply_{year}.csv",
    "prices": "prices_{year}.csv",
    "reserves": "reserves_{year}.csv",
    "ownership": "ownership_{year}.csv",
    "demand": "demand_{year}.csv",
}
GROWTH_FILE = "growth_{year}.csv"


def world_years() -> tuple[int, ...]:
    """The worlds a scenario may choose: 2023 and each year with a folder of vintage tables."""
    folder = package_directory().joinpath("vintages")
    found = {int(item.name) for item in folder.iterdir() if item.is_dir() and item.name.isdigit()}
    return tuple(sorted(found | {BASE_YEAR}))


def check_world(where: str, value: object, error: type[Exception] = CalibrationError) -> int:
    """A world year as an int, or ``error`` naming the field ``world`` and the years."""
    years = world_years()
    allowed = ", ".join(map(str, years))
    if isinstance(value, bool) or not isinstance(value, int) or value not in years:
        raise error(f"{where}world: {value!r} is not one of the years available: {allowed}")
    return value


def world_calibration(year: int = BASE_YEAR) -> Calibration:
    """The validated calibration of the world of ``year`` (2023's when ``year`` is 2023)."""
    check_world("", year)
    if year == BASE_YEAR:
        return load_calibration()
    tables = _vintage_tables(year)
    return Calibration(**{name: table.copy() for name, table in tables.items()}, year=year)


@functools.cache
def _vintage_tables(year: int) -> dict[str, pd.DataFrame]:
    folder = package_directory().joinpath("vintages", str(year))
    tables = read_all(None)
    names = {}
    for attribute, file_name in VINTAGE_TABLES.items():
        names[attribute] = f"vintages/{year}/{file_name.format(year=year)}"
        tables[attribute] = read_table(folder, attribute, file_name.format(year=year))
    tables["demand_growth"] = growth_since(year, tables["demand_growth"], _history(year))
    tables["pipeline"] = tables["pipeline"].iloc[:0]  # no listed pipeline: see the docstring
    validate(tables, names)
    return tables


def _history(year: int) -> pd.DataFrame:
    """growth_Y.csv, checked: each mineral's index is 1 in Y and covers every year to 2023."""
    file_name = GROWTH_FILE.format(year=year)
    path = package_directory().joinpath("vintages", str(year), file_name)
    with path.open("rb") as handle:
        table = pd.read_csv(handle)
    for mineral in MINERALS:
        rows = table[table.mineral == mineral]
        years = rows.year.to_numpy(float)
        index = rows["index"].to_numpy(float)
        if (
            len(rows) == 0
            or not np.isfinite(index).all()
            or (index <= 0).any()
            or BASE_YEAR not in years
            or not math.isclose(float(index[years == year].sum()), 1.0)
        ):
            raise CalibrationError(
                f"{file_name}: mineral {mineral!r} needs a positive index for every anchor, "
                f"1 in {year}, and a row for {BASE_YEAR}"
            )
    return table


def growth_since(year: int, iea: pd.DataFrame, history: pd.DataFrame) -> pd.DataFrame:
    """demand_growth relative to ``year``: history yearly to 2023, then the IEA path.

    Between the history's anchor years the index is interpolated geometrically, one row per
    year so that the model's linear interpolation between years stays close to it; after
    2023 each IEA index is multiplied by the history's 2023 level.
    """
    years = np.arange(year, BASE_YEAR + 1)
    level = {}
    for mineral, rows in history.groupby("mineral"):
        log_index = np.log(rows["index"].to_numpy(float))
        level[mineral] = np.exp(np.interp(years, rows.year.to_numpy(float), log_index))
    source = f"{GROWTH_FILE.format(year=year)}: world output index, geometric between anchors"
    keys = iea[["mineral", "sector", "scenario"]].drop_duplicates()
    past = [
        (mineral, sector, scenario, int(y), float(value), source)
        for mineral, sector, scenario in keys.itertuples(index=False)
        for y, value in zip(years, level[mineral], strict=True)
    ]
    later = iea[iea.year > BASE_YEAR]
    future = later.assign(
        index=later["index"] * later.mineral.map({m: v[-1] for m, v in level.items()}),
        source=later.source + f" x the {BASE_YEAR} index of {GROWTH_FILE.format(year=year)}",
    )
    frame = pd.concat([pd.DataFrame(past, columns=list(iea.columns)), future])
    return frame.sort_values(["mineral", "sector", "scenario", "year"]).reset_index(drop=True)


def world_checksums(year: int) -> dict[str, str]:
    """sha256 of each vintage file behind the world of ``year``, keyed by path under abm/data
    (none for 2023, whose files ``data_checksums`` covers)."""
    if year == BASE_YEAR:
        return {}
    folder = package_directory().joinpath("vintages", str(year))
    names = [*VINTAGE_TABLES.values(), GROWTH_FILE]
    return {
        f"vintages/{year}/{name.format(year=year)}": hashlib.sha256(
            folder.joinpath(name.format(year=year)).read_bytes()
        ).hexdigest()
        for name in names
    }
