"""The Mesa model: builds the calibrated world, orders the agents' decisions each month."""

from __future__ import annotations

from typing import Any

import mesa
import numpy as np

from abm.agents.buyer import Buyer, BuyerFleet
from abm.agents.government import Government
from abm.agents.producer import Producer
from abm.agents.recycler import Recycler, RecyclerFleet
from abm.agents.refiner import Refiner, RefineryFleet
from abm.agents.sites import SiteFleet
from abm.data import Calibration, load_calibration
from abm.groups import group_medians
from abm.market import Asks, Bids, Clearing, MarketSettings, clear
from abm.policy import ira
from abm.policy.conditions import Conditions
from abm.policy.effects import PolicyBook
from abm.policy.instruments import Policy, policy_from_record
from abm.policy.rules import TradeRules
from abm.policy.stockpiles import Stockpiles
from abm.recorder import Recorder
from abm.settings import ModelSettings
from abm.world import RAW, REFINED, World, build_world


class MineralsModel(mesa.Model):
    """Mines, refiners, recyclers and buyers trading on monthly spot markets.

    Every keyword is a setting (``abm.settings.ModelSettings``) so that the Solara page and
    ``abm run --set`` can rebuild the model from its parameters; ``policies`` are scripted
    instruments (``Policy`` records or scenario-file tables) and ``adjustments`` change the
    calibrated world. All randomness comes from ``self.rng`` (seeded by ``rng``).
    """

    def __init__(
        self,
        rng: int | None = 1,
        settings: ModelSettings | None = None,
        calibration: Calibration | None = None,
        policies: list[Policy | dict] | None = None,
        adjustments: list[dict] | None = None,
        **setting_values: Any,
    ):
        self.seed_value = int(rng) if rng is not None else None
        super().__init__(rng=self.seed_value)
        base = settings or ModelSettings()
        self.settings = base.replace(**setting_values) if setting_values else base
        self.calibration = calibration or load_calibration()
        self.world: World = build_world(
            self.calibration, self.settings, self.rng, adjustments or []
        )
        self.month = 0
        self.market_settings = MarketSettings(
            substitution_elasticity=self.settings.substitution_elasticity,
            ramp_width=self.settings.ramp_width,
        )
        self.rules = TradeRules(self.world.countries, self.world.minerals, ("raw", "refined"))
        self._build_agents()
        self.reserve_shares = _reserve_shares(self.calibration, self.world)
        self.conditions = Conditions(self)
        self.stockpiles = Stockpiles(self)
        scripted = [
            p if isinstance(p, Policy) else policy_from_record(p, f"policy[{i}]")
            for i, p in enumerate(policies or [])
        ]
        if self.settings.policy_mode == "endogenous":
            scripted = []
        self.policies = PolicyBook(self, scripted)
        self.recorder = Recorder(self)
        # The 2023 prices start the first clearing (origin prices differ from them by freight
        # only): a warm start from the first month.
        reference = self.world.reference_price
        countries = len(self.world.countries)
        self._last_prices: list[np.ndarray | None] = [
            np.repeat(reference[:, stage, None], countries, axis=1)
            for stage in (RAW, REFINED, REFINED)
        ]
        self._last_rents: list[np.ndarray | None] = [None, None, None]  # quota rents
        self.last_clearing: list[Clearing | None] = [None, None]
        self.compliant_clearing: Clearing | None = None
        self.sentiment = np.zeros(len(self.world.minerals))  # investors' shared log error

    # ----------------------------------------------------------------- construction
    def _build_agents(self) -> None:
        world, countries, minerals = self.world, self.world.countries, self.world.minerals
        is_raw = (world.sites.stage == "raw").to_numpy()
        self.mines = SiteFleet(
            world.sites[is_raw], world.capacity_path[is_raw], countries, minerals
        )
        self.refineries = RefineryFleet(
            world.sites[~is_raw], world.capacity_path[~is_raw], countries, minerals
        )
        # Policies only shorten the reporting lag, so the setting bounds the prices to keep.
        for fleet in (self.mines, self.refineries):
            fleet.keep_prices(self.settings.price_report_lag_months + 1)
        reference = world.reference_price
        self.mines.update_expectations(reference[self.mines.mineral, RAW], 1.0, 1.0)
        self.refineries.update_expectations(reference[self.refineries.mineral, REFINED], 1.0, 1.0)
        self.refineries.raw_price_paid = reference[self.refineries.mineral, RAW].copy()
        # Refiners start with half a month of output in stock, buyers at their target.
        capacity0 = self.refineries.capacity_in(0)
        self.refineries.refined_stock = self.settings.refiner_stock_months * capacity0 * 0.85
        country_index = np.array([countries.index(c) for c in world.buyers.country])
        self.buyers = BuyerFleet(world.need, world.growth, country_index, reference[:, REFINED])
        self.buyers.inventory = self.settings.inventory_months * world.need
        recyclers = world.recyclers
        mineral_index = recyclers.mineral.map(minerals.index).to_numpy()
        recycler_country = recyclers.country.map(countries.index).to_numpy()
        consumption = np.zeros((len(minerals), len(countries)))
        np.add.at(consumption.T, country_index, world.need)
        self.recyclers = RecyclerFleet(
            mineral=mineral_index,
            country=recycler_country,
            # Without recycling (a counterfactual) recyclers exist with no capacity nor scrap.
            output_2023=recyclers.output_2023_t_per_month.to_numpy(float)
            * float(self.settings.recycling),
            end_of_life_months=world.end_of_life_months[mineral_index],
            consumption_2023=consumption[mineral_index, recycler_country],
            cost_usd_per_t=self.settings.recycling_cost_share * reference[mineral_index, REFINED],
        )
        for index in range(len(self.mines)):
            Producer(self, self.mines, index)
        for index in range(len(self.refineries)):
            Refiner(self, self.refineries, index)
        for index, sector in enumerate(world.buyers.sector):
            Buyer(self, self.buyers, index, sector)
        for index in range(len(mineral_index)):
            Recycler(self, self.recyclers, index)
        self.governments = {c: Government(self, c) for c in countries}

    # ----------------------------------------------------------------- the month
    @property
    def running_months(self) -> int:
        return len(self.world.months)

    def step(self) -> None:
        """One month: governments, raw market, refining, refined market, use, investment."""
        if self.month >= self.running_months:
            self.running = False
            return
        month, settings = self.month, self.settings
        self.recorder.open_books(month)
        deciding = settings.policy_mode != "scripted" and month > 0
        if deciding and month % settings.decision_interval_months == 0:
            for government in self.governments.values():
                government.step()
        self.policies.apply(month)
        # Raw market: mines sell to refiners.
        raw_bids = Refiner.raw_bids(
            self.refineries, month, settings, self.world.reference_price[:, RAW]
        )
        raw = self._clear(RAW, Producer.asks(self.mines, month), raw_bids)
        Producer.produce(self.mines, raw.sold)
        paid = raw.destination_price.take(self.refineries.cell)
        Refiner.refine(self.refineries, raw.bought, paid, month)
        # Refined market: refiners and recyclers sell to buyers.
        Buyer.plan(self.buyers, month, settings, self.rng)
        refiner_asks, recycler_asks = (
            Refiner.asks(self.refineries, paid),
            Recycler.asks(self.recyclers),
        )
        bids = Buyer.bids(self.buyers, settings)
        first, second = len(self.refineries), len(self.refineries) + len(self.recyclers.mineral)
        compliant_sold = np.zeros(second)
        compliant_bought = np.zeros(len(bids.market))
        rules = ira.plan(self, month, raw)
        self.compliant_clearing = None
        if rules is not None:
            # The compliant tier clears first; what is left goes to the ordinary market.
            tier_refiners, tier_recyclers, tier_bids, wanted = ira.orders(
                self, rules, refiner_asks, recycler_asks, bids
            )
            tier = self._clear(COMPLIANT, _concat(tier_refiners, tier_recyclers), tier_bids)
            self.compliant_clearing = tier
            compliant_sold = tier.sold
            compliant_bought[wanted] = tier.bought
            refiner_asks = _less(refiner_asks, compliant_sold[:first])
            recycler_asks = _less(recycler_asks, compliant_sold[first:])
            bids = _less_bids(bids, compliant_bought)
        stock_asks, stock_bids = self.stockpiles.orders(month)
        asks = _concat(refiner_asks, recycler_asks, stock_asks)
        refined = self._clear(REFINED, asks, _concat_bids(bids, stock_bids))
        Refiner.deliver(self.refineries, refined.sold[:first] + compliant_sold[:first])
        Recycler.deliver(self.recyclers, refined.sold[first:second] + compliant_sold[first:])
        buyers = len(bids.market)
        Buyer.consume(self.buyers, refined.bought[:buyers] + compliant_bought)
        Buyer.expect_compliant(self.buyers, self.compliant_clearing, settings.expectation_months)
        self.stockpiles.settle(refined.sold[second:], refined.bought[buyers:])
        consumed = self.recorder.consumed_by_cell()
        Recycler.collect(
            self.recyclers,
            consumed,
            self.conditions.collection_rate,
            self.conditions.recycling_growth,
        )
        # Expectations and investment.
        self._expect(raw, refined)
        if (month + 1) % settings.investment_interval_months == 0:
            self._invest(month)
        self.recorder.record(
            month,
            raw,
            refined,
            self.compliant_clearing,
            None if rules is None else rules.covered,
            consumed=consumed,  # investment and expectations leave consumption as it was
        )
        self.month += 1
        self.running = self.month < self.running_months

    def _clear(self, market: int, asks: Asks, bids) -> Clearing:
        """Clear one stage's markets (or the compliant tier, traded under refined rules)."""
        stage = min(market, REFINED)
        frictions = self.rules.frictions(stage, self.world.transport_usd_per_t[stage])
        result = clear(
            asks,
            bids,
            frictions,
            self.market_settings,
            self._last_prices[market],
            self._last_rents[market],
        )
        self._last_rents[market] = result.rent
        previous = self._last_prices[market]
        found = result.origin_price
        self._last_prices[market] = (
            found if previous is None else np.where(np.isfinite(found), found, previous)
        )
        if market != COMPLIANT:
            self.last_clearing[stage] = result
        return result

    def _expect(self, raw: Clearing, refined: Clearing) -> None:
        """Short-run and investors' expectations.

        Traders see this month's prices. Investors see prices as reported, which in an
        opaque market is ``conditions.report_lag`` months late, and misjudge them by a shared,
        persistent error (log scale, AR(1) per mineral, spread ``conditions.investor_noise``).
        Transparency policies shorten the lag and shrink the error; with futures, investors
        also smooth prices over a quarter of the usual horizon, seeing scarcity sooner.
        """
        settings, conditions, month = self.settings, self.conditions, self.month
        rho = settings.investor_noise_persistence
        shock = self.rng.standard_normal(len(self.sentiment))
        self.sentiment = rho * self.sentiment + np.sqrt(1 - rho**2) * shock
        horizon = np.where(
            conditions.futures,
            settings.investment_expectation_months / 4.0,
            settings.investment_expectation_months,
        )
        for fleet, clearing in ((self.mines, raw), (self.refineries, refined)):
            price = _site_prices(fleet, clearing)
            price = np.where(np.isfinite(price), price, fleet.expected_price)
            fleet.remember_price(month, price)
            fleet.update_expectations(
                price,
                settings.expectation_months,
                horizon[fleet.mineral],
                reported_price=fleet.price_months_ago(month, conditions.report_lag[fleet.mineral]),
            )
        Buyer.expect(
            self.buyers,
            refined.destination_price,
            settings.expectation_months,
            settings.investment_expectation_months,
        )

    def _invest(self, month: int) -> None:
        """Quarterly investment, with the policies' capex, lead-time and drive changes."""
        world, conditions = self.world, self.conditions
        noise = conditions.investor_noise
        error = np.exp(noise * self.sentiment - noise**2 / 2.0)  # mean one: unbiased, only noisy
        for stage, fleet in ((RAW, self.mines), (REFINED, self.refineries)):
            cost = fleet.new_capacity_cost
            lead = np.ones(len(fleet))
            if stage == REFINED:
                # A refinery is judged on the raw price investors expect in the long run, not
                # on the last cargo.
                mines = self.mines
                raw_long = group_medians(
                    mines.mineral, mines.investment_price, world.reference_price[:, RAW]
                )
                cost = cost + _local_ore_price(mines, month, raw_long, len(world.countries)).take(
                    fleet.cell
                )
                lead = conditions.refinery_lead_multiplier
            fleet.invest(
                month,
                cost,
                world.capex_usd_per_tpa[stage, fleet.mineral] * conditions.capex_multiplier[stage],
                world.decision_months[stage, fleet.mineral],
                world.build_months[stage, fleet.mineral] * lead,
                world.ramp_months[stage, fleet.mineral] * lead,
                self.settings,
                price_error=error[fleet.mineral],
                drive_boost=conditions.investment_boost[fleet.location],
                demand_path=world.demand_path,
            )

    def run(self) -> MineralsModel:
        """Step to the end of the horizon."""
        while self.month < self.running_months:
            self.step()
        return self


