"""The explicit estimates behind the calibration tables, each with its source or reasoning.

Everything the primary files (USGS MCS 2024, IEA Data Explorer May 2024) do not say lives here,
so a reader can see and challenge every judgement in one place. ``build_tables`` combines these
with the primary files; the shipped CSVs name the source of every row. Source keys are listed in
``primary/SOURCES.md``.
"""

from __future__ import annotations

# Countries: (name, lat, lon, why this point). Trade distances are measured between these points.
COUNTRY_POINTS: dict[str, tuple[str, float, float, str]] = {
    "CN": ("China", 31.23, 121.47, "port of Shanghai"),
    "AU": ("Australia", -32.05, 115.75, "Fremantle/Kwinana, Western Australia (lithium, nickel)"),
    "ID": ("Indonesia", -2.83, 122.16, "Morowali industrial park, Sulawesi (nickel hub)"),
    "CD": ("Democratic Republic of the Congo", -10.72, 25.47, "Kolwezi, Copperbelt (inland)"),
    "CL": ("Chile", -23.65, -70.40, "port of Antofagasta"),
    "AR": ("Argentina", -24.79, -65.41, "Salta, lithium triangle"),
    "IN": ("India", 18.95, 72.95, "Nhava Sheva (Mumbai)"),
    "JP": ("Japan", 35.44, 139.64, "port of Yokohama"),
    "US": ("United States", 37.42, -92.19, "mean centre of population (Missouri): two coasts"),
    "KR": ("Korea", 35.10, 129.04, "port of Busan"),
    "MM": ("Myanmar", 25.38, 97.40, "Myitkyina, Kachin (rare-earth mines, overland to China)"),
    "VN": ("Viet Nam", 20.86, 106.68, "port of Hai Phong"),
    "MY": ("Malaysia", 3.97, 103.43, "Kuantan (Lynas rare-earth plant)"),
    "PH": ("Philippines", 9.78, 125.49, "Surigao (nickel ore loading)"),
    "RU": ("Russia", 59.93, 30.34, "port of St Petersburg"),
    "CA": ("Canada", 45.50, -73.55, "port of Montreal"),
    "BR": ("Brazil", -23.96, -46.33, "port of Santos"),
    "PE": ("Peru", -12.05, -77.15, "port of Callao"),
    "EU": ("European Union", 51.95, 4.14, "port of Rotterdam"),
    "ROW": (
        "Rest of world",
        25.27,
        55.30,
        "ESTIMATE: Dubai, a central point between the African, European and Asian members",
    ),
}

# What one tonne of each mineral means at each stage (the model follows contained material).
MINERAL_INFO: dict[str, tuple[str, str, str]] = {
    "lithium": (
        "t Li content",
        "spodumene concentrate and brine (mine output, Li content)",
        "lithium chemicals (carbonate and hydroxide, Li content)",
    ),
    "graphite": (
        "t graphite",
        "natural graphite mine output (concentrate)",
        "battery-grade graphite; the IEA splits refining by location only for battery "
        "grade (natural and synthetic), so its shares stand for all refining",
    ),
    "cobalt": (
        "t Co content",
        "cobalt in ore, concentrate and hydroxide/MHP",
        "refined cobalt (metal, sulphate, oxide)",
    ),
    "nickel": (
        "t Ni content",
        "nickel in ore and concentrate (mine output)",
        "refined nickel including NPI, ferronickel, matte and MHP (IEA refining)",
    ),
    "copper": (
        "t Cu content",
        "copper concentrate (recoverable Cu content)",
        "refined copper cathode (electrolytic and SX-EW)",
    ),
    "rare_earths": (
        "t magnet rare-earth oxide (Nd, Pr, Dy, Tb)",
        "mixed rare-earth concentrate (magnet REO content, IEA basis)",
        "separated magnet rare-earth oxides (IEA basis)",
    ),
    "gallium": (
        "t Ga",
        "primary low-purity (99.99%) gallium recovered from alumina liquor",
        "high-purity (6N-7N) gallium",
    ),
    "germanium": (
        "t Ge",
        "germanium in zinc residues, concentrates and coal fly ash",
        "refined germanium (metal, GeO2, GeCl4)",
    ),
}

