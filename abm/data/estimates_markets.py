"""Estimates for prices, lead times, costs, recycling and transport, each with its reasoning.

Companion to ``estimates`` (countries, supply splits, ownership): the primary files give only a
few prices, so the rest of the market picture is judged here, in one place, and every value's
source or reasoning is written into the tables ``build_tables`` produces.
"""

from __future__ import annotations

# Refined prices not in the shipped salient CSVs, and raw prices: (quoted_price, quoted_unit,
# content per quoted unit, source, note). price_usd_per_t = quoted_price / content.
COBALT_REFINED = (
    37_900.0,
    "USD/t Co (US spot cathode, 17.20 USD/lb)",
    1.0,
    "USGS24 (MCS 2024 cobalt summary via Statista; the shipped cobalt salient CSV "
    "carries no price)",
    "2023 annual average; cross-check 31.00 x 0.55 = 17.05",
)
GRAPHITE_REFINED = (
    3_000.0,
    "USD/t uncoated spherical graphite, FOB China",
    1.0,
    "ESTIMATE: 2023 assessments for 99.95% spherical graphite ranged about "
    "2,500-3,500 USD/t and fell through the year (FM)",
    "battery-grade proxy",
)
RAW_PRICES: dict[str, tuple[float, str, float, str, str]] = {
    "lithium": (
        3_500.0,
        "USD/t spodumene SC6 (6% Li2O)",
        0.02787,
        "ESTIMATE: 2023 average of SC6 CIF China assessments, about 6,000 USD/t in "
        "January falling to about 1,100 in December (FM); INFOLINK23 1,470-1,590 in "
        "late November",
        "SC6 = 6% Li2O = 2.787% Li",
    ),
    "cobalt": (
        21_982.0,
        "USD/t Co in hydroxide (58% payable)",
        1.0,
        "ESTIMATE: hydroxide payables fell to about 55-65% of the metal price in 2023 (FM); "
        "58% of the refined price",
        "payable x refined price",
    ),
    "nickel": (
        8_360.0,
        "USD/t Ni in ore and concentrate (38% of LME)",
        1.0,
        "ESTIMATE: Indonesian ore (HPM, about 1.6% Ni) pays about 20% of LME per contained "
        "tonne, sulphide concentrate about 75%; weighted by 2023 mine shares to 38%",
        "payable x refined price",
    ),
    "copper": (
        2_142.0,
        "USD/t concentrate (27.5% Cu)",
        0.275,
        "ESTIMATE: LME 8,598 x 96.5% payable less 2023 benchmark TC 88 USD/dmt and RC 8.8 c/lb",
        "net smelter value of one tonne of concentrate",
    ),
    "rare_earths": (
        6_000.0,
        "USD/t REO in mixed concentrate",
        0.165,
        "ESTIMATE: MP Materials realised 6,231 (Q2) and 5,718 (Q3) USD/t REO in 2023 "
        "(MP23); Mountain Pass REO about 16.5% Nd+Pr",
        "value per t magnet REO",
    ),
    "gallium": (
        290_000.0,
        "USD/t low-purity (99.99%) gallium",
        1.0,
        "USGS24",
        "salient 2023: 290 USD/kg",
    ),
    "germanium": (
        700_000.0,
        "USD/t Ge in concentrate (50% of metal)",
        1.0,
        "ESTIMATE: germanium in zinc residue and concentrate paid about half of the "
        "metal price; GeO2 at 880 USD/kg (USGS24) is already refined",
        "payable x refined price",
    ),
}

# Lead times in months: (decision, build, ramp, source). Decision = exploration and permitting to
# final investment decision for capacity not yet announced; build = construction to first output.
LEAD_TIMES: dict[tuple[str, str], tuple[int, int, int, str]] = {
    ("lithium", "raw"): (
        60,
        24,
        18,
        "ESTIMATE: Australian hard-rock projects reach output 5-7 "
        "years from discovery, faster than the 15.7-year average (SP23)",
    ),
    ("graphite", "raw"): (84, 24, 24, "ESTIMATE: African flake projects; slow ramp-ups (Balama)"),
    ("cobalt", "raw"): (
        120,
        36,
        24,
        "ESTIMATE: cobalt is a by-product of copper and nickel "
        "mines; decision follows the host mine",
    ),
    ("nickel", "raw"): (
        84,
        30,
        12,
        "ESTIMATE: Indonesian laterite mines are quicker than "
        "sulphide mines; the average mine takes 15.7 years (SP23)",
    ),
    ("copper", "raw"): (
        144,
        42,
        18,
        "ESTIMATE: S&P 2023 average 15.7 years discovery to "
        "production (SP23); over 16 years for 2010-19 mines (IEA22)",
    ),
    ("rare_earths", "raw"): (
        60,
        24,
        12,
        "ESTIMATE: project lead times about 8 years (ERIA25 citing GCMO24)",
    ),
    ("gallium", "raw"): (
        12,
        12,
        6,
        "ESTIMATE: a recovery circuit added to an existing alumina refinery",
    ),
    ("germanium", "raw"): (
        18,
        18,
        12,
        "ESTIMATE: recovery from zinc residues or fly ash at an existing plant",
    ),
    ("lithium", "refined"): (
        12,
        24,
        24,
        "ESTIMATE: Chinese converters build in about 2 years; "
        "outside China ramp-ups are slow (Kwinana, Kemerton)",
    ),
    ("graphite", "refined"): (12, 18, 12, "ESTIMATE: spherical graphite and anode plants"),
    ("cobalt", "refined"): (12, 24, 12, "ESTIMATE: sulphate and metal refineries"),
    ("nickel", "refined"): (
        6,
        30,
        12,
        "ESTIMATE: Indonesian HPAL about 3 years from "
        "announcement (2018) to output (2021) (CMNOTES)",
    ),
    ("copper", "refined"): (24, 36, 18, "ESTIMATE: smelter and refinery projects"),
    ("rare_earths", "refined"): (
        24,
        36,
        24,
        "ESTIMATE: separation plants outside China (Lynas Kalgoorlie, Texas)",
    ),
    ("gallium", "refined"): (12, 12, 12, "ESTIMATE: small purification plants"),
    ("germanium", "refined"): (12, 18, 12, "ESTIMATE: small refineries"),
}

