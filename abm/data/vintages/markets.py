"""Prices, reserves, growth, balances and stocks of the historical base years, with sources.

Read by ``build_vintages``. Keys are defined in ``SOURCES.md``; ``ESTIMATE:`` rows give their
reasoning. Prices are annual averages of the base year only: nothing from the years the episodes
are judged on (2011 rare-earth spike, 2014-18 nickel, 2023-24 graphite/gallium/germanium).
"""

from __future__ import annotations

from abm.data.vintages.figures import RECALL

LB_PER_T = 2204.62
LI_IN_LI2CO3 = 0.1878
LI_IN_SC6 = 0.02787
CU_IN_CONC = 0.275


def copper_concentrate(lme: float, tc: float, rc_c_lb: float) -> float:
    """Net value of one tonne of 27.5% concentrate: 96.5% payable less TC and RC."""
    return lme * 0.965 * CU_IN_CONC - tc - rc_c_lb / 100 * LB_PER_T * CU_IN_CONC


def magnet_basket(nd: float, dy: float, tb: float) -> float:
    """USD per t magnet REO, weighted as the 2023 table (Nd 77.2%, Pr 12.3% at Nd, Dy 8.2%,
    Tb 2.3%)."""
    return (0.772 * nd + 0.123 * nd + 0.082 * dy + 0.023 * tb) * 1000


