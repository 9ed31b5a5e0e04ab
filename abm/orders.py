"""The order book between agents and the market: participants add orders by name and read
back their own part of the clearing.

A book is the asks and bids of one clearing (a stage's markets, or the IRA compliant tier),
in the order participants added them. ``OrderBook.clear`` hands the book to the pure
``abm.market.clear`` and returns a ``BookClearing``: the market's ``Clearing`` plus who
placed which rows, so ``cleared.sold_by("refiners")`` is the refiners' tonnes, one per ask
they placed. No caller does offset arithmetic.

A participant may place orders for some of its rows only (``rows=``, out of ``size``): the US
battery makers in the compliant tier are some of the buyers. What such a participant traded
comes back over all its rows, zero where it placed nothing, so a tier's trades can be taken
off the same participant's orders in the next market (``OrderBook.less``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any

import numpy as np

from abm.market import Asks, Bids, Clearing, Frictions, MarketSettings, clear


@dataclass(frozen=True)
class Placed:
    """Where one participant's orders sit in the book's arrays."""

    start: int
    stop: int
    rows: np.ndarray | None = None  # which of the participant's rows; None: all, in order
    size: int = 0  # how many rows the participant has (when ``rows`` is given)


def _concatenate[Orders: (Asks, Bids)](kind: type[Orders], parts: list[Orders]) -> Orders:
    """Field-by-field concatenation of asks (or bids) in the order they were added; an
    optional column a part leaves out (None) is NaN there, the market's default."""
    columns: dict[str, Any] = {}
    for f in fields(kind):
        values = [getattr(p, f.name) for p in parts]
        if all(v is None for v in values):
            columns[f.name] = None
            continue
        filled = [
            np.full(len(p.market), np.nan) if v is None else v
            for p, v in zip(parts, values, strict=True)
        ]
        columns[f.name] = np.concatenate(filled)
    return kind(**columns)


def _spread(values: np.ndarray, placed: Placed) -> np.ndarray:
    """A participant's part of a clearing's per-row array, over all its rows."""
    part = values[placed.start : placed.stop]
    if placed.rows is None:
        return part
    whole = np.zeros(placed.size)
    whole[placed.rows] = part
    return whole


@dataclass
class OrderBook:
    """The asks and bids of one clearing, by participant."""

    asks: dict[str, Asks] = field(default_factory=dict)
    bids: dict[str, Bids] = field(default_factory=dict)
    bid_rows: dict[str, tuple[np.ndarray, int]] = field(default_factory=dict)

    def add_asks(self, participant: str, asks: Asks) -> None:
        """Place ``participant``'s asks in the book."""
        self.asks[participant] = asks

    def add_bids(
        self, participant: str, bids: Bids, rows: np.ndarray | None = None, size: int = 0
    ) -> None:
        """Place ``bids``; with ``rows``, they are those rows of the participant's ``size``."""
        self.bids[participant] = bids
        if rows is not None:
            self.bid_rows[participant] = (np.asarray(rows), size)

    def clear(
        self,
        frictions: Frictions,
        settings: MarketSettings,
        start_price: np.ndarray | None = None,
        start_rent: np.ndarray | None = None,
    ) -> BookClearing:
        """Clear the book's markets (``abm.market.clear``) and say who traded what."""
        asks = _concatenate(Asks, list(self.asks.values()))
        bids = _concatenate(Bids, list(self.bids.values()))
        found = clear(asks, bids, frictions, settings, start_price, start_rent)
        return BookClearing(found, self._placed(self.asks), self._placed(self.bids, True))

    def _placed(self, orders: dict, bids: bool = False) -> dict[str, Placed]:
        placed, start = {}, 0
        for name, order in orders.items():
            stop = start + len(order.market)
            rows, size = self.bid_rows.get(name, (None, 0)) if bids else (None, 0)
            placed[name] = Placed(start, stop, rows, size)
            start = stop
        return placed

    def less(self, traded: BookClearing) -> OrderBook:
        """The same orders with what each participant traded in ``traded`` taken off.

        Asks keep what is left (at least zero); bids keep a sliver (1e-12 t) so that every
        bid stays in the market with its price terms.
        """
        book = OrderBook()
        for name, asks in self.asks.items():
            sold = traded.sold_by(name) if name in traded.asks else 0.0
            book.add_asks(name, replace(asks, quantity=np.maximum(asks.quantity - sold, 0.0)))
        for name, bids in self.bids.items():
            bought = traded.bought_by(name) if name in traded.bids else 0.0
            book.add_bids(
                name,
                replace(
                    bids,
                    quantity=np.maximum(bids.quantity - bought, 1e-12),
                    max_quantity=np.maximum(bids.max_quantity - bought, 1e-12),
                ),
            )
        return book


@dataclass(frozen=True)
class BookClearing:
    """A clearing and who placed which orders in it."""

    result: Clearing
    asks: dict[str, Placed]
    bids: dict[str, Placed]

    def sold_by(self, participant: str) -> np.ndarray:
        """Tonnes each of the participant's asks sold."""
        return _spread(self.result.sold, self.asks[participant])

    def bought_by(self, participant: str) -> np.ndarray:
        """Tonnes each of the participant's bids bought (over all its rows)."""
        return _spread(self.result.bought, self.bids[participant])

    # The market's findings, read through.
    @property
    def origin_price(self) -> np.ndarray:
        """USD/t at each origin, by (market, country)."""
        return self.result.origin_price

    @property
    def destination_price(self) -> np.ndarray:
        """USD/t delivered at each destination, by (market, country); NaN where nothing arrives."""
        return self.result.destination_price

    @property
    def flows(self) -> np.ndarray:
        """Tonnes shipped, by (market, origin, destination)."""
        return self.result.flows

    @property
    def rent(self) -> np.ndarray:
        """Quota rent by (market, origin, destination): the multiplier on the delivered cost, 1
        if none."""
        return self.result.rent

    @property
    def max_relative_excess(self) -> float:
        """The largest excess demand left, as a share of demand: how well the market cleared."""
        return self.result.max_relative_excess