# Costs: (low, high, utilisation_2023, capex USD per t of annual capacity, source). Raw costs are
# fractions of the raw price; refined costs are conversion costs excluding the raw input, as a
# fraction of the refined price.
COSTS: dict[tuple[str, str], tuple[float, float, float, float, str]] = {
    ("lithium", "raw"): (
        0.10,
        0.45,
        0.75,
        45_000.0,
        "ESTIMATE: Greenbushes about 350 USD/t "
        "SC6 vs marginal 1,500 at a 3,500 average; prices fell to the upper cost "
        "curve only at the end of 2023 (INFOLINK23: CNY 57-99k/t LCE)",
    ),
    ("graphite", "raw"): (0.35, 1.05, 0.60, 2_500.0, "ESTIMATE: flake mines 400-1,250 USD/t"),
    ("cobalt", "raw"): (
        0.25,
        1.30,
        0.85,
        60_000.0,
        "ESTIMATE: by-product credits make DRC cobalt cheap; artisanal and stand-alone cobalt dear",
    ),
    ("nickel", "raw"): (
        0.45,
        1.40,
        0.85,
        20_000.0,
        "ESTIMATE: Indonesian ore cheap; Australian sulphide mines above price (closures 2023-24)",
    ),
    ("copper", "raw"): (
        0.30,
        1.00,
        0.84,
        25_000.0,
        "ESTIMATE: C1 costs about 1.0-3.5 USD/lb; "
        "ICSG mine utilisation about 84%; greenfield capital about 25k USD/tpa",
    ),
    ("rare_earths", "raw"): (
        0.30,
        1.10,
        0.85,
        60_000.0,
        "ESTIMATE: MP production cost about "
        "2,000 USD/t REO vs 6,000 realised (MP23); Chinese quotas",
    ),
    ("gallium", "raw"): (
        0.50,
        1.10,
        0.5545,
        150_000.0,
        "ESTIMATE: by-product recovery is cheap "
        "where alumina refineries are large; utilisation is USGS24 610 t of "
        "1,100 t primary capacity",
    ),
    ("germanium", "raw"): (
        0.40,
        1.20,
        0.60,
        500_000.0,
        "ESTIMATE: recovery from zinc residues and fly ash; Chinese capacity exceeds output",
    ),
    ("lithium", "refined"): (
        0.06,
        0.20,
        0.60,
        80_000.0,
        "ESTIMATE: conversion about 3-5k USD/t "
        "LCE in China, 8-10k outside; capex about 15k USD/t LCE",
    ),
    ("graphite", "refined"): (0.35, 0.75, 0.50, 8_000.0, "ESTIMATE: Chinese anode overcapacity"),
    ("cobalt", "refined"): (
        0.08,
        0.20,
        0.65,
        30_000.0,
        "ESTIMATE: hydroxide to sulphate or "
        "metal about 3-7k USD/t Co; Chinese refineries ran well below "
        "capacity in the 2023 surplus",
    ),
    ("nickel", "refined"): (
        0.28,
        0.65,
        0.80,
        14_000.0,
        "ESTIMATE: Indonesian HPAL about 14k "
        "USD/tpa against about A$100k/tpa for an Australian project (CMNOTES)",
    ),
    ("copper", "refined"): (
        0.05,
        0.14,
        0.82,
        4_000.0,
        "ESTIMATE: realised TC/RC about 800 USD/t Cu; ICSG refinery utilisation about 82%",
    ),
    ("rare_earths", "refined"): (
        0.30,
        0.80,
        0.75,
        60_000.0,
        "ESTIMATE: separation 10-20 USD/kg REO, charged to the magnet oxides",
    ),
    ("gallium", "refined"): (
        0.12,
        0.30,
        0.60,
        100_000.0,
        "ESTIMATE: purification to 6N-7N "
        "adds about 50-130 USD/kg to the 290 USD/kg feed (USGS24 prices)",
    ),
    ("germanium", "refined"): (
        0.10,
        0.35,
        0.60,
        300_000.0,
        "ESTIMATE: reduction and zone "
        "refining of GeO2 (880 USD/kg) to metal (1,400 USD/kg, USGS24)",
    ),
}

