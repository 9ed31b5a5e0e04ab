"""Investors' shared misjudgement of prices: the error every site's investors make alike."""

from __future__ import annotations

import numpy as np


class InvestorSentiment:
    """A persistent, shared error in how investors read each mineral's price.

    Log scale, AR(1) per mineral with unit variance; a market's opacity (``noise``, set by
    transparency policies or the ``investor_noise`` setting) scales it. Sites of both
    stages share it: investors in one mineral read the same reports.
    """

    def __init__(self, minerals: int):
        self.log_error = np.zeros(minerals)

    def update(self, rng: np.random.Generator, persistence: float) -> None:
        """One month of the AR(1) error: one draw per mineral."""
        shock = rng.standard_normal(len(self.log_error))
        self.log_error = persistence * self.log_error + np.sqrt(1 - persistence**2) * shock

    def price_error(self, noise: np.ndarray) -> np.ndarray:
        """The multiplier on the price investors see: mean one, so unbiased, only noisy."""
        return np.exp(noise * self.log_error - noise**2 / 2.0)