COMPLIANT = 2  # the compliant tier of the refined market (IRA rules), cleared on its own


def _less(asks: Asks, sold: np.ndarray) -> Asks:
    """The same asks with what was already sold taken off."""
    return Asks(asks.market, asks.origin, np.maximum(asks.quantity - sold, 0.0), asks.price)


def _less_bids(bids: Bids, bought: np.ndarray) -> Bids:
    """The same bids with what was already bought taken off."""
    return Bids(
        market=bids.market,
        destination=bids.destination,
        quantity=np.maximum(bids.quantity - bought, 1e-12),
        reference_price=bids.reference_price,
        elasticity=bids.elasticity,
        max_price=bids.max_price,
        max_quantity=np.maximum(bids.max_quantity - bought, 1e-12),
    )


def _concat(*parts: Asks) -> Asks:
    return Asks(
        *(
            np.concatenate(columns)
            for columns in zip(
                *((p.market, p.origin, p.quantity, p.price) for p in parts), strict=True
            )
        )
    )


def _concat_bids(*parts: Bids) -> Bids:
    names = (
        "market",
        "destination",
        "quantity",
        "reference_price",
        "elasticity",
        "max_price",
        "max_quantity",
    )
    return Bids(**{name: np.concatenate([getattr(p, name) for p in parts]) for name in names})


