"""Who holds what at the start of 2023, from evidence/stocks_2023.csv, as the World's arrays.

Users, refiners, stockholders and governments start from these stocks. Covers are months
(of need for buyers, of capacity for refiners); where
no row applies, defaults stand: users ``inventory_months`` (a setting), refiners half a month.
A row names a country, ``WORLD`` or ``WORLD_EX_CN`` and a sector or ``all``: the most specific
row that applies wins (a country over the world less China over the world; a named sector over
all), so where two rows overlap (China's cathode makers and the world batteries sector) one is
used for each holder.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from abm.data import COUNTRIES, MINERALS, STAGES, Calibration, CalibrationError

BUYER_COVER_MONTHS = 1.0  # today's ModelSettings.inventory_months
REFINER_COVER_MONTHS = 0.5  # ESTIMATE: refiners' cover where no row applies
# LME warehouses: end-2022 stocks by location were not found in the evidence, so LME (WORLD)
# rows are split equally over the model's countries holding the main LME locations (ESTIMATE:
# Rotterdam/Vlissingen, Busan/Gwangyang, Port Klang/Johor, New Orleans/Baltimore), except where
# a location is cited (USGS24: 6 t of LME nickel in US warehouses at end-2022).
EXCHANGE_LOCATIONS = ("EU", "KR", "MY", "US")
EXCHANGE_CITED_T = {("nickel", "US"): 6.0}
AREA_RANK = {"WORLD": 0, "WORLD_EX_CN": 1}  # any country ranks 2


def _holding(stocks: pd.DataFrame, holder: str, stage: str) -> pd.DataFrame:
    """The rows of one holder and stage, least specific first (so later rows override)."""
    rows = stocks[(stocks.holder == holder) & (stocks.stage == stage)]
    rank = rows.country_or_world.map(lambda area: AREA_RANK.get(area, 2)) * 2 + (
        rows.sector != "all"
    )
    return rows.assign(rank=rank.to_numpy()).sort_values("rank", kind="stable")


def _applies(area: str, countries: np.ndarray) -> np.ndarray:
    """Which of ``countries`` a row for ``area`` covers."""
    if area == "WORLD":
        return np.ones(len(countries), dtype=bool)
    if area == "WORLD_EX_CN":
        return countries != "CN"
    return countries == area


def buyer_cover_months(
    calibration: Calibration, buyers: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray]:
    """Users' refined stock in months of need by (buyer, mineral), and whether each cell comes
    from a row of stocks_2023.csv (True) or is the 1-month default (False)."""
    cover = np.full((len(buyers), len(MINERALS)), BUYER_COVER_MONTHS)
    cited = np.zeros(cover.shape, dtype=bool)
    country, sector = buyers.country.to_numpy(), buyers.sector.to_numpy()
    for row in _holding(calibration.stocks, "user", "refined").itertuples():
        chosen = _applies(row.country_or_world, country)
        if row.sector != "all":
            chosen &= sector == row.sector
        m = MINERALS.index(row.mineral)
        cover[chosen, m], cited[chosen, m] = row.months_of_use, True
    return cover, cited


def country_cover_months(calibration: Calibration, holder: str, stage: str) -> np.ndarray:
    """Months of capacity by (mineral, country) of one holder's stock of one stage; 0.5 where
    no row applies."""
    cover = np.full((len(MINERALS), len(COUNTRIES)), REFINER_COVER_MONTHS)
    countries = np.array(COUNTRIES)
    for row in _holding(calibration.stocks, holder, stage).itertuples():
        cover[MINERALS.index(row.mineral), _applies(row.country_or_world, countries)] = (
            row.months_of_use
        )
    return cover


def merchant_stock_t(calibration: Calibration) -> np.ndarray:
    """Exchange and merchant stocks in tonnes by (stage, mineral, country): country rows where
    they are (SHFE and China's social inventory in CN), LME rows over its warehouse countries."""
    stocks = calibration.stocks
    out = np.zeros((len(STAGES), len(MINERALS), len(COUNTRIES)))
    for row in stocks[stocks.holder.isin(["exchange", "merchant"])].itertuples():
        s, m = STAGES.index(row.stage), MINERALS.index(row.mineral)
        if row.country_or_world in COUNTRIES:
            out[s, m, COUNTRIES.index(row.country_or_world)] += row.tonnes
            continue
        cited = {c: t for (mineral, c), t in EXCHANGE_CITED_T.items() if mineral == row.mineral}
        rest = [c for c in EXCHANGE_LOCATIONS if c not in cited]
        shares = {c: (row.tonnes - sum(cited.values())) / len(rest) for c in rest} | cited
        for country, tonnes in shares.items():
            out[s, m, COUNTRIES.index(country)] += tonnes
    return out


def government_stock_t(calibration: Calibration) -> np.ndarray:
    """Strategic stocks in tonnes of refined material by (country, mineral).

    The raw (4N) gallium that China (Fanya), Japan and Korea hold is counted as refined, one
    tonne for one (ESTIMATE: 4N is the model's raw stage, but it is the grade traded and quoted
    in Rotterdam, and a government would release it to users, not to refiners).
    """
    stocks = calibration.stocks
    out = np.zeros((len(COUNTRIES), len(MINERALS)))
    for position, row in enumerate(stocks.itertuples()):
        if row.holder != "government":
            continue
        if row.country_or_world not in COUNTRIES:
            raise CalibrationError(
                f"evidence/stocks_2023.csv line {position + 2}: country_or_world "
                f"{row.country_or_world!r} of a government stock must be one of "
                f"{', '.join(COUNTRIES)}"
            )
        out[COUNTRIES.index(row.country_or_world), MINERALS.index(row.mineral)] += row.tonnes
    return out


def evidence_stocks(calibration: Calibration, buyers: pd.DataFrame) -> dict[str, np.ndarray]:
    """The World's stock fields, by name."""
    cover, cited = buyer_cover_months(calibration, buyers)
    return {
        "buyer_cover_months": cover,
        "buyer_cover_cited": cited,
        "refiner_raw_cover_months": country_cover_months(calibration, "user", "raw"),
        "refiner_product_cover_months": country_cover_months(calibration, "producer", "refined"),
        "merchant_stock_t": merchant_stock_t(calibration),
        "government_stock_t": government_stock_t(calibration),
    }
