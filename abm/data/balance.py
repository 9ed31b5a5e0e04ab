"""The market balance a base year's sources report, which its world starts from.

A world's buyers use what its sources say was used, not what was produced: with a reported
surplus (+) or deficit (-) ``b`` as a share of use, use = production / (1 + b), so stocks
build or draw at the reported rate from the first month instead of at a rate of the
model's making. The figures and their sources are ``abm/data/vintages/balance.csv``
(built by ``abm.data.vintages.balance``); a year without a reported figure says 0 there.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from abm.data.loader import CalibrationError, package_directory
from abm.data.schema import MINERALS

BALANCE_FILE = "vintages/balance.csv"


@functools.cache
def reported_balance(year: int) -> np.ndarray:
    """(mineral,) the reported surplus (+) or deficit (-) of ``year``, as a share of use."""
    path = package_directory().joinpath(*BALANCE_FILE.split("/"))
    with path.open("rb") as handle:
        table = pd.read_csv(handle)
    shares = np.zeros(len(MINERALS))
    for m, mineral in enumerate(MINERALS):
        rows = table.index[(table.mineral == mineral) & (table.year == year)]
        if len(rows) != 1:
            raise CalibrationError(
                f"{BALANCE_FILE}: {len(rows)} rows for mineral {mineral!r} year {year}, "
                "expected one"
            )
        share = float(table.balance_share_of_demand[rows[0]])
        if not -0.5 < share < 1.0:  # NaN fails too
            raise CalibrationError(
                f"{BALANCE_FILE} line {rows[0] + 2}: balance_share_of_demand {share:g} must "
                "be above -0.5 and below 1"
            )
        shares[m] = share
    shares.setflags(write=False)
    return shares
