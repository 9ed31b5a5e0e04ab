"""The calibrated world a run starts from: arrays indexed by the model's enumerations."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

RAW, REFINED = 0, 1  # stage indices


@dataclass(frozen=True)
class World:
    """Arrays of the calibrated world; indices follow COUNTRIES, MINERALS and STAGES."""

    countries: tuple[str, ...]
    minerals: tuple[str, ...]
    sectors: tuple[str, ...]
    months: pd.DatetimeIndex  # first day of each simulated month
    # The month paths below run past the run's end (``abm.world.months.path_starts``).
    reference_price: np.ndarray  # (mineral, stage) USD/t, 2023
    transport_usd_per_t: np.ndarray  # (stage, mineral, origin, destination)
    world_demand_2023: np.ndarray  # (mineral,) t/month of refined material
    secondary_share: np.ndarray  # (mineral,)
    end_of_life_months: np.ndarray  # (mineral,)
    collection_rate_2023: np.ndarray  # (mineral,) share of end-of-life material collected
    sites: pd.DataFrame  # one row per mine or refinery tranche (stage, mineral, location, owner)
    capacity_path: np.ndarray  # (site, month) t/month from 2023 capacity and the pipeline
    buyers: pd.DataFrame  # one row per (country, sector)
    need: np.ndarray  # (buyer, mineral) t/month in 2023
    growth: np.ndarray  # (buyer, mineral, month) demand index, 2023 = 1
    demand_path: np.ndarray  # (mineral, month) world demand index, 2023 = 1 (what investors read)
    recyclers: pd.DataFrame  # one row per (country, mineral) with recycling capacity
    decision_months: np.ndarray  # (stage, mineral) exploration and permits, greenfield only
    build_months: np.ndarray  # (stage, mineral) construction to first output
    ramp_months: np.ndarray  # (stage, mineral)
    capex_usd_per_tpa: np.ndarray  # (stage, mineral)
    # Issue 18's evidence (abm/data/evidence), what the agents start from:
    cost_share: np.ndarray  # (buyer, mineral) mineral's share of the product's cost; 0 if no need
    product_margin: np.ndarray  # (buyer, mineral) product maker's margin; 0 if no need
    buyer_cover_months: np.ndarray  # (buyer, mineral) users' refined stock, months of need
    buyer_cover_cited: np.ndarray  # (buyer, mineral) bool: from stocks_2023.csv, else default 1
    refiner_raw_cover_months: np.ndarray  # (mineral, country) raw stock, months of capacity
    refiner_product_cover_months: np.ndarray  # (mineral, country) refined stock, months of cap.
    merchant_stock_t: np.ndarray  # (stage, mineral, country) t held by exchanges and merchants
    government_stock_t: np.ndarray  # (country, mineral) t of refined material, strategic
    transit_months: np.ndarray  # (stage, origin, destination) months from shipment to delivery
    host_output: np.ndarray  # (exogenous host, country, month) t/month of alumina and zinc
