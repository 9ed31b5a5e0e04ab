"""Rebuild every calibration CSV from the primary files and the explicit estimates.

Run ``python -m abm.data.build_tables`` (needs openpyxl, the ``data`` extra). The output is the
same bytes on every run: rows sorted by the model's enumerations, floats at fixed precision and
shares rounded so each group sums to exactly one. Supply and demand tables are assembled in
``build_supply`` and ``build_demand``; prices and the small tables here.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

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
from abm.data.estimates import HERE as ESTIMATES
from abm.data.estimates import Estimates, PriceQuote, cited, load_estimates
from abm.data.loader import CalibrationError
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


Quote = tuple[float, str, float, str, str]  # quoted price, unit, content, source, note


def price_rows(primary: Path, iea: IeaData, estimates: Estimates) -> list[Row]:
    """2023 prices per contained tonne; refined from USGS, raw from payables or concentrates."""

    def salient(mineral: str, column: str) -> float:
        return salient_value(primary, mineral, column)

    refined: dict[str, Quote] = {
        "lithium": (
            salient("lithium", "Price_dt"),
            "USD/t Li2CO3 (battery grade)",
            LI_IN_LI2CO3,
            "USGS24",
            "salient 2023 annual average; Li2CO3 is 18.78% Li",
        ),
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
    raw: dict[str, Quote] = {
        "graphite": (
            salient("graphite", "Price_Flake_dt"),
            "USD/t flake graphite",
            1.0,
            "USGS24",
            "salient 2023: US import unit value of flake",
        )
    }
    for stage, table in (("refined", refined), ("raw", raw)):  # raw may need refined first
        for (mineral, quoted_stage), quote in estimates.prices.items():
            if quoted_stage != stage:
                continue
            if mineral in table:
                raise CalibrationError(
                    f"prices.csv: the {mineral} {stage} price comes from the primary files"
                )
            table[mineral] = _quoted(quote, refined.get(mineral))
    rows = []
    for mineral in MINERALS:
        for stage, table in (("raw", raw), ("refined", refined)):
            if mineral not in table:
                raise CalibrationError(f"prices.csv: no {stage} price for {mineral}")
            rows.append(price_row(mineral, stage, table[mineral]))
    return rows


def price_row(mineral: str, stage: str, quote: Quote) -> Row:
    """One prices-table row: the price per contained tonne, then the price as quoted."""
    quoted, unit, content, source, note = quote
    return [
        mineral,
        stage,
        fmt(quoted / content, 2),
        fmt(quoted, 2),
        unit,
        fmt(content, 6),
        source,
        note,
    ]


def _quoted(quote: PriceQuote, refined: Quote | None) -> Quote:
    """An estimated price as quoted: given, or a share of the refined price per tonne."""
    where = f"prices.csv: {quote.mineral} {quote.stage}"
    if (quote.quoted_price is None) == (quote.share_of_refined_price is None):
        raise CalibrationError(f"{where} needs one of quoted_price and share_of_refined_price")
    if quote.quoted_price is not None:
        quoted = quote.quoted_price
    elif quote.stage == "refined" or refined is None:
        raise CalibrationError(f"{where}: share_of_refined_price needs a refined price")
    else:
        refined_usd_per_t = refined[0] / refined[2]
        assert quote.share_of_refined_price is not None  # one of the two, checked above
        quoted = quote.share_of_refined_price * refined_usd_per_t * quote.content_per_quoted_unit
    source = cited(quote.source, quote.reasoning)
    return quoted, quote.quoted_unit, quote.content_per_quoted_unit, source, quote.note


def simple_rows(estimates: Estimates) -> dict[str, list[Row]]:
    """Tables that come straight from the estimates."""
    countries = [
        [c, p.name, fmt(p.lat, 2), fmt(p.lon, 2), cited(p.source, p.reasoning)]
        for (c,), p in estimates.country_points.items()
    ]
    minerals = [
        [m, b.basis, b.raw_product, b.refined_product, b.source]
        for (m,), b in estimates.mineral_bases.items()
    ]
    ownership = []
    for entry in sorted(
        estimates.ownership,
        key=lambda e: (
            MINERALS.index(e.mineral),
            STAGES.index(e.stage),
            COUNTRIES.index(e.location),
        ),
    ):
        shares = normalised({o: entry.owners[o] for o in by_code(entry.owners)})
        source = cited(entry.source, entry.reasoning)
        ownership += [
            [entry.mineral, entry.stage, entry.location, owner, share, source]
            for owner, share in shares.items()
        ]
    lead = [
        [
            m,
            s,
            str(t.decision_months),
            str(t.build_months),
            str(t.ramp_months),
            cited(t.source, t.reasoning),
        ]
        for (m, s), t in estimates.lead_times.items()
    ]
    costs = [
        [
            m,
            s,
            fmt(c.cost_low_frac, 4),
            fmt(c.cost_high_frac, 4),
            fmt(c.utilisation_2023, 4),
            fmt(c.capex_usd_per_tpa, 0),
            cited(c.source, c.reasoning),
        ]
        for (m, s), c in estimates.costs.items()
    ]
    recycling = [
        [
            m,
            fmt(r.secondary_share, 4),
            fmt(r.end_of_life_years, 4),
            fmt(r.collection_rate_2023, 4),
            cited(r.source, r.reasoning),
        ]
        for (m,), r in estimates.recycling.items()
    ]
    transport = [
        [
            m,
            s,
            fmt(t.fixed_usd_per_t, 2),
            fmt(t.usd_per_t_per_1000km, 2),
            cited(t.source, t.reasoning),
        ]
        for (m, s), t in estimates.transport.items()
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


def build(
    out: Path = HERE, primary: Path = HERE / "primary", estimates: Path = ESTIMATES
) -> list[Path]:
    """Write every table into ``out``; return the paths written."""
    judged = load_estimates(estimates)
    iea = read_iea(primary)
    paths = sector_paths(iea, judged)
    tables = {
        **simple_rows(judged),
        "supply": supply_rows(primary, iea, judged),
        "prices": price_rows(primary, iea, judged),
        "reserves": reserves_rows(primary),
        "demand": demand_rows(paths, judged),
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
    parser.add_argument(
        "--estimates",
        type=Path,
        default=ESTIMATES,
        help="folder holding the estimate CSV and TOML files",
    )
    args = parser.parse_args(argv)
    try:
        written = build(args.out, args.primary, args.estimates)
    except CalibrationError as error:
        print(f"build_tables: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    for path in written:
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
