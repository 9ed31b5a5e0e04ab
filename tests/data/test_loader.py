"""The calibration tables load, hold the chapter's facts, rebuild exactly and reject bad input."""

from __future__ import annotations

import csv
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

import abm.data
from abm.data import (
    COUNTRIES,
    MINERALS,
    SECTORS,
    STAGES,
    CalibrationError,
    data_checksums,
    load_calibration,
)
from abm.data.schema import EVIDENCE, SCHEMAS

DATA = Path(abm.data.__file__).parent
CSV_FILES = [file_name for file_name, _ in SCHEMAS.values()]
EVIDENCE_FILES = [file_name for file_name, _ in EVIDENCE.values()]  # evidence/...


@pytest.fixture(scope="module")
def calibration():
    return load_calibration()


def test_shipped_tables_load_with_the_model_enumerations(calibration):
    assert tuple(calibration.countries.code) == COUNTRIES
    assert tuple(calibration.minerals.mineral) == MINERALS
    assert set(calibration.supply.stage) == set(STAGES)
    assert set(calibration.demand.sector) <= set(SECTORS)
    assert calibration.pipeline.year.dtype == "int64"
    assert {
        (m, s) for m, s in zip(calibration.prices.mineral, calibration.prices.stage, strict=True)
    } == {(m, s) for m in MINERALS for s in STAGES}


@pytest.mark.parametrize(
    ("table", "keys"),
    [
        ("supply", ["mineral", "stage"]),
        ("ownership", ["mineral", "stage", "location"]),
        ("demand", ["mineral"]),
    ],
)
def test_shares_sum_to_one_in_every_group(calibration, table, keys):
    sums = getattr(calibration, table).groupby(keys).share.sum()
    assert (sums - 1.0).abs().max() < 1e-6


def test_supply_covers_both_stages_of_every_mineral(calibration):
    groups = set(zip(calibration.supply.mineral, calibration.supply.stage, strict=True))
    assert groups == {(m, s) for m in MINERALS for s in STAGES}


def test_every_row_names_a_known_source_or_says_it_is_an_estimate(calibration):
    for name in SCHEMAS:
        sources = getattr(calibration, name).source
        known = sources.str.match(r"^(USGS24|IEA24|ICSG|ESTIMATE:)")
        assert known.all(), (name, sources[~known].head(3).tolist())


@pytest.mark.parametrize(
    ("mineral", "stage", "country", "share"),
    [
        ("nickel", "raw", "ID", 0.50),
        ("nickel", "refined", "ID", 0.372),
        ("nickel", "refined", "CN", 0.281),
        ("rare_earths", "refined", "CN", 0.921),
        ("gallium", "raw", "CN", 0.984),
        ("graphite", "refined", "CN", 0.909),
        ("lithium", "refined", "CN", 0.646),
        ("cobalt", "refined", "CN", 0.767),
        ("germanium", "refined", "CN", 0.60),
    ],
)
def test_supply_shares_match_the_published_figures(calibration, mineral, stage, country, share):
    table = calibration.supply.set_index(["mineral", "stage", "country"]).share
    assert table[(mineral, stage, country)] == pytest.approx(share, abs=0.002)


def _copper_refining_rank(calibration) -> tuple[int, int]:
    supply = calibration.supply.query("mineral == 'copper' and stage == 'refined'")
    location = supply.set_index("country").tonnes
    owners = calibration.ownership.query("mineral == 'copper' and stage == 'refined'")
    by_owner: dict[str, float] = {}
    for place, tonnes in location.items():
        rows = owners[owners.location == place]
        pairs = zip(rows.owner, rows.share, strict=True) if len(rows) else [(place, 1.0)]
        for owner, share in pairs:
            by_owner[owner] = by_owner.get(owner, 0.0) + tonnes * share
    ranked_owner = pd.Series(by_owner).drop("ROW").sort_values(ascending=False)
    ranked_place = location.drop("ROW").sort_values(ascending=False)
    return list(ranked_owner.index).index("JP") + 1, list(ranked_place.index).index("JP") + 1


def test_japan_is_third_by_ownership_and_fifth_by_location_in_copper_refining(calibration):
    assert _copper_refining_rank(calibration) == (3, 5)


def test_raw_is_cheaper_than_refined_and_prices_are_per_contained_tonne(calibration):
    prices = calibration.prices.set_index(["mineral", "stage"])
    for mineral in MINERALS:
        assert (
            prices.price_usd_per_t[(mineral, "raw")] < prices.price_usd_per_t[(mineral, "refined")]
        )
    lithium = prices.loc[("lithium", "refined")]
    assert lithium.price_usd_per_t == pytest.approx(46_000 / 0.1878, rel=1e-6)
    implied = prices.quoted_price / prices.content_per_quoted_unit
    assert (implied / prices.price_usd_per_t - 1).abs().max() < 1e-4


