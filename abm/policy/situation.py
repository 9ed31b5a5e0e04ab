"""What governments' rules may see (``Situation``) and the output shares they read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from abm.observations import Observations
from abm.policy.effects import PolicyBook
from abm.settings import ModelSettings

if TYPE_CHECKING:
    from abm.agents.producer import MineFleet
    from abm.agents.refiner import RefineryFleet


@dataclass(frozen=True)
class Situation:
    """What governments' rules may see: the settings, the world's fixed facts, the market's
    recent record (``observations``), the policy book, the sites' committed capacity and
    investors' expectations (read only), and the run's random stream."""

    settings: ModelSettings
    countries: tuple[str, ...]
    minerals: tuple[str, ...]
    reference_price: np.ndarray  # (mineral, stage) 2023 USD/t
    reserve_shares: np.ndarray  # (mineral, country) share of world reserves
    mine_sites: tuple[np.ndarray, np.ndarray]  # each mine's (mineral, location)
    refinery_sites: tuple[np.ndarray, np.ndarray]  # each refinery's (mineral, location)
    observations: Observations
    policies: PolicyBook
    rng: np.random.Generator
    mines: MineFleet
    refineries: RefineryFleet
    refining_lead_months: np.ndarray  # (3, mineral): permits, build, ramp-up of refining
    horizon_months: int  # the capacity path's length (past the run's end: path_starts)


def output_shares(view: Situation, months: int = 12) -> tuple[np.ndarray, np.ndarray]:
    """Mining and refining shares by (mineral, country) over the last ``months``."""
    shares = []
    for stage, sites in enumerate((view.mine_sites, view.refinery_sites)):
        total = np.zeros((len(view.minerals), len(view.countries)))
        np.add.at(total, sites, view.observations.output_over(stage, months))
        shares.append(total / np.maximum(total.sum(axis=1, keepdims=True), 1e-300))
    return shares[0], shares[1]
