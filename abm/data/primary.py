"""Readers for the primary files: USGS MCS 2024 CSVs and the IEA Data Explorer workbook.

Only ``build_tables`` uses this module; openpyxl is imported inside ``read_iea`` so that loading
the shipped tables never needs it. Country names are folded to the model's codes here, and an
unknown name stops the build rather than vanishing into the rest of the world.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

USGS_CODES = {
    "lithium": "lithi",
    "graphite": "graph",
    "cobalt": "cobal",
    "nickel": "nicke",
    "copper": "coppe",
    "rare_earths": "raree",
    "gallium": "galli",
    "germanium": "germa",
}
IEA_WORKBOOK = "CM_Data_Explorer_May_2024.xlsx"

_EU = (
    "Austria",
    "Belgium",
    "Bulgaria",
    "Croatia",
    "Cyprus",
    "Czechia",
    "Denmark",
    "Estonia",
    "Finland",
    "France",
    "Germany",
    "Greece",
    "Hungary",
    "Ireland",
    "Italy",
    "Latvia",
    "Lithuania",
    "Luxembourg",
    "Malta",
    "Netherlands",
    "Poland",
    "Portugal",
    "Romania",
    "Slovakia",
    "Slovenia",
    "Spain",
    "Sweden",
)
# Slovakia is in the EU but the brief folds it to ROW (it appears only as a gallium refiner).
_ROW = (
    "Zimbabwe",
    "Madagascar",
    "Mozambique",
    "Tanzania",
    "Cuba",
    "New Caledonia",
    "Thailand",
    "Norway",
    "South Africa",
    "Turkey",
    "Sri Lanka",
    "Korea, North",
    "Mexico",
    "Ukraine",
    "Kazakhstan",
    "Slovakia",
    "Zambia",
    "Papua New Guinea",
    "Greenland",
    "Other countries",
    "Rest of world",
)
_NAMED = {
    "China": "CN",
    "Australia": "AU",
    "Indonesia": "ID",
    "Congo (Kinshasa)": "CD",
    "Democratic Republic of Congo": "CD",
    "DR Congo": "CD",
    "Chile": "CL",
    "Argentina": "AR",
    "India": "IN",
    "Japan": "JP",
    "United States": "US",
    "Korea, Republic of": "KR",
    "Korea Rep.": "KR",
    "Korea": "KR",
    "Burma": "MM",
    "Myanmar": "MM",
    "Vietnam": "VN",
    "Viet Nam": "VN",
    "Malaysia": "MY",
    "Philippines": "PH",
    "Russia": "RU",
    "Canada": "CA",
    "Brazil": "BR",
    "Peru": "PE",
}
COUNTRY_CODES = {
    **{n: "EU" for n in _EU if n != "Slovakia"},
    **dict.fromkeys(_ROW, "ROW"),
    **_NAMED,
}
_FOOTNOTE = re.compile(r"^(?P<name>.*?)(?:\d+|e)$")


def country_code(name: str) -> str:
    """The model's code for a data name, tolerating USGS footnote marks ('Japane', 'Other4')."""
    name = name.strip()
    if name in COUNTRY_CODES:
        return COUNTRY_CODES[name]
    match = _FOOTNOTE.match(name)
    if match and match["name"] in COUNTRY_CODES:
        return COUNTRY_CODES[match["name"]]
    raise ValueError(f"unknown country name {name!r}: add it to COUNTRY_CODES")


def clean_name(name: str) -> str:
    """The data name without USGS footnote marks."""
    name = name.strip()
    match = _FOOTNOTE.match(name)
    return match["name"] if name not in COUNTRY_CODES and match else name


def number(text: str | None) -> float | None:
    """A USGS cell as a float; None for W (withheld), NA, blanks and notes."""
    if text is None:
        return None
    text = text.strip().lstrip(">").replace(",", "").strip()
    try:
        return float(text)
    except ValueError:
        return None


@dataclass(frozen=True)
class UsgsRow:
    """One country line of a USGS world table, in tonnes."""

    name: str
    kind: str
    production_2023_t: float | None
    reserves_t: float | None
    capacity_t: float | None


_UNITS = {"t": 1.0, "kt": 1000.0, "kg": 0.001}


def read_usgs_world(primary: Path, mineral: str) -> list[UsgsRow]:
    """Rows of mcs2024-<code>_world.csv with 2023 output, reserves and capacity in tonnes."""
    path = primary / f"mcs2024-{USGS_CODES[mineral]}_world.csv"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    production = next(i for i, h in enumerate(header) if h.startswith("Prod_") and "2023" in h)
    unit = _UNITS[header[production].split("_")[1]]
    reserves = next((i for i, h in enumerate(header) if h.startswith("Reserves_")), None)
    capacity = next((i for i, h in enumerate(header) if h.startswith("Cap_")), None)
    out = []
    for row in rows[1:]:
        if len(row) < 3 or not row[1].strip():
            continue

        def cell(index: int | None, row: list[str] = row) -> float | None:
            value = None if index is None else number(row[index])
            return None if value is None else value * unit

        out.append(
            UsgsRow(
                row[1].strip(), row[2].strip(), cell(production), cell(reserves), cell(capacity)
            )
        )
    return out