def test_demand_growth_starts_at_one_and_covers_steps(calibration):
    growth = calibration.demand_growth
    assert (growth[growth.year == 2023]["index"] == 1.0).all()
    steps = growth[growth.scenario == "STEPS"]
    pairs = set(zip(calibration.demand.mineral, calibration.demand.sector, strict=True))
    for mineral, sector in pairs:
        years = set(steps.query("mineral == @mineral and sector == @sector").year)
        assert years == {2023, 2030, 2035, 2040}, (mineral, sector)


def test_checksums_cover_every_csv_and_primary_file():
    sums = data_checksums()
    assert set(CSV_FILES) <= set(sums)
    assert "primary/CM_Data_Explorer_May_2024.xlsx" in sums
    assert sum(name.startswith("primary/mcs2024-") for name in sums) == 16
    assert all(re.fullmatch(r"[0-9a-f]{64}", value) for value in sums.values())


def test_build_script_reproduces_the_shipped_tables_byte_for_byte(tmp_path):
    pytest.importorskip("openpyxl")
    from abm.data.build_tables import build

    build(out=tmp_path, primary=DATA / "primary")
    for file_name in CSV_FILES:
        assert (tmp_path / file_name).read_bytes() == (DATA / file_name).read_bytes(), file_name


# --- bad input ---------------------------------------------------------------------------------

Rows = list[list[str]]


def _set(line: int, column: str, value: str) -> Callable[[list[str], Rows], Rows]:
    def edit(header: list[str], rows: Rows) -> Rows:
        rows[line - 2][header.index(column)] = value
        return rows

    return edit


def _drop_column(column: str) -> Callable[[list[str], Rows], Rows]:
    def edit(header: list[str], rows: Rows) -> Rows:
        position = header.index(column)
        header.pop(position)
        for row in rows:
            row.pop(position)
        return rows

    return edit


def _keep(predicate: Callable[[list[str]], bool]) -> Callable[[list[str], Rows], Rows]:
    return lambda header, rows: [row for row in rows if predicate(row)]


def _duplicate(line: int) -> Callable[[list[str], Rows], Rows]:
    return lambda header, rows: [*rows, list(rows[line - 2])]


