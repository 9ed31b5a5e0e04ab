"""Adjustments: [[adjust]] entries of a scenario multiply the capacity of chosen sites."""

from __future__ import annotations

import numpy as np
import pandas as pd

from abm.data import COUNTRIES, MINERALS, STAGES

ADJUST_KEYS = ("mineral", "stage", "country", "owner", "capacity_multiplier")


class AdjustmentError(ValueError):
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


def _adjusted(sites: pd.DataFrame, adjustment: dict) -> np.ndarray:
    """Which sites an adjustment changes (validated here, where the choices are known)."""
    for key in adjustment:
        if key not in ADJUST_KEYS:
            raise AdjustmentError(
                f"adjust: unknown field '{key}'; fields are: {', '.join(ADJUST_KEYS)}"
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
        if value not in allowed:
            raise AdjustmentError(f"adjust: {key} '{value}' is not one of {', '.join(allowed)}")
    multiplier = adjustment.get("capacity_multiplier")
    if isinstance(multiplier, bool) or not isinstance(multiplier, int | float) or multiplier < 0:
        raise AdjustmentError(
            f"adjust: capacity_multiplier must be a number >= 0, got {multiplier!r}"
        )
    mask = (
        (sites.mineral == adjustment["mineral"])
        & (sites.stage == adjustment["stage"])
        & (sites.location == adjustment["country"])
    )
    if "owner" in adjustment:
        mask &= sites.owner == adjustment["owner"]
    return mask.to_numpy()
