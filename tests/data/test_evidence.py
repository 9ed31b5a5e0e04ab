"""The issue-18 evidence files cite a defined source on every row and hold finite, sane values."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd
import pytest

import abm.data
from abm.data import COUNTRIES, MINERALS, SECTORS, STAGES

EVIDENCE = Path(abm.data.__file__).parent / "evidence"
FILES = (
    "stocks_2023.csv",
    "willingness_to_pay.csv",
    "elasticities.csv",
    "licensing.csv",
    "history.csv",
    "announcements.csv",
    "transit.csv",
    "idling.csv",
)
ESTIMATE = "ESTIMATE: "
AREAS = set(COUNTRIES) | {"WORLD", "WORLD_EX_CN"}
KEY_LIKE = re.compile(r"^[A-Z][A-Z0-9]+$")


def read(name: str) -> pd.DataFrame:
    return pd.read_csv(EVIDENCE / name, dtype=str, keep_default_na=False)


def defined_keys() -> set[str]:
    """Keys are the back-quoted first cells of the tables in SOURCES.md."""
    text = (EVIDENCE / "SOURCES.md").read_text(encoding="utf-8")
    return set(re.findall(r"^\| `([A-Za-z0-9]+)` \|", text, flags=re.MULTILINE))


def cited_keys(source: str) -> list[str]:
    """Keys a source cell names: the whole cell unless it is an estimate, else its (KEY) groups."""
    if not source.startswith(ESTIMATE):
        return [key.strip() for key in source.split(";")]
    groups = re.findall(r"\(([^()]*)\)", source)
    tokens = [token.strip() for group in groups for token in re.split(r"[;,]", group)]
    return [token for token in tokens if KEY_LIKE.match(token)]


@pytest.mark.parametrize("name", FILES)
def test_every_row_names_a_source(name):
    table = read(name)
    assert len(table) > 0
    assert (table["source"].str.strip() != "").all(), f"{name}: a row without a source"


@pytest.mark.parametrize("name", FILES)
def test_every_cited_key_is_defined_in_sources_md(name):
    keys = defined_keys()
    missing = {key for source in read(name)["source"] for key in cited_keys(source)} - keys
    assert not missing, f"{name}: keys not in SOURCES.md: {sorted(missing)}"


@pytest.mark.parametrize("name", FILES)
def test_estimates_give_their_reasoning(name):
    estimates = [s for s in read(name)["source"] if s.startswith(ESTIMATE)]
    assert all(len(s) > len(ESTIMATE) + 30 for s in estimates), f"{name}: a bare ESTIMATE"


def test_stocks_are_finite_non_negative_and_name_known_holders():
    stocks = read("stocks_2023.csv")
    assert set(stocks.mineral) <= set(MINERALS)
    assert set(stocks.stage) <= set(STAGES)
    assert set(stocks.holder) <= {"exchange", "merchant", "producer", "user", "government", "all"}
    assert set(stocks.country_or_world) <= AREAS
    assert set(stocks.sector) <= set(SECTORS) | {"all"}
    assert (stocks.sector[stocks.holder != "user"] == "all").all(), "a sector on a non-user row"
    for column in ("tonnes", "months_of_use", "annual_use_t"):
        values = stocks[column].astype(float)
        assert values.map(math.isfinite).all() and (values >= 0).all()
    assert (stocks.months_of_use.astype(float) <= 12).all(), "a stock above a year of use"


def test_months_of_use_are_tonnes_over_the_stated_monthly_use():
    stocks = read("stocks_2023.csv")
    tonnes, use = stocks.tonnes.astype(float), stocks.annual_use_t.astype(float)
    assert (use > 0).all()
    expected = (12 * tonnes / use).round(3)
    assert (expected - stocks.months_of_use.astype(float)).abs().max() <= 0.0015


def test_stocks_cover_every_mineral():
    assert set(read("stocks_2023.csv").mineral) == set(MINERALS)


def test_willingness_to_pay_covers_every_sector_that_buys_each_mineral():
    wtp = read("willingness_to_pay.csv")
    demand = pd.read_csv(Path(abm.data.__file__).parent / "demand_2023.csv")
    pairs = set(wtp[["mineral", "sector"]].itertuples(index=False, name=None))
    assert pairs == set(demand[["mineral", "sector"]].itertuples(index=False, name=None))
    assert not wtp.duplicated(["mineral", "sector"]).any()
    assert set(wtp.sector) <= set(SECTORS)


def test_cost_shares_and_margins_are_fractions():
    wtp = read("willingness_to_pay.csv")
    share = wtp.mineral_cost_share_of_product.astype(float)
    margin = wtp.product_margin.astype(float)
    assert ((share > 0) & (share <= 1)).all()
    assert ((margin > 0) & (margin < 1)).all()


def test_elasticities_have_the_right_signs_and_sane_sizes():
    table = read("elasticities.csv")
    value = table.elasticity.astype(float)
    assert set(table.mineral) == set(MINERALS)
    assert set(table.horizon) == {"short", "long"}
    assert set(table.kind) == {"demand", "supply"}
    assert not table.duplicated(["mineral", "kind", "horizon"]).any()
    assert (value[table.kind == "demand"] <= 0).all() and (value[table.kind == "supply"] >= 0).all()
    assert (value.abs() <= 3).all()


def test_long_run_demand_is_at_least_as_elastic_as_short_run():
    table = read("elasticities.csv")
    demand = table[table.kind == "demand"]
    demand = demand.pivot(index="mineral", columns="horizon", values="elasticity").astype(float)
    assert (demand["long"] <= demand["short"]).all()


def test_licensing_values_are_finite_and_keep_the_45_day_review():
    table = read("licensing.csv")
    values = table.value.astype(float)
    assert values.map(math.isfinite).all() and (values >= 0).all()
    review = table[(table["item"] == "statutory_review") & (table.mineral == "all")]
    assert review.value.astype(float).tolist() == [45.0]
    assert not table.duplicated(["item", "mineral"]).any()


def test_history_is_monthly_finite_and_flags_only_the_named_episodes_in_sample():
    history = read("history.csv")
    assert history.month.str.fullmatch(r"\d{4}-(0[1-9]|1[0-2])").all()
    assert history.value.astype(float).map(math.isfinite).all()
    assert set(history.in_sample) <= {"true", "false"}
    inside = history[history.in_sample == "true"]
    graphite_rush = (inside.episode == "graphite-licensing-2023") & (inside.month <= "2023-11")
    in_2023_24 = inside.month.between("2023-01", "2024-12")
    gallium_price = inside.series.str.startswith("gallium_price") & in_2023_24
    assert (graphite_rush | gallium_price).all()
    assert graphite_rush.any() and gallium_price.any()


def test_announcements_precede_starts_and_keep_the_chapter_dates():
    table = read("announcements.csv")
    for _, row in table.iterrows():
        assert row.announced <= row.start, row.policy
        assert not row.end or row.start <= row.end, row.policy
    assert set(table.mineral) <= set(MINERALS) and set(table.stage) <= set(STAGES)
    assert set(table.country) <= set(COUNTRIES) and set(table.target) <= set(COUNTRIES) | {"all"}
    dates = {(r.policy, r.mineral): (r.announced, r.start) for r in table.itertuples()}
    assert dates[("graphite_licensing", "graphite")] == ("2023-10-20", "2023-12-01")
    assert dates[("gallium_germanium_licensing", "gallium")] == ("2023-07-03", "2023-08-01")
    assert dates[("gallium_germanium_licensing", "germanium")] == ("2023-07-03", "2023-08-01")


def test_transit_times_are_positive_and_under_three_months():
    table = read("transit.csv")
    months = table.months.astype(float)
    assert ((months > 0) & (months < 3)).all()
    assert set(table.origin) <= set(COUNTRIES) and set(table.destination) <= set(COUNTRIES)
    assert not table.duplicated(["origin", "destination", "cargo"]).any()
