"""Demand by country and sector in 2023, and its growth, from the IEA sheets and estimates.

Part of the table build (``python -m abm.data.build_tables``). Sector shares and growth come from
the IEA technology rows; the country split of each sector is a named estimate profile.
"""

from __future__ import annotations

from typing import Any

from abm.data.build_supply import YEARS, Row, fmt, normalised
from abm.data.estimates import Estimates, cited
from abm.data.primary import IeaData
from abm.data.schema import COUNTRIES, MINERALS, SCENARIOS, SECTORS

Paths = dict[str, dict[str, tuple[dict[tuple[str, int], float], str]]]


def sector_paths(iea: IeaData, estimates: Estimates) -> Paths:
    """Per mineral -> sector -> (demand by (scenario, year), source); 2023 demand in any unit."""
    out: Paths = {}
    keys = [(s, y) for s in SCENARIOS for y in YEARS]
    for mineral, sectors in _sector_rows(estimates).items():
        block = iea.demand[sectors.pop("")]
        out[mineral] = {}
        for sector, weights in sectors.items():
            values = {k: sum(w * block[label][k] for label, w in weights.items()) for k in keys}
            rows = " + ".join(
                f"{w:g} x {label}" if w != 1 else label for label, w in weights.items()
            )
            out[mineral][sector] = (values, f"IEA24 sheet 1: {rows}")
        check = sum(v[0][("STEPS", 2023)] for v in out[mineral].values())
        if abs(check / block["Total demand"][("STEPS", 2023)] - 1) > 1e-6:
            raise ValueError(f"{mineral}: IEA sector rows do not add up to total demand")
    for mineral, small in estimates.small_minerals.items():
        solar = iea.cleantech[mineral.capitalize()]
        grid = {k: solar[k] * 1000 / small.world_use_t for k in keys}  # shares of 2023 world use
        out[mineral] = {"grid": (grid, "IEA24 sheet 3.2 (solar PV only), over world use")}
        source = cited(small.source, small.reasoning)
        for sector, share in small.shares.items():
            growth = small.growth[sector]
            if growth.follows is not None:
                path, base = out[growth.follows][sector][0], share
                values = {k: base * path[k] / path[(k[0], 2023)] for k in keys}
                out[mineral][sector] = (values, source + "; grows with rare-earth magnets (IEA24)")
                continue
            assert growth.per_year is not None, f"{mineral} {sector}: growth needs per_year"
            rate, why = growth.per_year, cited(growth.source, growth.reasoning)
            values = {(s, y): share * (1 + rate) ** (y - 2023) for s, y in keys}
            out[mineral][sector] = (values, f"{source}; growth {why}")
        rest = 1 - sum(v[0][("STEPS", 2023)] for v in out[mineral].values())
        other = small.growth["other"]
        assert other.per_year is not None, f"{mineral} other: growth needs per_year"
        rate, why = other.per_year, cited(other.source, other.reasoning)
        out[mineral]["other"] = (
            {(s, y): rest * (1 + rate) ** (y - 2023) for s, y in keys},
            f"{source}; other = the remainder; growth {why}",
        )
    return out


def _sector_rows(estimates: Estimates) -> dict[str, dict[str, Any]]:
    """Per mineral -> sector -> {IEA row: weight}, in file order; "" holds the IEA block title."""
    out: dict[str, dict] = {}
    for row in estimates.demand_sectors:
        sectors = out.setdefault(row.mineral, {"": row.iea_block})
        sectors.setdefault(row.sector, {})[row.iea_row] = row.weight
    return out


def demand_rows(paths: Paths, estimates: Estimates) -> list[Row]:
    """Country x sector shares of 2023 refined use: IEA sector share times a profile."""
    rows = []
    for mineral in MINERALS:
        sectors = paths[mineral]
        total = sum(v[0][("STEPS", 2023)] for v in sectors.values())
        values: dict[tuple[str, str], float] = {}
        sources: dict[tuple[str, str], str] = {}
        for sector in SECTORS:
            if sector not in sectors:
                continue
            sector_share = sectors[sector][0][("STEPS", 2023)] / total
            profile = estimates.profiles[estimates.sector_profiles[(mineral, sector)].profile]
            for code, share in profile.shares.items():
                values[(code, sector)] = sector_share * share
                sources[(code, sector)] = (
                    f"{profile.source}: country split = {profile.reasoning}; sector share "
                    f"{sector_share:.2%} from {sectors[sector][1]}"
                )
        ordered = sorted(values, key=lambda k: (COUNTRIES.index(k[0]), SECTORS.index(k[1])))
        shares = normalised({f"{c}|{s}": values[(c, s)] for c, s in ordered})
        for key, text in shares.items():
            code, sector = key.split("|")
            rows.append([mineral, code, sector, text, sources[(code, sector)]])
    return rows


def growth_rows(paths: Paths) -> list[Row]:
    """Sector demand indices (2023 = 1) per scenario, so buyers can grow along the IEA path."""
    rows = []
    for mineral in MINERALS:
        for sector in SECTORS:
            if sector not in paths[mineral]:
                continue
            values, source = paths[mineral][sector]
            for scenario in SCENARIOS:
                for year in YEARS:
                    index = values[(scenario, year)] / values[(scenario, 2023)]
                    rows.append([mineral, sector, scenario, str(year), fmt(index, 4), source])
    return rows
