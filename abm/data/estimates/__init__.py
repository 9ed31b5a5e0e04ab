"""The estimates behind the calibration tables: what the primary files do not say, as data.

The CSV and TOML files in this folder hold every judgement ``build_tables`` combines with the
primary files (USGS MCS 2024, IEA Data Explorer May 2024), so a reader can see and challenge
each one in one place. Fields are named, units are in the names, and every row or entry has a
``source``: a key of ``primary/SOURCES.md`` or ``ESTIMATE``, and then its ``reasoning``. The
model never reads these files; it reads the tables built from them.
"""

from __future__ import annotations

import csv
import math
import tomllib
import types
import typing
from dataclasses import MISSING, dataclass, fields
from pathlib import Path
from typing import Any

from abm.data.estimates.records import (
    Cost,
    CountryPoint,
    DemandSectorRow,
    Growth,
    LeadTime,
    MineralBasis,
    Ownership,
    PriceQuote,
    Quantity,
    Recycling,
    SectorProfile,
    SmallMineral,
    Split,
    SupplyNote,
    SupplySplit,
    Transport,
)
from abm.data.loader import CalibrationError
from abm.data.schema import COUNTRIES, MINERALS, SECTORS, STAGES

HERE = Path(__file__).parent
SOURCE_KEYS = ("USGS24", "IEA24", "ICSG", "ESTIMATE")


@dataclass(frozen=True)
class Estimates:
    """Every estimate file, read and checked; keyed as the builders look them up."""

    country_points: dict[tuple[str, ...], CountryPoint]
    mineral_bases: dict[tuple[str, ...], MineralBasis]
    supply_notes: dict[tuple[str, ...], SupplyNote]
    gallium_refined: SupplySplit
    germanium: SupplySplit
    copper_eu_refined_t: Quantity
    ownership: list[Ownership]
    prices: dict[tuple[str, ...], PriceQuote]
    lead_times: dict[tuple[str, ...], LeadTime]
    costs: dict[tuple[str, ...], Cost]
    recycling: dict[tuple[str, ...], Recycling]
    transport: dict[tuple[str, ...], Transport]
    demand_sectors: list[DemandSectorRow]
    sector_profiles: dict[tuple[str, ...], SectorProfile]
    profiles: dict[str, Split]
    small_minerals: dict[str, SmallMineral]


def cited(source: str, reasoning: str) -> str:
    """The text a built table's ``source`` column carries: the source, then its reasoning."""
    return f"{source}: {reasoning}" if reasoning else source


def load_estimates(directory: Path = HERE) -> Estimates:
    """Read and check every estimate file in ``directory``."""
    splits = _toml(directory, "supply_splits.toml")
    return Estimates(
        country_points=_csv(directory, "country_points.csv", CountryPoint, ("code",)),
        mineral_bases=_csv(directory, "mineral_bases.csv", MineralBasis, ("mineral",)),
        supply_notes=_csv(directory, "supply_notes.csv", SupplyNote, ("mineral", "stage")),
        gallium_refined=_split(splits, "gallium_refined", "supply_splits.toml", SupplySplit),
        germanium=_split(splits, "germanium", "supply_splits.toml", SupplySplit),
        copper_eu_refined_t=_record(
            Quantity, splits.get("copper_eu_refined"), "supply_splits.toml [copper_eu_refined]"
        ),
        ownership=[
            _record(Ownership, entry, f"ownership.toml [[ownership]] {number}")
            for number, entry in enumerate(_toml(directory, "ownership.toml")["ownership"], 1)
        ],
        prices=_csv(directory, "prices.csv", PriceQuote, ("mineral", "stage"), complete=False),
        lead_times=_csv(directory, "lead_times.csv", LeadTime, ("mineral", "stage")),
        costs=_csv(directory, "costs.csv", Cost, ("mineral", "stage")),
        recycling=_csv(directory, "recycling.csv", Recycling, ("mineral",)),
        transport=_csv(directory, "transport.csv", Transport, ("mineral", "stage")),
        demand_sectors=list(
            _csv(directory, "demand_sectors.csv", DemandSectorRow, (), complete=False).values()
        ),
        sector_profiles=_csv(
            directory, "demand_sector_profiles.csv", SectorProfile, ("mineral", "sector"), False
        ),
        profiles={
            name: _split(table, name, "demand_profiles.toml")
            for table in [_toml(directory, "demand_profiles.toml")]
            for name in table
        },
        small_minerals={
            mineral: _small_mineral(entry, mineral)
            for mineral, entry in _toml(directory, "demand_small_minerals.toml").items()
        },
    )


