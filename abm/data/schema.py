"""The shape of the calibration tables: enumerations, columns and their kinds, group keys.

Shared by the loader (which checks the shipped CSVs against it) and the build script (which writes
the CSVs in this column order), so the two cannot drift apart.
"""

from __future__ import annotations

COUNTRIES = (
    "CN",
    "AU",
    "ID",
    "CD",
    "CL",
    "AR",
    "IN",
    "JP",
    "US",
    "KR",
    "MM",
    "VN",
    "MY",
    "PH",
    "RU",
    "CA",
    "BR",
    "PE",
    "EU",
    "ROW",
)
MINERALS = (
    "lithium",
    "graphite",
    "cobalt",
    "nickel",
    "copper",
    "rare_earths",
    "gallium",
    "germanium",
)
STAGES = ("raw", "refined")
SECTORS = ("batteries", "magnets", "chips", "grid", "other")
SCENARIOS = ("STEPS", "APS", "NZE")
SHARE_TOLERANCE = 0.005

# Column kinds.
TEXT, OPTIONAL, SOURCE = "text", "optional text", "source"
NUMBER, SIGNED, FRACTION, YEAR = "number", "signed number", "fraction", "year"
ALLOWED = {
    "country": COUNTRIES,
    "mineral": MINERALS,
    "stage": STAGES,
    "sector": SECTORS,
    "scenario": SCENARIOS,
    "area": (*COUNTRIES, "WORLD", "WORLD_EX_CN"),
    "holder": ("exchange", "merchant", "producer", "user", "government", "all"),
    "sector or all": (*SECTORS, "all"),
    "cargo": ("bulk", "container", "container_via_cape", "domestic"),
}

