"""The World carries issue 18's evidence as arrays equal to the rows of abm/data/evidence."""

from __future__ import annotations

import math

import numpy as np
import pytest

from abm.data import COUNTRIES, MINERALS, STAGES, load_calibration
from abm.settings import ModelSettings
from abm.world import RAW, REFINED, build_world

C, M = COUNTRIES.index, MINERALS.index


@pytest.fixture(scope="module")
def calibration():
    return load_calibration()


@pytest.fixture(scope="module")
def world(calibration):
    return build_world(calibration, ModelSettings(end="2023-06"), np.random.default_rng(1))


def buyer(world, country: str, sector: str) -> int:
    rows = world.buyers.index[(world.buyers.country == country) & (world.buyers.sector == sector)]
    assert len(rows) == 1, (country, sector)
    return int(rows[0])


def stock_row(calibration, **where):
    rows = calibration.stocks
    for column, value in where.items():
        rows = rows[rows[column] == value]
    assert len(rows) == 1, where
    return rows.iloc[0]


def test_evidence_arrays_have_the_shapes_of_their_indices(world):
    buyers, minerals, countries = len(world.buyers), len(MINERALS), len(COUNTRIES)
    expected = {
        "cost_share": (buyers, minerals),
        "product_margin": (buyers, minerals),
        "buyer_cover_months": (buyers, minerals),
        "buyer_cover_cited": (buyers, minerals),
        "refiner_raw_cover_months": (minerals, countries),
        "refiner_product_cover_months": (minerals, countries),
        "merchant_stock_t": (len(STAGES), minerals, countries),
        "government_stock_t": (countries, minerals),
        "transit_months": (len(STAGES), countries, countries),
    }
    for name, shape in expected.items():
        assert getattr(world, name).shape == shape, name
    assert world.buyer_cover_cited.dtype == bool


def test_evidence_arrays_are_finite_and_positive_where_defined(world):
    for name in ("buyer_cover_months", "refiner_raw_cover_months", "refiner_product_cover_months"):
        values = getattr(world, name)
        assert np.isfinite(values).all() and (values > 0).all(), name
    for name in ("merchant_stock_t", "government_stock_t", "cost_share", "product_margin"):
        values = getattr(world, name)
        assert np.isfinite(values).all() and (values >= 0).all(), name
    assert np.isfinite(world.transit_months).all() and (world.transit_months > 0).all()


def test_every_buyer_in_need_has_a_cost_share_and_margin_between_zero_and_one(world):
    needed = world.need > 0
    for values in (world.cost_share, world.product_margin):
        assert ((values[needed] > 0) & (values[needed] < 1)).all()
        assert (values[~needed] == 0).all()


def test_cost_shares_and_margins_are_the_rows_for_the_buyers_sector(world, calibration):
    table = calibration.willingness_to_pay.set_index(["mineral", "sector"])
    for country, sector, mineral in [
        ("JP", "batteries", "lithium"),
        ("US", "chips", "gallium"),
        ("CN", "magnets", "rare_earths"),
    ]:
        row, b = table.loc[(mineral, sector)], buyer(world, country, sector)
        assert world.cost_share[b, M(mineral)] == row.mineral_cost_share_of_product
        assert world.product_margin[b, M(mineral)] == row.product_margin
    assert world.cost_share[buyer(world, "US", "chips"), M("gallium")] == 0.005


def test_where_the_cost_is_passed_on_the_final_products_share_and_margin_count(world, calibration):
    passed = calibration.pass_through.set_index(["mineral", "sector"])
    assert ("copper", "grid") in passed.index
    for (mineral, sector), row in passed.iterrows():
        b = buyer(world, "CN", sector)
        assert world.cost_share[b, M(mineral)] == row.final_product_cost_share
        assert world.product_margin[b, M(mineral)] == row.final_product_margin


@pytest.mark.parametrize(
    ("country", "sector", "mineral", "area", "row_sector"),
    [
        ("KR", "batteries", "lithium", "WORLD", "batteries"),  # the world batteries row
        ("CN", "batteries", "lithium", "CN", "batteries"),  # China's cathode makers override it
        ("JP", "batteries", "nickel", "JP", "all"),  # a country row over the world sector row
        ("CN", "other", "cobalt", "WORLD", "other"),
        ("US", "chips", "gallium", "US", "all"),  # a country over the world less China
        ("EU", "chips", "gallium", "WORLD_EX_CN", "all"),
        ("EU", "batteries", "graphite", "WORLD_EX_CN", "batteries"),
        ("CN", "batteries", "graphite", "WORLD", "batteries"),
        ("IN", "grid", "copper", "WORLD", "all"),
    ],
)
def test_buyer_cover_is_the_most_specific_user_row(
    world, calibration, country, sector, mineral, area, row_sector
):
    row = stock_row(
        calibration,
        mineral=mineral,
        stage="refined",
        holder="user",
        country_or_world=area,
        sector=row_sector,
    )
    b = buyer(world, country, sector)
    assert world.buyer_cover_months[b, M(mineral)] == row.months_of_use
    assert world.buyer_cover_cited[b, M(mineral)]


