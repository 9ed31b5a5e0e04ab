"""The calibrated 2023 world: who mines, refines, recycles and buys what, where, at what cost.

``build_world`` turns the calibration tables (``abm.data``) into plain arrays and agent
specifications. Everything is on a contained-material basis (t Li, t Ni, t magnet REO, ...):
one tonne of raw material refines into one tonne of refined material, so tonnes can be
followed through the chain and the books can balance.

Calibration rules (each documented in docs/ODD.md):
* Mine capacity at a location = 2023 mine output / 2023 utilisation; refinery capacity =
  refining share x world mine output / utilisation, so primary refining uses what is mined.
* World refined demand in 2023 = mine output / (1 - secondary share): primary plus recycled.
* Unit costs follow a cost curve through the 2023 price at the 2023 utilisation: the
  cheapest tranches cost ``cost_low_frac`` of the price, the dearest ``cost_high_frac``,
  and the marginal tonne at 2023 utilisation costs the 2023 price (for refiners: the
  refined price less the raw price). Every location gets the same curve, so at 2023 prices
  each location runs at the same utilisation and the 2023 shares are reproduced.

The package, one job a module: ``state`` (the World), ``build`` (``build_world``), ``sites``
(mine and refinery tranches, capacity paths, entrants), ``costs`` (reference prices, cost
curves, marginal costs), ``trade`` (freight), ``demand`` (buyers, growth, recyclers),
``investment`` (lead times, capex), ``adjust`` (scenario [[adjust]] entries), ``months`` (the
calendar), ``lookup`` (table rows grouped once per build), and issue 18's evidence as arrays the
agents start from: ``willingness`` (cost shares, margins), ``stocks`` (initial stocks by
holder) and ``transit`` (months on each route).
"""

from abm.world.adjust import ADJUST_KEYS, MAX_CAPACITY_MULTIPLIER, AdjustmentError, check_adjustment
from abm.world.build import build_world
from abm.world.costs import cost_curve
from abm.world.months import BASE_YEAR, month_number, month_starts
from abm.world.sites import ENTRANT
from abm.world.state import RAW, REFINED, World

__all__ = [
    "ADJUST_KEYS",
    "BASE_YEAR",
    "ENTRANT",
    "MAX_CAPACITY_MULTIPLIER",
    "RAW",
    "REFINED",
    "AdjustmentError",
    "World",
    "build_world",
    "check_adjustment",
    "cost_curve",
    "month_number",
    "month_starts",
]
