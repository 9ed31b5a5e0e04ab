"""Historical base-year figures (2010, 2013) with their sources, for ``build_vintages``.

Each supply entry names the world total it is checked against, the countries as model codes
(names the source lists under no code are folded into ROW, with the folding stated), the basis
and the source key (``abm/data/vintages/SOURCES.md``). A figure not found in a stored copy of its
source during the research (``RESEARCH-LOG.md``) carries ``ESTIMATE:`` and its reasoning, even
where it is the value the named edition is remembered to print.
"""

from __future__ import annotations

RECALL = "value as recalled from {ed}, not checked against a stored copy"
# Magnet REO (Nd, Pr, Dy, Tb) as a fraction of total REO mined: IEA24 magnet REO mining 2023
# (72.4 kt) over USGS24 total REO mine output 2023 (350 kt). Applied to every country and year.
MAGNET_FRACTION = 72400 / 350000

# (mineral, stage) -> entry. "tonnes": country -> t; "residual": ROW = world less listed.
SUPPLY: dict[int, dict[tuple[str, str], dict]] = {
    2010: {
        ("lithium", "raw"): {
            "tonnes": {
                "CL": 8800,
                "AU": 8500,
                "CN": 4500,
                "AR": 2900,
                "EU": 800,
                "ROW": 470,
                "BR": 180,
            },
            "world": 25300,
            "basis": "USGS11",
            "source": "ESTIMATE: USGS11 mine production 2010 by country, "
            + RECALL.format(ed="MCS 2011")
            + "; Portugal as EU, Zimbabwe as ROW; US withheld (excluded)",
            "unit": "t Li",
        },
        ("lithium", "refined"): {
            "tonnes": {"CN": 10000, "CL": 8800, "AR": 2900, "US": 1000, "EU": 500},
            "world": None,
            "basis": "ESTIMATE",
            "source": "ESTIMATE: Chilean and Argentine brine converted at site (SQM, Chemetall, "
            "FMC); Chinese converters take China's own output and most Australian spodumene "
            "(about 5.5 kt Li; the rest is used as mineral in glass and ceramics); US "
            "(Chemetall Silver Peak, FMC) and Germany (Chemetall) about 1 and 0.5 kt",
            "unit": "t Li",
        },
        ("graphite", "raw"): {
            "tonnes": {
                "CN": 800000,
                "IN": 130000,
                "BR": 76000,
                "CA": 25000,
                "RU": 14000,
                "EU": 4000,
            },
            "world": 1100000,
            "residual": True,
            "basis": "USGS11",
            "source": "ESTIMATE: USGS11 natural graphite 2010, "
            + RECALL.format(ed="MCS 2011")
            + "; cross-check 2012 (FIRSTGRAPHITE: world 1.1 Mt, China 750 kt, India 150 kt, "
            "Brazil 75 kt, North Korea 30 kt, Canada 26 kt); ROW = North Korea, Mexico, "
            "Madagascar, Sri Lanka, Ukraine, Zimbabwe, Turkey, Norway",
            "unit": "t graphite",
        },
        ("graphite", "refined"): {
            "shares": {"CN": 0.60, "JP": 0.33, "KR": 0.03, "US": 0.02, "EU": 0.02},
            "total": 70000,
            "basis": "ESTIMATE",
            "source": "ESTIMATE: battery-grade anode material about 70 kt in 2010; Chinese "
            "spherical and anode makers (BTR, Shanshan) about 60%, Japanese anode makers "
            "(Hitachi Chemical, Mitsubishi Chemical, JFE) about a third",
            "unit": "t graphite (battery grade)",
        },
        ("cobalt", "raw"): {
            "tonnes": {"CD": 45000, "CN": 6200, "RU": 6100, "AU": 4600, "CA": 2500, "BR": 1500},
            "world": 88000,
            "residual": True,
            "basis": "USGS11",
            "source": "USGS11",
            "fold": "Zambia 11,000 + Cuba 3,500 + New Caledonia 1,700 + Morocco 1,500 + Other "
            "4,700 into ROW as world total less listed",
            "unit": "t Co",
        },
        ("cobalt", "refined"): {
            "tonnes": {
                "CN": 33000,
                "EU": 12800,
                "CA": 5100,
                "AU": 4000,
                "CD": 3000,
                "RU": 2400,
                "JP": 2000,
                "IN": 1200,
                "BR": 1000,
                "ROW": 11800,
            },
            "world": 76000,
            "basis": "ESTIMATE",
            "source": "ESTIMATE: world refined output 'more than 76,000 t' (MYB10 cobalt); the "
            "country split from the known refineries (Finland Kokkola 9.8 kt and Belgium Olen "
            "3 kt as EU; Zambia 5 kt, Norway 3.2 kt, Morocco 1.6 kt as ROW)",
            "unit": "t Co",
        },
        ("nickel", "raw"): {
            "tonnes": {
                "RU": 269000,
                "ID": 232000,
                "PH": 173000,
                "AU": 170000,
                "CA": 158000,
                "CN": 79000,
                "BR": 59100,
            },
            "world": 1590000,
            "residual": True,
            "basis": "USGS12",
            "source": "USGS12",
            "fold": "New Caledonia 130,000 + Colombia 72,000 + Cuba 70,000 + South Africa 40,000 "
            "+ Botswana 28,000 + Madagascar 15,000 + Other 99,000 (incl. Finland, Greece) into "
            "ROW as world total less listed",
            "unit": "t Ni",
        },
        ("nickel", "refined"): {
            "tonnes": {
                "CN": 370000,
                "RU": 265000,
                "JP": 165000,
                "CA": 105000,
                "AU": 100000,
                "ID": 94000,
                "EU": 68000,
                "BR": 40000,
                "KR": 20000,
                "ROW": 300000,
            },
            "world": 1430000,
            "basis": "ESTIMATE",
            "source": "ESTIMATE: INSG primary nickel production about 1.43 Mt in 2010 (INSG10); "
            "split by producer (China incl. NPI; Norilsk Russia; Japan incl. ferronickel; Vale "
            "strike in Canada); Indonesia = PT Vale matte about 77 kt + Antam ferronickel about "
            "17 kt, counted at location as the IEA does (so the matte is counted again where "
            "Japan refines it); ROW = Norway, New Caledonia, Colombia, Cuba, South Africa, others",
            "unit": "t Ni",
        },
        ("copper", "raw"): {
            "tonnes": {
                "CL": 5520000,
                "PE": 1285000,
                "CN": 1150000,
                "US": 1120000,
                "AU": 900000,
                "ID": 840000,
                "RU": 750000,
                "EU": 700000,
                "CA": 520000,
                "CD": 340000,
                "BR": 210000,
            },
            "world": 16200000,
            "residual": True,
            "basis": "USGS11",
            "source": "ESTIMATE: USGS11 mine production 2010, "
            + RECALL.format(ed="MCS 2011")
            + "; EU = Poland 430 kt plus Spain, Bulgaria, Sweden, Portugal, Finland; ICSG mine "
            "output 16.1 Mt (ICSG11) agrees within 1%",
            "fold": "Zambia, Kazakhstan, Mexico, Mongolia, Iran and others into ROW as world "
            "total less listed",
            "unit": "t Cu",
        },
        ("copper", "refined"): {
            "tonnes": {
                "CN": 4600000,
                "CL": 3300000,
                "EU": 2600000,
                "JP": 1550000,
                "RU": 900000,
                "US": 707000,
                "IN": 650000,
                "KR": 560000,
                "AU": 424000,
                "PE": 390000,
                "ID": 280000,
                "CA": 250000,
                "BR": 220000,
                "CD": 220000,
                "PH": 140000,
            },
            "world": 19100000,
            "residual": True,
            "basis": "ICSG11",
            "source": "ICSG11 (world 19.1 Mt, China 4.6 Mt, Chile 3.3 Mt, EU 2.6 Mt, US 707 kt, "
            "Canada 250 kt); the other countries ESTIMATE from producers' output",
            "fold": "Zambia, Kazakhstan, Mexico, Iran and others into ROW as world total less "
            "listed",
            "unit": "t Cu",
        },
        ("rare_earths", "raw"): {
            "total_reo": {"CN": 130000, "IN": 2700, "BR": 550, "MY": 350},
            "world": 133600,
            "basis": "USGS11",
            "source": "ESTIMATE: magnet REO = USGS11 total REO (China 130,000 t, 97.3%; India "
            "2%, Brazil 0.42%, Malaysia 0.27%; INDEXMUNDI11) times the IEA24/USGS24 2023 "
            "magnet fraction 0.207",
            "unit": "t magnet REO",
        },
        ("rare_earths", "refined"): {
            "shares": {
                "CN": 0.965,
                "EU": 0.020,
                "US": 0.006,
                "IN": 0.004,
                "RU": 0.003,
                "JP": 0.002,
            },
            "total": None,
            "basis": "ESTIMATE",
            "source": "ESTIMATE: China mined and separated about 97% (issue 19; USGS11); "
            "separation outside China at Silmet (Estonia) and Rhodia La Rochelle (EU), "
            "Molycorp restarting from stockpile (US), IREL (India), Solikamsk (Russia)",
            "unit": "t magnet REO",
        },
        ("gallium", "raw"): {
            "shares": {"CN": 0.70, "EU": 0.12, "ROW": 0.10, "JP": 0.05, "KR": 0.02, "RU": 0.01},
            "total": 106,
            "basis": "ESTIMATE",
            "source": "ESTIMATE: USGS11 world primary production about 106 t, "
            + RECALL.format(ed="MCS 2011")
            + "; country split (China about 70%; Germany and Hungary as EU; Kazakhstan, "
            "Ukraine, Slovakia as ROW) from capacity",
            "unit": "t Ga",
        },
        ("gallium", "refined"): {
            "shares": {
                "CN": 0.35,
                "JP": 0.30,
                "US": 0.12,
                "EU": 0.12,
                "CA": 0.05,
                "KR": 0.03,
                "ROW": 0.03,
            },
            "total": 106,
            "basis": "ESTIMATE",
            "source": "ESTIMATE: high-purity refining then mostly in Japan (Dowa, Sumitomo "
            "Chemical), the US, Germany/UK and China; total set to primary output (contained "
            "basis)",
            "unit": "t Ga",
        },
        ("germanium", "raw"): {
            "shares": {"CN": 0.67, "EU": 0.13, "CA": 0.10, "RU": 0.04, "US": 0.03, "ROW": 0.03},
            "total": 120,
            "basis": "ESTIMATE",
            "source": "ESTIMATE: USGS11 world refinery production about 120 t (China about 80 "
            "t), " + RECALL.format(ed="MCS 2011") + "; raw copies the refined split as in 2023",
            "unit": "t Ge",
        },
        ("germanium", "refined"): {
            "shares": {"CN": 0.67, "EU": 0.13, "CA": 0.10, "RU": 0.04, "US": 0.03, "ROW": 0.03},
            "total": 120,
            "basis": "ESTIMATE",
            "source": "ESTIMATE: as raw; Umicore (Belgium) and Germany as EU, Teck Trail as CA",
            "unit": "t Ge",
        },
    },
}