# year -> (mineral, stage) -> (quoted price, quoted unit, content per quoted unit, source, note)
PRICES: dict[int, dict[tuple[str, str], tuple[float, str, float, str, str]]] = {
    2010: {
        ("lithium", "raw"): (
            400.0,
            "USD/t spodumene (SC6 equivalent)",
            LI_IN_SC6,
            "ESTIMATE: chemical-grade spodumene concentrate contract prices "
            "about 350-450 USD/t in 2010 (Talison)",
            "SC6 = 2.787% Li",
        ),
        ("lithium", "refined"): (
            5180.0,
            "USD/t Li2CO3 (battery grade)",
            LI_IN_LI2CO3,
            "USGS15",
            "salient: annual average battery-grade lithium carbonate 2010 (MCS 2015 lithium, "
            "scribd copy); Li2CO3 is 18.78% Li",
        ),
        ("graphite", "raw"): (
            1100.0,
            "USD/t flake graphite",
            1.0,
            "ESTIMATE: flake 94-97% C about 1,000-1,300 USD/t in 2010",
            "per t graphite",
        ),
        ("graphite", "refined"): (
            3500.0,
            "USD/t spherical graphite",
            1.0,
            "ESTIMATE: uncoated spherical about 3,000-4,000 USD/t",
            "battery-grade proxy",
        ),
        ("cobalt", "raw"): (
            0.60 * 45400.0,
            "USD/t Co in concentrate/hydroxide (60% payable)",
            1.0,
            "ESTIMATE: payables about 60% of the metal price",
            "payable x refined price",
        ),
        ("cobalt", "refined"): (
            45400.0,
            "USD/t Co (US spot, about 20.6 USD/lb)",
            1.0,
            "ESTIMATE: USGS11 US spot cathode 2010 average about 20.6 "
            "USD/lb, " + RECALL.format(ed="MCS 2011"),
            "2010 average",
        ),
        ("nickel", "raw"): (
            0.58 * 21809.0,
            "USD/t Ni in ore and concentrate (58% of LME)",
            1.0,
            "ESTIMATE: laterite ore (Indonesia, Philippines: 25% of mine output) "
            "pays about 22% of LME per contained t, sulphide concentrate and "
            "integrated feed about 70%",
            "payable x refined price",
        ),
        ("nickel", "refined"): (
            21809.0,
            "USD/t Ni (LME cash)",
            1.0,
            "ESTIMATE: LME cash 2010 average 21,809 USD/t (USGS11 salient), "
            + RECALL.format(ed="MCS 2011"),
            "2010 average",
        ),
        ("copper", "raw"): (
            copper_concentrate(7535.0, 46.5, 4.65),
            "USD/t concentrate (27.5% Cu)",
            CU_IN_CONC,
            "ESTIMATE: LME 7,535 x 96.5% payable less 2010 benchmark "
            "TC 46.5 USD/dmt and RC 4.65 c/lb",
            "net smelter value of one tonne of concentrate",
        ),
        ("copper", "refined"): (
            7535.0,
            "USD/t Cu (LME cash, 342 c/lb)",
            1.0,
            "ESTIMATE: LME cash 2010 average about 342 c/lb (USGS11), "
            + RECALL.format(ed="MCS 2011")
            + "; COMEX averaged 343 c/lb in 2010 (MYB11 copper)",
            "2010 average",
        ),
        ("rare_earths", "raw"): (
            6000.0,
            "USD/t REO in mixed concentrate",
            0.207,
            "ESTIMATE: Chinese mixed concentrate and carbonate about 6,000 "
            "USD/t REO in 2010 (carbonate 42-45% REO was 68-70k CNY/t only "
            "after the 2011 spike, REUTERS12)",
            "per t magnet REO at 20.7%",
        ),
        ("rare_earths", "refined"): (
            magnet_basket(45.0, 230.0, 550.0),
            "USD/t magnet REO (weighted oxides)",
            1.0,
            "ESTIMATE: 2010 FOB China averages about Nd2O3 45, Dy2O3 "
            "230, Tb4O7 550 USD/kg (rising through the year from about "
            "20/115/400 to 85/300/650; no 2011 figures used)",
            "weights as 2023 (Nd 77.2%, Pr 12.3% at Nd, Dy 8.2%, Tb 2.3%)",
        ),
        ("gallium", "raw"): (
            450000.0,
            "USD/t low-purity gallium",
            1.0,
            "ESTIMATE: 99.99% gallium about 450 USD/kg in 2010",
            "per t Ga",
        ),
        ("gallium", "refined"): (
            600000.0,
            "USD/t high-purity gallium",
            1.0,
            "ESTIMATE: USGS11 yearend 2010 99.99999% price 670 USD/kg "
            "(yearend 2009: 449; YUMPU11); annual average about 600",
            "per t Ga",
        ),
        ("germanium", "raw"): (
            0.5 * 1100000.0,
            "USD/t Ge in concentrate (50% of metal)",
            1.0,
            "ESTIMATE: half the metal price, as 2023",
            "payable x refined",
        ),
        ("germanium", "refined"): (
            1100000.0,
            "USD/t germanium metal",
            1.0,
            "ESTIMATE: zone-refined metal about 1,000-1,200 USD/kg in "
            "2010, " + RECALL.format(ed="MCS 2011"),
            "per t Ge",
        ),
    },
    2013: {
        ("lithium", "raw"): (
            450.0,
            "USD/t spodumene (SC6 equivalent)",
            LI_IN_SC6,
            "ESTIMATE: chemical-grade spodumene about 400-500 USD/t in 2013",
            "SC6 = 2.787% Li",
        ),
        ("lithium", "refined"): (
            6800.0,
            "USD/t Li2CO3 (battery grade)",
            LI_IN_LI2CO3,
            "USGS15",
            "salient: annual average battery-grade lithium carbonate 2013 (MCS 2015 lithium, "
            "scribd copy); Li2CO3 is 18.78% Li",
        ),
        ("graphite", "raw"): (
            1200.0,
            "USD/t flake graphite",
            1.0,
            "ESTIMATE: flake fell from about 2,000 USD/t (2012 peak) to about 1,100-1,300 in 2013",
            "per t graphite",
        ),
        ("graphite", "refined"): (
            3000.0,
            "USD/t spherical graphite",
            1.0,
            "ESTIMATE: uncoated spherical about 2,500-3,500 USD/t",
            "battery-grade proxy",
        ),
        ("cobalt", "raw"): (
            0.60 * 28660.0,
            "USD/t Co in concentrate/hydroxide (60% payable)",
            1.0,
            "ESTIMATE: payables about 60% of the metal price",
            "payable x refined price",
        ),
        ("cobalt", "refined"): (
            28660.0,
            "USD/t Co (about 13.0 USD/lb)",
            1.0,
            "DARTON14: 2013 average 12-13 USD/lb; 13.0 taken",
            "2013 average",
        ),
        ("nickel", "raw"): (
            0.53 * 15030.0,
            "USD/t Ni in ore and concentrate (53% of LME)",
            1.0,
            "ESTIMATE: laterite ore exports (Indonesia, Philippines: 35% of mine "
            "output) at about 22% of LME per contained t, the rest about 70%",
            "payable x refined price",
        ),
        ("nickel", "refined"): (
            15030.0,
            "USD/t Ni (LME cash)",
            1.0,
            "ESTIMATE: LME cash 2013 average about 15,030 USD/t (USGS14 "
            "salient), " + RECALL.format(ed="MCS 2014"),
            "2013 average; no 2014-18 prices used",
        ),
        ("copper", "raw"): (
            copper_concentrate(7322.0, 70.0, 7.0),
            "USD/t concentrate (27.5% Cu)",
            CU_IN_CONC,
            "ESTIMATE: LME 7,322 x 96.5% payable less 2013 benchmark TC 70 USD/dmt and RC 7.0 c/lb",
            "net smelter value of one tonne of concentrate",
        ),
        ("copper", "refined"): (
            7322.0,
            "USD/t Cu (LME cash, 332 c/lb)",
            1.0,
            "ESTIMATE: LME cash 2013 average about 332 c/lb (USGS14), "
            + RECALL.format(ed="MCS 2014")
            + "; late-December 2013 3-month 7,382 (REUTERS13)",
            "2013 average",
        ),
        ("rare_earths", "raw"): (
            5000.0,
            "USD/t REO in mixed concentrate",
            0.207,
            "ESTIMATE: mixed concentrate about 5,000 USD/t REO in 2013",
            "per t magnet REO at 20.7%",
        ),
        ("rare_earths", "refined"): (
            magnet_basket(67.5, 465.0, 825.0),
            "USD/t magnet REO (weighted oxides)",
            1.0,
            "USGS16 yearend 2013 prices: Nd2O3 65-70, Dy2O3 440-490, "
            "Tb 800-850 USD/kg (mid-points; DOCSLIB16)",
            "weights as 2023 (Nd 77.2%, Pr 12.3% at Nd, Dy 8.2%, Tb "
            "2.3%); yearend, not annual average",
        ),
        ("gallium", "raw"): (
            300000.0,
            "USD/t low-purity gallium",
            1.0,
            "ESTIMATE: 99.99% about 300 USD/kg in 2013 as Chinese capacity "
            "doubled (STRATEGIC14: from over 700 in 2010 to under 300 by 2014)",
            "per t Ga",
        ),
        ("gallium", "refined"): (
            500000.0,
            "USD/t high-purity gallium",
            1.0,
            "ESTIMATE: high-purity about 500 USD/kg in 2013",
            "per t Ga",
        ),
        ("germanium", "raw"): (
            0.5 * 1900000.0,
            "USD/t Ge in concentrate (50% of metal)",
            1.0,
            "ESTIMATE: half the metal price, as 2023",
            "payable x refined",
        ),
        ("germanium", "refined"): (
            1900000.0,
            "USD/t germanium metal",
            1.0,
            "ESTIMATE: zone-refined metal about 1,900 USD/kg in 2013, "
            + RECALL.format(ed="MCS 2014"),
            "per t Ge",
        ),
    },
    2022: {
        ("lithium", "raw"): (
            4900.0,
            "USD/t spodumene SC6",
            LI_IN_SC6,
            "ESTIMATE: SC6 CIF China assessments averaged about 4,900 USD/t in "
            "2022 (about 2,500 in January to 7,000-8,000 in Q4; FM)",
            "SC6 = 2.787% Li",
        ),
        ("graphite", "refined"): (
            3300.0,
            "USD/t uncoated spherical graphite, FOB China",
            1.0,
            "ESTIMATE: 2022 spherical graphite about 3,000-3,600 USD/t (FM)",
            "battery-grade proxy",
        ),
        ("cobalt", "raw"): (
            0.75 * 63900.0,
            "USD/t Co in hydroxide (75% payable)",
            1.0,
            "ESTIMATE: hydroxide payables about 70-90% in H1 2022 falling to "
            "about 60% by year end (FM)",
            "payable x refined price",
        ),
        ("cobalt", "refined"): (
            63900.0,
            "USD/t Co (US spot, about 29 USD/lb)",
            1.0,
            "ESTIMATE: 2022 average about 29 USD/lb (about 40 in Q1, 21 in "
            "Q4), " + RECALL.format(ed="MCS 2023"),
            "2022 average",
        ),
        ("nickel", "raw"): (
            0.38 * 25815.0,
            "USD/t Ni in ore and concentrate (38% of LME)",
            1.0,
            "ESTIMATE: as 2023 (Indonesian ore about 20% of LME, sulphide "
            "concentrate about 75%, weighted by mine shares)",
            "payable x refined price",
        ),
        ("copper", "raw"): (
            copper_concentrate(8818.0, 65.0, 6.5),
            "USD/t concentrate (27.5% Cu)",
            CU_IN_CONC,
            "ESTIMATE: LME 8,818 x 96.5% payable less 2022 benchmark TC 65 USD/dmt and RC 6.5 c/lb",
            "net smelter value of one tonne of concentrate",
        ),
        ("rare_earths", "raw"): (
            10800.0,
            "USD/t REO in mixed concentrate",
            0.165,
            "ESTIMATE: MP Materials realised about 10,800 USD/t REO in 2022",
            "per t magnet REO at 16.5% (Mountain Pass)",
        ),
        ("gallium", "raw"): (
            394000.0,
            "USD/t low-purity (99.99%) gallium",
            1.0,
            "USGS24",
            "salient 2022: 394 USD/kg",
        ),
        ("gallium", "refined"): (
            560000.0,
            "USD/t high-purity gallium",
            1.0,
            "USGS24",
            "salient 2022: 560 USD/kg",
        ),
        ("germanium", "raw"): (
            0.5 * 1294000.0,
            "USD/t Ge in concentrate (50% of metal)",
            1.0,
            "ESTIMATE: half the metal price, as 2023",
            "payable x refined",
        ),
        ("germanium", "refined"): (
            1294000.0,
            "USD/t germanium metal",
            1.0,
            "USGS24",
            "salient 2022: 1,294 USD/kg (GeO2 828 USD/kg)",
        ),
    },
}