# --- reading and checking --------------------------------------------------------------------

_KEY_VALUES = {
    "code": COUNTRIES,
    "location": COUNTRIES,
    "mineral": MINERALS,
    "stage": STAGES,
    "sector": SECTORS,
}


def _csv(
    directory: Path, file_name: str, record: type, key: tuple[str, ...], complete: bool = True
) -> dict[tuple[str, ...], Any]:
    """Records of one CSV keyed by ``key`` (by line number if empty), in file order.

    ``complete``: every combination of the key's allowed values has a row.
    """
    path = directory / file_name
    if not path.is_file():
        raise CalibrationError(f"{file_name}: file not found in {directory}")
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        expected = [field.name for field in fields(record)]
        if reader.fieldnames != expected:
            raise CalibrationError(
                f"{file_name}: columns are {reader.fieldnames}; expected {', '.join(expected)}"
            )
        found: dict[tuple[str, ...], Any] = {}
        for line, row in enumerate(reader, start=2):
            where = f"{file_name} line {line}"
            if None in row or None in row.values():  # more or fewer cells than the header
                cells = len(expected) + len(row.get(None, [])) - list(row.values()).count(None)
                raise CalibrationError(f"{where} has {cells} fields; the header {len(expected)}")
            values = {name: (None if value == "" else value) for name, value in row.items()}
            item = _record(record, values, where, text=True)
            name = tuple(getattr(item, column) for column in key) or (str(line),)
            if name in found:
                raise CalibrationError(f"{where}: a second row for {', '.join(name)}")
            found[name] = item
    if complete and key:
        wanted = _combinations([_KEY_VALUES[column] for column in key])
        missing = [name for name in wanted if name not in found]
        if missing:
            raise CalibrationError(f"{file_name}: no row for {', '.join(missing[0])}")
        found = {name: found[name] for name in wanted}
    return found


