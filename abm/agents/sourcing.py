"""Risk-aware sourcing: buyers remember which origins restricted supply to them.

After China's 2010 rare-earth quotas Japanese buyers signed ten-year offtakes with other
origins and kept them once the quotas ended (ODD section 4.3). Each buyer (country, sector)
keeps, for every mineral and origin, a record of that origin's restrictions against it
(announced or in force): a hazard, the exponentially weighted share of past months in
which the origin restricted it, with a mean life of ``sourcing_memory_months`` (the term of
the offtakes signed after 2010), and the loss, the buyer's mean excess of the price it paid
during those months over the long-run price it expected when the restriction came. Its
expected extra cost of buying from the origin, hazard x loss, is a risk premium on that
origin's delivered cost in the market's choice of origin. The premium is never paid: no
money moves for it, and prices and the books change only through the choices it makes.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from abm.policy.licensing import Restriction

REFINED = 1


class SourcingMemory:
    """Each buyer's record of each origin, (buyer, mineral, origin) arrays."""

    def __init__(self, buyers: int, minerals: int, countries: int, memory_months: float):
        shape = (buyers, minerals, countries)
        self.hazard = np.zeros(shape)  # share of past months the origin restricted, 0 to 1
        self.loss = np.zeros(shape)  # mean excess paid over expected while restricted
        self.months_restricted = np.zeros(shape)  # months counted in the loss
        self.expected_unrestricted = np.full(shape, np.inf)  # long-run price as it began
        self.restricted = np.zeros(shape, dtype=bool)  # this month
        self.keep = np.exp(-1.0 / memory_months)  # the record's weight kept each month

    def remember(
        self,
        restrictions: Iterable[Restriction],
        buyer_country: np.ndarray,
        paid: np.ndarray,
        long_run_price: np.ndarray,
    ) -> None:
        """One month's record: which origins restrict each buyer's refined supply, and
        what it paid at home (``paid``, (buyer, mineral) USD/t, last month's delivered
        price) over what it expected (``long_run_price``, (buyer, mineral)) when each
        restriction began."""
        now = np.zeros_like(self.restricted)
        for r in restrictions:
            if r.stage == REFINED:
                now[:, r.mineral, r.origin] |= r.targets[buyer_country]
        began = now & ~self.restricted
        expected = np.broadcast_to(long_run_price[:, :, None], now.shape)
        self.expected_unrestricted = np.where(began, expected, self.expected_unrestricted)
        excess = np.maximum(paid[:, :, None] / self.expected_unrestricted - 1.0, 0.0)
        self.months_restricted += now
        counted = np.maximum(self.months_restricted, 1.0)
        self.loss = np.where(now, self.loss + (excess - self.loss) / counted, self.loss)
        self.hazard = now + (self.hazard - now) * self.keep
        self.restricted = now

    def premium(self) -> np.ndarray:
        """(buyer, mineral, origin) the multiplier on an origin's delivered cost in the
        buyer's choice: one plus its expected extra cost, hazard x loss."""
        return 1.0 + self.hazard * self.loss

    def market_premium(self, buyer_country: np.ndarray, weight: np.ndarray, countries: int):
        """(mineral, origin, destination) each destination's premium, the mean of its
        buyers' weighted by ``weight`` ((buyer, mineral) tonnes: the market splits a
        destination's purchases over origins as one); None while no buyer has a premium,
        so a market without a record is solved exactly as without memory."""
        premium = self.premium()
        if not (premium > 1.0).any():
            return None
        _, minerals, origins = premium.shape
        weighted = np.zeros((countries, minerals, origins))
        total = np.zeros((countries, minerals))
        np.add.at(weighted, buyer_country, premium * weight[:, :, None])
        np.add.at(total, buyer_country, weight)
        mean = np.divide(
            weighted,
            total[:, :, None],
            out=np.ones_like(weighted),
            where=total[:, :, None] > 0,
        )
        return np.transpose(mean, (1, 2, 0))  # (mineral, origin, destination)
