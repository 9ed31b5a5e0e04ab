"""The Mesa model: builds the calibrated world, orders the agents' decisions each month."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import mesa
import numpy as np

from abm.agents.buyer import Buyer, BuyerFleet
from abm.agents.byproducts import ByproductRecovery
from abm.agents.government import Government
from abm.agents.investors import InvestorSentiment
from abm.agents.producer import MineFleet, Producer
from abm.agents.recycler import Recycler, RecyclerFleet
from abm.agents.refiner import Refiner, RefineryFleet
from abm.agents.risk import exposure, ore_exposure
from abm.agents.sourcing import SourcingMemory
from abm.agents.stockholder import StockholderFleet
from abm.data import Calibration
from abm.data.vintage import world_calibration
from abm.leakage import Leakage
from abm.market import Clearing, MarketSettings
from abm.observations import Observations
from abm.orders import BookClearing, OrderBook
from abm.policy import ira
from abm.policy.conditions import Conditions
from abm.policy.decisions import Situation
from abm.policy.effects import PolicyBook
from abm.policy.floors import Floors
from abm.policy.instruments import Policy, policy_from_record
from abm.policy.rules import TradeRules
from abm.policy.stockpiles import Stockpiles
from abm.recorder import Recorder
from abm.settings import ModelSettings
from abm.transit import Pipeline, arrival_shares, lag_fractions
from abm.world import RAW, REFINED, World, build_world


class MineralsModel(mesa.Model):
    """Mines, refiners, recyclers and buyers trading on monthly spot markets.

    Every keyword is a setting (``abm.settings.ModelSettings``) so that the Solara page and
    ``abm run --set`` can rebuild the model from its parameters; ``policies`` are scripted
    instruments (``Policy`` records or scenario-file tables) and ``adjustments`` change the
    calibrated world. ``world_year`` chooses the calibrated world (2023's or a vintage's,
    ``abm.data.vintage``) unless ``calibration`` is given. All randomness comes from
    ``self.rng`` (seeded by ``rng``).
    """

    def __init__(
        self,
        rng: int | None = 1,
        settings: ModelSettings | None = None,
        calibration: Calibration | None = None,
        policies: Sequence[Policy | dict] | None = None,
        adjustments: list[dict] | None = None,
        world_year: int = 2023,
        **setting_values: Any,
    ):
        self.seed_value = int(rng) if rng is not None else None
        super().__init__(rng=self.seed_value)
        base = settings or ModelSettings()
        self.settings = base.replace(**setting_values) if setting_values else base
        self.calibration = calibration or world_calibration(world_year)
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
        self.byproducts = self._byproducts()
        self.reserve_shares = _reserve_shares(self.calibration, self.world)
        minerals, countries = len(self.world.minerals), len(self.world.countries)
        self.observations = Observations(minerals, countries, len(self.mines), len(self.refineries))
        self.conditions = Conditions(
            self.settings,
            minerals,
            countries,
            (len(self.mines), len(self.refineries)),
            self.recyclers.collection_rate,
        )
        scripted = [
            p if isinstance(p, Policy) else policy_from_record(p, f"policy[{i}]")
            for i, p in enumerate(policies or [])
        ]
        if self.settings.policy_mode == "endogenous":
            scripted = []
        self.policies = PolicyBook(
            self.world,
            self.settings,
            scripted,
            self.rules,
            self.conditions,
            self.observations,
            (self.mines, self.refineries, self.recyclers),
        )
        self.stockpiles = Stockpiles(
            self.world.reference_price[:, REFINED],
            countries,
            self.conditions,
            self.observations,
            self.policies.shared_stockpiles,
        )
        # Governments start with their strategic stocks (released only under a stockpile
        # policy: ``abm.policy.stockpiles``).
        self.stockpiles.stock += self.world.government_stock_t
        self.floors = Floors(
            (self.mines, self.refineries),
            self.conditions,
            self.stockpiles,
            self.world.countries,
            self.world.minerals,
        )
        self.situation = Situation(
            settings=self.settings,
            countries=self.world.countries,
            minerals=self.world.minerals,
            reference_price=self.world.reference_price,
            reserve_shares=self.reserve_shares,
            mine_sites=(self.mines.mineral, self.mines.location),
            refinery_sites=(self.refineries.mineral, self.refineries.location),
            observations=self.observations,
            policies=self.policies,
            rng=self.rng,
            mines=self.mines,
            refineries=self.refineries,
            refining_lead_months=np.stack(
                [
                    self.world.decision_months[REFINED],
                    self.world.build_months[REFINED],
                    self.world.ramp_months[REFINED],
                ]
            ),
            horizon_months=self.world.capacity_path.shape[1],
        )
        # Closed pairs served through third countries (``abm.leakage``).
        self.leakage = Leakage(len(self.world.minerals), len(self.world.countries), self.settings)
        self.recorder = Recorder(self)
        # The 2023 prices start the first clearing (origin prices differ from them by freight
        # only): a warm start from the first month.
        reference = self.world.reference_price
        countries = len(self.world.countries)
        self._last_prices: list[np.ndarray] = [
            np.repeat(reference[:, stage, None], countries, axis=1)
            for stage in (RAW, REFINED, REFINED)
        ]
        self._last_rents: list[np.ndarray | None] = [None, None, None]  # quota rents
        self.compliant_clearing: Clearing | None = None
        self.sentiment = InvestorSentiment(len(self.world.minerals))
        self.world_threat = np.zeros(len(self.world.minerals))  # share of supply threatened
        # Goods in transit to refiners (ore) and to buyers (refined), by route lags.
        routes = self.world.transit_months
        self.route_lags = [lag_fractions(routes[stage])[:, None] for stage in (RAW, REFINED)]
        self.in_transit = (Pipeline(len(self.refineries)), Pipeline(len(self.buyers.rows)))
        # Buyers' record of each origin's restrictions, priced into their choice of origin.
        self.sourcing = None
        if self.settings.sourcing_memory:
            self.sourcing = SourcingMemory(
                len(self.buyers.country),
                len(self.world.minerals),
                len(self.world.countries),
                self.settings.sourcing_memory_months,
            )

    # ----------------------------------------------------------------- construction
    def _build_agents(self) -> None:
        world, countries, minerals = self.world, self.world.countries, self.world.minerals
        is_raw = (world.sites.stage == "raw").to_numpy()
        self.mines = MineFleet(
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
        # Refiners start with their covers of ore and of refined metal, in months of output at
        # the 2023 utilisation; buyers at their cover.
        capacity0 = self.refineries.capacity_in(0)
        refineries = self.refineries
        cells = (refineries.mineral, refineries.location)
        costs = self.calibration.costs
        refined_costs = costs[costs.stage == "refined"].set_index("mineral")
        utilisation = refined_costs.utilisation_2023.reindex(list(minerals)).to_numpy(float)
        refineries.utilisation = utilisation[refineries.mineral]
        output0 = capacity0 * refineries.utilisation
        refineries.product_cover_months = world.refiner_product_cover_months[cells]
        refineries.refined_stock = refineries.product_cover_months * output0
        refineries.raw_cover_months = world.refiner_raw_cover_months[cells]
        refineries.raw_stock = refineries.raw_cover_months * output0
        country_index = np.array([countries.index(c) for c in world.buyers.country])
        self.buyers = BuyerFleet(
            world.need,
            world.growth,
            country_index,
            reference[:, REFINED],
            world.cost_share,
            world.product_margin,
        )
        cited = world.buyer_cover_cited
        cover = np.where(cited, world.buyer_cover_months, self.settings.inventory_months)
        self.buyers.cover_months[:] = cover
        self.buyers.inventory = cover * world.need
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
            life_order=self.settings.product_life_order,
            consumption_2023=consumption[mineral_index, recycler_country],
            collection_rate_2023=world.collection_rate_2023[mineral_index],
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
        self.stockholders = StockholderFleet(world.merchant_stock_t, reference, self.settings)

    def _byproducts(self) -> ByproductRecovery | None:
        """Gallium, germanium and cobalt circuits at their hosts (none if switched off)."""
        if not self.settings.byproducts:
            return None
        costs = self.calibration.costs
        raw = costs[costs.stage == "raw"].set_index("mineral")
        utilisation = raw.utilisation_2023.reindex(list(self.world.minerals)).to_numpy(float)
        return ByproductRecovery(self.mines, self.world, self.settings, utilisation)

    # ----------------------------------------------------------------- the month
    @property
    def running_months(self) -> int:
        """How many months the model runs."""
        return len(self.world.months)

    def step(self) -> None:
        """One month, in the order of the ODD's process overview."""
        if self.month >= self.running_months:
            self.running = False
            return
        month, settings = self.month, self.settings
        self.recorder.open_books(month)
        if self._governments_decide(month):
            for government in self.governments.values():
                government.step()
        self.policies.apply(month)
        if self.byproducts is not None:  # circuits follow their hosts' output
            self.byproducts.hold(month, self.mines, self.world, settings)
        raw = self._raw_market(month)
        self._see_risk(month)
        self._remember_origins(month)
        self.buyers.plan(month, settings, self.rng)
        refined, tier, covered = self._refined_market(month, raw)
        self.floors.settle(self.world.months[month], raw, refined)
        consumed = self.recorder.consumed_by_cell()
        conditions = self.conditions
        self.recyclers.collect(consumed, conditions.collection_rate, conditions.recycling_growth)
        self._update_expectations(raw, refined)
        self._review_sites(month)
        if (month + 1) % settings.investment_interval_months == 0:
            self._invest(month)
        # Investment and expectations leave consumption as it was.
        self.recorder.record(month, raw, refined, tier, covered, consumed=consumed)
        self.observations.record(
            raw,
            refined,
            self.mines.output,
            self.refineries.processed,
            consumed,
            self.leakage.unrecorded_now(),
        )
        self.month += 1
        self.running = self.month < self.running_months

    def _governments_decide(self, month: int) -> bool:
        """Governments decide every ``decision_interval_months``, when the mode lets them."""
        settings = self.settings
        deciding = settings.policy_mode != "scripted" and month > 0
        return deciding and month % settings.decision_interval_months == 0

    def _see_risk(self, month: int) -> None:
        """Users see the supply risk of the restrictions announced or in force."""
        restrictions = self.policies.restrictions(month)
        if not restrictions and not self.buyers.risk.any():
            self.world_threat = np.zeros(len(self.world.minerals))
            return
        observed = self.observations
        months = min(max(observed.months_seen, 1), 12)
        raw_flows, refined_flows = (
            observed.flows_over(RAW, months),
            observed.flows_over(REFINED, months),
        )
        threatened = exposure(restrictions, raw_flows, refined_flows)
        self.buyers.see_risk(threatened, self.settings)
        self.refineries.see_risk(ore_exposure(restrictions, raw_flows), self.settings)
        purchases = refined_flows.sum(axis=1)  # (mineral, destination)
        total = np.maximum(purchases.sum(axis=1), 1e-300)
        self.world_threat = (threatened.T * purchases).sum(axis=1) / total

    def _remember_origins(self, month: int) -> None:
        """Buyers add this month to their record of the origins restricting them
        (``abm.agents.sourcing``), with what they paid at home last month."""
        if self.sourcing is None:
            return
        buyers = self.buyers
        paid = self._last_paid(REFINED).T[buyers.country]  # (buyer, mineral)
        restrictions = self.policies.restrictions(month)
        self.sourcing.remember(restrictions, buyers.country, paid, buyers.long_run_price)

    def _raw_market(self, month: int) -> Clearing:
        """Mines sell ore to refiners, who take delivery and refine what capacity allows."""
        book = OrderBook()
        book.add_asks("mines", self.mines.asks(month))
        raw_reference = self.world.reference_price[:, RAW]
        book.add_bids("refiners", self.refineries.raw_bids(month, self.settings, raw_reference))
        last = self._last_paid(RAW)
        book.add_asks("stockholders", self.stockholders.asks(RAW, last, self.settings))
        book.add_bids("stockholders", self.stockholders.bids(RAW))
        raw = self._clear(RAW, book)
        self.stockholders.settle(RAW, raw.sold_by("stockholders"), raw.bought_by("stockholders"))
        self.mines.produce(raw.sold_by("mines"), month, self.settings)
        paid = raw.destination_price.take(self.refineries.cell)
        bought = raw.bought_by("refiners")
        lags = self.leakage.route_lags(RAW, self.route_lags[RAW], raw.flows, lag_fractions)
        shares = arrival_shares(raw.flows, lags)
        cells = shares.reshape(len(shares), -1)[:, self.refineries.cell]
        arrived = self._ship(RAW, bought, cells, self.refineries.mineral)
        self.refineries.take_delivery(bought, arrived, paid, month, self.settings)
        return raw.result

    def _ship(self, stage: int, bought: np.ndarray, shares: np.ndarray, mineral) -> np.ndarray:
        """Put a stage's purchases in transit and return what arrives this month; in the
        first month the pipeline of the months before is filled first (its tonnes open the
        books as stock in transit)."""
        pipeline = self.in_transit[stage]
        if self.month == 0:
            pipeline.prefill(bought, shares)
            opening = np.bincount(mineral, pipeline.held, len(self.world.minerals))
            self.recorder.books[0, 0, :, stage] += opening
        return pipeline.ship(bought, shares)

    def _refined_market(
        self, month: int, raw: Clearing
    ) -> tuple[Clearing, Clearing | None, np.ndarray | None]:
        """Refiners, recyclers and stockpiles sell to buyers and stockpiles; under IRA rules
        the compliant tier clears first and hands the rest on. Returns the ordinary and the
        compliant clearing, and the minerals the tier covers."""
        book = OrderBook()
        last = self._last_paid(REFINED)
        book.add_asks("refiners", self.refineries.asks(month, self.settings, last))
        book.add_asks("recyclers", self.recyclers.asks())
        cover_asks, restocking = self.buyers.cover_orders(self.settings, last)
        book.add_asks("user stocks", cover_asks)
        book.add_bids("buyers", self.buyers.bids(self.settings))
        book.add_bids("restocking", restocking)
        book.add_asks("stockholders", self.stockholders.asks(REFINED, last, self.settings))
        book.add_bids("stockholders", self.stockholders.bids(REFINED))
        rules = ira.plan(self, month, raw)
        tier = None
        if rules is not None:
            tier = self._clear(COMPLIANT, ira.tier_book(self, rules, book))
            book = book.less(tier)
        self.compliant_clearing = None if tier is None else tier.result
        stock_asks, stock_bids = self.stockpiles.orders()
        book.add_asks("stockpiles", stock_asks)
        book.add_bids("stockpiles", stock_bids)
        refined = self._clear(REFINED, book)
        self.refineries.deliver(refined.sold_by("refiners") + _traded(tier, "refiners", True))
        self.recyclers.deliver(refined.sold_by("recyclers") + _traded(tier, "recyclers", True))
        used = refined.bought_by("buyers") + _traded(tier, "buyers", False)
        restocked = self.buyers.per_pair(refined.bought_by("restocking"))
        flows = refined.flows if tier is None else refined.flows + tier.flows
        lags = self.leakage.route_lags(REFINED, self.route_lags[REFINED], flows, lag_fractions)
        shares = arrival_shares(flows, lags)
        buyers = self.buyers
        cells = shares[:, buyers.columns, buyers.country[buyers.rows]]
        arrived = self._ship(REFINED, used + restocked, cells, buyers.columns)
        released = refined.sold_by("user stocks")
        buyers.take_delivery(used, refined.bought_by("restocking"), released, arrived)
        self.buyers.expect_compliant(self.compliant_clearing, self.settings.expectation_months)
        self.stockpiles.settle(refined.sold_by("stockpiles"), refined.bought_by("stockpiles"))
        self.stockholders.settle(
            REFINED, refined.sold_by("stockholders"), refined.bought_by("stockholders")
        )
        return refined.result, self.compliant_clearing, None if rules is None else rules.covered

    def _last_paid(self, stage: int) -> np.ndarray:
        """(mineral, country) what buyers paid delivered last month (the 2023 price before the
        first month; last month's origin price where nothing arrived): the price a stock held
        there competes with."""
        clearing = self.observations.last_clearing[stage]
        if clearing is None:
            return self._last_prices[stage]
        paid = clearing.destination_price
        return np.where(np.isfinite(paid), paid, self._last_prices[stage])

    def _clear(self, market: int, book: OrderBook) -> BookClearing:
        """Clear one stage's markets (or the compliant tier, traded under refined rules)."""
        stage = min(market, REFINED)
        frictions = self.rules.frictions(stage, self.world.transport_usd_per_t[stage])
        if market != COMPLIANT:  # relabelled goods do not qualify for the compliant tier
            frictions = self.leakage.route(
                stage,
                frictions,
                self.rules.leak_allowance[stage],
                self._last_prices[market],
                lambda months: self.observations.recent_flows(stage, months),
                self.world.transit_months[stage],
            )
        if market == REFINED and self.sourcing is not None:
            premium = self.sourcing.market_premium(
                self.buyers.country, self.buyers.planned, len(self.world.countries)
            )
            frictions = replace(frictions, risk_premium=premium)
        cleared = book.clear(
            frictions,
            self.market_settings,
            self._last_prices[market],
            self._last_rents[market],
        )
        result = cleared.result
        self._last_rents[market] = result.rent
        if market != COMPLIANT:
            self.leakage.record(stage, result.flows)
        previous, found = self._last_prices[market], result.origin_price
        self._last_prices[market] = np.where(np.isfinite(found), found, previous)
        return cleared

    def _update_expectations(self, raw: Clearing, refined: Clearing) -> None:
        """Short-run and investors' expectations of every agent set.

        Traders see this month's prices. Investors see prices as reported, which in an
        opaque market is ``conditions.report_lag`` months late, and misjudge them by a shared,
        persistent error (``InvestorSentiment``, spread ``conditions.investor_noise``).
        Transparency policies shorten the lag and shrink the error; with futures, investors
        also smooth prices over a quarter of the usual horizon, seeing scarcity sooner.
        """
        settings, conditions, month = self.settings, self.conditions, self.month
        self.sentiment.update(self.rng, settings.investor_noise_persistence)
        horizon = np.where(
            conditions.futures,
            settings.investment_expectation_months / 4.0,
            settings.investment_expectation_months,
        )
        self.mines.see_prices(raw, month, settings, horizon, conditions.report_lag)
        long_months = settings.investment_expectation_months
        for stage, clearing in ((RAW, raw), (REFINED, refined)):
            self.stockholders.see(clearing.destination_price, stage, self.world_threat, long_months)
        self.refineries.see_prices(refined, month, settings, horizon, conditions.report_lag)
        self.buyers.update_expectations(
            refined.destination_price,
            settings.expectation_months,
            settings.investment_expectation_months,
        )

    def _review_sites(self, month: int) -> None:
        """Mines and refineries losing money idle, then retire; idled ones may restart."""
        self.recorder.note_sites(month)
        capex = self.world.capex_usd_per_tpa
        self.mines.review_operations(month, self.settings, capex[RAW, self.mines.mineral])
        refineries = self.refineries
        refineries.review_operations(month, self.settings, capex[REFINED, refineries.mineral])

    def _invest(self, month: int) -> None:
        """Quarterly investment of mines and refineries, with the policies' changes."""
        error = self.sentiment.price_error(self.conditions.investor_noise)
        world, conditions, settings = self.world, self.conditions, self.settings
        with self.floors.investors_expect_floors():  # at least the floor, where one is in force
            self.mines.invest(month, world, conditions, settings, error)
            if self.byproducts is not None:
                self.byproducts.invest(month, self.mines, world, conditions, settings, error)
            self.refineries.invest(
                month, world, conditions, settings, error, self.mines, rules=self.rules
            )

    @property
    def last_clearing(self) -> list[Clearing | None]:
        """The last month's raw and refined clearings."""
        return self.observations.last_clearing

    def run(self) -> MineralsModel:
        """Step to the end of the horizon."""
        while self.month < self.running_months:
            self.step()
        return self


COMPLIANT = 2  # the compliant tier of the refined market (IRA rules), cleared on its own


def _traded(tier: BookClearing | None, participant: str, selling: bool) -> np.ndarray | float:
    """What a participant traded in the compliant tier (zero without one)."""
    if tier is None:
        return 0.0
    return tier.sold_by(participant) if selling else tier.bought_by(participant)


def _reserve_shares(calibration: Calibration, world: World) -> np.ndarray:
    """Share of world reserves by (mineral, country), from the calibration table."""
    shares = np.zeros((len(world.minerals), len(world.countries)))
    for row in calibration.reserves.itertuples():
        shares[world.minerals.index(row.mineral), world.countries.index(row.country)] += row.tonnes
    return shares / np.maximum(shares.sum(axis=1, keepdims=True), 1e-300)