def test_buyers_no_row_covers_keep_a_month_and_are_marked_default(world):
    b = buyer(world, "CN", "chips")
    assert world.need[b, M("gallium")] > 0
    assert world.buyer_cover_months[b, M("gallium")] == 1.0
    assert not world.buyer_cover_cited[b, M("gallium")]
    assert (world.buyer_cover_months[~world.buyer_cover_cited] == 1.0).all()


def test_refiner_covers_come_from_user_raw_and_producer_refined_rows(world):
    raw, product = world.refiner_raw_cover_months, world.refiner_product_cover_months
    assert raw[M("cobalt"), C("CN")] == 2.0 and raw[M("graphite"), C("CN")] == 2.0
    assert (raw[M("copper")] == 1.0).all()  # the WORLD row, every country
    assert raw[M("nickel"), C("ID")] == 0.5  # no row: the default half month
    assert product[M("lithium"), C("CN")] == 0.821
    assert (np.delete(product.ravel(), M("lithium") * len(COUNTRIES) + C("CN")) == 0.5).all()


def test_merchant_stocks_keep_the_exchange_tonnages(world, calibration):
    stocks = world.merchant_stock_t[REFINED]
    lme_nickel = stocks[M("nickel")].sum() - stocks[M("nickel"), C("CN")]
    assert lme_nickel == pytest.approx(54300.0)
    assert stocks[M("nickel"), C("CN")] == 2459.0  # SHFE
    assert stocks[M("nickel"), C("US")] == 6.0  # USGS24's LME US warehouses
    assert stocks[M("copper"), C("CN")] == 98000.0  # social inventory
    assert stocks[M("copper")].sum() == pytest.approx(88550.0 + 98000.0)
    held = calibration.stocks[calibration.stocks.holder.isin(["exchange", "merchant"])]
    assert world.merchant_stock_t.sum() == pytest.approx(held.tonnes.sum())
    assert (world.merchant_stock_t[RAW] == 0).all()


def test_government_stocks_are_the_government_rows_with_raw_gallium_as_refined(world, calibration):
    government = world.government_stock_t
    rows = calibration.stocks[calibration.stocks.holder == "government"]
    assert government.sum() == pytest.approx(rows.tonnes.sum())
    assert government[C("KR"), M("gallium")] == 2.434
    assert government[C("CN"), M("gallium")] == 100.0
    assert government[C("JP"), M("nickel")] == 14700.9
    assert government[C("US"), M("gallium")] == 0.0


def test_transit_times_are_the_listed_routes_either_way(world):
    transit = world.transit_months
    assert transit[RAW, C("AU"), C("CN")] == 0.56
    assert transit[RAW, C("CN"), C("AU")] == 0.56  # listed one way only
    assert transit[REFINED, C("AU"), C("CN")] == 0.49  # the container row, reversed
    assert transit[RAW, C("CD"), C("CN")] == 1.26  # raw cobalt: only a container time cited
    assert transit[REFINED, C("CN"), C("EU")] == 1.05  # via Suez, not via the Cape
    assert transit[RAW, C("ID"), C("CN")] == 0.38 and transit[REFINED, C("ID"), C("CN")] == 0.34
    assert transit[RAW, C("CN"), C("CN")] == 0.25 and transit[REFINED, C("US"), C("US")] == 0.25


def _haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    (lat1, lon1), (lat2, lon2) = (map(math.radians, point) for point in (a, b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def test_unlisted_routes_take_the_great_circle_fallback(world):
    st_petersburg, yokohama = (59.93, 30.34), (35.44, 139.64)  # countries.csv RU, JP
    km = _haversine_km(st_petersburg, yokohama) * 1.3
    bulk, container = (km / 555.6 + 5) / 30.44, (km / 711.0 + 7) / 30.44
    assert world.transit_months[RAW, C("RU"), C("JP")] == pytest.approx(bulk, rel=1e-12)
    assert world.transit_months[REFINED, C("JP"), C("RU")] == pytest.approx(container, rel=1e-12)
    assert 0.6 < container < bulk < 0.8
