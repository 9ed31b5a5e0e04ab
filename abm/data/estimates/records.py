"""The records the estimate files hold: one dataclass per kind, fields named as in the files."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CountryPoint:
    """The point a country's trade distances are measured from (degrees)."""

    code: str
    name: str
    lat: float
    lon: float
    source: str
    reasoning: str


@dataclass(frozen=True)
class MineralBasis:
    """What one tonne of a mineral means at each stage (the model follows contained material)."""

    mineral: str
    basis: str
    raw_product: str
    refined_product: str
    source: str


@dataclass(frozen=True)
class SupplyNote:
    """The basis note written into every supply row of a (mineral, stage)."""

    mineral: str
    stage: str
    note: str


@dataclass(frozen=True)
class PriceQuote:
    """A 2023 price the primary files do not give: quoted, or a share of the refined price."""

    mineral: str
    stage: str
    quoted_price: float | None
    share_of_refined_price: float | None
    quoted_unit: str
    content_per_quoted_unit: float
    source: str
    reasoning: str
    note: str


@dataclass(frozen=True)
class LeadTime:
    """Months from exploration to decision, decision to first output, and of the ramp-up."""

    mineral: str
    stage: str
    decision_months: int
    build_months: int
    ramp_months: int
    source: str
    reasoning: str


@dataclass(frozen=True)
class Cost:
    """A cost range as fractions of the 2023 price, the 2023 utilisation and capital cost."""

    mineral: str
    stage: str
    cost_low_frac: float
    cost_high_frac: float
    utilisation_2023: float
    capex_usd_per_tpa: float
    source: str
    reasoning: str


@dataclass(frozen=True)
class Recycling:
    """End-of-life recycling in 2023."""

    mineral: str
    secondary_share: float
    end_of_life_years: float
    collection_rate_2023: float
    source: str
    reasoning: str


@dataclass(frozen=True)
class Transport:
    """Freight per tonne of the basis: a fixed part and a part per 1000 km."""

    mineral: str
    stage: str
    fixed_usd_per_t: float
    usd_per_t_per_1000km: float
    source: str
    reasoning: str


@dataclass(frozen=True)
class DemandSectorRow:
    """The weight of one IEA demand row (sheet 1) in one model sector."""

    mineral: str
    iea_block: str
    sector: str
    iea_row: str
    weight: float
    source: str
    reasoning: str


@dataclass(frozen=True)
class SectorProfile:
    """Which country profile splits a (mineral, sector) over consumer countries."""

    mineral: str
    sector: str
    profile: str


@dataclass(frozen=True)
class Split:
    """Shares of a total by country code, with their source."""

    shares: dict[str, float]
    source: str
    reasoning: str


@dataclass(frozen=True)
class SupplySplit(Split):
    """A supply split with no country data in the primary files; ``world_t`` if estimated."""

    world_t: float | None = None
    raw_note: str = ""


@dataclass(frozen=True)
class Ownership:
    """Owners' shares of one location's output of a mineral at a stage."""

    mineral: str
    stage: str
    location: str
    owners: dict[str, float]
    source: str
    reasoning: str


@dataclass(frozen=True)
class Quantity:
    """One estimated number with its unit."""

    value: float
    unit: str
    source: str
    reasoning: str


@dataclass(frozen=True)
class Growth:
    """Yearly growth of a sector the IEA does not project, or the sector whose path it follows."""

    per_year: float | None = None
    follows: str | None = None
    source: str = ""
    reasoning: str = ""


@dataclass(frozen=True)
class SmallMineral:
    """World use of a mineral the IEA gives only solar PV for, split by sector."""

    world_use_t: float
    shares: dict[str, float]
    source: str
    reasoning: str
    growth: dict[str, Growth]
