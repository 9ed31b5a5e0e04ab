"""Host metals of the by-products: exogenous output paths (alumina, zinc) and which host
each by-product follows where (``abm/data/hosts.csv``, ``abm/data/byproducts.csv``)."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from abm.data import COUNTRIES, MINERALS, Calibration
from abm.data.loader import package_directory
from abm.world.months import fractional_years

EXOGENOUS_HOSTS = ("alumina", "zinc")  # host paths from hosts.csv; other hosts are minerals
ANY_COUNTRY = "*"


@cache
def _read(name: str) -> pd.DataFrame:
    with package_directory().joinpath(name).open() as handle:
        return pd.read_csv(handle, keep_default_na=False)


def byproduct_rules() -> pd.DataFrame:
    """One row per (by-product, country or ``*``): its hosts there and its recovery limit."""
    return _read("byproducts.csv").copy()


def host_output(months: pd.DatetimeIndex) -> np.ndarray:
    """(exogenous host, country, month) t/month: annual tonnes at mid-year, interpolated,
    flat before the first and after the last cited year (an ESTIMATE, said in hosts.csv)."""
    table = _read("hosts.csv")
    years = fractional_years(months)
    paths = np.zeros((len(EXOGENOUS_HOSTS), len(COUNTRIES), len(months)))
    for (host, country), rows in table.groupby(["host", "country"]):
        rows = rows.sort_values("year")
        knots = rows.year.to_numpy(float) + 0.5
        tonnes = rows.tonnes.to_numpy(float)
        paths[EXOGENOUS_HOSTS.index(host), COUNTRIES.index(country)] = (
            np.interp(years, knots, tonnes) / 12.0
        )
    return paths


def last_host_year() -> int:
    """The last year ``hosts.csv`` cites: the host paths are flat after its middle."""
    return int(_read("hosts.csv").year.max())


def hosts_of(byproduct: str, country: str) -> tuple[tuple[str, ...], float, float]:
    """The hosts a by-product follows in a country (none: held at its start), its recovery
    limit in t per t of host (NaN if not cited) and its limit over the start (NaN if cited)."""
    rules = _rules()
    key = (byproduct, country) if (byproduct, country) in rules else (byproduct, ANY_COUNTRY)
    return rules.get(key, ((), np.nan, 1.0))


@cache
def _rules() -> dict[tuple[str, str], tuple[tuple[str, ...], float, float]]:
    """(by-product, country or ``*``) -> its hosts, cited limit and limit over the start."""
    rules = {}
    for key, rows in byproduct_rules().groupby(["byproduct", "country"]):
        hosts = tuple(h for h in rows.host if h)
        limit = pd.to_numeric(rows.limit_t_per_t_host, errors="coerce").max()
        over = pd.to_numeric(rows.limit_over_start, errors="coerce").max()
        rules[key] = (hosts, float(limit), float(over))
    return rules


def host_locations(calibration: Calibration) -> set[tuple[str, str]]:
    """(by-product, country) pairs where a host runs: where a by-product may start anew."""
    table = _read("hosts.csv")
    exogenous = set(zip(table.host, table.country, strict=True))
    supply = calibration.supply
    mined = supply[(supply.stage == "raw") & (supply.tonnes.astype(float) > 0)]
    endogenous = set(zip(mined.mineral, mined.country, strict=True))
    pairs = set()
    for byproduct in sorted({key[0] for key in _rules()}):
        for country in COUNTRIES:
            hosts, _, _ = hosts_of(byproduct, country)
            if any((h, country) in exogenous | endogenous for h in hosts):
                pairs.add((byproduct, country))
    return pairs


def is_byproduct(mineral: str) -> bool:
    """Whether a mineral's mines are recovery circuits at hosts (``byproducts.csv``)."""
    return mineral in MINERALS and any(key[0] == mineral for key in _rules())
