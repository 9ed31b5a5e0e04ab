"""Records a run into preallocated arrays; tables are built once, at the end (abm.outputs).

The books are kept from the agents' own state, not derived from each other: opening and
closing stocks are summed from what refiners, buyers and recyclers hold, inflows and
outflows from what mines produced, refiners processed, recyclers sold and buyers consumed.
The residual ``opening + inflow - outflow - closing`` is therefore a real check.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import numpy as np

if TYPE_CHECKING:
    from abm.agents.buyer import BuyerFleet
    from abm.agents.producer import MineFleet
    from abm.agents.recycler import RecyclerFleet
    from abm.agents.refiner import RefineryFleet
    from abm.agents.stockholder import StockholderFleet
    from abm.leakage import Leakage
    from abm.market import Clearing
    from abm.policy.stockpiles import Stockpiles
    from abm.transit import Pipeline
    from abm.world import World


class Holders(Protocol):
    """Whose output and stocks the recorder reads: the world and every agent set."""

    world: World
    mines: MineFleet
    refineries: RefineryFleet
    recyclers: RecyclerFleet
    buyers: BuyerFleet
    stockpiles: Stockpiles
    stockholders: StockholderFleet
    in_transit: tuple[Pipeline, Pipeline]
    leakage: Leakage


BOOK_STAGES = ("raw", "refined", "scrap")
# Who holds the stocks of the books, in the order of the balance table's columns.
HOLDERS = (
    "mines",
    "refiners",
    "users",
    "stockholders",
    "governments",
    "recyclers",
    "in_transit",
)


class Recorder:
    """Preallocated arrays for every month of a run."""

    def __init__(self, model: Holders):
        self.model = model
        months = len(model.world.months)
        minerals, countries = len(model.world.minerals), len(model.world.countries)
        self.origin_price = np.full((2, months, minerals, countries), np.nan)
        self.destination_price = np.full((2, months, minerals, countries), np.nan)
        self.flows = np.zeros((2, months, minerals, countries, countries))
        # Tonnes leaked through third countries (``abm.leakage``), part of ``flows``: per
        # stage and month with any, the arrays (stage, month, mineral, origin, destination,
        # via, tonnes) of its leaking cells.
        self.leaks: list[tuple] = []
        self.mine_output = np.zeros((months, len(model.mines)))
        self.refinery_output = np.zeros((months, len(model.refineries)))
        # (month, site) t/month idled in the month, and retired before it (at retirement).
        self.mine_idled = np.zeros((months, len(model.mines)))
        self.refinery_idled = np.zeros((months, len(model.refineries)))
        self.mine_retired = np.zeros((months, len(model.mines)))
        self.refinery_retired = np.zeros((months, len(model.refineries)))
        self.recycled = np.zeros((months, len(model.recyclers.mineral)))
        self.demanded = np.zeros((months, minerals, countries))
        self.consumed = np.zeros((months, minerals, countries))
        self.books = np.zeros((4, months, minerals, len(BOOK_STAGES)))  # open, in, out, close
        self.held = np.zeros((len(HOLDERS), months, minerals, len(BOOK_STAGES)))  # at the close
        self._last_held = np.zeros((len(HOLDERS), minerals, len(BOOK_STAGES)))
        self.solver_excess = np.zeros((3, months))
        # The compliant tier of the refined market (IRA rules), and which minerals were tiered.
        self.compliant_price = np.full((months, minerals, countries), np.nan)
        self.compliant_origin_price = np.full((months, minerals, countries), np.nan)
        self.compliant_flows = np.zeros((months, minerals, countries, countries))
        self.tiered = np.zeros((months, minerals), dtype=bool)
        self.months_done = 0
        # Each (buyer, mineral) pair's cell of a flattened (country, mineral) table.
        buyers = model.buyers
        self._buyer_cell = (buyers.country[:, None] * minerals + np.arange(minerals)).ravel()

    @property
    def mine_capacity(self) -> np.ndarray:
        """(month, mine) t/month over the run's months: a view of the fleet's own capacity
        path (which runs on past the run's end). Investment only adds capacity after the
        month deciding it, so past months are as they were run."""
        return self.model.mines.capacity.T[: len(self.model.world.months)]

    @property
    def refinery_capacity(self) -> np.ndarray:
        """(month, refinery) t/month, as ``mine_capacity``."""
        return self.model.refineries.capacity.T[: len(self.model.world.months)]

    def note_sites(self, month: int) -> None:
        """Capacity idled during ``month`` and retired before it, per site (the operations
        as they ran this month, before the month's review)."""
        model = self.model
        self.mine_idled[month] = model.mines.idled_capacity(month)
        self.refinery_idled[month] = model.refineries.idled_capacity(month)
        self.mine_retired[month] = model.mines.operations.retired_capacity
        self.refinery_retired[month] = model.refineries.operations.retired_capacity

    def _held(self) -> np.ndarray:
        """Tonnes held per holder, mineral and book stage, summed from the agents."""
        model = self.model
        minerals = len(model.world.minerals)
        held = np.zeros((len(HOLDERS), minerals, len(BOOK_STAGES)))
        mines, refineries, merchants = model.mines, model.refineries, model.stockholders
        held[0, :, 0] = np.bincount(mines.mineral, mines.stock, minerals)
        held[1, :, 0] = np.bincount(refineries.mineral, refineries.raw_stock, minerals)
        held[1, :, 1] = np.bincount(refineries.mineral, refineries.refined_stock, minerals)
        held[2, :, 1] = model.buyers.inventory.sum(axis=0)
        held[3, :, 0] = merchants.held_by_mineral(0, minerals)
        held[3, :, 1] = merchants.held_by_mineral(1, minerals)
        held[4, :, 1] = model.stockpiles.held_by_mineral()
        held[5, :, 2] = np.bincount(model.recyclers.mineral, model.recyclers.scrap_stock, minerals)
        to_refiners, to_buyers = model.in_transit
        held[6, :, 0] = np.bincount(refineries.mineral, to_refiners.held, minerals)
        held[6, :, 1] = np.bincount(model.buyers.columns, to_buyers.held, minerals)
        return held

    def _stocks(self) -> np.ndarray:
        """Tonnes held per mineral and book stage, over every holder."""
        held = self._held()
        self._last_held = held
        return held.sum(axis=0)

    def open_books(self, month: int) -> None:
        """Record the stocks held at the start of ``month``, the opening line of the books."""
        self.books[0, month] = self._stocks()

    def consumed_by_cell(self) -> np.ndarray:
        """This month's consumption by (mineral, country)."""
        return self._by_cell(self.model.buyers.consumed)

    def _by_cell(self, by_buyer: np.ndarray) -> np.ndarray:
        """(buyer, mineral) tonnes summed by (mineral, country), buyer after buyer (the
        order ``np.add.at`` adds in, at the cost of one ``bincount``)."""
        minerals, countries = len(self.model.world.minerals), len(self.model.world.countries)
        out = np.bincount(self._buyer_cell, by_buyer.ravel(), countries * minerals)
        return out.reshape(countries, minerals).T

    def _record_leaks(self, stage: int, month: int) -> None:
        """Keep the month's leaked tonnes of ``stage`` with the countries they went through."""
        leakage = self.model.leakage
        leaked = leakage.leaked_now(stage)
        if not leaked.any():
            return
        cells = np.nonzero(leaked)
        rows = len(cells[0])
        when = (np.full(rows, stage), np.full(rows, month))
        self.leaks.append((*when, *cells, leakage.via[stage][cells], leaked[cells]))

    def unrecorded_flows(self) -> np.ndarray:
        """(stage, month, mineral, origin, destination) tonnes of ``flows`` that left
        outside authorised channels (a leak whose ``via`` is its origin)."""
        out = np.zeros_like(self.flows[:, : self.months_done])
        for stage, month, mineral, origin, destination, via, tonnes in self.leaks:
            own = via == origin
            cells = (stage[own], month[own], mineral[own], origin[own], destination[own])
            np.add.at(out, cells, tonnes[own])
        return out

    def record(
        self,
        month: int,
        raw: Clearing,
        refined: Clearing,
        compliant: Clearing | None = None,
        tiered: np.ndarray | None = None,
        consumed: np.ndarray | None = None,
    ) -> None:
        """Record the month; ``consumed`` is ``consumed_by_cell()`` if already worked out."""
        model = self.model
        minerals = len(model.world.minerals)
        for stage, result in enumerate((raw, refined)):
            self.origin_price[stage, month] = result.origin_price
            self.destination_price[stage, month] = result.destination_price
            self.flows[stage, month] = result.flows
            self._record_leaks(stage, month)
            self.solver_excess[stage, month] = result.max_relative_excess
        if compliant is not None:
            self.compliant_price[month] = compliant.destination_price
            self.compliant_origin_price[month] = compliant.origin_price
            self.compliant_flows[month] = compliant.flows
            self.solver_excess[2, month] = compliant.max_relative_excess
            self.tiered[month] = tiered
        mines, refineries, recyclers, buyers = (
            model.mines,
            model.refineries,
            model.recyclers,
            model.buyers,
        )
        self.mine_output[month] = mines.output
        self.refinery_output[month] = refineries.processed
        self.recycled[month] = recyclers.sold
        self.demanded[month] = self._by_cell(buyers.planned)
        self.consumed[month] = self.consumed_by_cell() if consumed is None else consumed
        recycled = np.bincount(recyclers.mineral, recyclers.sold, minerals)
        processed = np.bincount(refineries.mineral, refineries.processed, minerals)
        inflow = self.books[1, month]
        outflow = self.books[2, month]
        inflow[:, 0] = np.bincount(mines.mineral, mines.output, minerals)
        outflow[:, 0] = processed
        inflow[:, 1] = processed + recycled
        outflow[:, 1] = buyers.consumed.sum(axis=0)
        inflow[:, 2] = np.bincount(recyclers.mineral, recyclers.collected, minerals)
        outflow[:, 2] = recycled
        self.books[3, month] = self._stocks()
        self.held[:, month] = self._last_held
        self.months_done = month + 1
