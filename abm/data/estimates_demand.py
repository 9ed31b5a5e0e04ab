"""Estimates behind the demand tables: which IEA rows make each sector, and who consumes.

The IEA workbook gives demand by technology and in total but not by country, so the country split
of each sector is an estimate: a named profile (battery cell production, magnet production,
refined copper use, stainless steel melting, ...) applied to the sector's IEA share.
"""

from __future__ import annotations

# IEA sheet "1 Total demand for key minerals": block title per mineral.
IEA_DEMAND_BLOCKS = {
    "copper": "Copper",
    "cobalt": "Cobalt",
    "lithium": "Lithium",
    "nickel": "Nickel",
    "rare_earths": "Magnet rare earth elements",
    "graphite": "Graphite (all grades: natural and synthetic)",
}

_BATTERIES = {"Electric vehicles": 1.0, "Grid battery storage": 1.0}
_OTHER = {"Other uses": 1.0}
# Share of the IEA "Other uses" of magnet rare earths that is still magnets (consumer
# electronics, industrial motors, appliances, ICE cars, e-bikes): NdFeB output of roughly 300 kt
# at about 30% REE needs about 90 kt of magnet REE, nearly all of the 92.6 kt demand. ESTIMATE.
REE_OTHER_MAGNET_SHARE = 0.9

# Sector -> {IEA row label: weight}; the weights of a row over sectors sum to 1.
SECTOR_ROWS: dict[str, dict[str, dict[str, float]]] = {
    "copper": {
        "batteries": _BATTERIES,
        "grid": {
            "Solar PV": 1.0,
            "Wind": 1.0,
            "Other low emissions power generation": 1.0,
            "Electricity networks": 1.0,
            "Hydrogen technologies": 1.0,
        },
        "other": _OTHER,
    },
    "cobalt": {
        "batteries": _BATTERIES,
        "grid": {"Low emissions power generation": 1.0, "Hydrogen technologies": 1.0},
        "other": _OTHER,
    },
    "lithium": {"batteries": _BATTERIES, "other": _OTHER},
    "nickel": {
        "batteries": _BATTERIES,
        "grid": {
            "Solar PV": 1.0,
            "Wind": 1.0,
            "Other low emissions power generation": 1.0,
            "Hydrogen technologies": 1.0,
        },
        "other": _OTHER,
    },
    "rare_earths": {
        "magnets": {"Wind": 1.0, "Electric vehicles": 1.0, "Other uses": REE_OTHER_MAGNET_SHARE},
        "other": {"Other uses": 1.0 - REE_OTHER_MAGNET_SHARE},
    },
    "graphite": {"batteries": _BATTERIES, "other": _OTHER},
}

# Gallium and germanium: the IEA gives only solar PV (sheet 3.2, kt); the rest is estimated.
# (world consumption 2023 in t, {sector: share} without grid, source)
SMALL_MINERALS: dict[str, tuple[float, dict[str, float], str]] = {
    "gallium": (
        610.0,
        {"chips": 0.55, "magnets": 0.35},
        "ESTIMATE: world use taken as USGS24 primary output (610 t); USGS24 names LEDs "
        "and NdFeB magnets as the 2023 demand drivers; Ga at about 0.1% in some 250 kt "
        "of NdFeB is about a third; the rest ICs, RF, LEDs, lasers, power devices",
    ),
    "germanium": (
        150.0,
        {"chips": 0.64},
        "ESTIMATE: world use about 150 t (PB24); fibre optics about a third and IR "
        "optics about a quarter (AMECO19), electronics about 5%; the rest PET "
        "catalysts, phosphors, metallurgy",
    ),
}
# Yearly growth of sectors the IEA does not project: (rate, source).
SMALL_GROWTH: dict[tuple[str, str], tuple[float, str]] = {
    ("gallium", "chips"): (
        0.04,
        "ESTIMATE: compound semiconductors (GaN power, RF, LEDs) about 4% a year",
    ),
    ("gallium", "other"): (0.02, "ESTIMATE: 2% a year"),
    ("germanium", "chips"): (0.03, "ESTIMATE: fibre and IR optics about 3% a year"),
    ("germanium", "other"): (0.015, "ESTIMATE: PET catalysts flat to slow, 1.5% a year"),
}
# Gallium in magnets grows with the rare-earth magnet sector (same IEA-based index).
GALLIUM_MAGNETS_FOLLOW = "rare_earths"

