"""Export licences as a process, and the export restrictions agents may know of.

Licensing (``abm.policy.kinds.ExportLicensing``): each month exporters apply for what each
target would buy from the restricting country, and the licensed share of those applications
may be shipped. What a target would buy is its purchases of the mineral last month plus the
applications refused last month (orders that were not licensed are filed again), times the
country's share of the target's purchases in the 12 months before the policy first applied.
Counting the refused orders keeps a binding cap from shrinking the next month's applications:
a target that buys only from the country would otherwise apply for ever less.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Restriction:
    """An export ban or licensing of one mineral at one stage, announced and not ended.

    ``mineral``, ``stage`` (0 raw, 1 refined) and ``origin`` are indices into the world's
    minerals, stages and countries; ``targets`` (bool, one per country) is True where
    exports are restricted; ``months_to_start`` is 0 once in force, more while announced.
    """

    number: int  # the policy's number in the book
    kind: str
    mineral: int
    stage: int
    origin: int
    targets: np.ndarray
    months_to_start: int


@dataclass(frozen=True)
class LicenceBaseline:
    """What licences are measured against, from the 12 months before the policy applied."""

    exports_t_per_month: np.ndarray  # (countries,) mean monthly exports to each target
    share_of_purchases: np.ndarray  # (countries,) the origin's share of each one's purchases


def licence_baseline(window: np.ndarray, origin: int) -> LicenceBaseline:
    """The baseline of one origin from ``window`` (month, origin, destination) tonnes of one
    mineral and stage; a destination that bought nothing gets a share of 0."""
    purchases = window.sum(axis=(0, 1))
    from_origin = window[:, origin, :].sum(axis=0)
    share = np.divide(from_origin, purchases, out=np.zeros_like(purchases), where=purchases > 0)
    return LicenceBaseline(window[:, origin, :].mean(axis=0), share)


def applications(
    baseline: LicenceBaseline, purchases_t: np.ndarray, refused_t: np.ndarray
) -> np.ndarray:
    """Tonnes each target applies for this month: its purchases last month (from every
    origin) plus last month's refused applications, times the origin's baseline share."""
    return baseline.share_of_purchases * (purchases_t + refused_t)


def licensed_caps(
    baseline: LicenceBaseline, applied_t: np.ndarray, licensed_share: float, quota_share: float
) -> np.ndarray:
    """Exports allowed to each target: the licensed share of its applications, and no more
    than ``quota_share`` of its baseline exports where there is a volume quota (< 1)."""
    caps = applied_t * licensed_share
    if quota_share < 1.0:
        caps = np.minimum(caps, quota_share * baseline.exports_t_per_month)
    return caps
