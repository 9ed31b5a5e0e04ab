"""Rebuild every calibration CSV from the primary files and the explicit estimates.

Run ``python -m abm.data.build_tables`` (needs openpyxl, the ``data`` extra). The output is the
same bytes on every run: rows sorted by the model's enumerations, floats at fixed precision and
shares rounded so each group sums to exactly one. Supply and demand tables are assembled in
``build_supply`` and ``build_demand``; prices and the small tables here.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

from abm.data import estimates as est
from abm.data import estimates_markets as mkt
from abm.data.build_demand import demand_rows, growth_rows, sector_paths
from abm.data.build_supply import (
    HERE,
    Row,
    by_code,
    fmt,
    normalised,
    pipeline_rows,
    reserves_rows,
    supply_rows,
)
from abm.data.primary import IeaData, read_iea, salient_value
from abm.data.schema import COUNTRIES, MINERALS, SCHEMAS, STAGES

LB_PER_T = 2204.62262
LI_IN_LI2CO3 = 0.1878  # 2 x 6.941 / 73.89


def ree_price(primary: Path, iea: IeaData) -> tuple[float, str]:
    """Magnet REO price weighted by the IEA 2023 clean-tech composition (Pr at the Nd price)."""
    mass = {
        e: iea.cleantech[e][("STEPS", 2023)]
        for e in ("Neodymium", "Praseodymium", "Dysprosium", "Terbium")
    }
    usd_kg = {
        "Neodymium": salient_value(primary, "rare_earths", "Price_Nd2O3_dkg"),
        "Dysprosium": salient_value(primary, "rare_earths", "Price_Dy2O3_dkg"),
        "Terbium": salient_value(primary, "rare_earths", "Price_TbO2_dkg"),
    }
    usd_kg["Praseodymium"] = usd_kg["Neodymium"]
    total = sum(mass.values())
    price = sum(mass[e] * usd_kg[e] for e in mass) / total * 1000
    symbol = {"Neodymium": "Nd", "Praseodymium": "Pr", "Dysprosium": "Dy", "Terbium": "Tb"}
    parts = ", ".join(f"{symbol[e]} {mass[e] / total:.1%} at {usd_kg[e]:g}" for e in mass)
    return price, f"weights IEA24 sheet 3.2 clean-tech 2023 ({parts} USD/kg; Pr at the Nd price)"


def price_rows(primary: Path, iea: IeaData) -> list[Row]:
    """2023 prices per contained tonne; refined from USGS, raw from payables or concentrates."""

    def salient(mineral: str, column: str) -> float:
        return salient_value(primary, mineral, column)

    refined: dict[str, tuple[float, str, float, str, str]] = {
        "lithium": (
            salient("lithium", "Price_dt"),
            "USD/t Li2CO3 (battery grade)",
            LI_IN_LI2CO3,
            "USGS24",
            "salient 2023 annual average; Li2CO3 is 18.78% Li",
        ),
        "graphite": mkt.GRAPHITE_REFINED,
        "cobalt": mkt.COBALT_REFINED,
        "nickel": (
            salient("nickel", "Price_dt dlb (both used)"),
            "USD/t Ni (LME cash)",
            1.0,
            "USGS24",
            "salient 2023 annual average",
        ),
        "copper": (
            salient("copper", "Price_LME_ctslb") * LB_PER_T / 100,
            "USD/t Cu (LME grade A cash, 390 c/lb)",
            1.0,
            "USGS24",
            "salient 2023",
        ),
        "gallium": (
            salient("gallium", "Price_High-puritydkg") * 1000,
            "USD/t high-purity gallium",
            1.0,
            "USGS24",
            "salient 2023: 450 USD/kg",
        ),
        "germanium": (
            salient("germanium", "Price_Metal_dkg") * 1000,
            "USD/t germanium metal",
            1.0,
            "USGS24",
            "salient 2023: 1,400 USD/kg (GeO2 880 USD/kg)",
        ),
    }
    price, note = ree_price(primary, iea)
    refined["rare_earths"] = (
        price,
        "USD/t magnet REO (weighted oxides)",
        1.0,
        "USGS24 (oxide prices), IEA24 (weights)",
        note,
    )
    raw = dict(mkt.RAW_PRICES)
    raw["graphite"] = (
        salient("graphite", "Price_Flake_dt"),
        "USD/t flake graphite",
        1.0,
        "USGS24",
        "salient 2023: US import unit value of flake",
    )
    raw["cobalt"] = (0.58 * refined["cobalt"][0], *mkt.RAW_PRICES["cobalt"][1:])
    raw["nickel"] = (0.38 * refined["nickel"][0], *mkt.RAW_PRICES["nickel"][1:])
    raw["germanium"] = (0.5 * refined["germanium"][0], *mkt.RAW_PRICES["germanium"][1:])
    rows = []
    for mineral in MINERALS:
        for stage, table in (("raw", raw), ("refined", refined)):
            quoted, unit, content, source, note = table[mineral]
            rows.append(
                [
                    mineral,
                    stage,
                    fmt(quoted / content, 2),
                    fmt(quoted, 2),
                    unit,
                    fmt(content, 6),
                    source,
                    note,
                ]
            )
    return rows


def simple_rows() -> dict[str, list[Row]]:
    """Tables that come straight from the estimates modules."""
    pairs = [(m, s) for m in MINERALS for s in STAGES]
    countries = [
        [
            c,
            n,
            fmt(lat, 2),
            fmt(lon, 2),
            f"ESTIMATE: representative point, {why}" if not why.startswith("ESTIMATE") else why,
        ]
        for c, (n, lat, lon, why) in est.COUNTRY_POINTS.items()
    ]
    minerals = [[m, *est.MINERAL_INFO[m], _mineral_source(m)] for m in MINERALS]
    ownership = []
    for (m, s, loc), (owners, source) in sorted(
        est.OWNERSHIP.items(),
        key=lambda kv: (
            MINERALS.index(kv[0][0]),
            STAGES.index(kv[0][1]),
            COUNTRIES.index(kv[0][2]),
        ),
    ):
        shares = normalised({o: owners[o] for o in by_code(owners)})
        ownership += [[m, s, loc, owner, share, source] for owner, share in shares.items()]
    lead = [
        [m, s, *(str(v) for v in mkt.LEAD_TIMES[(m, s)][:3]), mkt.LEAD_TIMES[(m, s)][3]]
        for m, s in pairs
    ]
    costs = [
        [
            m,
            s,
            *(fmt(v, 4) for v in mkt.COSTS[(m, s)][:3]),
            fmt(mkt.COSTS[(m, s)][3], 0),
            mkt.COSTS[(m, s)][4],
        ]
        for m, s in pairs
    ]
    recycling = [
        [m, *(fmt(v, 4) for v in mkt.RECYCLING[m][:3]), mkt.RECYCLING[m][3]] for m in MINERALS
    ]
    transport = [
        [
            m,
            s,
            fmt(mkt.TRANSPORT[(m, s)][0], 2),
            fmt(mkt.TRANSPORT[(m, s)][1], 2),
            mkt.TRANSPORT[(m, s)][2],
        ]
        for m, s in pairs
    ]
    return {
        "countries": countries,
        "minerals": minerals,
        "ownership": ownership,
        "lead_times": lead,
        "costs": costs,
        "recycling": recycling,
        "transport": transport,
    }


def _mineral_source(mineral: str) -> str:
    return {
        "rare_earths": "IEA24 (magnet rare earths: Nd, Pr, Dy, Tb, kt)",
        "graphite": "USGS24 (natural graphite, t) and IEA24 (battery-grade graphite, kt)",
        "gallium": "USGS24 (kg Ga; low- and high-purity prices)",
        "germanium": "USGS24 (kg Ge; no country output published)",
    }.get(mineral, "USGS24 and IEA24 (contained-metal tonnes)")


def build(out: Path = HERE, primary: Path = HERE / "primary") -> list[Path]:
    """Write every table into ``out``; return the paths written."""
    iea = read_iea(primary)
    paths = sector_paths(iea)
    tables = {
        **simple_rows(),
        "supply": supply_rows(primary, iea),
        "prices": price_rows(primary, iea),
        "reserves": reserves_rows(primary),
        "demand": demand_rows(paths),
        "demand_growth": growth_rows(paths),
        "pipeline": pipeline_rows(iea),
    }
    written = []
    for attribute, (file_name, schema) in SCHEMAS.items():
        path = out / file_name
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(list(schema))
            writer.writerows(tables[attribute])
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> None:
    """Command line: write the tables, print what was written."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="folder to write the CSVs into")
    parser.add_argument(
        "--primary",
        type=Path,
        default=HERE / "primary",
        help="folder holding the USGS CSVs and the IEA workbook",
    )
    args = parser.parse_args(argv)
    for path in build(args.out, args.primary):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
