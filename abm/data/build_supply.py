"""Supply, pipeline and reserves tables from the USGS and IEA primary files.

Part of the table build (``python -m abm.data.build_tables``). Country names are folded to the
model's codes; output a source counts in its world total but lists under no country goes to ROW.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from abm.data.estimates import Estimates, cited
from abm.data.loader import CalibrationError
from abm.data.primary import IeaData, clean_name, country_code, read_usgs_world
from abm.data.schema import COUNTRIES, MINERALS, STAGES

HERE = Path(__file__).parent
YEARS = (2023, 2030, 2035, 2040)
USGS_MINING = ("lithium", "graphite", "cobalt", "nickel", "copper")
Row = list[Any]  # one CSV row: texts and numbers


def fmt(value: float, digits: int) -> str:
    """Fixed-precision text for a float; never '-0'."""
    text = f"{value:.{digits}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def normalised[Key](values: dict[Key, float]) -> dict[Key, str]:
    """Shares (6 decimals) that sum to exactly 1: the largest absorbs the rounding."""
    total = sum(values.values())
    micro = {k: round(v / total * 1_000_000) for k, v in values.items()}
    largest = max(micro, key=lambda k: (micro[k], -list(values).index(k)))
    micro[largest] += 1_000_000 - sum(micro.values())
    return {k: fmt(v / 1_000_000, 6) for k, v in micro.items() if v > 0}


def by_code(keys: Iterable[str]) -> list[str]:
    """Codes in model order, so rows come out the same every run."""
    return sorted(keys, key=COUNTRIES.index)


def fold(
    pairs: Iterable[tuple[str, float | None]],
) -> tuple[dict[str, float], dict[str, list[str]]]:
    """Sum tonnes by country code, remembering which data names went into each code."""
    tonnes: dict[str, float] = {}
    names: dict[str, list[str]] = {}
    for name, value in pairs:
        if value is None or value <= 0:
            continue
        code = country_code(name)
        tonnes[code] = tonnes.get(code, 0.0) + value
        names.setdefault(code, []).append(clean_name(name))
    return tonnes, names


def add_residual(
    tonnes: dict[str, float], names: dict[str, list[str]], world: float, label: str
) -> None:
    """Output the source counts in its world total but lists under no country goes to ROW."""
    residual = world - sum(tonnes.values())
    if residual > 0.5:
        tonnes["ROW"] = tonnes.get("ROW", 0.0) + residual
        names.setdefault("ROW", []).append(label)


def usgs_group(primary: Path, mineral: str, kind: str) -> tuple[dict, dict, str]:
    """One USGS production block folded to codes, with a note on what was left out."""
    rows = [r for r in read_usgs_world(primary, mineral) if kind in r.kind]
    world = next(r.production_2023_t for r in rows if r.name.startswith("World"))
    assert world is not None, f"USGS {mineral} {kind}: no world total"
    listed = [(r.name, r.production_2023_t) for r in rows if not r.name.startswith("World")]
    tonnes, names = fold(listed)
    add_residual(tonnes, names, world, "world total less listed countries")
    withheld = [
        r.name for r in rows if r.production_2023_t is None and not r.name.startswith("World")
    ]
    note = (
        f"basis USGS24 {kind.lower()} 2023; total {sum(tonnes.values()):.0f} t (USGS world "
        f"total {world:.0f} t, rounded)"
    )
    if withheld:
        note += f"; withheld or not available (excluded): {', '.join(withheld)}"
    return tonnes, names, note


def iea_group(iea: IeaData, mineral: str, stage: str, year: int = 2023) -> tuple[dict, dict, str]:
    """One IEA supply block folded to codes; ROW is the Total less the listed countries."""
    block = iea.supply[(mineral, stage)]
    tonnes, names = fold((n, v[year] * 1000) for n, v in block.countries.items())
    add_residual(tonnes, names, block.total[year] * 1000, "IEA Total less listed countries")
    note = f"basis IEA24 sheet 2 base case {year}; total {block.total[year]:g} kt"
    listed_row = block.rest_of_world.get(year, 0.0) + sum(v[year] for v in block.countries.values())
    if abs(listed_row - block.total[year]) > 0.5:
        note += (
            f"; the IEA 'Rest of world' row ({block.rest_of_world[year]:g} kt) does not add "
            "up to the Total, so ROW = Total less listed countries"
        )
    return tonnes, names, note


Group = tuple[dict[str, float], dict[str, list[str]], str, str, dict[str, str]]


def supply_group(
    primary: Path, iea: IeaData, estimates: Estimates, mineral: str, stage: str
) -> Group:
    """(tonnes by code, names by code, group note, basis key, row sources by code)."""
    if stage == "raw" and mineral in USGS_MINING:
        tonnes, names, note = usgs_group(primary, mineral, "Mine production")
        return tonnes, names, note, "USGS24", {}
    if (mineral, stage) == ("gallium", "raw"):
        tonnes, names, note = usgs_group(primary, mineral, "Primary production")
        return tonnes, names, note + " (low-purity primary gallium)", "USGS24", {}
    if (mineral, stage) == ("copper", "refined"):
        return copper_refined(primary, iea, estimates)
    if mineral in ("gallium", "germanium"):
        split = estimates.gallium_refined if mineral == "gallium" else estimates.germanium
        if split.world_t is not None:
            world = split.world_t
        elif mineral == "gallium":  # high-purity output taken as the USGS primary total
            world = sum(usgs_group(primary, "gallium", "Primary production")[0].values())
        else:
            raise CalibrationError("supply_splits.toml [germanium]: world_t is missing")
        tonnes = {code: share * world for code, share in split.shares.items()}
        source = cited(split.source, split.reasoning)
        note = "ESTIMATE; no country data in the primary files"
        if mineral == "germanium" and stage == "raw":
            note += "; " + split.raw_note
        return tonnes, {}, note, "ESTIMATE", dict.fromkeys(tonnes, source)
    tonnes, names, note = iea_group(iea, mineral, stage)
    return tonnes, names, note, "IEA24", {}


def copper_refined(primary: Path, iea: IeaData, estimates: Estimates) -> Group:
    """USGS refinery output, with India (IEA) and the unlisted EU members split from 'Other'."""
    tonnes, names, note = usgs_group(primary, "copper", "Refinery production")
    india = iea.supply[("copper", "refined")].countries["India"][2023] * 1000
    eu = estimates.copper_eu_refined_t
    moved_eu = eu.value - tonnes["EU"]
    tonnes["IN"] = india
    tonnes["EU"] = eu.value
    tonnes["ROW"] -= india + moved_eu
    names["IN"], names["EU"] = ["India (IEA24)"], names["EU"] + ["other EU members (ESTIMATE)"]
    sources = {
        "IN": f"IEA24: India {india / 1000:g} kt (in USGS 'Other countries')",
        "EU": cited(eu.source, eu.reasoning),
        "ROW": "ESTIMATE: USGS24 'Other countries' and unlisted countries less India (IEA24) and "
        "the EU members moved to EU",
    }
    return (
        tonnes,
        names,
        note + "; India and EU members split out of 'Other countries'",
        "USGS24",
        sources,
    )


def supply_rows(primary: Path, iea: IeaData, estimates: Estimates) -> list[Row]:
    """Output and shares by (mineral, stage, country), one stated basis per group."""
    rows = []
    for mineral in MINERALS:
        for stage in STAGES:
            tonnes, names, note, basis, sources = supply_group(
                primary, iea, estimates, mineral, stage
            )
            shares = normalised({c: tonnes[c] for c in by_code(tonnes)})
            note = f"{note}; {estimates.supply_notes[(mineral, stage)].note}"
            for code, share in shares.items():
                folded = names.get(code, [])
                row_note = note + (
                    f"; folded: {' + '.join(folded)}" if code in ("EU", "ROW") and folded else ""
                )
                rows.append(
                    [
                        mineral,
                        stage,
                        code,
                        fmt(tonnes[code], 1),
                        share,
                        basis,
                        sources.get(code, basis),
                        row_note,
                    ]
                )
    return rows


def pipeline_rows(iea: IeaData) -> list[Row]:
    """IEA base-case output by country for 2023-2040, so capacity can follow announced projects."""
    rows = []
    for mineral in MINERALS:
        for stage in STAGES:
            if (mineral, stage) not in iea.supply:
                continue
            block = iea.supply[(mineral, stage)]
            per_year = {}
            for year in YEARS:
                per_year[year], names = fold(
                    (n, v[year] * 1000) for n, v in block.countries.items()
                )
                add_residual(per_year[year], names, block.total[year] * 1000, "")
            codes = by_code({c for year in YEARS for c in per_year[year]})
            for code in codes:
                if all(per_year[y].get(code, 0.0) <= 0.5 for y in YEARS):
                    continue
                source = "IEA24 sheet 2 base case" + (
                    "; ROW = listed ROW countries plus Total less listed" if code == "ROW" else ""
                )
                rows += [
                    [mineral, stage, code, str(y), fmt(per_year[y].get(code, 0.0), 1), source]
                    for y in YEARS
                ]
    return rows


def reserves_rows(primary: Path) -> list[Row]:
    """USGS reserves folded to codes (rare earths in total REO, not magnet REO)."""
    rows = []
    for mineral in MINERALS:
        world_rows = [r for r in read_usgs_world(primary, mineral) if "Refinery" not in r.kind]
        world = next((r.reserves_t for r in world_rows if r.name.startswith("World")), None)
        if world is None:
            continue
        tonnes, names = fold(
            (r.name, r.reserves_t) for r in world_rows if not r.name.startswith("World")
        )
        add_residual(tonnes, names, world, "world total less listed countries")
        basis = " (total rare-earth oxide, not magnet REO)" if mineral == "rare_earths" else ""
        for code in by_code(tonnes):
            source = "USGS24" + basis
            if code == "ROW":
                source += f"; folded: {' + '.join(names['ROW'])}"
            if (mineral, code) == ("rare_earths", "VN"):
                source += "; cut from 22 Mt to 3.5 Mt in MCS 2025"
            if (mineral, code) == ("nickel", "ROW"):
                source += "; 'Other countries' is a lower bound (>9.1 Mt)"
            rows.append([mineral, code, fmt(tonnes[code], 0), source])
    return rows
