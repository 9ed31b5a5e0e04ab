"""Adjustments: [[adjust]] entries of a scenario multiply the capacity of chosen sites."""

from __future__ import annotations

import numpy as np
import pandas as pd

from abm.data import COUNTRIES, MINERALS, STAGES
from abm.validation import InputError, number

ADJUST_KEYS = ("mineral", "stage", "country", "owner", "capacity_multiplier")
MAX_CAPACITY_MULTIPLIER = 1000.0  # larger multiples overflow the market's tonnes


class AdjustmentError(InputError):
    """An [[adjust]] entry names an unknown field or value."""


def apply_adjustments(
    sites: pd.DataFrame, paths: np.ndarray, adjustments: list[dict] | tuple
) -> None:
    """Multiply the capacity paths (now and along the pipeline) of each adjustment's sites."""
    for adjustment in adjustments:
        chosen = _adjusted(sites, adjustment)
        if not (paths[chosen] > 0).any():  # multiplying nothing would silently do nothing
            having = sites.location[
                (sites.mineral == adjustment["mineral"]).to_numpy()
                & (sites.stage == adjustment["stage"]).to_numpy()
                & (paths > 0).any(axis=1)
            ]
            raise AdjustmentError(
                f"adjust: {adjustment['country']} has no {adjustment['mineral']} "
                f"{adjustment['stage']} capacity"
                + (f" owned by {adjustment['owner']}" if "owner" in adjustment else "")
                + f" to multiply; countries with some: {', '.join(sorted(set(having)))}"
            )
        paths[chosen] *= adjustment["capacity_multiplier"]


def check_adjustment(adjustment: dict, where: str = "adjust") -> None:
    """Refuse an adjustment with an unknown field, value or multiplier (before any run)."""
    for key in adjustment:
        if key not in ADJUST_KEYS:
            raise AdjustmentError(
                f"{where}: unknown field '{key}'; fields are: {', '.join(ADJUST_KEYS)}"
            )
    for key, allowed in (
        ("mineral", MINERALS),
        ("stage", STAGES),
        ("country", COUNTRIES),
        ("owner", COUNTRIES),
    ):
        if key == "owner" and key not in adjustment:
            continue
        value = adjustment.get(key)
        if not isinstance(value, str) or value not in allowed:
            raise AdjustmentError(f"{where}: {key} {value!r} is not one of {', '.join(allowed)}")
    number(
        f"{where}: capacity_multiplier",
        adjustment.get("capacity_multiplier"),
        low=0.0,
        high=MAX_CAPACITY_MULTIPLIER,
        error=AdjustmentError,
    )


def _adjusted(sites: pd.DataFrame, adjustment: dict) -> np.ndarray:
    """Which sites an adjustment changes (validated here too, for adjustments made in code)."""
    check_adjustment(adjustment)
    mask = (
        (sites.mineral == adjustment["mineral"])
        & (sites.stage == adjustment["stage"])
        & (sites.location == adjustment["country"])
    )
    if "owner" in adjustment:
        mask &= sites.owner == adjustment["owner"]
    return mask.to_numpy()