# Country profiles: consumption shares within a sector, each an estimate with its basis.
PROFILES: dict[str, tuple[dict[str, float], str]] = {
    "battery_cells": (
        {"CN": 0.80, "EU": 0.09, "US": 0.06, "KR": 0.02, "JP": 0.02, "ROW": 0.01},
        "battery cell production 2023: Europe 110 GWh and US 70 GWh of EV batteries, China "
        "about 80% (GEVO24)",
    ),
    "ndfeb_magnets": (
        {"CN": 0.90, "JP": 0.07, "EU": 0.01, "VN": 0.01, "KR": 0.005, "ROW": 0.003, "US": 0.002},
        "NdFeB magnet production: China about 90% (ERIA25 citing US DOE), Japan second",
    ),
    "copper_use": (
        {
            "CN": 0.575,
            "EU": 0.105,
            "US": 0.068,
            "JP": 0.032,
            "IN": 0.028,
            "KR": 0.022,
            "RU": 0.017,
            "VN": 0.012,
            "BR": 0.010,
            "MY": 0.008,
            "ID": 0.008,
            "CA": 0.006,
            "AU": 0.003,
            "ROW": 0.106,
        },
        "refined copper use by country, ICSG 2022-23 rounded (China about 57%)",
    ),
    "stainless": (
        {
            "CN": 0.625,
            "EU": 0.095,
            "ID": 0.080,
            "IN": 0.072,
            "JP": 0.033,
            "KR": 0.033,
            "US": 0.032,
            "BR": 0.004,
            "RU": 0.002,
            "ROW": 0.024,
        },
        "stainless melt-shop output Jan-Sep 2023 (ISSF23: China 26.6 of 42.6 Mt), Asian and "
        "'other' regions split by country",
    ),
    "crude_steel": (
        {
            "CN": 0.540,
            "IN": 0.074,
            "EU": 0.067,
            "JP": 0.046,
            "US": 0.043,
            "RU": 0.040,
            "KR": 0.035,
            "BR": 0.017,
            "VN": 0.010,
            "ID": 0.009,
            "CA": 0.0065,
            "MY": 0.005,
            "AU": 0.003,
            "ROW": 0.1045,
        },
        "crude steel 2023 (WSA24), for refractories, foundry and electrodes",
    ),
    "power_equipment": (
        {"CN": 0.55, "EU": 0.15, "US": 0.10, "JP": 0.07, "KR": 0.04, "IN": 0.04, "ROW": 0.05},
        "power-plant, wind and electrolyser equipment manufacturing",
    ),
    "solar_pv": (
        {"CN": 0.85, "VN": 0.04, "IN": 0.03, "MY": 0.02, "US": 0.02, "KR": 0.01, "ROW": 0.03},
        "solar cell and module manufacturing 2023 (China about 85%)",
    ),
    "compound_semis": (
        {"CN": 0.50, "JP": 0.17, "ROW": 0.16, "US": 0.08, "EU": 0.05, "KR": 0.04},
        "GaAs/GaN wafer, LED and device makers (Japan the largest importer, FM; Taiwan in ROW)",
    ),
    "germanium_optics": (
        {
            "CN": 0.50,
            "US": 0.15,
            "EU": 0.12,
            "JP": 0.07,
            "ROW": 0.07,
            "RU": 0.04,
            "KR": 0.03,
            "IN": 0.02,
        },
        "fibre preforms, IR optics and electronics makers",
    ),
    "cobalt_other": (
        {"CN": 0.55, "EU": 0.13, "US": 0.09, "JP": 0.08, "ROW": 0.07, "KR": 0.05, "IN": 0.03},
        "superalloys, hard metals, catalysts and portable batteries",
    ),
    "lithium_other": (
        {"CN": 0.62, "EU": 0.08, "ROW": 0.08, "KR": 0.07, "JP": 0.07, "US": 0.06, "IN": 0.02},
        "portable batteries, glass-ceramics, greases and polymers",
    ),
    "materials_general": (
        {"CN": 0.60, "EU": 0.10, "US": 0.08, "ROW": 0.08, "JP": 0.07, "KR": 0.04, "IN": 0.03},
        "other industrial uses (glass, catalysts, alloys), China-weighted",
    ),
}

# (mineral, sector) -> profile name.
SECTOR_PROFILE: dict[tuple[str, str], str] = {
    ("lithium", "batteries"): "battery_cells",
    ("lithium", "other"): "lithium_other",
    ("graphite", "batteries"): "battery_cells",
    ("graphite", "other"): "crude_steel",
    ("cobalt", "batteries"): "battery_cells",
    ("cobalt", "grid"): "power_equipment",
    ("cobalt", "other"): "cobalt_other",
    ("nickel", "batteries"): "battery_cells",
    ("nickel", "grid"): "power_equipment",
    ("nickel", "other"): "stainless",
    ("copper", "batteries"): "battery_cells",
    ("copper", "grid"): "copper_use",
    ("copper", "other"): "copper_use",
    ("rare_earths", "magnets"): "ndfeb_magnets",
    ("rare_earths", "other"): "materials_general",
    ("gallium", "chips"): "compound_semis",
    ("gallium", "magnets"): "ndfeb_magnets",
    ("gallium", "grid"): "solar_pv",
    ("gallium", "other"): "materials_general",
    ("germanium", "chips"): "germanium_optics",
    ("germanium", "grid"): "solar_pv",
    ("germanium", "other"): "materials_general",
}