def _site_prices(fleet: SiteFleet, clearing: Clearing) -> np.ndarray:
    """The price each site sees: its origin price, else the delivered price at home, else
    the median origin price of its mineral (a site with nothing to sell yet)."""
    price = clearing.origin_price.take(fleet.cell)
    home = clearing.destination_price.take(fleet.cell)
    price = np.where(np.isfinite(price), price, home)
    seen = np.isfinite(price)
    if seen.all():  # the usual case: no median needed
        return price
    return np.where(seen, price, _median_price(clearing.origin_price)[fleet.mineral])


def _local_ore_price(mines, month: int, world_median: np.ndarray, countries: int) -> np.ndarray:
    """(mineral, country) long-run ore price investors expect where a refinery would stand.

    Where the country mines the mineral, its mines' expected price (the value of local ore:
    low where an export ban strands it at home); elsewhere the world median, as imported ore.
    """
    running = mines.capacity_in(month) > 0
    keys = mines.cell[running]  # (mineral, country) cells
    fallback = np.repeat(world_median[:, None], countries, axis=1).ravel()
    medians = group_medians(keys, mines.investment_price[running], fallback)
    return medians.reshape(len(world_median), countries)


def _median_price(origin_price: np.ndarray) -> np.ndarray:
    """Median origin price per mineral: what a site with nothing to sell yet sees."""
    minerals, countries = origin_price.shape
    keys = np.repeat(np.arange(minerals), countries)
    return group_medians(keys, origin_price.ravel(), np.full(minerals, np.nan))


def _reserve_shares(calibration: Calibration, world: World) -> np.ndarray:
    """Share of world reserves by (mineral, country), from the calibration table."""
    shares = np.zeros((len(world.minerals), len(world.countries)))
    for row in calibration.reserves.itertuples():
        shares[world.minerals.index(row.mineral), world.countries.index(row.country)] += row.tonnes
    return shares / np.maximum(shares.sum(axis=1, keepdims=True), 1e-300)
