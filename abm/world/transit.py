"""Goods in transit: months on each route, from evidence/transit.csv or shipping distance.

Goods bought in one month are stock in transit for this many months (``abm.transit``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from abm.data import COUNTRIES, STAGES, Calibration
from abm.world.state import RAW, REFINED
from abm.world.trade import great_circle_km

DAYS_PER_MONTH = 30.44
ROUTE_FACTOR = 1.3  # sea route over great circle (evidence/README.md, transit.csv)
KM_PER_DAY = {"bulk": 555.6, "container": 711.0}  # 12.5 and 16 knots
PORT_DAYS = {"bulk": 5.0, "container": 7.0}
DOMESTIC_MONTHS = 0.25  # ESTIMATE: a week within a country, as transit.csv gives for CN-CN
# The cargo each stage travels as, in order of preference for a pair: raw goes in bulk, or in
# containers where only a container time is cited for the pair (DRC hydroxide to China).
CARGO = {RAW: ("bulk", "container"), REFINED: ("container",)}
FALLBACK_CARGO = {RAW: "bulk", REFINED: "container"}


def fallback_months(calibration: Calibration, cargo: str) -> np.ndarray:
    """The README's rule for pairs not listed: 1.3 x great-circle km at the cargo's speed, plus
    its port days, in months of 30.44 days; (origin, destination)."""
    km = ROUTE_FACTOR * great_circle_km(calibration)
    return (km / KM_PER_DAY[cargo] + PORT_DAYS[cargo]) / DAYS_PER_MONTH


def listed_months(transit: pd.DataFrame, cargo: str) -> np.ndarray:
    """Months of the listed routes of one cargo, NaN where not listed; a route listed in one
    direction only serves both."""
    months = np.full((len(COUNTRIES), len(COUNTRIES)), np.nan)
    rows = transit[transit.cargo == cargo]
    origin = rows.origin.map(COUNTRIES.index).to_numpy(int)
    destination = rows.destination.map(COUNTRIES.index).to_numpy(int)
    months[origin, destination] = rows.months.to_numpy(float)
    return np.where(np.isnan(months), months.T, months)


def transit_months(calibration: Calibration) -> np.ndarray:
    """Months from shipment to delivery by (stage, origin, destination).

    A pair takes the first of: its listed time for the stage's cargo (either direction), the
    README's great-circle fallback; at home, the listed domestic time or a week (ESTIMATE).
    """
    transit = calibration.transit
    out = np.empty((len(STAGES), len(COUNTRIES), len(COUNTRIES)))
    for stage, cargoes in CARGO.items():
        months = fallback_months(calibration, FALLBACK_CARGO[stage])
        for cargo in reversed(cargoes):  # the preferred cargo last, so it wins
            listed = listed_months(transit, cargo)
            months = np.where(np.isnan(listed), months, listed)
        out[stage] = months
    domestic = np.full(len(COUNTRIES), DOMESTIC_MONTHS)
    home = transit[(transit.cargo == "domestic") & (transit.origin == transit.destination)]
    domestic[home.origin.map(COUNTRIES.index).to_numpy(int)] = home.months.to_numpy(float)
    diagonal = np.arange(len(COUNTRIES))
    out[:, diagonal, diagonal] = domestic
    return out
