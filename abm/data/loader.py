"""Read and validate the calibration CSVs (pandas, numpy and the standard library only).

Bad input must fail loudly before a run starts, so every check names the file, the line (as a
text editor counts it, header = line 1), the column and what was expected.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import pandas as pd

from abm.data.schema import (
    ALLOWED,
    COMPLETE,
    COUNTRIES,
    EVIDENCE,
    FRACTION,
    MINERALS,
    OPTIONAL,
    SCHEMAS,
    SHARE_GROUPS,
    SHARE_TOLERANCE,
    SIGNED,
    SOURCE,
    STAGES,
    TEXT,
    UNIQUE_KEYS,
    YEAR,
)
from abm.validation import InputError

TABLES = {**SCHEMAS, **EVIDENCE}  # every table the loader reads, by attribute


class CalibrationError(InputError):
    """A calibration table is missing, malformed or inconsistent."""


def package_directory() -> Traversable:
    """Where the shipped tables live, also inside an installed package."""
    return resources.files("abm.data")


def read_table(
    directory: Traversable | Path, attribute: str, file_name: str | None = None
) -> pd.DataFrame:
    """One table, typed and checked row by row; ``file_name`` replaces the 2023 file's name
    (a vintage's ``supply_2010.csv`` has the columns of ``supply_2023.csv``)."""
    default_name, schema = TABLES[attribute]
    file_name = file_name or default_name
    path = directory.joinpath(file_name)
    if not path.is_file():
        raise CalibrationError(f"{file_name}: file not found in {directory}")
    with path.open("rb") as handle:
        try:
            frame = pd.read_csv(handle, dtype=object, keep_default_na=False, na_filter=False)
        except (ValueError, pd.errors.ParserError) as error:
            raise CalibrationError(f"{file_name}: cannot be read as CSV ({error})") from error
    missing = [column for column in schema if column not in frame.columns]
    if missing:
        raise CalibrationError(
            f"{file_name} line 1: missing column(s) {', '.join(missing)}; "
            f"required: {', '.join(schema)}"
        )
    for column, kind in schema.items():
        frame[column] = _check_column(file_name, column, kind, frame[column])
    return frame


def _line(position: int) -> int:
    """Row position 0 is on line 2: the header is line 1."""
    return position + 2


def _check_column(file_name: str, column: str, kind: str, values: pd.Series) -> pd.Series:
    if kind in ALLOWED:
        allowed = ALLOWED[kind]
        for position, value in enumerate(values):
            if value not in allowed:
                raise CalibrationError(
                    f"{file_name} line {_line(position)}: {column} {value!r} "
                    f"is not one of {', '.join(allowed)}"
                )
        return values
    if kind in (TEXT, SOURCE):
        for position, value in enumerate(values):
            if not value.strip():
                hint = " (name a source key such as USGS24, IEA24, or 'ESTIMATE: why')"
                raise CalibrationError(
                    f"{file_name} line {_line(position)}: {column} is empty"
                    + (hint if kind == SOURCE else "")
                )
        return values
    if kind == OPTIONAL:
        return values
    return _check_numbers(file_name, column, kind, values)


def _check_numbers(file_name: str, column: str, kind: str, values: pd.Series) -> pd.Series:
    numbers = pd.to_numeric(values.str.strip(), errors="coerce")
    for position, (text, number) in enumerate(zip(values, numbers, strict=True)):
        where = f"{file_name} line {_line(position)}: {column}"
        if not math.isfinite(number):
            raise CalibrationError(f"{where} {text!r} is not a number")
        if kind != SIGNED and number < 0:
            raise CalibrationError(f"{where} {text!r} is negative; it must be >= 0")
        if kind == FRACTION and number > 1:
            raise CalibrationError(f"{where} {text!r} must be between 0 and 1")
        if kind == YEAR and number != int(number):
            raise CalibrationError(f"{where} {text!r} is not a whole year")
    return numbers.astype("int64") if kind == YEAR else numbers.astype(float)


def _lines(positions: Iterable[int]) -> str:
    lines = [str(_line(p)) for p in positions]
    shown = ", ".join(lines[:8]) + (", ..." if len(lines) > 8 else "")
    return f"line {shown}" if len(lines) == 1 else f"lines {shown}"


def file_of(attribute: str, names: Mapping[str, str] | None = None) -> str:
    """The file a table was read from: ``names``' entry (a vintage's), else the 2023 one."""
    return (names or {}).get(attribute, TABLES[attribute][0])


def check_unique(attribute: str, frame: pd.DataFrame, names=None) -> None:
    """One row per key, so a lookup never silently picks one of two."""
    keys = list(UNIQUE_KEYS[attribute])
    duplicated = frame.duplicated(subset=keys, keep="first")
    if duplicated.any():
        position = int(duplicated.to_numpy().argmax())
        row = frame.iloc[position]
        key = ", ".join(f"{k}={row[k]}" for k in keys)
        raise CalibrationError(
            f"{file_of(attribute, names)} line {_line(position)}: duplicate row for {key}"
        )


def check_shares(attribute: str, frame: pd.DataFrame, names=None) -> None:
    """Shares within each group sum to one (supply, ownership, demand)."""
    keys = list(SHARE_GROUPS[attribute])
    positions = pd.Series(range(len(frame)), index=frame.index)
    for group, rows in frame.groupby(keys, sort=False):
        total = float(rows.share.sum())
        if abs(total - 1.0) > SHARE_TOLERANCE:
            labels = group if isinstance(group, tuple) else (group,)
            described = ", ".join(f"{k}={v}" for k, v in zip(keys, labels, strict=True))
            raise CalibrationError(
                f"{file_of(attribute, names)} {_lines(positions[rows.index])}: share for "
                f"{described} sums to {total:.6f}, expected 1 (within {SHARE_TOLERANCE})"
            )


def check_complete(attribute: str, frame: pd.DataFrame, names=None) -> None:
    """Every mineral (and stage) the model needs has a row."""
    file_name, schema = file_of(attribute, names), SCHEMAS[attribute][1]
    stages = STAGES if "stage" in schema else (None,)
    present = set(zip(frame.mineral, frame.stage, strict=True)) if "stage" in schema else set()
    for mineral in MINERALS:
        for stage in stages:
            if stage is None and mineral not in set(frame.mineral):
                raise CalibrationError(f"{file_name}: no row for mineral {mineral!r}")
            if stage is not None and (mineral, stage) not in present:
                raise CalibrationError(
                    f"{file_name}: no row for mineral {mineral!r} stage {stage!r}"
                )


def check_order(attribute: str, frame: pd.DataFrame, column: str, expected: tuple) -> None:
    """countries.csv and minerals.csv list exactly the model's enumerations, in order."""
    actual = tuple(frame[column])
    if actual != expected:
        raise CalibrationError(
            f"{SCHEMAS[attribute][0]}: {column} must be exactly "
            f"{', '.join(expected)} in this order; found {', '.join(actual)}"
        )


def check_prices(frame: pd.DataFrame, names=None) -> None:
    """Refining adds value: raw must be cheaper than refined for every mineral."""
    where = {(m, s): p for p, (m, s) in enumerate(zip(frame.mineral, frame.stage, strict=True))}
    for mineral in MINERALS:
        raw, refined = where[(mineral, "raw")], where[(mineral, "refined")]
        raw_price = frame.price_usd_per_t.iloc[raw]
        refined_price = frame.price_usd_per_t.iloc[refined]
        if not raw_price < refined_price:
            raise CalibrationError(
                f"{file_of('prices', names)} line {_line(raw)}: price_usd_per_t {raw_price:g} for "
                f"{mineral} raw is not below the refined price {refined_price:g} "
                f"(line {_line(refined)})"
            )


def check_costs(frame: pd.DataFrame) -> None:
    """The low end of a cost range cannot exceed the high end."""
    for position, (low, high) in enumerate(
        zip(frame.cost_low_frac, frame.cost_high_frac, strict=True)
    ):
        if low > high:
            raise CalibrationError(
                f"costs.csv line {_line(position)}: cost_low_frac {low:g} "
                f"exceeds cost_high_frac {high:g}"
            )


def check_willingness_to_pay(frame: pd.DataFrame, demand: pd.DataFrame, names=None) -> None:
    """Every (mineral, sector) that buys has a cost share above 0 and a margin below 1, so its
    willingness to pay, 1 + m / (s (1 - m)) times the 2023 price, is finite."""
    file_name = EVIDENCE["willingness_to_pay"][0]
    for position, (share, margin) in enumerate(
        zip(frame.mineral_cost_share_of_product, frame.product_margin, strict=True)
    ):
        if not share > 0:
            raise CalibrationError(
                f"{file_name} line {_line(position)}: mineral_cost_share_of_product "
                f"{share:g} must be above 0"
            )
        if not margin < 1:
            raise CalibrationError(
                f"{file_name} line {_line(position)}: product_margin {margin:g} must be below 1"
            )
    present = set(zip(frame.mineral, frame.sector, strict=True))
    for mineral, sector in sorted(set(zip(demand.mineral, demand.sector, strict=True))):
        if (mineral, sector) not in present:
            raise CalibrationError(
                f"{file_name}: no row for mineral {mineral!r} sector {sector!r}, "
                f"which {file_of('demand', names)} buys"
            )


def check_transit(frame: pd.DataFrame) -> None:
    """A route takes some time: goods in transit are monthly flow x months."""
    for position, months in enumerate(frame.months):
        if not months > 0:
            raise CalibrationError(
                f"{EVIDENCE['transit'][0]} line {_line(position)}: months {months:g} "
                "must be above 0"
            )


def validate(tables: dict[str, pd.DataFrame], names: Mapping[str, str] | None = None) -> None:
    """Cross-row checks once every table has passed its row checks; ``names`` gives the
    files of tables read from elsewhere than 2023's (a vintage's), for the messages."""
    check_order("countries", tables["countries"], "code", COUNTRIES)
    check_order("minerals", tables["minerals"], "mineral", MINERALS)
    for attribute, frame in tables.items():
        check_unique(attribute, frame, names)
    for attribute in SHARE_GROUPS:
        check_shares(attribute, tables[attribute], names)
    for attribute in COMPLETE:
        check_complete(attribute, tables[attribute], names)
    check_prices(tables["prices"], names)
    check_costs(tables["costs"])
    check_willingness_to_pay(tables["willingness_to_pay"], tables["demand"], names)
    check_transit(tables["transit"])


def read_all(directory: str | Path | None = None) -> dict[str, pd.DataFrame]:
    """All tables from ``directory`` (default: the shipped ones), validated."""
    root: Traversable | Path = package_directory() if directory is None else Path(directory)
    tables = {attribute: read_table(root, attribute) for attribute in TABLES}
    validate(tables)
    return tables


def checksums(directory: str | Path | None = None) -> dict[str, str]:
    """sha256 of every shipped CSV and primary data file, keyed by path under abm/data."""
    root: Traversable | Path = package_directory() if directory is None else Path(directory)
    found: dict[str, str] = {}
    folders: list[tuple[str, Traversable | Path]] = [
        ("", root),
        ("primary/", root.joinpath("primary")),
        ("evidence/", root.joinpath("evidence")),
        ("vintages/", root.joinpath("vintages")),  # balance.csv: every world's first year
    ]
    for prefix, folder in folders:
        if not folder.is_dir():
            continue
        for item in folder.iterdir():
            if item.is_file() and item.name.endswith((".csv", ".xlsx")):
                found[prefix + item.name] = hashlib.sha256(item.read_bytes()).hexdigest()
    return dict(sorted(found.items()))


@dataclass(frozen=True)
class Calibration:
    """The calibration of a world, one DataFrame per table (see abm/data/README.md); the last
    three are issue 18's evidence (abm/data/evidence/README.md). ``year`` is the world's base
    year: 2023, or a vintage's (abm.data.vintage)."""

    countries: pd.DataFrame
    minerals: pd.DataFrame
    supply: pd.DataFrame
    ownership: pd.DataFrame
    prices: pd.DataFrame
    reserves: pd.DataFrame
    demand: pd.DataFrame
    demand_growth: pd.DataFrame
    lead_times: pd.DataFrame
    costs: pd.DataFrame
    recycling: pd.DataFrame
    pipeline: pd.DataFrame
    transport: pd.DataFrame
    stocks: pd.DataFrame
    willingness_to_pay: pd.DataFrame
    pass_through: pd.DataFrame
    transit: pd.DataFrame
    year: int = 2023