def read_usgs_salient(primary: Path, mineral: str) -> tuple[list[str], dict[str, list[str]]]:
    """Header and rows by year of mcs2024-<code>_salient.csv (positions kept: names repeat)."""
    path = primary / f"mcs2024-{USGS_CODES[mineral]}_salient.csv"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = [row for row in csv.reader(handle) if len(row) > 2 and row[2].strip()]
    return rows[0], {row[2].strip(): row for row in rows[1:]}


def salient_value(primary: Path, mineral: str, column: str, year: str = "2023") -> float:
    """One 2023 figure from a salient table, by the first column with that name."""
    header, rows = read_usgs_salient(primary, mineral)
    value = number(rows[year][header.index(column)])
    if value is None:
        raise ValueError(f"{mineral} salient {column} {year} is not a number")
    return value


@dataclass(frozen=True)
class IeaBlock:
    """One mining or refining block of the IEA supply sheet (kt by year)."""

    countries: dict[str, dict[int, float]]
    rest_of_world: dict[int, float]
    total: dict[int, float]


SUPPLY_SHEET = "2 Total supply for key minerals"
DEMAND_SHEET = "1 Total demand for key minerals"
CLEANTECH_SHEET = "3.2 Cleantech demand by mineral"
SUPPLY_BLOCKS = {
    "Copper - Mining": ("copper", "raw"),
    "Copper - Refining": ("copper", "refined"),
    "Cobalt - Mining": ("cobalt", "raw"),
    "Cobalt - Refining": ("cobalt", "refined"),
    "Lithium - Mining": ("lithium", "raw"),
    "Lithium - Chemicals": ("lithium", "refined"),
    "Nickel - Mining": ("nickel", "raw"),
    "Nickel - Refining": ("nickel", "refined"),
    "Graphite - Mining (natural)": ("graphite", "raw"),
    "Graphite - Battery grade": ("graphite", "refined"),
    "Magnet rare earth elements - Mining": ("rare_earths", "raw"),
    "Magnet rare earth elements - Refining": ("rare_earths", "refined"),
}


@dataclass(frozen=True)
class IeaData:
    """What the build takes from the IEA workbook."""

    supply: dict[tuple[str, str], IeaBlock]
    demand: dict[str, dict[str, dict[tuple[str, int], float]]]  # block -> row -> (scen, year)
    cleantech: dict[str, dict[tuple[str, int], float]]  # mineral row -> (scenario, year)


def read_iea(primary: Path) -> IeaData:
    """Supply blocks (sheet 2), demand rows (sheet 1) and clean-tech demand (sheet 3.2)."""
    import openpyxl  # only the build needs it

    book = openpyxl.load_workbook(primary / IEA_WORKBOOK, read_only=True, data_only=True)
    try:
        supply = _supply_blocks(list(book[SUPPLY_SHEET].iter_rows(values_only=True)))
        demand = _demand_blocks(list(book[DEMAND_SHEET].iter_rows(values_only=True)))
        table = list(book[CLEANTECH_SHEET].iter_rows(values_only=True))
        cleantech = {
            str(row[0]).strip(): _by_scenario(table, row)
            for row in table[6:]
            if row[0] and isinstance(row[1], int | float)
        }
    finally:
        book.close()
    return IeaData(supply, demand, cleantech)


def _supply_blocks(rows: list[tuple]) -> dict[tuple[str, str], IeaBlock]:
    years = [int(v) for v in rows[3][1:5]]
    blocks: dict[tuple[str, str], IeaBlock] = {}
    for start, row in enumerate(rows):
        for offset in (0, 6):  # left block in columns A-E, right block in G-K
            title = row[offset] if len(row) > offset else None
            if title not in SUPPLY_BLOCKS:
                continue
            countries: dict[str, dict[int, float]] = {}
            rest, total = {}, {}
            for line in rows[start + 1 :]:
                label = line[offset]
                if label is None:
                    continue
                values = {
                    y: float(v) for y, v in zip(years, line[offset + 1 : offset + 5], strict=True)
                }
                if str(label).startswith("Total"):
                    total = values
                    break
                if label == "Rest of world":
                    rest = values
                else:
                    countries[str(label)] = values
            blocks[SUPPLY_BLOCKS[title]] = IeaBlock(countries, rest, total)
    return blocks


def _by_scenario(table: list[tuple], row: tuple) -> dict[tuple[str, int], float]:
    """Map a data row onto (scenario, year); 2023 is stored under every scenario."""
    scenario_row, year_row = table[3], table[4]
    names = {"Stated Policies": "STEPS", "Announced Pledges": "APS", "Net Zero": "NZE"}
    out: dict[tuple[str, int], float] = {}
    scenario = None
    for column, year in enumerate(year_row):
        label = scenario_row[column] if column < len(scenario_row) else None
        if label:
            scenario = next(v for k, v in names.items() if str(label).startswith(k))
        if not isinstance(year, int) or column >= len(row) or row[column] is None:
            continue
        if scenario is None:
            for name in names.values():
                out[(name, year)] = float(row[column])
        else:
            out[(scenario, year)] = float(row[column])
    return out


def _demand_blocks(table: list[tuple]) -> dict[str, dict[str, dict[tuple[str, int], float]]]:
    blocks: dict[str, dict[str, dict[tuple[str, int], float]]] = {}
    current = None
    for row in table[5:]:
        label = row[0]
        if label is None:
            continue
        if row[1] is None:
            current = str(label).strip()
            blocks[current] = {}
        elif current is not None and not str(label).startswith("Share"):
            blocks[current][str(label).strip()] = _by_scenario(table, row)
    return blocks
