"""What building new capacity takes: lead times and capital cost by (stage, mineral)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from abm.data import MINERALS, STAGES, Calibration


def investment_terms(calibration: Calibration) -> dict[str, np.ndarray]:
    """Decision, build and ramp months and capex per tonne-year, each a (stage, mineral) array."""
    lead, costs = calibration.lead_times, calibration.costs
    return {
        "decision_months": by_stage(lead, "decision_months"),
        "build_months": by_stage(lead, "build_months"),
        "ramp_months": by_stage(lead, "ramp_months"),
        "capex_usd_per_tpa": by_stage(costs, "capex_usd_per_tpa"),
    }


def by_stage(table: pd.DataFrame, column: str) -> np.ndarray:
    """(stage, mineral) array of one column of a table keyed by stage and mineral."""
    value = dict(
        zip(zip(table.stage, table.mineral, strict=True), table[column].astype(float), strict=True)
    )
    return np.array([[value[(s, m)] for m in MINERALS] for s in STAGES])
