"""Checks on the historical base-year tables in abm/data/vintages (issue 19)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from abm.data.schema import COUNTRIES, MINERALS, STAGES

VINTAGES = Path(__file__).parents[2] / "abm" / "data" / "vintages"
YEARS = (2010, 2013, 2022)
TABLES = ("supply", "prices", "reserves", "ownership", "demand", "growth")


def table(year: int, name: str) -> pd.DataFrame:
    """One vintage table."""
    return pd.read_csv(VINTAGES / str(year) / f"{name}_{year}.csv")


@pytest.mark.parametrize("year", YEARS)
@pytest.mark.parametrize("name", TABLES)
def test_every_row_names_a_source(year: int, name: str) -> None:
    frame = table(year, name)
    assert len(frame) > 0
    assert frame["source"].notna().all() and (frame["source"].str.strip() != "").all()


@pytest.mark.parametrize("name", ("balance", "stocks"))
def test_balance_and_stock_rows_name_a_source(name: str) -> None:
    frame = pd.read_csv(VINTAGES / f"{name}.csv")
    assert frame["source"].notna().all() and (frame["source"].str.strip() != "").all()


@pytest.mark.parametrize("year", YEARS)
def test_supply_shares_sum_to_one_per_mineral_and_stage(year: int) -> None:
    sums = table(year, "supply").groupby(["mineral", "stage"])["share"].sum()
    assert len(sums) == len(MINERALS) * len(STAGES)
    assert (sums - 1).abs().max() < 1e-6


@pytest.mark.parametrize("year", YEARS)
def test_supply_shares_match_tonnes(year: int) -> None:
    frame = table(year, "supply")
    share = frame["tonnes"] / frame.groupby(["mineral", "stage"])["tonnes"].transform("sum")
    # tonnes are printed to 0.1 t, so a 1 t gallium row can differ by 0.05 t in 106 t
    assert (share - frame["share"]).abs().max() < 1e-3


@pytest.mark.parametrize("year", YEARS)
def test_demand_shares_sum_to_one_per_mineral(year: int) -> None:
    sums = table(year, "demand").groupby("mineral")["share"].sum()
    assert set(sums.index) == set(MINERALS)
    assert (sums - 1).abs().max() < 1e-6


@pytest.mark.parametrize("year", YEARS)
def test_ownership_shares_sum_to_one_per_location(year: int) -> None:
    sums = table(year, "ownership").groupby(["mineral", "stage", "location"])["share"].sum()
    assert (sums - 1).abs().max() < 1e-6


@pytest.mark.parametrize("year", YEARS)
def test_ownership_only_where_there_is_output(year: int) -> None:
    supply = table(year, "supply")
    located = set(zip(supply["mineral"], supply["stage"], supply["country"], strict=True))
    owners = table(year, "ownership")
    keys = set(zip(owners["mineral"], owners["stage"], owners["location"], strict=True))
    assert keys <= located


@pytest.mark.parametrize("year", YEARS)
@pytest.mark.parametrize(
    ("name", "column"),
    [("supply", "tonnes"), ("reserves", "tonnes"), ("prices", "price_usd_per_t")],
)
def test_quantities_are_non_negative_and_finite(year: int, name: str, column: str) -> None:
    values = table(year, name)[column]
    assert values.notna().all() and (values >= 0).all() and (values < float("inf")).all()


@pytest.mark.parametrize("year", YEARS)
@pytest.mark.parametrize(
    ("name", "column"),
    [
        ("supply", "country"),
        ("reserves", "country"),
        ("demand", "country"),
        ("ownership", "location"),
        ("ownership", "owner"),
    ],
)
def test_countries_are_the_model_codes(year: int, name: str, column: str) -> None:
    assert set(table(year, name)[column]) <= set(COUNTRIES)


@pytest.mark.parametrize("year", YEARS)
def test_every_mineral_present_in_every_year(year: int) -> None:
    for name in ("supply", "prices", "demand", "growth"):
        assert set(table(year, name)["mineral"]) == set(MINERALS), name
    prices = table(year, "prices")
    assert len(prices) == len(MINERALS) * len(STAGES)


@pytest.mark.parametrize("year", YEARS)
def test_price_is_quote_over_content(year: int) -> None:
    prices = table(year, "prices")
    implied = prices["quoted_price"] / prices["content_per_quoted_unit"]
    assert ((implied - prices["price_usd_per_t"]).abs() <= 0.01 * implied + 0.01).all()


@pytest.mark.parametrize("year", YEARS)
def test_growth_starts_at_one_and_reaches_2023(year: int) -> None:
    growth = table(year, "growth")
    first = growth[growth["year"] == year]
    assert (first["index"] == 1).all() and len(first) == len(MINERALS)
    assert set(growth.loc[growth["year"] == 2023, "mineral"]) == set(MINERALS)


def test_balance_covers_every_mineral_and_base_year() -> None:
    balance = pd.read_csv(VINTAGES / "balance.csv")
    keys = set(zip(balance["mineral"], balance["year"], strict=True))
    assert keys == {(m, y) for m in MINERALS for y in (2010, 2013, 2022, 2023)}
    implied = balance["balance_share_of_demand"].abs()
    assert (implied < 0.5).all()


def test_stock_levels_are_non_negative() -> None:
    stocks = pd.read_csv(VINTAGES / "stocks.csv")
    assert (stocks["tonnes"] >= 0).all() and set(stocks["mineral"]) <= set(MINERALS)


def test_build_is_reproducible(tmp_path: Path) -> None:
    from abm.data.vintages.build_vintages import build

    for path in build(tmp_path):
        shipped = VINTAGES / path.relative_to(tmp_path)
        assert path.read_bytes() == shipped.read_bytes(), shipped.name


def test_nickel_2013_world_is_not_the_2023_one() -> None:
    supply = table(2013, "supply").set_index(["mineral", "stage", "country"])["share"]
    assert 0.15 < supply[("nickel", "raw", "ID")] < 0.25
    assert supply[("nickel", "refined", "ID")] < 0.07


def test_rare_earths_2010_china_mines_and_separates_about_97_percent() -> None:
    supply = table(2010, "supply").set_index(["mineral", "stage", "country"])["share"]
    assert supply[("rare_earths", "raw", "CN")] > 0.95
    assert supply[("rare_earths", "refined", "CN")] > 0.95
    demand = table(2010, "demand")
    ree = demand[demand["mineral"] == "rare_earths"]
    assert ree.loc[ree["country"] != "CN", "share"].sum() > 0.3