# Supply splits with no country data in the primary files (shares of the world total).
GALLIUM_REFINED_SHARES = {
    "CN": 0.80,
    "JP": 0.10,
    "US": 0.02,
    "CA": 0.02,
    "EU": 0.01,
    "KR": 0.01,
    "ROW": 0.04,
}
GALLIUM_REFINED_SOURCE = (
    "ESTIMATE: high-purity refining sits where low-purity metal is made (China 98% of primary, "
    "USGS24) plus refiners that upgrade Chinese feed and new scrap: Japan largest outside China, "
    "then Slovakia/UK/Taiwan (ROW), Canada, US, Germany; world tonnes taken as the USGS24 primary "
    "total"
)
GERMANIUM_WORLD_T = 150.0
GERMANIUM_SHARES = {"CN": 0.60, "EU": 0.15, "CA": 0.10, "RU": 0.07, "US": 0.05, "ROW": 0.03}
GERMANIUM_SOURCE = (
    "ESTIMATE: USGS24 gives no country data (names US, Belgium, Canada, China, Germany, Russia); "
    "China about 60% (CRMA23); world about 150 t (PB24: 100 t is about two thirds of annual "
    "output); the rest split over Belgium and Germany (EU), Canada, Russia, US by known refiners"
)
GERMANIUM_RAW_NOTE = "raw germanium assumed to follow the refined split (no better data found)"

# Basis notes per (mineral, stage), written into every supply row.
SUPPLY_NOTES: dict[tuple[str, str], str] = {
    ("lithium", "raw"): "t Li; the IEA24 mining total (193.8 kt) is 5% above USGS",
    ("lithium", "refined"): "lithium chemicals, t Li (IEA24 176.3 kt, below USGS mining)",
    ("graphite", "raw"): "natural graphite only (IEA24 natural mining 1,617 kt)",
    ("graphite", "refined"): "battery-grade natural and synthetic graphite (2,037 kt) exceeds "
    "natural mining (1,600 kt): synthetic graphite has no raw stage here; the IEA splits refining "
    "by location only for battery grade, so these shares stand for all graphite refining",
    ("cobalt", "raw"): "IEA24 mining total 239.8 kt",
    ("cobalt", "refined"): "IEA24 refining",
    ("nickel", "raw"): "mine output: Indonesia 50% (IEA24 51.8%), not its refining share",
    ("nickel", "refined"): "refining incl. NPI, matte and MHP: Indonesia 37.2%, China 28.1% "
    "(IEA24); total above USGS mining (3,600 kt)",
    ("copper", "raw"): "IEA24 mining total 22,508 kt",
    ("copper", "refined"): "USGS chosen because it names DRC, US, Korea and Germany (IEA24 total "
    "26,336 kt, China 43.8%)",
    ("rare_earths", "raw"): "IEA basis, magnet REO (Nd, Pr, Dy, Tb); USGS total REO mining "
    "(350 kt) is a different basis",
    ("rare_earths", "refined"): "IEA basis, magnet REO (Nd, Pr, Dy, Tb)",
    ("gallium", "raw"): "t Ga, low-purity primary; USGS capacity 1,100 t",
    ("gallium", "refined"): "high-purity gallium",
    ("germanium", "raw"): "t Ge",
    ("germanium", "refined"): "t Ge",
}

# Copper refining: USGS lists Germany and Poland only; other EU members sit in "Other countries".
# ECI16: EU28 refined output about 2.6 Mt (ICSG); India 549 kt from the IEA workbook.
COPPER_EU_REFINED_T = 2_600_000.0
COPPER_EU_SOURCE = (
    "ESTIMATE: USGS24 Germany 610 kt + Poland 590 kt, plus about 1.4 Mt in Belgium, Spain, "
    "Bulgaria, Sweden, Finland and Austria moved out of USGS 'Other countries' so the EU total "
    "is about 2.6 Mt (ECI16 citing ICSG)"
)

