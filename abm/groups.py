"""Reductions by integer key in one sort: the group-by of the hot paths, where pandas'
groupby or ``ufunc.at`` would cost several times more."""

from __future__ import annotations

import numpy as np


def run_bounds(ranked: np.ndarray) -> np.ndarray:
    """Where each run of equal values in sorted ``ranked`` starts, and its length as the
    final bound: runs are ``bounds[i]:bounds[i + 1]`` (as ``np.unique`` would group them)."""
    changes = np.empty(len(ranked) + 1, dtype=bool)
    changes[0] = changes[-1] = True
    np.not_equal(ranked[1:], ranked[:-1], out=changes[1:-1])
    return np.flatnonzero(changes)


def group_extreme(ufunc, keys, values, size: int, empty: float) -> np.ndarray:
    """Least (``np.minimum``) or greatest (``np.maximum``) value per key in 0 .. size - 1,
    ``empty`` where a key has none."""
    out = np.full(size, empty)
    if len(keys):
        order = np.argsort(keys, kind="stable")  # fast on the runs agents come in
        ranked = keys[order]
        starts = run_bounds(ranked)[:-1]
        out[ranked[starts]] = ufunc.reduceat(values[order], starts)
    return out


def group_medians(keys: np.ndarray, values: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    """Median of the finite values of each key (0 .. len(fallback) - 1), or the fallback for
    keys with none; the same numbers as ``np.median`` group by group."""
    finite = np.isfinite(values)
    keys, values = keys[finite], values[finite]
    order = np.lexsort((values, keys))
    keys, values = keys[order], values[order]
    out = np.array(fallback, dtype=float, copy=True)
    if keys.size:
        bounds = run_bounds(keys)
        start, count = bounds[:-1], np.diff(bounds)
        present = keys[start]
        low, high = values[start + (count - 1) // 2], values[start + count // 2]
        out[present] = np.where(count % 2 == 1, low, (low + high) / 2.0)
    return out


def tonne_weighted(price: np.ndarray, tonnes: np.ndarray, axis: int) -> np.ndarray:
    """Tonne-weighted mean price over ``axis``, NaN where nothing was bought (the world price
    of the replication's summaries and of the run figures alike)."""
    total = tonnes.sum(axis=axis)
    value = np.where(tonnes > 0, np.nan_to_num(price) * tonnes, 0.0).sum(axis=axis)
    return np.divide(value, total, out=np.full_like(total, np.nan), where=total > 0)
