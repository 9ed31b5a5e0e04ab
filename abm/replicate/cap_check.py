"""Do the replication's price metrics depend on a cap? Rerun with every sector's
willingness to pay doubled and compare.

A price the model reports should be set by stocks, supply and the bulk of demand, not by
the highest price anyone would pay: if doubling every sector's willingness-to-pay bound
(``willingness_to_pay_scale`` 2) moves a price metric by more than a quarter, that metric
was read at the cap. Price levels are compared as ratios: a ratio as it is, a % rise or a
pp gap as ``1 + value / 100``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from abm.replicate.claims import CLAIMS, Claim
from abm.replicate.summary import Summary, summarise
from abm.runner import run_batch

# The metric functions (abm.replicate.metrics) that read price levels.
PRICE_METRICS = frozenset(
    {
        "peak_ratio",
        "leverage",
        "quarterly_peak",
        "fall_from_peak_pct",
        "rise_pct",
        "peak_rise_pct",
        "ex_china_gap_pp",
        "mean_ratio",
        "premium_pct",
        "premium_ratio",
        "index_ratio",
        "volatility_ratio",
        "shock_peak_ratio",
    }
)
TOLERANCE = 0.25  # the largest relative change allowed


def _run(key: tuple[str, int, float]) -> Summary:
    from abm.experiment import run

    name, seed, scale = key
    outcome = run(name, seed=seed, overrides={"willingness_to_pay_scale": scale})
    return summarise(outcome.model, name, outcome.scenario.policies)


def _level(value: float, unit: str) -> float:
    return 1.0 + value / 100.0 if unit in ("%", "pp") else value


def price_rows(claims: tuple[Claim, ...] = CLAIMS) -> list[tuple[Claim, Any]]:
    """The judged rows that read price levels."""
    return [
        (claim, metric)
        for claim in claims
        for metric in claim.metrics
        if metric.metric in PRICE_METRICS and metric.judged
    ]


def changes(seed: int = 1, workers: int = 2, scale: float = 2.0) -> pd.DataFrame:
    """One row per price metric: its value with the calibrated and the scaled willingness
    to pay, and the relative change of the price level it reads."""
    rows = price_rows()
    names = sorted({name for claim, _ in rows for name in claim.runs.values()})
    keys = [(name, seed, s) for name in names for s in (1.0, scale)]
    runs = dict(run_batch(_run, keys, workers, inline=workers <= 1))
    out = []
    for claim, metric in rows:
        values = []
        for s in (1.0, scale):
            by_role = {role: runs[(name, seed, s)] for role, name in claim.runs.items()}
            with np.errstate(divide="ignore", invalid="ignore"):
                values.append(metric.compute(by_role))
        base, doubled = (_level(v, metric.unit) for v in values)
        out.append(
            {
                "claim": claim.number,
                "metric": metric.name,
                "unit": metric.unit,
                "calibrated": values[0],
                "doubled": values[1],
                "change": abs(doubled / base - 1.0) if base else float("inf"),
            }
        )
    return pd.DataFrame(out)
