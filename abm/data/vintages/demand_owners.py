"""Demand by country and sector, and foreign ownership, of the historical base years.

Both start from the shipped 2023 tables and change only what differed materially in the base
year; every changed row says why, every unchanged row says 'as 2023, ESTIMATE'.
"""

from __future__ import annotations

import csv
from pathlib import Path

from abm.data.build_supply import by_code, fmt, normalised

DATA = Path(__file__).parent.parent
Row = list[str]

# Battery (EV + grid storage) share of each mineral's use in the base year (ESTIMATE).
BATTERY_SHARE = {
    2010: {"lithium": 0.01, "cobalt": 0.01, "nickel": 0.003, "graphite": 0.01, "copper": 0.002},
    2013: {"lithium": 0.03, "cobalt": 0.02, "nickel": 0.005, "graphite": 0.02, "copper": 0.003},
}
BATTERY_WHY = (
    "EV and grid batteries were a tiny share of use (global EV stock under 0.1 "
    "million in 2010 and about 0.4 million in 2013; portable batteries count as "
    "'other')"
)
# Country profile of battery-cell making (all minerals), ESTIMATE: Japan and Korea led.
BATTERY_PROFILE = {
    2010: {"JP": 0.45, "KR": 0.25, "CN": 0.20, "US": 0.05, "EU": 0.03, "ROW": 0.02},
    2013: {"JP": 0.40, "KR": 0.25, "CN": 0.25, "US": 0.06, "EU": 0.03, "ROW": 0.01},
}
# Rare-earth magnet use by country (issue 19: ex-China users, Japan first, about 40% in 2010).
MAGNET_PROFILE = {
    2010: {"CN": 0.60, "JP": 0.25, "EU": 0.06, "US": 0.05, "KR": 0.02, "ROW": 0.02},
    2013: {"CN": 0.70, "JP": 0.17, "EU": 0.05, "US": 0.04, "KR": 0.02, "ROW": 0.02},
}
# China's share within a sector (others keep their 2023 proportions), ESTIMATE.
CHINA_SHARE = {
    2010: {
        ("nickel", "other"): (0.40, "stainless melt: China about 37% in 2010 (ISSF)"),
        ("copper", "*"): (0.38, "China about 7.4 of 19.3 Mt refined use (ICSG11)"),
        ("cobalt", "other"): (0.38, "China about a third of cobalt use"),
        ("lithium", "other"): (0.30, "China about 30% of glass, ceramics, grease use"),
        ("graphite", "other"): (0.35, "refractories and steel"),
    },
    2013: {
        ("nickel", "other"): (0.50, "stainless melt: China about half in 2013 (ISSF)"),
        ("copper", "*"): (0.45, "China 45% of world use in 2013 (ICSG14c)"),
        ("cobalt", "other"): (0.45, "China's use rising"),
        ("lithium", "other"): (0.35, "China's use rising"),
        ("graphite", "other"): (0.40, "refractories and steel"),
    },
}


def read(name: str) -> list[dict[str, str]]:
    """A shipped 2023 table as dicts."""
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def demand_rows(year: int) -> list[Row]:
    """Demand shares by (mineral, country, sector) for the base year; sum 1 per mineral."""
    rows = read("demand_2023.csv")
    if year == 2022:
        return [
            [
                r["mineral"],
                r["country"],
                r["sector"],
                r["share"],
                "ESTIMATE: as 2023 (EV share of lithium, cobalt, nickel use about a tenth lower "
                "in 2022); was " + r["source"],
            ]
            for r in rows
        ]
    out: list[Row] = []
    for mineral in dict.fromkeys(r["mineral"] for r in rows):
        mrows = [r for r in rows if r["mineral"] == mineral]
        sectors: dict[str, dict[str, float]] = {}
        for r in mrows:
            sectors.setdefault(r["sector"], {})[r["country"]] = float(r["share"])
        totals = {s: sum(c.values()) for s, c in sectors.items()}
        target, why = sector_shares(year, mineral, totals)
        values: dict[tuple[str, str], float] = {}
        reasons: dict[tuple[str, str], str] = {}
        for sector, countries in sectors.items():
            profile, pwhy = country_profile(year, mineral, sector, countries)
            for country, share in profile.items():
                values[(country, sector)] = target[sector] * share
                reasons[(country, sector)] = (
                    f"ESTIMATE: sector share {target[sector]:.3f} ({why}); country split {pwhy}"
                )
        shares = normalised({k: v for k, v in values.items() if v > 0})
        for country in by_code({k[0] for k in shares}):
            for sector in sectors:
                if (country, sector) in shares:
                    out.append(
                        [
                            mineral,
                            country,
                            sector,
                            shares[(country, sector)],
                            reasons[(country, sector)],
                        ]
                    )
    return out


def sector_shares(year: int, mineral: str, totals: dict[str, float]) -> tuple[dict, str]:
    """Base-year sector shares: batteries set, the other sectors keep 2023 proportions."""
    battery = BATTERY_SHARE[year].get(mineral)
    if battery is None or "batteries" not in totals:
        return totals, "as 2023"
    rest = sum(v for s, v in totals.items() if s != "batteries")
    return (
        {s: battery if s == "batteries" else v / rest * (1 - battery) for s, v in totals.items()},
        BATTERY_WHY,
    )