# Ownership where the owner differs from the location: (mineral, stage, location) ->
# ({owner: share of that location's output}, source).
OWNERSHIP: dict[tuple[str, str, str], tuple[dict[str, float], str]] = {
    ("nickel", "refined", "ID"): (
        {"CN": 0.75, "ID": 0.22, "BR": 0.02, "JP": 0.01},
        "ESTIMATE: C4ADS25 finds Chinese firms control about 75% of Indonesian refining capacity "
        "(2023); PT Vale Indonesia (Vale, Sumitomo) about 5% of output",
    ),
    ("nickel", "raw", "ID"): (
        {"ID": 0.70, "CN": 0.20, "EU": 0.07, "BR": 0.03},
        "ESTIMATE: mines must be majority Indonesian-owned; Weda Bay (Tsingshan 57%, Eramet 43%) "
        "and Vale Indonesia carry the foreign share",
    ),
    ("nickel", "refined", "EU"): (
        {"RU": 0.45, "EU": 0.55},
        "ESTIMATE: Finland's refining is Nornickel Harjavalta (Russian-owned) and Terrafame/"
        "others (Finnish)",
    ),
    ("nickel", "raw", "CA"): (
        {"BR": 0.50, "ROW": 0.30, "CA": 0.20},
        "ESTIMATE: Vale Canada (Sudbury, Voisey's Bay) about half, Glencore (Switzerland) Sudbury "
        "and Raglan about 30%",
    ),
    ("cobalt", "raw", "CD"): (
        {"CN": 0.55, "ROW": 0.30, "CD": 0.15},
        "ESTIMATE: CMOC 55.5 kt in 2023 (REUTERS24) is a third of DRC output and other Chinese "
        "firms (Zijin, Huayou, Jinchuan, Sicomines) about a fifth; Glencore (Switzerland) and ERG "
        "(Kazakhstan) about 30%; artisanal and Gecamines the rest",
    ),
    ("cobalt", "raw", "ID"): (
        {"CN": 0.75, "ID": 0.25},
        "ESTIMATE: Indonesian cobalt comes from HPAL plants run by Chinese firms (Lygend, Huayou)",
    ),
    ("copper", "raw", "CD"): (
        {"CN": 0.45, "CD": 0.33, "ROW": 0.15, "CA": 0.07},
        "ESTIMATE: CMOC (TFM 80%, KFM), Zijin (39.6% of Kamoa-Kakula, 437 kt in 2023; COMMUS 72%), "
        "Sicomines; Ivanhoe (Canada) 39.6% of Kamoa-Kakula; Glencore and ERG; state stakes 20%",
    ),
    ("copper", "raw", "CL"): (
        {"CL": 0.40, "ROW": 0.22, "AU": 0.17, "JP": 0.10, "US": 0.06, "CA": 0.05},
        "ESTIMATE: Codelco and Antofagasta Chilean; BHP (Escondida 57.5%, Spence); Anglo, Glencore "
        "(ROW); Japanese stakes in Escondida, Los Pelambres, Collahuasi, Centinela, QB; Freeport",
    ),
    ("copper", "raw", "PE"): (
        {"ROW": 0.25, "CN": 0.22, "PE": 0.15, "US": 0.15, "JP": 0.10, "AU": 0.08, "CA": 0.05},
        "ESTIMATE: Las Bambas (MMG) and Toromocho (Chinalco) Chinese; Southern Copper (Grupo "
        "Mexico), Glencore (ROW); Cerro Verde (Freeport, Sumitomo); Antamina (BHP, Glencore, Teck, "
        "Mitsubishi); Quellaveco (Mitsubishi 40%)",
    ),
    ("copper", "refined", "CD"): (
        {"CN": 0.65, "ROW": 0.25, "CD": 0.10},
        "ESTIMATE: DRC cathode (SX-EW) mostly from Chinese-run operations (CMOC, Sicomines, "
        "COMMUS, Huayou); Glencore KCC/Mutanda and ERG the rest; Gecamines stakes",
    ),
    ("copper", "refined", "CL"): (
        {"CL": 0.70, "AU": 0.12, "JP": 0.05, "US": 0.05, "ROW": 0.05, "CA": 0.03},
        "ESTIMATE: Codelco and ENAMI smelters and most SX-EW Chilean; BHP (Escondida, Spence "
        "cathode); Japanese stakes (Escondida, Mantoverde 30%, Centinela 30%); Freeport El Abra",
    ),
    ("copper", "refined", "ID"): (
        {"JP": 0.75, "ID": 0.25},
        "ESTIMATE: PT Smelting Gresik, the only Indonesian refinery in 2023, Mitsubishi Materials "
        "60.5%, Mitsubishi Corp 9.5%, JX 5%, PT Freeport Indonesia 25%",
    ),
    ("copper", "refined", "US"): (
        {"US": 0.82, "JP": 0.10, "AU": 0.08},
        "ESTIMATE: Sumitomo's 28% of Morenci SX-EW cathode; Rio Tinto Kennecott",
    ),
    ("copper", "refined", "PE"): (
        {"ROW": 0.75, "US": 0.10, "PE": 0.10, "JP": 0.05},
        "ESTIMATE: Ilo refinery (Southern Copper, Grupo Mexico); Cerro Verde cathode (Freeport, "
        "Sumitomo)",
    ),
    ("copper", "refined", "EU"): (
        {"EU": 0.89, "US": 0.11},
        "ESTIMATE: Aurubis, KGHM, Boliden EU-owned; Atlantic Copper (Huelva, about 0.28 Mt) owned "
        "by Freeport",
    ),
    ("copper", "refined", "AU"): (
        {"AU": 0.55, "ROW": 0.45},
        "ESTIMATE: Olympic Dam (BHP) Australian; Townsville refinery (Glencore, Switzerland)",
    ),
    ("lithium", "raw", "AU"): (
        {"AU": 0.54, "US": 0.29, "CN": 0.17},
        "ESTIMATE: Greenbushes (about 45% of output) 26% Tianqi, 49% Albemarle, 25% IGO (AFR24); "
        "Mt Marion 50% Ganfeng; Wodgina 50% Albemarle; Pilgangoora Australian",
    ),
    ("lithium", "raw", "CL"): (
        {"CL": 0.52, "US": 0.33, "CN": 0.15},
        "ESTIMATE: SQM about two thirds of output (Tianqi holds about 22% of SQM), Albemarle "
        "about a third",
    ),
    ("lithium", "raw", "AR"): (
        {"US": 0.48, "AU": 0.25, "JP": 0.095, "CN": 0.065, "CA": 0.063, "AR": 0.047},
        "ESTIMATE: Fenix (Livent, US); Olaroz (Allkem 66.5%, Toyota Tsusho 25%, JEMSE 8.5%); "
        "Cauchari-Olaroz (Ganfeng 46.7%, Lithium Americas 44.8%) started 2023",
    ),
    ("lithium", "raw", "ROW"): (
        {"CN": 0.90, "ROW": 0.10},
        "ESTIMATE: ROW lithium mining in 2023 is Zimbabwe, where Huayou, Sinomine, Yahua and "
        "Chengxin own the operating mines",
    ),
    ("lithium", "refined", "CL"): (
        {"CL": 0.52, "US": 0.33, "CN": 0.15},
        "ESTIMATE: same owners as the brines (SQM, Albemarle)",
    ),
    ("lithium", "refined", "AR"): (
        {"US": 0.48, "AU": 0.25, "JP": 0.095, "CN": 0.065, "CA": 0.063, "AR": 0.047},
        "ESTIMATE: same owners as the brines",
    ),
    ("lithium", "refined", "AU"): (
        {"US": 0.50, "CN": 0.26, "AU": 0.24},
        "ESTIMATE: Kwinana hydroxide (Tianqi 51%, IGO 49%) and Kemerton (Albemarle) about half "
        "each",
    ),
    ("rare_earths", "refined", "MY"): (
        {"AU": 1.0},
        "ESTIMATE: Lynas Malaysia (Kuantan) is owned by Lynas Rare Earths (Australia)",
    ),
    ("rare_earths", "raw", "MM"): (
        {"CN": 0.60, "MM": 0.40},
        "ESTIMATE: Kachin ionic-clay mining is largely financed and run by Chinese operators",
    ),
}
