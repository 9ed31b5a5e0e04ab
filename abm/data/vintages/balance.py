"""Market balances, stock levels and growth anchors of the base years, with sources."""

from __future__ import annotations

# (mineral, year, balance t (+ surplus), demand t, stock note, source)
BALANCE: list[tuple[str, int, float, float, str, str]] = [
    (
        "nickel",
        2010,
        0.0,
        1430000,
        "about balanced: stocks flat (LME stocks at a record 165 kt "
        "in January 2010 after the 2009 surplus of 110 kt)",
        "INSG10 (forecast at the October 2010 "
        "meetings: 'balanced in 2010', production and use 1.43 Mt each)",
    ),
    (
        "nickel",
        2013,
        160000.0,
        1780000,
        "surplus: stocks building (LME nickel stocks rising through 2013)",
        "INSG14: primary production 1.94 Mt, usage 1.78 Mt",
    ),
    (
        "nickel",
        2022,
        105000.0,
        2955000,
        "surplus: stocks building in class II and chemicals while LME class I stocks fell 45%",
        "INSG23: production 3.060 Mt, usage 2.955 Mt (April "
        "2023; revised to 98 kt surplus in April 2024, INSG24)",
    ),
    (
        "nickel",
        2023,
        163000.0,
        3190000,
        "surplus: stocks building, mainly class II and nickel sulphate",
        "INSG24: production 3.36 Mt, usage 3.19 Mt (April 2024)",
    ),
    (
        "copper",
        2010,
        -200000.0,
        19300000,
        "deficit: refined stocks drawn",
        "ICSG11: refined production 19.1 Mt, usage 19.3 Mt (difference of the two)",
    ),
    (
        "copper",
        2013,
        -193000.0,
        21200000,
        "deficit: stocks drawn (Chinese bonded stocks fell)",
        "ICSG14b: preliminary full-year 2013 balance (March 2014 bulletin)",
    ),
    (
        "copper",
        2022,
        -376000.0,
        25800000,
        "deficit: exchange stocks at lows (LME 88.6 kt at year end)",
        "ICSG23: February 2023 bulletin",
    ),
    (
        "copper",
        2023,
        -61000.0,
        26500000,
        "about balanced, small deficit",
        "ESTIMATE: ICSG January-October 2023 deficit 51 kt (ICSG23b) scaled to twelve months",
    ),
    (
        "cobalt",
        2010,
        15000.0,
        61000,
        "surplus: refined output (more than 76 kt) above apparent consumption (about 61 kt); "
        "stocks building (Chinese state and merchant buying); an upper bound, since the two "
        "figures are not on one definition",
        "ESTIMATE: MYB10 cobalt refined output less CDI apparent consumption (both in MYB10); no "
        "reported balance found",
    ),
    (
        "cobalt",
        2013,
        0.0,
        84500,
        "no reported balance; Darton saw restocking downstream",
        "ESTIMATE: DARTON14 reports refined output 84.5 kt and restocking, no balance; taken as 0",
    ),
    (
        "cobalt",
        2022,
        10000.0,
        175000,
        "surplus: supply up 23% to 187 kt, demand weak in H2; stocks building",
        "ESTIMATE: DARTON23 reports a 'massive surplus' without a figure; about 5% of demand taken",
    ),
    (
        "cobalt",
        2023,
        14200.0,
        200000,
        "surplus of about 7% of the market: stocks building",
        "CI24 (Cobalt Institute Cobalt Market Report 2023, via BMA24)",
    ),
    (
        "lithium",
        2010,
        0.0,
        24000,
        "no reported balance; prices soft after 2009",
        "ESTIMATE: no source found; taken as balanced",
    ),
    (
        "lithium",
        2013,
        0.0,
        33000,
        "no reported balance; prices firm",
        "ESTIMATE: no source found; taken as balanced",
    ),
    (
        "lithium",
        2022,
        -4700.0,
        140000,
        "deficit: lithium carbonate inventories drawn by 20-30 kt LCE; prices at records",
        "SMM23: carbonate inventories fell 20,000-30,000 t LCE in 2022 (mid-point 25 kt LCE = "
        "4.7 kt Li); Goldman Sachs (via YOUNG22) put the 2022 shortfall at 84 kt LCE",
    ),
    (
        "lithium",
        2023,
        5600.0,
        175000,
        "surplus: prices fell about 80%, stocks building",
        "ESTIMATE: SMM23 expected an excess of about 30,000 t LCE in 2023 (5.6 kt Li), a "
        "forecast made during the year",
    ),
    (
        "rare_earths",
        2010,
        0.0,
        27000,
        "no reported balance; export quotas tight outside China",
        "ESTIMATE: no source found; taken as balanced (no 2011 figures used)",
    ),
    ("rare_earths", 2013, 0.0, 23000, "no reported balance", "ESTIMATE: no source found"),
    ("rare_earths", 2022, 0.0, 62000, "no reported balance", "ESTIMATE: no source found"),
    (
        "rare_earths",
        2023,
        0.0,
        72000,
        "no reported balance; prices fell",
        "ESTIMATE: no source found",
    ),
    ("graphite", 2010, 0.0, 1100000, "no reported balance", "ESTIMATE: no source found"),
    ("graphite", 2013, 0.0, 1190000, "no reported balance", "ESTIMATE: no source found"),
    ("graphite", 2022, 0.0, 1680000, "no reported balance", "ESTIMATE: no source found"),
    ("graphite", 2023, 0.0, 1600000, "no reported balance", "ESTIMATE: no source found"),
    ("gallium", 2010, 0.0, 106, "no reported balance", "ESTIMATE: no source found"),
    (
        "gallium",
        2013,
        0.0,
        280,
        "capacity doubled 2010-14 and prices fell: stocks likely building, size unknown",
        "ESTIMATE: no figure found (STRATEGIC14)",
    ),
    ("gallium", 2022, 0.0, 610, "no reported balance", "ESTIMATE: no source found"),
    ("gallium", 2023, 0.0, 610, "no reported balance", "ESTIMATE: no source found"),
    ("germanium", 2010, 0.0, 120, "no reported balance", "ESTIMATE: no source found"),
    ("germanium", 2013, 0.0, 131, "no reported balance", "ESTIMATE: no source found"),
    ("germanium", 2022, 0.0, 150, "no reported balance", "ESTIMATE: no source found"),
    ("germanium", 2023, 0.0, 150, "no reported balance", "ESTIMATE: no source found"),
]