# Recycling 2023: (secondary share of refined supply from end-of-life scrap, product life years,
# collection rate, source).
RECYCLING: dict[str, tuple[float, float, float, str]] = {
    "lithium": (
        0.02,
        12.0,
        0.20,
        "ESTIMATE: EV batteries mostly not yet at end of life; "
        "IEAREC24; recycling cuts primary needs 10-30% by 2040 (GCMO24 p.236)",
    ),
    "graphite": (0.0, 10.0, 0.05, "ESTIMATE: anode graphite recycling is negligible in 2023"),
    "cobalt": (0.10, 10.0, 0.40, "ESTIMATE: superalloy and battery scrap (IEAREC24)"),
    "nickel": (
        0.08,
        20.0,
        0.60,
        "ESTIMATE: excludes stainless scrap melted directly, which "
        "never passes through refining; IEAREC24 notes the secondary share is falling",
    ),
    "copper": (
        0.15,
        25.0,
        0.50,
        "ICSG: secondary refined output 3.0 of 19.9 Mt in Jan-Sep 2023 "
        "(includes some new scrap); life and collection ESTIMATE",
    ),
    "rare_earths": (0.01, 12.0, 0.05, "ESTIMATE: under 1-2% of magnet REE recycled"),
    "gallium": (
        0.01,
        8.0,
        0.05,
        "ESTIMATE: end-of-life recycling negligible; new GaAs scrap "
        "recycling (large) is not counted",
    ),
    "germanium": (
        0.10,
        15.0,
        0.30,
        "ESTIMATE: the USGS24 germanium summary says about 30% of germanium consumed comes "
        "from recycled material, mostly new scrap",
    ),
}

# Transport per tonne of the basis: (fixed USD/t, USD/t per 1000 km, source). Raw: bulk freight
# per tonne of concentrate divided by its grade; refined: container freight.
TRANSPORT: dict[tuple[str, str], tuple[float, float, str]] = {
    ("lithium", "raw"): (
        538.0,
        143.5,
        "ESTIMATE: SC6 at 2.79% Li = 35.9 t per t Li; 15 USD/t "
        "port and haulage plus 4 USD/t per 1000 km bulk",
    ),
    ("graphite", "raw"): (
        63.0,
        8.4,
        "ESTIMATE: 95% C flake in bags; 60 USD/t plus 8 USD/t per 1000 km",
    ),
    ("cobalt", "raw"): (
        700.0,
        35.0,
        "ESTIMATE: hydroxide about 30% Co trucked 2,500 km from "
        "Katanga to port (about 200 USD/t), then container",
    ),
    ("nickel", "raw"): (
        475.0,
        285.0,
        "ESTIMATE: laterite ore about 1.5% Ni dry, 95 wet t per t "
        "Ni; 5 USD/wmt loading plus 3 USD/wmt per 1000 km",
    ),
    ("copper", "raw"): (
        54.5,
        9.1,
        "ESTIMATE: concentrate 27.5% Cu = 3.64 t per t Cu; 15 USD/t plus 2.5 USD/t per 1000 km",
    ),
    ("rare_earths", "raw"): (
        600.0,
        80.0,
        "ESTIMATE: concentrate about 10% magnet REO; 60 USD/t plus 8 USD/t per 1000 km",
    ),
    ("gallium", "raw"): (500.0, 20.0, "ESTIMATE: metal in containers, with insurance"),
    ("germanium", "raw"): (
        900.0,
        120.0,
        "ESTIMATE: residue about 7% Ge; 60 USD/t plus 8 USD/t per 1000 km",
    ),
    ("lithium", "refined"): (
        426.0,
        26.6,
        "ESTIMATE: Li2CO3 18.8% Li; container 80 USD/t plus 5 USD/t per 1000 km",
    ),
    ("graphite", "refined"): (80.0, 5.0, "ESTIMATE: container 80 USD/t plus 5 USD/t per 1000 km"),
    ("cobalt", "refined"): (160.0, 10.0, "ESTIMATE: metal and sulphate mix about 50% Co"),
    ("nickel", "refined"): (267.0, 16.7, "ESTIMATE: NPI, matte, MHP and metal mix about 30% Ni"),
    ("copper", "refined"): (80.0, 5.0, "ESTIMATE: cathode"),
    ("rare_earths", "refined"): (80.0, 5.0, "ESTIMATE: oxides in containers"),
    ("gallium", "refined"): (500.0, 20.0, "ESTIMATE: small high-value lots, insured"),
    ("germanium", "refined"): (500.0, 20.0, "ESTIMATE: small high-value lots, insured"),
}