def country_profile(
    year: int, mineral: str, sector: str, countries: dict[str, float]
) -> tuple[dict[str, float], str]:
    """Country split within one sector in the base year, and why."""
    if sector == "batteries":
        return BATTERY_PROFILE[year], "battery-cell making, Japan and Korea leading"
    if (mineral, sector) == ("rare_earths", "magnets"):
        return MAGNET_PROFILE[year], "magnet makers; ex-China (Japan first) about 40% in 2010"
    total = sum(countries.values())
    base = {c: v / total for c, v in countries.items()}
    rule = CHINA_SHARE[year].get((mineral, sector)) or CHINA_SHARE[year].get((mineral, "*"))
    if rule is None or "CN" not in base:
        return base, "as 2023"
    china, why = rule
    others = 1 - base["CN"]
    return (
        {c: china if c == "CN" else v / others * (1 - china) for c, v in base.items()},
        f"China {china:.0%} ({why}), others in 2023 proportions",
    )


# (mineral, stage, location) -> ({owner: share}, reason) for years 2010 and 2013.
OWNERS_2013 = {
    ("nickel", "refined", "ID"): (
        {"BR": 0.47, "JP": 0.16, "ID": 0.37},
        "PT Vale Indonesia "
        "matte (Vale 59%, Sumitomo 20%, about 80% of output) and "
        "Antam ferronickel (state); no Chinese-owned smelters yet",
    ),
    ("nickel", "raw", "ID"): (
        {"ID": 0.87, "BR": 0.10, "JP": 0.03},
        "Antam and many small Indonesian miners exporting ore; PT Vale's Sorowako mine",
    ),
    ("nickel", "refined", "EU"): (
        {"RU": 0.45, "BR": 0.35, "EU": 0.20},
        "Norilsk Harjavalta (Finland), Vale Clydach (UK, then EU), Larco and Eramet",
    ),
    ("cobalt", "raw", "CD"): (
        {"ROW": 0.50, "CN": 0.25, "CD": 0.12, "US": 0.09, "CA": 0.04},
        "Glencore (KCC, Mutanda) and ERG; TFM then Freeport 56%, Lundin "
        "24% (CMOC bought it in 2016); Chinese buyers of artisanal output",
    ),
    ("cobalt", "raw", "ID"): ({"BR": 0.60, "JP": 0.20, "ID": 0.20}, "by-product of PT Vale"),
    ("copper", "raw", "CD"): (
        {"ROW": 0.35, "US": 0.25, "CN": 0.15, "CD": 0.15, "CA": 0.10},
        "TFM (Freeport), Glencore, ERG, MMG Kinsevere; Sicomines not yet",
    ),
    ("copper", "refined", "CD"): (
        {"ROW": 0.40, "US": 0.25, "CN": 0.25, "CD": 0.10},
        "SX-EW at TFM, Glencore, Chinese-run plants",
    ),
    ("copper", "raw", "PE"): (
        {"ROW": 0.37, "US": 0.15, "PE": 0.15, "JP": 0.10, "AU": 0.08, "CA": 0.05, "CN": 0.10},
        "Las Bambas under Glencore-Xstrata until 2014; Toromocho (Chinalco) started December 2013",
    ),
    ("lithium", "raw", "AU"): (
        {"CN": 1.0},
        "Greenbushes: Tianqi bought Talison in 2013 (Rockwood's 49% came in 2014); Mt Cattlin idle",
    ),
    ("lithium", "raw", "CL"): (
        {"CL": 0.60, "US": 0.40},
        "SQM (Tianqi's stake came in 2018) and Rockwood/Chemetall",
    ),
    ("lithium", "refined", "CL"): ({"CL": 0.60, "US": 0.40}, "same owners as the brines"),
    ("lithium", "raw", "AR"): ({"US": 1.0}, "FMC Fenix only (Olaroz started 2015)"),
    ("lithium", "refined", "AR"): ({"US": 1.0}, "FMC Fenix only"),
    ("lithium", "raw", "ROW"): ({"ROW": 1.0}, "Zimbabwe's Bikita, locally owned"),
}
OWNERS_2010 = OWNERS_2013 | {
    ("lithium", "raw", "AU"): ({"AU": 1.0}, "Greenbushes: Talison Lithium (Perth-based)"),
    ("cobalt", "raw", "CD"): (
        {"ROW": 0.50, "CN": 0.20, "CD": 0.17, "US": 0.09, "CA": 0.04},
        "as 2013 with fewer Chinese buyers",
    ),
    ("copper", "raw", "CD"): (
        {"ROW": 0.32, "US": 0.30, "CA": 0.15, "CD": 0.15, "CN": 0.08},
        "TFM (Freeport) ramping up; First Quantum and Anvil (Canada)",
    ),
    ("copper", "refined", "CD"): (
        {"ROW": 0.45, "US": 0.30, "CN": 0.15, "CD": 0.10},
        "SX-EW at TFM, Glencore, Chinese-run plants",
    ),
    ("copper", "raw", "PE"): (
        {"ROW": 0.45, "US": 0.15, "PE": 0.15, "JP": 0.10, "AU": 0.08, "CA": 0.05, "CN": 0.02},
        "no Chinese-owned large mine before Toromocho",
    ),
}


def ownership_rows(year: int, located: set[tuple[str, str, str]]) -> list[Row]:
    """Foreign ownership by location; only locations with output in the base year."""
    overrides = {2010: OWNERS_2010, 2013: OWNERS_2013}.get(year, {})
    rows: list[Row] = []
    done = set()
    for r in read("ownership_2023.csv"):
        key = (r["mineral"], r["stage"], r["location"])
        if key not in located or key in done:
            continue
        if key in overrides:
            owners, why = overrides[key]
            rows += [[*key, o, fmt(s, 6), f"ESTIMATE: {year}: {why}"] for o, s in owners.items()]
            done.add(key)
            continue
        rows.append([*key, r["owner"], r["share"], "ESTIMATE: as 2023; was " + r["source"]])
    for key, (owners, why) in overrides.items():
        if key not in done and key in located:
            rows += [[*key, o, fmt(s, 6), f"ESTIMATE: {year}: {why}"] for o, s in owners.items()]
    return rows