BAD_INPUT = [
    (
        "supply_2023.csv",
        _set(14, "country", "XX"),
        "supply_2023.csv line 14: country 'XX' is not one of CN, AU, ID",
    ),
    (
        "prices_2023.csv",
        _set(3, "mineral", "unobtainium"),
        "prices_2023.csv line 3: mineral 'unobtainium' is not one of lithium, graphite",
    ),
    ("costs.csv", _set(2, "stage", "ore"), "costs.csv line 2: stage 'ore' is not one of raw"),
    (
        "demand_2023.csv",
        _set(2, "sector", "toys"),
        "demand_2023.csv line 2: sector 'toys' is not one of batteries, magnets",
    ),
    (
        "demand_growth.csv",
        _set(5, "scenario", "BAU"),
        "demand_growth.csv line 5: scenario 'BAU' is not one of STEPS, APS, NZE",
    ),
    (
        "ownership_2023.csv",
        _set(2, "owner", "Narnia"),
        "ownership_2023.csv line 2: owner 'Narnia' is not one of CN",
    ),
    (
        "transport.csv",
        _set(2, "fixed_usd_per_t", "-1"),
        "transport.csv line 2: fixed_usd_per_t '-1' is negative",
    ),
    ("reserves.csv", _set(3, "tonnes", ""), "reserves.csv line 3: tonnes '' is not a number"),
    (
        "costs.csv",
        _set(4, "capex_usd_per_tpa", "nan"),
        "costs.csv line 4: capex_usd_per_tpa 'nan' is not a number",
    ),
    (
        "recycling_2023.csv",
        _set(2, "secondary_share", "1.5"),
        "recycling_2023.csv line 2: secondary_share '1.5' must be between 0 and 1",
    ),
    ("lead_times.csv", _set(6, "source", " "), "lead_times.csv line 6: source is empty"),
    (
        "pipeline.csv",
        _set(2, "year", "2030.5"),
        "pipeline.csv line 2: year '2030.5' is not a whole year",
    ),
    ("demand_2023.csv", _drop_column("share"), "demand_2023.csv line 1: missing column(s) share"),
    (
        "supply_2023.csv",
        _set(2, "share", "0.5"),
        "supply_2023.csv lines 2, 3, 4, 5, 6, 7, 8, 9: share for mineral=lithium, stage=raw "
        "sums to",
    ),
    (
        "ownership_2023.csv",
        _set(2, "share", "0.9"),
        "ownership_2023.csv lines 2, 3, 4: share for mineral=lithium, stage=raw, location=AU sums",
    ),
    (
        "demand_2023.csv",
        _set(2, "share", "0.9"),
        "demand_2023.csv lines 2, 3, 4, 5, 6, 7, 8, 9, ...: share for mineral=lithium sums to",
    ),
    (
        "prices_2023.csv",
        _set(2, "price_usd_per_t", "1000000000"),
        "prices_2023.csv line 2: price_usd_per_t 1e+09 for lithium raw is not below the refined "
        "price",
    ),
    (
        "costs.csv",
        _set(2, "cost_low_frac", "2"),
        "costs.csv line 2: cost_low_frac 2 exceeds cost_high_frac",
    ),
    ("supply_2023.csv", _duplicate(2), "duplicate row for mineral=lithium, stage=raw, country=CN"),
    (
        "transport.csv",
        _keep(lambda row: row[0] != "gallium"),
        "transport.csv: no row for mineral 'gallium' stage 'raw'",
    ),
    (
        "countries.csv",
        _keep(lambda row: row[0] != "MM"),
        "countries.csv: code must be exactly CN, AU",
    ),
    (
        "evidence/stocks_2023.csv",
        _set(2, "holder", "bank"),
        "evidence/stocks_2023.csv line 2: holder 'bank' is not one of exchange, merchant",
    ),
    (
        "evidence/stocks_2023.csv",
        _set(3, "sector", "toys"),
        "evidence/stocks_2023.csv line 3: sector 'toys' is not one of batteries, magnets",
    ),
    (
        "evidence/stocks_2023.csv",
        _set(4, "country_or_world", "MARS"),
        "evidence/stocks_2023.csv line 4: country_or_world 'MARS' is not one of CN, AU",
    ),
    (
        "evidence/stocks_2023.csv",
        _set(5, "months_of_use", "inf"),
        "evidence/stocks_2023.csv line 5: months_of_use 'inf' is not a number",
    ),
    (
        "evidence/stocks_2023.csv",
        _duplicate(2),
        "evidence/stocks_2023.csv line 48: duplicate row for mineral=nickel, stage=refined",
    ),
    (
        "evidence/willingness_to_pay.csv",
        _set(2, "product_margin", "1"),
        "evidence/willingness_to_pay.csv line 2: product_margin 1 must be below 1",
    ),
    (
        "evidence/willingness_to_pay.csv",
        _set(3, "mineral_cost_share_of_product", "0"),
        "evidence/willingness_to_pay.csv line 3: mineral_cost_share_of_product 0 must be above 0",
    ),
    (
        "evidence/willingness_to_pay.csv",
        _keep(lambda row: row[:2] != ["gallium", "chips"]),
        "evidence/willingness_to_pay.csv: no row for mineral 'gallium' sector 'chips'",
    ),
    (
        "evidence/transit.csv",
        _set(2, "months", "0"),
        "evidence/transit.csv line 2: months 0 must be above 0",
    ),
    (
        "evidence/transit.csv",
        _set(2, "cargo", "airship"),
        "evidence/transit.csv line 2: cargo 'airship' is not one of bulk, container",
    ),
    (
        "evidence/transit.csv",
        _drop_column("months"),
        "evidence/transit.csv line 1: missing column(s) months",
    ),
]


def _rewrite(path: Path, edit: Callable[[list[str], Rows], Rows]) -> None:
    with path.open(encoding="utf-8", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    rows = edit(header, rows)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def _copy_tables(folder: Path, leave_out: str = "") -> None:
    (folder / "evidence").mkdir()
    for name in CSV_FILES + EVIDENCE_FILES:
        if name != leave_out:
            shutil.copy(DATA / name, folder / name)


@pytest.mark.parametrize(
    ("file_name", "edit", "message"),
    BAD_INPUT,
    ids=[m.split(": ", 1)[-1][:40] for _, _, m in BAD_INPUT],
)
def test_bad_input_is_rejected_naming_file_line_and_field(tmp_path, file_name, edit, message):
    _copy_tables(tmp_path)
    _rewrite(tmp_path / file_name, edit)
    with pytest.raises(CalibrationError, match=re.escape(message)):
        load_calibration(tmp_path)


@pytest.mark.parametrize("file_name", ["costs.csv", "evidence/transit.csv"])
def test_a_missing_file_is_named(tmp_path, file_name):
    _copy_tables(tmp_path, leave_out=file_name)
    with pytest.raises(CalibrationError, match=re.escape(f"{file_name}: file not found")):
        load_calibration(tmp_path)


def test_a_copied_folder_loads_as_the_shipped_tables(tmp_path):
    _copy_tables(tmp_path)
    copied, shipped = load_calibration(tmp_path), load_calibration()
    for name in (*SCHEMAS, *EVIDENCE):
        pd.testing.assert_frame_equal(getattr(copied, name), getattr(shipped, name))


def test_calibration_errors_are_value_errors():
    assert issubclass(CalibrationError, ValueError)