# Attribute name -> (file name, {column: kind}).
SCHEMAS: dict[str, tuple[str, dict[str, str]]] = {
    "countries": (
        "countries.csv",
        {"code": "country", "name": TEXT, "lat": SIGNED, "lon": SIGNED, "source": SOURCE},
    ),
    "minerals": (
        "minerals.csv",
        {
            "mineral": "mineral",
            "basis": TEXT,
            "raw_product": TEXT,
            "refined_product": TEXT,
            "source": SOURCE,
        },
    ),
    "supply": (
        "supply_2023.csv",
        {
            "mineral": "mineral",
            "stage": "stage",
            "country": "country",
            "tonnes": NUMBER,
            "share": FRACTION,
            "basis_source": TEXT,
            "source": SOURCE,
            "note": OPTIONAL,
        },
    ),
    "ownership": (
        "ownership_2023.csv",
        {
            "mineral": "mineral",
            "stage": "stage",
            "location": "country",
            "owner": "country",
            "share": FRACTION,
            "source": SOURCE,
        },
    ),
    "prices": (
        "prices_2023.csv",
        {
            "mineral": "mineral",
            "stage": "stage",
            "price_usd_per_t": NUMBER,
            "quoted_price": NUMBER,
            "quoted_unit": TEXT,
            "content_per_quoted_unit": NUMBER,
            "source": SOURCE,
            "note": OPTIONAL,
        },
    ),
    "reserves": (
        "reserves.csv",
        {"mineral": "mineral", "country": "country", "tonnes": NUMBER, "source": SOURCE},
    ),
    "demand": (
        "demand_2023.csv",
        {
            "mineral": "mineral",
            "country": "country",
            "sector": "sector",
            "share": FRACTION,
            "source": SOURCE,
        },
    ),
    "demand_growth": (
        "demand_growth.csv",
        {
            "mineral": "mineral",
            "sector": "sector",
            "scenario": "scenario",
            "year": YEAR,
            "index": NUMBER,
            "source": SOURCE,
        },
    ),
    "lead_times": (
        "lead_times.csv",
        {
            "mineral": "mineral",
            "stage": "stage",
            "decision_months": NUMBER,
            "build_months": NUMBER,
            "ramp_months": NUMBER,
            "source": SOURCE,
        },
    ),
    "costs": (
        "costs.csv",
        {
            "mineral": "mineral",
            "stage": "stage",
            "cost_low_frac": NUMBER,
            "cost_high_frac": NUMBER,
            "utilisation_2023": FRACTION,
            "capex_usd_per_tpa": NUMBER,
            "source": SOURCE,
        },
    ),
    "recycling": (
        "recycling_2023.csv",
        {
            "mineral": "mineral",
            "secondary_share": FRACTION,
            "end_of_life_years": NUMBER,
            "collection_rate_2023": FRACTION,
            "source": SOURCE,
        },
    ),
    "pipeline": (
        "pipeline.csv",
        {
            "mineral": "mineral",
            "stage": "stage",
            "country": "country",
            "year": YEAR,
            "tonnes": NUMBER,
            "source": SOURCE,
        },
    ),
    "transport": (
        "transport.csv",
        {
            "mineral": "mineral",
            "stage": "stage",
            "fixed_usd_per_t": NUMBER,
            "usd_per_t_per_1000km": NUMBER,
            "source": SOURCE,
        },
    ),
}
# The issue-18 evidence the world reads (abm/data/evidence/README.md): same checks, own folder.
EVIDENCE: dict[str, tuple[str, dict[str, str]]] = {
    "stocks": (
        "evidence/stocks_2023.csv",
        {
            "mineral": "mineral",
            "stage": "stage",
            "holder": "holder",
            "country_or_world": "area",
            "sector": "sector or all",
            "tonnes": NUMBER,
            "months_of_use": NUMBER,
            "annual_use_t": NUMBER,
            "source": SOURCE,
            "note": OPTIONAL,
        },
    ),
    "willingness_to_pay": (
        "evidence/willingness_to_pay.csv",
        {
            "mineral": "mineral",
            "sector": "sector",
            "mineral_cost_share_of_product": FRACTION,
            "product_margin": FRACTION,
            "source": SOURCE,
            "note": OPTIONAL,
        },
    ),
    "pass_through": (
        "evidence/pass_through.csv",
        {
            "mineral": "mineral",
            "sector": "sector",
            "final_product_cost_share": FRACTION,
            "final_product_margin": FRACTION,
            "source": SOURCE,
            "note": OPTIONAL,
        },
    ),
    "transit": (
        "evidence/transit.csv",
        {
            "origin": "country",
            "destination": "country",
            "cargo": "cargo",
            "months": NUMBER,
            "source": SOURCE,
            "note": OPTIONAL,
        },
    ),
}
# Groups whose shares must sum to one, and tables that need one row per key.
SHARE_GROUPS = {
    "supply": ("mineral", "stage"),
    "ownership": ("mineral", "stage", "location"),
    "demand": ("mineral",),
}
UNIQUE_KEYS = {
    "countries": ("code",),
    "minerals": ("mineral",),
    "supply": ("mineral", "stage", "country"),
    "ownership": ("mineral", "stage", "location", "owner"),
    "prices": ("mineral", "stage"),
    "reserves": ("mineral", "country"),
    "demand": ("mineral", "country", "sector"),
    "demand_growth": ("mineral", "sector", "scenario", "year"),
    "lead_times": ("mineral", "stage"),
    "costs": ("mineral", "stage"),
    "recycling": ("mineral",),
    "pipeline": ("mineral", "stage", "country", "year"),
    "transport": ("mineral", "stage"),
    "stocks": ("mineral", "stage", "holder", "country_or_world", "sector"),
    "willingness_to_pay": ("mineral", "sector"),
    "pass_through": ("mineral", "sector"),
    "transit": ("origin", "destination", "cargo"),
}
# Tables that need every mineral (and stage, where they have one).
COMPLETE = (
    "minerals",
    "supply",
    "prices",
    "lead_times",
    "costs",
    "transport",
    "recycling",
    "demand",
)
