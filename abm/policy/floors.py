"""Price floors with offtakes: a government guarantees covered producers a price.

Each month a floor in force (``abm.policy.kinds.PriceFloor``) tops up what its covered
sites sold below the floor to the floor (a payment, no tonnes move), and takes up to
``offtake_share`` of their refined output that the market left unsold at the floor into
government stock (``abm.policy.stockpiles``), so the offtake moves tonnes from refiners'
stock to governments' and the books stay balanced by construction. While the floor is in
force, investors of covered sites judge new capacity on at least the floor
(``investors_expect_floors``): the guarantee lowers the risk of building there.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from abm.agents.sites import site_prices

if TYPE_CHECKING:
    from abm.agents.producer import MineFleet
    from abm.agents.refiner import RefineryFleet
    from abm.market import Clearing
    from abm.policy.conditions import Conditions
    from abm.policy.schema import PolicyRecord as Policy
    from abm.policy.stockpiles import Stockpiles

STAGES = ("raw", "refined")
COLUMNS = (
    "date",
    "country",
    "mineral",
    "stage",
    "floor_usd_per_t",
    "price_usd_per_t",
    "tonnes_sold",
    "tonnes_topped_up",
    "payment_usd",
    "offtake_t",
    "offtake_cost_usd",
)


class Floors:
    """The floors' monthly payments and offtakes, and their hold on investors' prices."""

    def __init__(
        self,
        fleets: tuple[MineFleet, RefineryFleet],
        conditions: Conditions,
        stockpiles: Stockpiles,
        countries: tuple[str, ...],
        minerals: tuple[str, ...],
    ):
        """``fleets`` are (mines, refineries); the floors in force reach them through
        ``conditions.price_floors``; offtakes go to ``stockpiles``' government stock."""
        self.fleets, self.conditions, self.stockpiles = fleets, conditions, stockpiles
        self.countries, self.minerals = countries, minerals
        self.rows: list[dict] = []  # one per floor, mineral, stage and month in force

    def covered(self, policy: Policy, mineral: str, stage: str) -> np.ndarray:
        """Which sites of ``stage`` the floor covers: in its country, working ``mineral``,
        owned by one of its ``owners`` (any owner if none are named)."""
        fleet = self.fleets[STAGES.index(stage)]
        here = (fleet.location == self.countries.index(policy.country)) & (
            fleet.mineral == self.minerals.index(mineral)
        )
        owners = policy.param("owners")
        if owners:
            here &= np.isin(fleet.owner, [self.countries.index(c) for c in owners])
        return here

    def _covers(self) -> Iterator[tuple[Policy, str, str, np.ndarray]]:
        """Every (floor, mineral, stage, covered sites) in force this month."""
        for policy in self.conditions.price_floors:
            for mineral in policy.minerals():
                for stage in policy.stages():
                    yield policy, mineral, stage, self.covered(policy, mineral, stage)

    def settle(self, date: pd.Timestamp, raw: Clearing, refined: Clearing) -> None:
        """Pay this month's top-ups and take the offtakes, after both markets cleared.

        The price a site received is its origin price (``site_prices``); the top-up is
        (floor - price) x tonnes sold wherever that is positive. The offtake is refined only
        (government stocks are refined metal): up to ``offtake_share`` of each covered
        refinery's output this month, out of what the market did not buy, bought at the floor.
        """
        for policy, mineral, stage, here in self._covers():
            s = STAGES.index(stage)
            fleet = self.fleets[s]
            floor = float(policy.param("floor_usd_per_t"))
            price = site_prices(fleet, (raw, refined)[s])[here]
            sold = fleet.sold[here]
            gap = np.maximum(floor - price, 0.0)
            taken = self._offtake(policy, mineral, here, floor) if s == 1 else 0.0
            self.rows.append(
                {
                    "date": date,
                    "country": policy.country,
                    "mineral": mineral,
                    "stage": stage,
                    "floor_usd_per_t": floor,
                    "price_usd_per_t": _weighted(price, sold),
                    "tonnes_sold": float(sold.sum()),
                    "tonnes_topped_up": float(sold[gap > 0].sum()),
                    "payment_usd": float((gap * sold).sum()),
                    "offtake_t": taken,
                    "offtake_cost_usd": taken * floor,
                }
            )

    def _offtake(self, policy: Policy, mineral: str, here: np.ndarray, floor: float) -> float:
        """Move the offtake from the covered refineries' stock to the government's; return
        its tonnes."""
        share = float(policy.param("offtake_share"))
        if share == 0.0:
            return 0.0
        refineries = self.fleets[1]
        unsold = np.maximum(refineries.output[here] - refineries.sold[here], 0.0)
        take = np.minimum(
            np.minimum(share * refineries.output[here], unsold), refineries.refined_stock[here]
        )
        refineries.refined_stock[here] -= take
        total = float(take.sum())
        country, m = self.countries.index(policy.country), self.minerals.index(mineral)
        self.stockpiles.stock[country, m] += total
        return total

    @contextmanager
    def investors_expect_floors(self) -> Iterator[None]:
        """While investors decide, those of covered sites expect at least the floor; their
        own smoothed expectation comes back afterwards, so traders' reservation prices (which
        read it too) and later smoothing are as without the floor."""
        if not self.conditions.price_floors:
            yield
            return
        saved = [fleet.investment_price.copy() for fleet in self.fleets]
        for policy, _, stage, here in self._covers():
            expected = self.fleets[STAGES.index(stage)].investment_price
            floor = float(policy.param("floor_usd_per_t"))
            expected[here] = np.fmax(expected[here], floor)
        try:
            yield
        finally:
            for site_fleet, price in zip(self.fleets, saved, strict=True):
                site_fleet.investment_price[:] = price

    def table(self) -> pd.DataFrame:
        """The floors' monthly payments and offtakes (``floors.parquet``)."""
        return pd.DataFrame(self.rows, columns=list(COLUMNS))


def _weighted(price: np.ndarray, tonnes: np.ndarray) -> float:
    """The tonne-weighted price, the plain mean where nothing was sold."""
    total = tonnes.sum()
    if total > 0:
        return float((price * tonnes).sum() / total)
    return float(price.mean()) if len(price) else float("nan")
