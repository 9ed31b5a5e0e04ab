"""Cover held in slices, each released at its own reservation price: the supply of storage.

A holder that keeps a working stock (cover) gives it up only as far as the price pays for
the convenience of holding it (Working 1949; Williams and Wright 1991): the last slices of
cover are worth more than the first. Users' refined cover and refiners' product cover are
cut into ``COVER_TRANCHES`` slices of their target; the slice whose middle is a share ``f``
of the target is offered at the normal price x ``f ** (-1 / release_elasticity)``.
"""

from __future__ import annotations

import numpy as np

COVER_TRANCHES = 4  # slices of cover below target, each offered at its own reservation price


def cover_slices(stock: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(slice, holder) tonnes held in each slice of ``target``, top slice first, and the
    share of the target at each slice's middle, (slice, 1)."""
    slices = COVER_TRANCHES
    tops = np.arange(slices, 0, -1)[:, None] / slices  # share of target at each top
    held = np.clip(stock - (tops - 1.0 / slices) * target, 0.0, target / slices)
    return held, tops - 0.5 / slices


def reservation_price(normal: np.ndarray, share: np.ndarray, elasticity: float) -> np.ndarray:
    """The price at which a holder gives up cover down to ``share`` of its target."""
    return normal * share ** (-1.0 / elasticity)


def share_kept(price: np.ndarray, normal: np.ndarray, elasticity: float) -> np.ndarray:
    """The share of its cover a holder keeps at ``price``: the reservation curve read the
    other way round, all of it at or below the normal price (NaN prices: all)."""
    ratio = price / np.maximum(normal, 1e-300)
    ratio = np.where(np.isfinite(ratio), np.maximum(ratio, 1e-12), 1.0)
    return np.minimum(ratio**-elasticity, 1.0)
