"""Outcome measures shared by sweeps, the replication and the tools (``abm.metrics``)."""

from __future__ import annotations

import numpy as np

from abm.metrics import price_peaks


def test_price_peaks_counts_each_spike_of_a_cobweb_once_and_not_a_trend():
    months = np.arange(120)
    cobweb = np.where(months % 20 == 10, 1.4, 1.0)  # a 1.4x spike every 20 months
    assert np.array_equal(price_peaks(cobweb, rise=1.2), [30, 50, 70, 90, 110])
    assert len(price_peaks(cobweb, rise=1.5)) == 0
    trend = 2.0 ** (months / 120.0)  # doubling in ten years: no 12-month low to rise from
    assert len(price_peaks(trend, rise=1.2)) == 0
    plateau = np.where((months >= 40) & (months < 45), 2.0, 1.0)  # five equal highs: one peak
    assert np.array_equal(price_peaks(plateau), [40])
