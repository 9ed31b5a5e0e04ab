"""What each buyer's product can bear: the mineral's cost share and the product's margin.

From evidence/willingness_to_pay.csv by (mineral, sector of the buyer), or from
evidence/pass_through.csv where the direct user passes the mineral's cost on by contract
(copper-linked cable, stainless surcharges): there the share and margin are the final
product's. Buyers derive each sector's willingness to pay from them (Hicks-Marshall: a maker
that cannot pass costs on stops buying at ``1 + m / (s (1 - m))`` times the 2023 price).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from abm.data import MINERALS, Calibration


def cost_shares_and_margins(
    calibration: Calibration, buyers: pd.DataFrame, need: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The mineral's share of the product's cost and the product's margin, by (buyer, mineral);
    0 where the buyer needs none of the mineral."""
    direct = calibration.willingness_to_pay.set_index(["sector", "mineral"])
    passed = calibration.pass_through.set_index(["sector", "mineral"])
    passed = passed.rename(
        columns={
            "final_product_cost_share": "mineral_cost_share_of_product",
            "final_product_margin": "product_margin",
        }
    )
    columns = ["mineral_cost_share_of_product", "product_margin"]
    table = passed[columns].combine_first(direct[columns])
    keys = pd.MultiIndex.from_product([buyers.sector, MINERALS])
    found = table.reindex(keys)
    shape = (len(buyers), len(MINERALS))
    share = found.mineral_cost_share_of_product.to_numpy(float).reshape(shape)
    margin = found.product_margin.to_numpy(float).reshape(shape)
    needed = need > 0
    return np.where(needed, share, 0.0), np.where(needed, margin, 0.0)
