"""Outcome measures that sweeps and the replication share: one definition each.

Sweeps compute them from a run's tables (``abm.sweep.metrics``), the replication from its
run summaries (``abm.replicate.measures``); both call these, so "volatility" means the same
thing in a sweep's runs.parquet and in the replication report.
"""

from __future__ import annotations

import numpy as np


def log_volatility(prices: np.ndarray) -> np.ndarray:
    """Sample standard deviation (ddof 1) of month-on-month log price changes, along the
    first axis, months without a price left out."""
    changes = np.diff(np.log(np.asarray(prices, dtype=float)), axis=0)
    return np.nanstd(changes, axis=0, ddof=1)


def peak_ratio(series: np.ndarray, base: np.ndarray) -> float:
    """Highest ratio of a series to a base series (its counterfactual, or its first value)."""
    return float(np.nanmax(np.asarray(series, dtype=float) / base))


def concentration_hhi(tonnes: np.ndarray) -> float:
    """Herfindahl-Hirschman index of tonnes by origin, 0 to 10,000."""
    shares = np.asarray(tonnes, dtype=float) / np.sum(tonnes)
    return float(np.sum((100.0 * shares) ** 2))


def price_peaks(prices: np.ndarray, half_window: int = 6, rise: float = 1.5) -> np.ndarray:
    """Months (indices) that are price peaks: the highest price within ``half_window`` months
    either side (the first of equal highs) and at least ``rise`` times the lowest of the 12
    months before. Counts the spikes of a cobweb, not the drift of a trend."""
    series = np.asarray(prices, dtype=float)
    peaks = []
    for month in range(12, len(series)):
        around = series[max(month - half_window, 0) : month + half_window + 1]
        first_high = np.nanargmax(around) == month - max(month - half_window, 0)
        trough = np.nanmin(series[month - 12 : month])
        if first_high and series[month] >= rise * trough:
            peaks.append(month)
    return np.array(peaks, dtype=np.int64)
