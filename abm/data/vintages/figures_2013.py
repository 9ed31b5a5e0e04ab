"""2013 base-year supply figures (the nickel-ban world), in the form of ``figures.SUPPLY``."""

from __future__ import annotations

from abm.data.vintages.figures import RECALL

SUPPLY_2013: dict[tuple[str, str], dict] = {
    ("lithium", "raw"): {
        "tonnes": {
            "CL": 13500,
            "AU": 13000,
            "CN": 4000,
            "AR": 2500,
            "ROW": 1100,
            "EU": 570,
            "BR": 400,
        },
        "world": 35000,
        "basis": "USGS14",
        "source": "USGS14 via INN14 for Chile 13,500 and Australia 13,000; the rest ESTIMATE, "
        + RECALL.format(ed="MCS 2014")
        + "; Zimbabwe as ROW, Portugal as EU; US withheld (excluded)",
        "unit": "t Li",
    },
    ("lithium", "refined"): {
        "tonnes": {"CN": 15000, "CL": 13500, "AR": 2500, "US": 1000, "EU": 500},
        "world": None,
        "basis": "ESTIMATE",
        "source": "ESTIMATE: as 2010: brine converted at site in Chile and Argentina; Chinese "
        "converters take China's output and most Greenbushes spodumene (Tianqi owned Talison "
        "from 2013); US and German converters about 1 and 0.5 kt",
        "unit": "t Li",
    },
    ("graphite", "raw"): {
        "tonnes": {"CN": 780000, "IN": 170000, "BR": 95000, "CA": 20000, "RU": 14000, "EU": 5000},
        "world": 1190000,
        "residual": True,
        "basis": "USGS14",
        "source": "ESTIMATE: USGS14 natural graphite 2013, " + RECALL.format(ed="MCS 2014"),
        "fold": "North Korea, Turkey, Mexico, Madagascar, Sri Lanka, Ukraine, Zimbabwe, Norway "
        "into ROW as world total less listed",
        "unit": "t graphite",
    },
    ("graphite", "refined"): {
        "shares": {"CN": 0.68, "JP": 0.25, "KR": 0.03, "US": 0.02, "EU": 0.02},
        "total": 100000,
        "basis": "ESTIMATE",
        "source": "ESTIMATE: battery-grade anode material about 100 kt in 2013; China's share "
        "rising from about 60% (2010) as BTR and Shanshan expanded; Japan about a quarter",
        "unit": "t graphite (battery grade)",
    },
    ("cobalt", "raw"): {
        "tonnes": {
            "CD": 56000,
            "CN": 7200,
            "CA": 7168,
            "AU": 6410,
            "RU": 6300,
            "BR": 3500,
            "PH": 2800,
            "ID": 1700,
            "EU": 750,
        },
        "world": 114000,
        "residual": True,
        "basis": "MYB15",
        "source": "MYB15 (2013 column, revised; MCS 2014 printed about 120,000 t world)",
        "fold": "Zambia 5,919 + Cuba 4,200 + New Caledonia 3,190 + South Africa 3,000 + "
        "Madagascar 2,200 + Morocco 2,000 + Papua New Guinea 1,013 + Zimbabwe, Botswana, Viet "
        "Nam into ROW as world total less listed; Finland as EU",
        "unit": "t Co",
    },
    ("cobalt", "refined"): {
        "tonnes": {
            "CN": 40000,
            "EU": 13500,
            "CA": 5700,
            "AU": 4800,
            "CD": 3500,
            "JP": 2500,
            "RU": 2300,
            "IN": 1300,
            "BR": 1200,
            "ROW": 9700,
        },
        "world": 84500,
        "basis": "DARTON14",
        "source": "DARTON14 world refined 84,500 t; country split ESTIMATE from the known "
        "refineries (Kokkola and Olen as EU; Zambia, Norway, Morocco, Madagascar as ROW)",
        "unit": "t Co",
    },
    ("nickel", "raw"): {
        "tonnes": {
            "PH": 440000,
            "ID": 440000,
            "RU": 250000,
            "AU": 234000,
            "CA": 200000,
            "CN": 95000,
            "BR": 75000,
        },
        "world": 2490000,
        "residual": True,
        "basis": "USGS14",
        "source": "ESTIMATE: USGS14 mine production 2013, "
        + RECALL.format(ed="MCS 2014")
        + "; Indonesia and the Philippines about 18% each (issue 19: 'about a fifth, the "
        "Philippines about as much'); MCS 2015 revised the 2013 world to 2,630,000 t and Russia "
        "to 275,000 t (INN15), not used",
        "fold": "New Caledonia, Colombia, Cuba, South Africa, Madagascar, Botswana, Dominican "
        "Republic, Finland, Greece and others into ROW as world total less listed",
        "unit": "t Ni",
    },
    ("nickel", "refined"): {
        "tonnes": {
            "CN": 700000,
            "RU": 240000,
            "JP": 180000,
            "CA": 145000,
            "AU": 135000,
            "EU": 100000,
            "ID": 94000,
            "BR": 60000,
            "KR": 40000,
            "ROW": 330000,
        },
        "world": 1940000,
        "basis": "ESTIMATE",
        "source": "ESTIMATE: INSG primary nickel production 1.94 Mt in 2013 (INSG14); split by "
        "producer (China incl. about 450 kt NPI; Norilsk; Japan incl. ferronickel; Finland, UK "
        "Clydach, Greece as EU); Indonesia = PT Vale matte about 75 kt + Antam ferronickel "
        "about 19 kt, at location as the IEA counts it (4.6% of the total)",
        "unit": "t Ni",
    },
    ("copper", "raw"): {
        "tonnes": {
            "CL": 5700000,
            "CN": 1650000,
            "PE": 1300000,
            "US": 1220000,
            "AU": 990000,
            "CD": 900000,
            "EU": 800000,
            "RU": 720000,
            "CA": 630000,
            "ID": 500000,
            "BR": 260000,
        },
        "world": 17900000,
        "residual": True,
        "basis": "USGS14",
        "source": "USGS14 via METALFX14 (Chile, China, Peru, US, Australia); the rest ESTIMATE, "
        + RECALL.format(ed="MCS 2014")
        + "; EU = Poland, Spain, Bulgaria, Sweden, Portugal, Finland; ICSG mine 18.0 Mt (ICSG14)",
        "fold": "Zambia, Kazakhstan, Mexico, Iran, Mongolia and others into ROW as world total "
        "less listed",
        "unit": "t Cu",
    },
    ("copper", "refined"): {
        "tonnes": {
            "CN": 6500000,
            "CL": 2700000,
            "EU": 2700000,
            "JP": 1470000,
            "US": 1040000,
            "RU": 880000,
            "IN": 620000,
            "KR": 600000,
            "AU": 480000,
            "CD": 450000,
            "PE": 345000,
            "CA": 280000,
            "ID": 250000,
            "BR": 240000,
            "PH": 180000,
        },
        "world": 21000000,
        "residual": True,
        "basis": "ICSG14",
        "source": "ICSG14 (world 21.0 Mt, China about 6.5 Mt, Chile 2.7 Mt, EU 2.7 Mt, North "
        "America 1.7 Mt); the other countries ESTIMATE from producers' output",
        "fold": "Zambia, Kazakhstan, Mexico, Iran and others into ROW as world total less listed",
        "unit": "t Cu",
    },
    ("rare_earths", "raw"): {
        "total_reo": {
            "CN": 100000,
            "US": 4000,
            "IN": 2900,
            "RU": 2400,
            "AU": 2000,
            "VN": 220,
            "BR": 140,
            "MY": 100,
        },
        "world": 110000,
        "basis": "USGS14",
        "source": "ESTIMATE: magnet REO = total REO times 0.207 (IEA24/USGS24 2023 ratio); "
        "China 100,000 t (USGS14 via INN14b; quotas 93,800 t mining, 31,000 t export); US about "
        "4% and Australia 2-3% (GEOLOGY14); India, Russia, Viet Nam, Brazil, Malaysia "
        + RECALL.format(ed="MCS 2014"),
        "unit": "t magnet REO",
    },
    ("rare_earths", "refined"): {
        "shares": {
            "CN": 0.920,
            "US": 0.030,
            "EU": 0.025,
            "MY": 0.015,
            "IN": 0.005,
            "RU": 0.003,
            "JP": 0.002,
        },
        "total": None,
        "basis": "ESTIMATE",
        "source": "ESTIMATE: Molycorp Mountain Pass separation about 3.5 kt REO; Lynas Malaysia "
        "(LAMP) started in 2013 at under 2 kt; Silmet and Solvay La Rochelle (EU); China the rest",
        "unit": "t magnet REO",
    },
    ("gallium", "raw"): {
        "shares": {"CN": 0.80, "EU": 0.07, "ROW": 0.06, "JP": 0.04, "KR": 0.02, "RU": 0.01},
        "total": 280,
        "basis": "ESTIMATE",
        "source": "ESTIMATE: USGS14 world primary production about 280 t, "
        + RECALL.format(ed="MCS 2014")
        + "; Chinese capacity more than doubled 2010-2014 (STRATEGIC14)",
        "unit": "t Ga",
    },
    ("gallium", "refined"): {
        "shares": {
            "CN": 0.50,
            "JP": 0.25,
            "EU": 0.08,
            "US": 0.07,
            "CA": 0.05,
            "ROW": 0.03,
            "KR": 0.02,
        },
        "total": 280,
        "basis": "ESTIMATE",
        "source": "ESTIMATE: China refining a growing share of its own primary output; Japan, "
        "US, EU, 5N Plus (Canada) the rest; total set to primary output",
        "unit": "t Ga",
    },
    ("germanium", "raw"): {
        "shares": {"CN": 0.71, "EU": 0.12, "CA": 0.09, "RU": 0.03, "US": 0.02, "ROW": 0.03},
        "total": 131,
        "basis": "ESTIMATE",
        "source": "ESTIMATE: world about 131 t, between 127 t in 2012 (China 90 t, 71%) and the "
        "135 t expected for 2014 (MCGROUP13); raw copies the refined split as in 2023",
        "unit": "t Ge",
    },
    ("germanium", "refined"): {
        "shares": {"CN": 0.71, "EU": 0.12, "CA": 0.09, "RU": 0.03, "US": 0.02, "ROW": 0.03},
        "total": 131,
        "basis": "ESTIMATE",
        "source": "ESTIMATE: as raw",
        "unit": "t Ge",
    },
}
