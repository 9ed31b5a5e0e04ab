"""What building new capacity takes: lead times and capital cost by (stage, mineral)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from abm.agents.owners import module_table
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


def lookahead_months(calibration: Calibration) -> int:
    """The furthest investment reads or writes a path ahead of its month, with a margin:
    the longest decision and build (greenfield, Chinese EPC or brownfield) plus ramp-up, over
    stages and minerals (policies only shorten lead times)."""
    terms, modules = investment_terms(calibration), module_table()
    decision, build = terms["decision_months"], terms["build_months"]
    china = np.nan_to_num(modules["china_build_months"])
    lead = np.fmax(np.maximum(build, china) + decision, modules["brownfield_build_months"])
    ramp = np.maximum(np.round(terms["ramp_months"]), 1.0)
    return int(np.ceil(np.nanmax(lead + ramp))) + 2


def by_stage(table: pd.DataFrame, column: str) -> np.ndarray:
    """(stage, mineral) array of one column of a table keyed by stage and mineral."""
    value = dict(
        zip(zip(table.stage, table.mineral, strict=True), table[column].astype(float), strict=True)
    )
    return np.array([[value[(s, m)] for m in MINERALS] for s in STAGES])
