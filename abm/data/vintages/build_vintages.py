"""Build the historical base-year tables (2010, 2013, 2022) and the market balances.

``python -m abm.data.vintages.build_vintages [--out DIR]`` writes ``<DIR>/<Y>/*_<Y>.csv``,
``balance.csv`` and ``stocks.csv`` (default: this folder), the same bytes every run. Figures and
their sources are in ``figures*.py``, ``markets.py`` and ``balance.py``; the 2022 world reads the
USGS MCS 2024 primary files (2022 column) and the shipped 2023 tables. Nothing here is read by
the model yet: building worlds from these tables is later work (issue 19).
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

from abm.data.build_supply import by_code, fmt, normalised
from abm.data.build_tables import price_row
from abm.data.primary import country_code, number
from abm.data.schema import COUNTRIES, MINERALS, STAGES
from abm.data.vintages.balance import BALANCE, GROWTH_WORLD, STOCKS
from abm.data.vintages.demand_owners import demand_rows, ownership_rows
from abm.data.vintages.figures import MAGNET_FRACTION, SUPPLY
from abm.data.vintages.figures_2013 import SUPPLY_2013
from abm.data.vintages.markets import PRICES, RESERVES

HERE = Path(__file__).parent
DATA = HERE.parent
PRIMARY = DATA / "primary"
YEARS = (2010, 2013, 2022)
SUPPLY[2013] = SUPPLY_2013
Row = list[str]
HEADERS = {
    "supply": ["mineral", "stage", "country", "tonnes", "share", "basis_source", "source", "note"],
    "prices": [
        "mineral",
        "stage",
        "price_usd_per_t",
        "quoted_price",
        "quoted_unit",
        "content_per_quoted_unit",
        "source",
        "note",
    ],
    "reserves": ["mineral", "country", "tonnes", "source"],
    "ownership": ["mineral", "stage", "location", "owner", "share", "source"],
    "demand": ["mineral", "country", "sector", "share", "source"],
    "growth": ["mineral", "year", "index", "basis", "source"],
}


def read_table(name: str) -> list[dict[str, str]]:
    """One shipped 2023 table as dicts."""
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def group_rows(
    mineral: str, stage: str, tonnes: dict[str, float], basis: str, source: str, note: str
) -> list[Row]:
    """Rows of one (mineral, stage): codes in model order, shares summing to exactly 1."""
    shares = normalised({c: tonnes[c] for c in by_code(tonnes) if tonnes[c] > 0})
    return [
        [mineral, stage, c, fmt(tonnes[c], 1), shares[c], basis, source, note]
        for c in by_code(shares)
    ]


def historical_group(year: int, mineral: str, stage: str) -> list[Row]:
    """Supply rows of 2010 or 2013 from the figures, with the world-total check in the note."""
    entry = SUPPLY[year][(mineral, stage)]
    if "total_reo" in entry:
        tonnes = {c: t * MAGNET_FRACTION for c, t in entry["total_reo"].items()}
    elif "shares" in entry:
        total = entry["total"]
        if total is None:  # refined rare earths: as much as was mined (magnet REO)
            total = sum(
                t * MAGNET_FRACTION for t in SUPPLY[year][(mineral, "raw")]["total_reo"].values()
            )
        tonnes = {c: s * total for c, s in entry["shares"].items()}
    else:
        tonnes = {c: float(t) for c, t in entry["tonnes"].items()}
    if entry.get("residual"):
        tonnes["ROW"] = tonnes.get("ROW", 0.0) + entry["world"] - sum(tonnes.values())
    total = sum(tonnes.values())
    note = f"basis {entry['basis']} {year}; total {total:.0f} {entry['unit']}"
    world = entry.get("world")
    if world and "total_reo" not in entry:
        note += f" (stated world total {world:.0f}, difference {total / world - 1:+.1%})"
    elif world:
        note += f" (world total REO {world:.0f} t, magnet fraction {MAGNET_FRACTION:.3f})"
    if entry.get("fold"):
        note += "; " + entry["fold"]
    basis = "ESTIMATE" if entry["source"].startswith("ESTIMATE") else entry["basis"]
    return group_rows(mineral, stage, tonnes, basis, entry["source"], note)


def usgs_2022(mineral: str, kind: str) -> tuple[dict[str, float], float]:
    """2022 output by code from an MCS 2024 world file, and the USGS world total."""
    with (PRIMARY / f"mcs2024-{_code(mineral)}_world.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    col = next(i for i, h in enumerate(rows[0]) if h.startswith("Prod_") and "2022" in h)
    unit = {"t": 1.0, "kt": 1000.0, "kg": 0.001}[rows[0][col].split("_")[1]]
    tonnes: dict[str, float] = {}
    world = 0.0
    for row in rows[1:]:
        if len(row) <= col or not row[1].strip() or kind not in row[2]:
            continue
        value = number(row[col])
        if value is None or value <= 0:
            continue
        if row[1].startswith("World"):
            world = value * unit
            continue
        code = country_code(row[1])
        tonnes[code] = tonnes.get(code, 0.0) + value * unit
    return tonnes, world


def _code(mineral: str) -> str:
    from abm.data.primary import USGS_CODES

    return USGS_CODES[mineral]


def shipped_2023(mineral: str, stage: str) -> dict[str, float]:
    """Tonnes by code of the shipped 2023 supply table."""
    return {
        r["country"]: float(r["tonnes"])
        for r in read_table("supply_2023.csv")
        if (r["mineral"], r["stage"]) == (mineral, stage)
    }


MINE_KIND = {"gallium": "Primary production", "copper": "Mine production"}


def group_2022(mineral: str, stage: str) -> list[Row]:
    """Supply rows of 2022: USGS24 2022 output where it exists, else 2023 shares re-scaled."""
    if stage == "raw" and mineral not in ("rare_earths", "germanium"):
        tonnes, world = usgs_2022(mineral, MINE_KIND.get(mineral, "Mine production"))
        tonnes["ROW"] = tonnes.get("ROW", 0.0) + max(world - sum(tonnes.values()), 0.0)
        note = (
            f"basis USGS24 2022 column; total {sum(tonnes.values()):.0f} t (USGS world "
            f"total {world:.0f} t)"
        )
        return group_rows(mineral, stage, tonnes, "USGS24", "USGS24", note)
    if (mineral, stage) == ("copper", "refined"):
        return copper_refined_2022()
    base = shipped_2023(mineral, stage)
    if (mineral, stage) == ("rare_earths", "raw"):
        usgs22, world22 = usgs_2022(mineral, "mine production")
        usgs23 = shipped_usgs_2023_reo()
        ratio = {
            c: usgs22.get(c, 0.0) / usgs23[c] if usgs23.get(c) else world22 / 350000 for c in base
        }
        tonnes = {c: t * ratio[c] for c, t in base.items()}
        source = (
            "ESTIMATE: IEA24 2023 magnet REO by country times each country's USGS24 "
            "2022/2023 total-REO ratio (ROW at the world ratio)"
        )
        return group_rows(
            mineral,
            stage,
            tonnes,
            "ESTIMATE",
            source,
            f"basis IEA24 magnet REO scaled to 2022; total {sum(tonnes.values()):.0f} t magnet REO",
        )
    return rescaled_refined_2022(mineral, stage, base)


def shipped_usgs_2023_reo() -> dict[str, float]:
    """USGS24 2023 total REO mine output by code (for the 2022/2023 ratio)."""
    with (PRIMARY / "mcs2024-raree_world.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    col = next(i for i, h in enumerate(rows[0]) if h.startswith("Prod_") and "2023" in h)
    out: dict[str, float] = {}
    for row in rows[1:]:
        if len(row) > col and row[1].strip() and not row[1].startswith("World"):
            value = number(row[col])
            if value:
                code = country_code(row[1])
                out[code] = out.get(code, 0.0) + value
    return out


def rescaled_refined_2022(mineral: str, stage: str, base: dict[str, float]) -> list[Row]:
    """2023 refining (and germanium) shares held for 2022, the total scaled to 2022 mining."""
    if mineral == "germanium":
        ratio, why = 1.0, "world about 150 t as 2023 (PB24)"
    elif mineral == "rare_earths":
        raw22 = sum(float(r[3]) for r in group_2022("rare_earths", "raw"))
        ratio, why = raw22 / sum(shipped_2023("rare_earths", "raw").values()), "magnet REO mining"
    else:
        raw22 = sum(float(r[3]) for r in group_2022(mineral, "raw"))
        ratio = raw22 / sum(shipped_2023(mineral, "raw").values())
        why = "USGS24 mine output"
    tonnes = {c: t * ratio for c, t in base.items()}
    source = (
        f"ESTIMATE: 2023 shares ({
            'IEA24' if mineral not in ('gallium', 'germanium') else 'the 2023 estimate'
        }) held for 2022; total scaled by the 2022/2023 ratio of {why} "
        f"({ratio:.3f})"
    )
    if (mineral, stage) == ("nickel", "refined"):
        world = sum(base.values()) * 3.060 / 3.36
        indonesia = base["ID"] / 1.195
        others = {c: t for c, t in base.items() if c != "ID"}
        scale = (world - indonesia) / sum(others.values())
        tonnes = {c: t * scale for c, t in others.items()} | {"ID": indonesia}
        source = (
            "ESTIMATE: IEA24 2023 refining with Indonesia divided by 1.195 (INSG23c: "
            "Indonesian primary output up 19.5% in January-October 2023) and the world "
            "total by 3.36/3.06 (INSG24 primary production 2023 and 2022); other "
            "countries pro rata"
        )
    basis = "ESTIMATE"
    return group_rows(
        mineral,
        stage,
        tonnes,
        basis,
        source,
        f"basis 2023 table re-scaled to 2022; total {sum(tonnes.values()):.0f} t",
    )


def copper_refined_2022() -> list[Row]:
    """USGS24 2022 refinery output with India and unlisted EU members split from ROW."""
    tonnes, world = usgs_2022("copper", "Refinery production")
    tonnes["ROW"] = tonnes.get("ROW", 0.0) + max(world - sum(tonnes.values()), 0.0)
    india = 549000 * 0.95
    moved_eu = 2_600_000 - tonnes.get("EU", 0.0)
    tonnes["IN"], tonnes["EU"] = india, 2_600_000
    tonnes["ROW"] -= india + moved_eu
    source = (
        "USGS24 2022 refinery column; ESTIMATE split as in 2023: India 95% of its 2023 "
        "549 kt (IEA24), EU raised to about 2.6 Mt (ECI16) by moving Belgium, Spain, "
        "Bulgaria, Sweden, Finland, Austria out of 'Other countries'"
    )
    return group_rows(
        "copper",
        "refined",
        tonnes,
        "USGS24",
        source,
        f"basis USGS24 2022 refinery production; total {sum(tonnes.values()):.0f} "
        f"t (USGS world total {world:.0f} t)",
    )


def supply_rows(year: int) -> list[Row]:
    """All supply rows of one base year."""
    build = group_2022 if year == 2022 else lambda m, s: historical_group(year, m, s)
    return [row for m in MINERALS for s in STAGES for row in build(m, s)]


def price_rows(year: int) -> list[Row]:
    """Reference prices of one base year per contained tonne, the conversion shown."""
    table = dict(PRICES[year])
    if year == 2022:
        table |= usgs_prices_2022()
    rows = []
    for mineral in MINERALS:
        for stage in STAGES:
            rows.append(price_row(mineral, stage, table[(mineral, stage)]))
    return rows


def usgs_prices_2022() -> dict[tuple[str, str], tuple[float, str, float, str, str]]:
    """2022 refined prices from the USGS24 salient tables (2022 row)."""
    from abm.data.primary import salient_value

    def sal(mineral: str, column: str) -> float:
        return salient_value(PRIMARY, mineral, column, "2022")

    nd, dy, tb = (
        sal("rare_earths", c) for c in ("Price_Nd2O3_dkg", "Price_Dy2O3_dkg", "Price_TbO2_dkg")
    )
    from abm.data.vintages.markets import LI_IN_LI2CO3, magnet_basket

    return {
        ("lithium", "refined"): (
            sal("lithium", "Price_dt"),
            "USD/t Li2CO3 (battery grade)",
            LI_IN_LI2CO3,
            "USGS24",
            "salient 2022; Li2CO3 is 18.78% Li",
        ),
        ("graphite", "raw"): (
            sal("graphite", "Price_Flake_dt"),
            "USD/t flake graphite",
            1.0,
            "USGS24",
            "salient 2022: US import unit value of flake",
        ),
        ("nickel", "refined"): (
            sal("nickel", "Price_dt dlb (both used)"),
            "USD/t Ni (LME cash)",
            1.0,
            "USGS24",
            "salient 2022 annual average",
        ),
        ("copper", "refined"): (
            sal("copper", "Price_LME_ctslb") * 2204.62 / 100,
            "USD/t Cu (LME grade A cash)",
            1.0,
            "USGS24",
            "salient 2022",
        ),
        ("rare_earths", "refined"): (
            magnet_basket(nd, dy, tb),
            "USD/t magnet REO (weighted oxides)",
            1.0,
            "USGS24 (oxide prices)",
            f"salient 2022 Nd2O3 {nd:g}, Dy2O3 {dy:g}, Tb {tb:g} USD/kg; weights as 2023",
        ),
    }


def reserve_rows(year: int) -> list[Row]:
    """Reserves by code; ROW is the world less listed countries."""
    if year == 2022:
        return [
            [
                r["mineral"],
                r["country"],
                r["tonnes"],
                "ESTIMATE: USGS24 reserves (MCS 2024) stand for 2022; MCS 2023 reserves are not "
                "in the shipped files; was " + r["source"],
            ]
            for r in read_table("reserves.csv")
        ]
    rows = []
    for mineral in MINERALS:
        if mineral not in RESERVES[year]:
            continue
        tonnes, world, source = RESERVES[year][mineral]
        tonnes = dict(tonnes)
        tonnes["ROW"] = tonnes.get("ROW", 0.0) + max(world - sum(tonnes.values()), 0.0)
        rows += [[mineral, c, fmt(tonnes[c], 0), source] for c in by_code(tonnes) if tonnes[c] > 0]
    return rows


def growth_rows(year: int) -> list[Row]:
    """World output index from the base year to 2023 (base year = 1)."""
    rows = []
    for mineral in MINERALS:
        anchors = GROWTH_WORLD[mineral]
        base, base_source = anchors[year]
        for y in sorted(a for a in anchors if a >= year):
            value, source = anchors[y]
            rows.append(
                [
                    mineral,
                    str(y),
                    fmt(value / base, 4),
                    "world mine output (USGS)"
                    if mineral not in ("germanium",)
                    else "world refinery output",
                    f"{source}; base {base_source} {base:g} t"
                    + (
                        "; ESTIMATE: interpolate geometrically between anchor years"
                        if y != year
                        else ""
                    ),
                ]
            )
    return rows


def balance_rows() -> list[Row]:
    """Reported surplus (+) or deficit (-) by mineral and year."""
    return [
        [m, str(y), fmt(b, 0), fmt(b / d, 4), note, source] for m, y, b, d, note, source in BALANCE
    ]


def write(path: Path, header: list[str], rows: list[Row]) -> Path:
    """CSV with Unix line ends, so the bytes are the same on every platform."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def build(out: Path = HERE) -> list[Path]:
    """Write every vintage table under ``out``."""
    paths = []
    for year in YEARS:
        supply = supply_rows(year)
        tables = {
            "supply": supply,
            "prices": price_rows(year),
            "reserves": reserve_rows(year),
            "ownership": ownership_rows(year, {(r[0], r[1], r[2]) for r in supply}),
            "demand": demand_rows(year),
            "growth": growth_rows(year),
        }
        for name, rows in tables.items():
            paths.append(write(out / str(year) / f"{name}_{year}.csv", HEADERS[name], rows))
    paths.append(
        write(
            out / "balance.csv",
            [
                "mineral",
                "year",
                "balance_tonnes",
                "balance_share_of_demand",
                "stock_change_note",
                "source",
            ],
            balance_rows(),
        )
    )
    paths.append(
        write(
            out / "stocks.csv",
            ["mineral", "year", "holder", "tonnes", "source"],
            [[m, str(y), h, fmt(t, 0), s] for m, y, h, t, s in STOCKS],
        )
    )
    return paths


def main(argv: list[str] | None = None) -> None:
    """Command line: --out DIR (default: this folder)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE)
    for path in build(parser.parse_args(argv).out):
        print(path)


assert set(COUNTRIES) >= {"ROW"}

if __name__ == "__main__":
    main()