# year -> mineral -> (country -> t, world t, source). Rare earths in total REO.
RESERVES: dict[int, dict[str, tuple[dict[str, float], float, str]]] = {
    2010: {
        "lithium": (
            {
                "CL": 7.5e6,
                "CN": 3.5e6,
                "AR": 8.5e5,
                "AU": 5.8e5,
                "BR": 1.9e5,
                "US": 3.8e4,
                "ROW": 2.3e4,
                "EU": 1.0e4,
            },
            13e6,
            "ESTIMATE: USGS11 reserves, " + RECALL.format(ed="MCS 2011"),
        ),
        "graphite": (
            {"CN": 55e6, "IN": 5.2e6, "BR": 3.6e5},
            77e6,
            "ESTIMATE: USGS11 reserves, "
            + RECALL.format(ed="MCS 2011")
            + "; Mexico, Madagascar, others in ROW",
        ),
        "cobalt": (
            {
                "CD": 3.4e6,
                "AU": 1.4e6,
                "RU": 2.5e5,
                "CA": 1.3e5,
                "BR": 8.9e4,
                "CN": 8.0e4,
                "US": 3.3e4,
            },
            7.3e6,
            "ESTIMATE: USGS11 reserves, "
            + RECALL.format(ed="MCS 2011")
            + "; Cuba, New Caledonia, Zambia in ROW",
        ),
        "nickel": (
            {
                "AU": 24e6,
                "BR": 8.7e6,
                "RU": 6.0e6,
                "ID": 3.9e6,
                "CA": 3.3e6,
                "CN": 3.0e6,
                "PH": 1.1e6,
            },
            80e6,
            "USGS12 (reserves as of MCS 2012, LIQUISEARCH12); New Caledonia 12 Mt, Cuba "
            "5.5 Mt, South Africa 3.7 Mt, others in ROW",
        ),
        "copper": (
            {
                "CL": 150e6,
                "PE": 90e6,
                "AU": 80e6,
                "US": 35e6,
                "ID": 30e6,
                "CN": 30e6,
                "RU": 30e6,
                "EU": 26e6,
                "CA": 8e6,
            },
            630e6,
            "ESTIMATE: USGS11 reserves, "
            + RECALL.format(ed="MCS 2011")
            + "; EU = Poland; Mexico, Zambia, Kazakhstan, others in ROW",
        ),
        "rare_earths": (
            {
                "CN": 55e6,
                "RU": 19e6,
                "US": 13e6,
                "IN": 3.1e6,
                "AU": 1.6e6,
                "BR": 4.8e4,
                "MY": 3.0e4,
            },
            110e6,
            "USGS11 via MONGOLIA12 for China 55 Mt, US 13 Mt, world 110 Mt; CIS 19 "
            "Mt as RU and the rest ESTIMATE, " + RECALL.format(ed="MCS 2011") + " (total REO)",
        ),
    },
    2013: {
        "lithium": (
            {
                "CL": 7.5e6,
                "CN": 3.5e6,
                "AU": 1.5e6,
                "AR": 8.5e5,
                "EU": 6.0e4,
                "BR": 4.8e4,
                "US": 3.8e4,
                "ROW": 2.3e4,
            },
            13.5e6,
            "ESTIMATE: USGS14 reserves, " + RECALL.format(ed="MCS 2014"),
        ),
        "graphite": (
            {"CN": 55e6, "BR": 40e6, "IN": 11e6},
            130e6,
            "ESTIMATE: USGS14 reserves, "
            + RECALL.format(ed="MCS 2014")
            + "; Mexico, Madagascar, Turkey, others in ROW",
        ),
        "cobalt": (
            {
                "CD": 3.4e6,
                "AU": 1.1e6,
                "PH": 2.9e5,
                "CA": 2.7e5,
                "RU": 2.5e5,
                "BR": 8.9e4,
                "CN": 8.0e4,
                "US": 3.3e4,
            },
            7.2e6,
            "ESTIMATE: USGS14 reserves, " + RECALL.format(ed="MCS 2014"),
        ),
        "nickel": (
            {
                "AU": 18e6,
                "BR": 8.4e6,
                "RU": 6.1e6,
                "ID": 3.9e6,
                "CN": 3.0e6,
                "CA": 2.9e6,
                "PH": 1.1e6,
            },
            74e6,
            "ESTIMATE: USGS14 reserves, "
            + RECALL.format(ed="MCS 2014")
            + "; New Caledonia 12 Mt, Cuba 5.5 Mt in ROW",
        ),
        "copper": (
            {
                "CL": 190e6,
                "AU": 87e6,
                "PE": 70e6,
                "US": 39e6,
                "CN": 30e6,
                "RU": 30e6,
                "ID": 28e6,
                "EU": 26e6,
                "CD": 20e6,
                "CA": 10e6,
            },
            690e6,
            "ESTIMATE: USGS14 reserves, " + RECALL.format(ed="MCS 2014"),
        ),
        "rare_earths": (
            {"CN": 55e6, "BR": 22e6, "US": 13e6, "IN": 3.1e6, "AU": 2.1e6, "MY": 3.0e4},
            140e6,
            "ESTIMATE: USGS14 reserves (total REO), "
            + RECALL.format(ed="MCS 2014")
            + "; Russia and others in ROW",
        ),
    },
}