def _combinations(values: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = [()]
    for allowed in values:
        out = [(*name, value) for name in out for value in allowed]
    return out


def _toml(directory: Path, file_name: str) -> dict[str, Any]:
    path = directory / file_name
    if not path.is_file():
        raise CalibrationError(f"{file_name}: file not found in {directory}")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise CalibrationError(f"{file_name}: not valid TOML ({error})") from error


def _pop(table: dict[str, Any], name: str, kind: type, where: str) -> Any:
    if not isinstance(table.get(name), kind):
        raise CalibrationError(f"{where}: '{name}' is missing or not a {kind.__name__}")
    return table.pop(name)


def _split(table: dict[str, Any], name: str, file_name: str, kind: type = Split) -> Any:
    return _record(kind, table.get(name), f"{file_name} [{name}]")


def _small_mineral(entry: Any, mineral: str) -> SmallMineral:
    where = f"demand_small_minerals.toml [{mineral}]"
    if mineral not in MINERALS or not isinstance(entry, dict):
        raise CalibrationError(f"{where}: not a table named after one of {', '.join(MINERALS)}")
    growth = _pop(entry, "growth", dict, where)
    item = _record(SmallMineral, {**entry, "growth": {}}, where)
    paths = {
        sector: _record(Growth, values, f"{where} growth.{sector}")
        for sector, values in growth.items()
    }
    wanted = [*item.shares, "other"]
    if list(paths) != wanted:
        raise CalibrationError(f"{where}: growth sectors are {list(paths)}; expected {wanted}")
    for sector, path in paths.items():
        if (path.per_year is None) == (path.follows is None):
            raise CalibrationError(f"{where} growth.{sector}: give per_year or follows, not both")
        if path.follows is not None and path.follows not in MINERALS:
            raise CalibrationError(
                f"{where} growth.{sector}: follows '{path.follows}' is not one of "
                f"{', '.join(MINERALS)}"
            )
        if path.per_year is not None:
            _check_source(path.source, path.reasoning, f"{where} growth.{sector}")
    return SmallMineral(**{**item.__dict__, "growth": paths})


def _record(record: type, values: Any, where: str, text: bool = False) -> Any:
    """One record from a CSV row (``text``) or TOML table: every field present, typed, checked."""
    if not isinstance(values, dict):
        raise CalibrationError(f"{where}: missing or not a table")
    hints = typing.get_type_hints(record)
    unknown = [name for name in values if name not in hints]
    if unknown:
        raise CalibrationError(
            f"{where}: unknown field '{unknown[0]}'; fields are: {', '.join(hints)}"
        )
    converted = {}
    for field in fields(record):
        if field.name not in values:
            if field.default is MISSING:
                raise CalibrationError(f"{where}: field '{field.name}' is missing")
            continue
        value = values[field.name]
        converted[field.name] = _convert(value, hints[field.name], where, field.name, text)
    item = record(**converted)
    for name, allowed in _KEY_VALUES.items():
        value = getattr(item, name, None)
        if isinstance(value, str) and value not in allowed:
            raise CalibrationError(f"{where}: {name} '{value}' is not one of {', '.join(allowed)}")
    if hasattr(item, "source") and not isinstance(item, Growth):
        _check_source(item.source, getattr(item, "reasoning", ""), where)
    if isinstance(item, Split | Ownership | SmallMineral):
        _check_shares(item, where)
    return item


def _convert(value: Any, kind: Any, where: str, name: str, text: bool = False) -> Any:
    """A field's value as its annotated type (parsed if ``text``); numbers must be finite."""
    label = f"{where}: {name}" if name else where
    optional = isinstance(kind, types.UnionType) and type(None) in typing.get_args(kind)
    if value is None:
        if optional or kind is str:
            return None if optional else ""
        raise CalibrationError(f"{label} is empty; expected a {kind.__name__}")
    if optional:
        kind = next(arg for arg in typing.get_args(kind) if arg is not type(None))
    if typing.get_origin(kind) is dict:
        if not isinstance(value, dict):
            raise CalibrationError(f"{label} must be a table of numbers")
        return {
            key: _convert(number, float, where, f"{name}.{key}") for key, number in value.items()
        }
    if kind is str:
        if not isinstance(value, str):
            raise CalibrationError(f"{label} must be text, got {value!r}")
        return value
    wanted = "an integer" if kind is int else "a number"
    if text:
        try:
            number = kind(value)
        except ValueError:
            raise CalibrationError(f"{label} '{value}' is not {wanted}") from None
    elif isinstance(value, bool) or not isinstance(value, int if kind is int else int | float):
        raise CalibrationError(f"{label} must be {wanted}, got {value!r}")
    else:
        number = kind(value)
    if not math.isfinite(number):
        raise CalibrationError(f"{label} '{value}' is not a finite number")
    return number


def _check_source(source: str, reasoning: str, where: str) -> None:
    """Every estimate says it is one and why; anything else names a primary source."""
    if not source.startswith(SOURCE_KEYS):
        raise CalibrationError(
            f"{where}: source '{source}' must start with one of {', '.join(SOURCE_KEYS)}"
        )
    if source == "ESTIMATE" and not reasoning:
        raise CalibrationError(f"{where}: an ESTIMATE needs its reasoning")


def _check_shares(item: Split | Ownership | SmallMineral, where: str) -> None:
    """Shares are of model countries (of sectors for a small mineral's use), between 0 and 1."""
    name = "owners" if isinstance(item, Ownership) else "shares"
    allowed = SECTORS if isinstance(item, SmallMineral) else COUNTRIES
    for key, share in getattr(item, name).items():
        if key not in allowed:
            raise CalibrationError(f"{where}: {name} '{key}' is not one of {', '.join(allowed)}")
        if not 0 <= share <= 1:
            raise CalibrationError(f"{where}: {name}.{key} {share:g} is not between 0 and 1")
