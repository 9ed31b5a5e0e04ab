"""Buyer: manufacturers of one sector in one country, using refined minerals."""

from __future__ import annotations

import mesa
import numpy as np

from abm.agents.storage import COVER_TRANCHES, cover_slices, reservation_price
from abm.market import Asks, Bids
from abm.market_solver import in_the_money


class BuyerFleet:
    """Every buyer (rows) and mineral (columns), as arrays: the buyers' agent set.

    Manufacturers of a sector (batteries, magnets, chips, grid, other) in a country. Their
    need grows along the IEA path for their sector. In the market they place three kinds of
    order for each mineral they use (ODD section 4.3):

    * **Use** (participant ``buyers``): the month's need, trimmed by lasting redesigns
      (putty-clay: a substitution made after a spike stays for ``redesign_years``), with the
      short-run derived-demand elasticity of their product (cost share x product elasticity,
      Hicks-Marshall) and a willingness to pay from the mineral's cost share and the product's
      margin (``1 + margin / (share (1 - margin))`` times the 2023 price), spread over the
      sector's firms, so rationing by price is gradual and differs by sector.
    * **Stock for sale** (participant ``user stocks``): their stock, in slices of cover, each
      offered at a reservation price that rises as cover falls (a convenience yield, the
      supply-of-storage curve of Working and Kaldor): stock above target at the long-run
      price they expect, the last slices only at a multiple of it. A user that draws on
      stock sells it to the market, to itself first.
    * **Restocking** (participant ``restocking``): each slice that is short, bought back over
      ``inventory_adjustment_months`` at up to its reservation price. The target rises with
      the supply risk of their origins, so an announced restriction makes the cover they
      hold worth more and they buy ahead; in a shortage they rebuild as prices fall.

    What they use is what their use bid bought; unmet demand is measured against the plan.
    """

    def __init__(
        self,
        need: np.ndarray,
        growth: np.ndarray,
        country: np.ndarray,
        reference_price: np.ndarray,
        cost_share: np.ndarray,
        margin: np.ndarray,
    ):
        self.need_2023 = need  # (buyer, mineral) t/month
        self.growth = growth  # (buyer, mineral, month)
        self.country = country  # (buyer,) country index
        self.reference_price = reference_price  # (mineral,) 2023 refined price
        self.cost_share = cost_share  # (buyer, mineral) of the product's cost, 2023 prices
        self.margin = margin  # (buyer, mineral) the product maker's margin
        self.inventory = np.zeros_like(need)
        self.cover_months = np.zeros_like(need)  # target cover without supply risk
        self.expected_price = np.broadcast_to(reference_price, need.shape).copy()
        self.long_run_price = self.expected_price.copy()  # what designs and contracts assume
        self.expected_compliant_price = self.expected_price.copy()  # IRA tier, when it exists
        self.shock = np.zeros_like(need)  # log demand shock, AR(1)
        self.redesign = np.ones_like(need)  # lasting share of use left after redesigns
        self.risk = np.zeros_like(need)  # supply risk of the buyer's origins, 0 to 1
        self.need = np.zeros_like(need)  # this month's need before any response to prices
        self.planned = np.zeros_like(need)  # the long-run plan; unmet demand is measured on it
        self.bought = np.zeros_like(need)
        self.restocked = np.zeros_like(need)
        self.released = np.zeros_like(need)
        self.consumed = np.zeros_like(need)
        self.target = np.zeros_like(need)  # cover wanted, with what supply risk adds
        self.base_target = np.zeros_like(need)  # cover wanted without supply risk
        self.active = need > 0  # which (buyer, mineral) pairs bid at all
        self.rows, self.columns = np.nonzero(self.active)
        share = np.maximum(cost_share[self.rows, self.columns], 1e-6)
        kept = margin[self.rows, self.columns]
        # Hicks-Marshall: a maker that cannot pass the cost on stops at this multiple.
        self.willingness_multiple = 1.0 + kept / (share * (1.0 - kept))

    # ----------------------------------------------------------------- the plan
    def plan(self, month: int, settings, rng: np.random.Generator) -> None:
        """Draw this month's demand shock, set the need, the lasting redesigns and the cover
        target."""
        noise = rng.standard_normal(self.shock.shape) * settings.demand_noise
        self.shock = settings.demand_noise_persistence * self.shock + noise
        self.need = self.need_2023 * self.growth[:, :, month] * np.exp(self.shock)
        long_run = (self.long_run_price / self.reference_price) ** (
            -settings.long_run_demand_elasticity
        )
        # Putty-clay: redesigns made at high prices stay, and are undone only slowly.
        recovery = 1.0 / (12.0 * settings.redesign_years)
        self.redesign = np.minimum(long_run, self.redesign + (1.0 - self.redesign) * recovery)
        self.planned = self.need * np.minimum(self.redesign, 3.0)
        self.base_target = self.cover_months * self.need
        self.target = self.base_target + settings.risk_cover_months * self.risk * self.need

    def see_risk(self, exposure: np.ndarray, settings) -> None:
        """Supply risk by (buyer, mineral): jumps to the exposure of the buyer's purchases to
        restrictions announced or in force, and fades over ``risk_memory_months``."""
        faded = self.risk * np.exp(-1.0 / settings.risk_memory_months)
        self.risk = np.maximum(faded, exposure[self.country])

    # ----------------------------------------------------------------- orders
    def bids(self, settings) -> Bids:
        """Use bids: the plan at the expected price, with the derived-demand elasticity,
        choked off around each sector's willingness to pay."""
        rows, columns = self.rows, self.columns
        expected = self.expected_price[rows, columns]
        elasticity = settings.product_demand_elasticity * self.cost_share[rows, columns]
        ratio = expected / self.reference_price[columns]
        quantity = self.planned[rows, columns] * ratio**-elasticity
        ceiling = self.willingness_price(settings)
        return Bids(
            market=columns,
            destination=self.country[rows],
            quantity=np.maximum(quantity, 1e-12),
            reference_price=expected,
            elasticity=elasticity,
            max_price=ceiling,
            max_quantity=np.maximum(3.0 * quantity, 1e-12),
            choke_width=np.full(len(rows), settings.willingness_to_pay_spread),
        )

    def willingness_price(self, settings) -> np.ndarray:
        """USD/t at which half the firms behind each use bid stop buying."""
        multiple = self.willingness_multiple * settings.willingness_to_pay_scale
        return multiple * self.reference_price[self.columns]

    def price_bound(self, settings, minerals: int) -> np.ndarray:
        """(mineral,) the highest price any buyer pays: no use bid buys above it."""
        top = self.willingness_price(settings) * np.exp(settings.willingness_to_pay_spread)
        bound = np.zeros(minerals)
        np.maximum.at(bound, self.columns, top)
        return bound

    def _slices(self, settings) -> tuple[np.ndarray, ...]:
        """Each pair's cover in slices, top first: (slice, pair) tonnes held in each, tonnes
        each lacks, and the one price at which it is offered and bought back.

        The top slice is the cover that supply risk adds (the target above the base cover),
        held and bought at up to the long-run price x (1 + risk), what users expect the
        threat to make the price (as stockholders do): they buy ahead of a threat, do not
        refill into a shortage that has outrun it, and draw that cover first when the threat
        comes true. Below it the base cover sits in ``COVER_TRANCHES`` slices: the slice
        whose middle is a share ``f`` of the base cover is held at the long-run price x
        ``f ** (-1 / release elasticity)``, a convenience yield (Working's supply of
        storage). No slice is held dearer than what the use it serves is worth (the buyer's
        willingness to pay). Measuring the curve on the base cover keeps a threat from
        making users' ordinary stock dearer: sliced on the raised target, the stock they
        hold would sit at the bottom of its curve, at the cap, in the very shortage it is
        held for.
        """
        rows, columns = self.rows, self.columns
        stock = self.inventory[rows, columns]
        target = self.target[rows, columns]
        base = np.maximum(self.base_target[rows, columns], 1e-12)
        normal = self.long_run_price[rows, columns]
        ceiling = np.maximum(self.willingness_price(settings), normal)
        held, middle = cover_slices(np.minimum(stock, base), base)
        room = np.maximum(target - base, 0.0)  # the cover that risk adds
        at_risk = np.clip(stock - base, 0.0, room)
        expected = normal * (1.0 + self.risk[rows, columns])  # what a threat may make it
        on_curve = reservation_price(normal, middle, settings.release_elasticity)
        price = np.minimum(np.vstack((expected[None], on_curve)), ceiling)
        lacking = np.vstack(((room - at_risk)[None], base / COVER_TRANCHES - held))
        return np.vstack((at_risk[None], held)), lacking, price, price

    def cover_orders(self, settings, last_price: np.ndarray) -> tuple[Asks, Bids]:
        """This month's stock asks and restocking bids, from one reading of the slices."""
        slices = self._slices(settings)
        return self.stock_asks(settings, last_price, slices), self.restocking_bids(settings, slices)

    def restocking_bids(self, settings, slices: tuple[np.ndarray, ...] | None = None) -> Bids:
        """Each slice of cover that is short is bought back over
        ``inventory_adjustment_months``, at up to its buy-back price (``_slices``): users
        rebuild as prices fall, not into a shortage at any price."""
        _, lacking, _, price = slices or self._slices(settings)
        quantity = (lacking / settings.inventory_adjustment_months).ravel()
        count = len(lacking)
        return Bids(
            market=np.tile(self.columns, count),
            destination=np.tile(self.country[self.rows], count),
            quantity=quantity,  # a slice lacking nothing places no order
            reference_price=price.ravel(),
            elasticity=np.full(quantity.size, settings.purchase_elasticity),
            max_price=price.ravel(),
            max_quantity=np.maximum(lacking.ravel(), 1e-12),
            choke_width=np.full(quantity.size, settings.cover_price_spread),
        )

    def stock_asks(
        self, settings, last_price: np.ndarray, slices: tuple[np.ndarray, ...] | None = None
    ) -> Asks:
        """Stock offered: above target at the long-run price, each slice below it at its
        offer price (``_slices``); buyers meet a slice in their choice of origin as far as
        it was in the money at last month's delivered price there (``last_price``,
        (mineral, country)), so cover held back does not draw buyers to its country."""
        rows, columns = self.rows, self.columns
        held, _, price, _ = slices or self._slices(settings)
        above = np.maximum(self.inventory[rows, columns] - self.target[rows, columns], 0.0)
        count = len(held) + 1
        market, origin = np.tile(columns, count), np.tile(self.country[rows], count)
        quantity = np.concatenate((above[None], held)).ravel()
        price = np.concatenate((self.long_run_price[rows, columns][None], price)).ravel()
        width = settings.ramp_width
        return Asks(
            market=market,
            origin=origin,
            quantity=quantity,
            price=price,
            matched=quantity * in_the_money(last_price[market, origin], price, width),
            spread=np.full(len(quantity), settings.cover_price_spread),
        )

    # ----------------------------------------------------------------- after the market
    def per_pair(self, by_slice: np.ndarray) -> np.ndarray:
        """Tonnes of a slice-by-slice order (slice-major, as ``stock_asks`` and
        ``restocking_bids`` place them) summed per (buyer, mineral) pair."""
        return by_slice.reshape(-1, len(self.rows)).sum(axis=0)

    def take_delivery(
        self, bought: np.ndarray, restocked: np.ndarray, released: np.ndarray, arrived
    ) -> None:
        """Stock loses what was sold from it (``released``, summed over each pair's slices)
        and gains what ``arrived`` (by pair, from this and earlier months' purchases); users
        use what their use bids bought, from stock as far as it goes."""
        rows, columns = self.rows, self.columns
        self.bought = np.zeros_like(self.inventory)
        self.bought[rows, columns] = bought
        self.restocked = np.zeros_like(self.inventory)
        self.restocked[rows, columns] = self.per_pair(restocked)
        self.released = np.zeros_like(self.inventory)
        self.released[rows, columns] = self.per_pair(released)
        available = np.maximum(self.inventory - self.released, 0.0)
        available[rows, columns] += arrived
        self.consumed = np.minimum(self.bought, available)
        self.inventory = available - self.consumed

    def update_expectations(
        self, destination_price: np.ndarray, months: float, long_months: float
    ) -> None:
        """Adapt expected prices toward what was paid at home (kept if nothing arrived)."""
        seen = destination_price.T[self.country]  # (buyer, mineral)
        seen = np.where(np.isfinite(seen), seen, self.expected_price)
        self.expected_price += (seen - self.expected_price) / months
        self.long_run_price += (seen - self.long_run_price) / long_months

    def expect_compliant(self, tier, months: float) -> None:
        """Adapt the expected compliant-tier price; without a tier it follows the ordinary one."""
        if tier is None:
            self.expected_compliant_price = self.expected_price.copy()
            return
        seen = tier.destination_price.T[self.country]
        seen = np.where(np.isfinite(seen), seen, self.expected_compliant_price)
        self.expected_compliant_price += (seen - self.expected_compliant_price) / months


class Buyer(mesa.Agent):
    """One sector's manufacturers in one country: a view of one row of ``BuyerFleet``, for
    the page and for users who inspect agents (the fleet decides)."""

    def __init__(self, model: mesa.Model, fleet: BuyerFleet, index: int, sector: str):
        super().__init__(model)
        self.fleet = fleet
        self.index = index
        self.sector = sector

    @property
    def country(self) -> str:
        """The country this buyer buys for."""
        return self.model.world.countries[self.fleet.country[self.index]]

    def need_t(self, mineral: str) -> float:
        """Refined tonnes this buyer needs of ``mineral`` this month: 2023 need times its growth."""
        m = self.model.world.minerals.index(mineral)
        return float(
            self.fleet.need_2023[self.index, m] * self.fleet.growth[self.index, m, self.model.month]
        )