# (mineral, year, holder, tonnes, source)
STOCKS: list[tuple[str, int, str, float, str]] = [
    ("nickel", 2010, "LME (late January 2010)", 164808, "REUTERS10: 'another record high'"),
    ("copper", 2010, "LME (late January 2010)", 541050, "REUTERS10: 'a near one-year high'"),
    ("nickel", 2013, "LME (4 February 2013)", 150906, "BLOOMBERG13: highest since April 2010"),
    ("copper", 2013, "LME (17 January 2014)", 334550, "BLOOMBERG14: lowest in a year"),
    ("copper", 2022, "LME (end December 2022)", 88550, "HOME23 (Reuters, via mining.com)"),
    (
        "copper",
        2022,
        "LME + COMEX + SHFE (end December 2022)",
        189505,
        "ICSG23b: 227,224 t at end November 2023, up 37,719 t from end December 2022",
    ),
    ("copper", 2023, "LME + COMEX + SHFE (end November 2023)", 227224, "ICSG23b"),
    (
        "copper",
        2023,
        "LME (end November 2023)",
        174400,
        "ESTIMATE: ICSG23b says LME stocks rose 97% from end 2022 (88,550 t, HOME23)",
    ),
    (
        "nickel",
        2022,
        "LME (end December 2022)",
        54600,
        "ESTIMATE: HOME23 says registered nickel stocks fell 45% in 2022; end 2021 about 99 kt",
    ),
    (
        "nickel",
        2022,
        "US consumers (year end)",
        29000,
        "USGS24 nickel salient 2022 (Stocks_Consumer_t)",
    ),
]

# Growth anchors: mineral -> {year: world output t, source}; index = output / output in Y.
GROWTH_WORLD: dict[str, dict[int, tuple[float, str]]] = {
    "lithium": {
        2010: (25300, "USGS11 (recalled)"),
        2013: (35000, "USGS14"),
        2022: (146000, "USGS24"),
        2023: (180000, "USGS24"),
    },
    "graphite": {
        2010: (1100000, "USGS11 (recalled)"),
        2013: (1190000, "USGS14 (recalled)"),
        2022: (1680000, "USGS24"),
        2023: (1600000, "USGS24"),
    },
    "cobalt": {
        2010: (88000, "USGS11"),
        2013: (114000, "MYB15"),
        2022: (197000, "USGS24"),
        2023: (230000, "USGS24"),
    },
    "nickel": {
        2010: (1590000, "USGS12"),
        2013: (2490000, "USGS14 (recalled)"),
        2022: (3270000, "USGS24"),
        2023: (3600000, "USGS24"),
    },
    "copper": {
        2010: (16200000, "USGS11 (recalled)"),
        2013: (17900000, "USGS14"),
        2022: (21900000, "USGS24"),
        2023: (22000000, "USGS24"),
    },
    "rare_earths": {
        2010: (133600, "USGS11 total REO"),
        2013: (110000, "USGS14 total REO"),
        2022: (300000, "USGS24 total REO"),
        2023: (350000, "USGS24 total REO"),
    },
    "gallium": {
        2010: (106, "USGS11 (recalled)"),
        2013: (280, "USGS14 (recalled)"),
        2022: (610, "USGS24"),
        2023: (610, "USGS24"),
    },
    "germanium": {
        2010: (120, "USGS11 (recalled)"),
        2013: (131, "ESTIMATE: MCGROUP13 interpolated"),
        2022: (150, "ESTIMATE as 2023"),
        2023: (150, "ESTIMATE: PB24"),
    },
}
