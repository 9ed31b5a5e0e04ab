"""What a mineral is worth to its users: its share of their product's cost and their margin.

From ``abm/data/evidence/willingness_to_pay.csv`` (the direct user's product), overridden by
``pass_through.csv`` where the direct user passes the mineral's cost on by contract (copper
cable, stainless surcharges): there the willingness to pay is the final product's.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

EVIDENCE = Path(__file__).resolve().parent.parent / "data" / "evidence"


def cost_shares(
    buyers: pd.DataFrame, minerals: tuple[str, ...], need: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(buyer, mineral) cost share and margin; zero where the buyer does not use it."""
    direct = pd.read_csv(EVIDENCE / "willingness_to_pay.csv")
    passed = pd.read_csv(EVIDENCE / "pass_through.csv")
    table = {
        (r.mineral, r.sector): (r.mineral_cost_share_of_product, r.product_margin)
        for r in direct.itertuples()
    }
    for r in passed.itertuples():
        table[(r.mineral, r.sector)] = (r.final_product_cost_share, r.final_product_margin)
    share, margin = np.zeros(need.shape), np.zeros(need.shape)
    for b, sector in enumerate(buyers.sector):
        for m, mineral in enumerate(minerals):
            if need[b, m] > 0:
                share[b, m], margin[b, m] = table[(mineral, sector)]
    return share, margin
