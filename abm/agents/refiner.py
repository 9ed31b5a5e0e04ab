"""Refiner: buys raw material, converts it one-for-one (contained basis), sells refined."""

from __future__ import annotations

import numpy as np

from abm.agents.owners import ProjectTerms, stranded_ore
from abm.agents.sites import SiteAgent, SiteFleet
from abm.agents.storage import cover_slices, reservation_price, share_kept
from abm.market import Asks, Bids
from abm.market_solver import in_the_money

RAW, REFINED = 0, 1  # stage indices of the world's (stage, mineral) tables


class RefineryFleet(SiteFleet):
    """Every refinery, as arrays: the refiners' agent set, with their stocks and input costs.

    Each month a refinery bids for raw material: its capacity, plus a share of the gap to
    its cover of ore (months of capacity, raised by the supply risk of its origins), less any
    excess of refined stock over its target, at up to the refined price it expects less its
    conversion cost. It refines what it holds beyond the ore cover it keeps (all of it at
    normal prices, less as the refined price rises), up to capacity, and offers refined stock
    above its product cover at marginal cost (raw price plus conversion cost), the cover in
    slices dearer as it runs down (``abm.agents.storage``). It invests like a mine, judging
    the margin over raw input.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.raw_stock = np.zeros(len(self))  # t bought, not yet refined
        self.refined_stock = np.zeros(len(self))  # t refined, not yet sold
        self.raw_bought = np.zeros(len(self))
        self.raw_price_paid = np.full(len(self), np.nan)  # USD/t delivered, last purchase
        self.raw_price_seen = np.full(len(self), np.nan)  # USD/t delivered, this month
        self.ore_price_expected = np.full(len(self), np.nan)  # USD/t delivered, long run
        self.processed = np.zeros(len(self))
        self.sold = np.zeros(len(self))
        self.raw_cover_months = np.zeros(len(self))  # ore cover without supply risk
        self.product_cover_months = np.zeros(len(self))  # refined stock target
        self.utilisation = np.ones(len(self))  # 2023 utilisation of the mineral's refining
        self.raw_risk = np.zeros(len(self))  # supply risk of the ore, 0 to 1

    def raw_bids(self, month: int, settings, raw_reference: np.ndarray) -> Bids:
        """Raw purchases planned from capacity and stocks, priced from the expected margin."""
        capacity = self.operating_capacity(month)
        surplus = np.maximum(self.refined_stock - self.product_cover(capacity), 0.0)
        cover = self.ore_cover(capacity, settings)
        gap = (cover - self.raw_stock) / settings.inventory_adjustment_months
        quantity = np.clip(capacity + gap - surplus / 2.0, 0.0, 2.0 * capacity)
        willingness = self.expected_price - self.unit_cost
        floor = 0.05 * raw_reference[self.mineral]
        max_price = np.maximum(willingness, floor)
        return Bids(
            market=self.mineral,
            destination=self.location,
            quantity=quantity,
            reference_price=max_price,
            elasticity=np.full(len(self), settings.raw_bid_elasticity),
            max_price=max_price,
            max_quantity=quantity,
        )

    def operating_margins(self) -> tuple[np.ndarray, np.ndarray]:
        """USD/t a refinery expects on a tonne it runs, now and in the long run: the refined
        price less its conversion cost and the ore delivered at home (this month's price,
        else the last paid; in the long run the ore price it expects there)."""
        conversion = self.unit_cost
        now = self.expected_price - conversion - self._ore_price_now()
        return now, self.investment_price - conversion - self.ore_price_expected

    def _ore_price_now(self) -> np.ndarray:
        """USD/t of ore delivered at home this month, else what the refinery last paid."""
        seen = self.raw_price_seen
        return np.where(np.isfinite(seen), seen, self.raw_price_paid)

    def review_operations(self, month: int, settings, restart_capex_usd_per_tpa) -> None:
        """Expect the ore price delivered at home (this month's, else the last paid) as
        investors smooth prices, then idle, restart or retire (``SiteFleet``)."""
        ore = self._ore_price_now()
        seen = self.ore_price_expected
        step = (ore - seen) / settings.investment_expectation_months
        self.ore_price_expected = np.where(np.isnan(seen), ore, seen + np.nan_to_num(step))
        super().review_operations(month, settings, restart_capex_usd_per_tpa)

    def usable_capacity(self, month: int, ahead: np.ndarray | int | None = None) -> np.ndarray:
        """The capacity investors count (``SiteFleet.usable_capacity``) less the share that
        cannot get feed: the share of its ore bought over the last year from origins that
        now restrict ore exports to it (``raw_risk``, fading once they lift). It counts
        again as the refinery's purchases re-form, or leaves when it idles."""
        return super().usable_capacity(month, ahead) * (1.0 - self.raw_risk)

    def product_cover(self, capacity: np.ndarray) -> np.ndarray:
        """Tonnes of refined stock the refinery wants at ``capacity``: covers are months of
        output at the 2023 utilisation of the stage."""
        return self.product_cover_months * capacity * self.utilisation

    def ore_cover(self, capacity: np.ndarray, settings) -> np.ndarray:
        """Tonnes of ore the refinery wants in stock at ``capacity``: its cover, raised by
        supply risk, in months of output at the 2023 utilisation."""
        cover = self.raw_cover_months + settings.risk_cover_months * self.raw_risk
        return cover * capacity * self.utilisation

    def ore_kept(self, capacity: np.ndarray, settings) -> np.ndarray:
        """Of the ore cover, the tonnes not refined this month.

        Cover is a buffer, drawn as a refined price above normal pays for it: at the
        expected refined price ``p`` against the normal (long-run) price ``P`` a share
        ``(p / P) ** -release_elasticity`` (at most all) is kept, the users' supply of
        storage read the other way round (``BuyerFleet._slices``). Refining every tonne held,
        up to capacity, would spend the cover in the first months of any run.
        """
        kept = share_kept(self.expected_price, self.investment_price, settings.release_elasticity)
        return self.ore_cover(capacity, settings) * kept

    def see_risk(self, exposure: np.ndarray, settings) -> None:
        """Ore supply risk at each refinery's location (``exposure`` by (country, mineral)),
        fading over ``risk_memory_months``."""
        faded = self.raw_risk * np.exp(-1.0 / settings.risk_memory_months)
        self.raw_risk = np.maximum(faded, exposure[self.location, self.mineral])

    def take_delivery(
        self, bought: np.ndarray, arrived: np.ndarray, price_seen: np.ndarray, month: int, settings
    ) -> None:
        """Buy raw material at this month's delivered price at home, take in what
        ``arrived`` (this and earlier months' purchases), and refine what capacity allows
        beyond the ore cover the refinery keeps (``ore_kept``)."""
        self.raw_bought = bought
        self.raw_price_seen = price_seen
        self.raw_price_paid = np.where(bought > 0, price_seen, self.raw_price_paid)
        self.raw_stock = self.raw_stock + arrived
        capacity = self.operating_capacity(month)
        refinable = np.maximum(self.raw_stock - self.ore_kept(capacity, settings), 0.0)
        self.processed = np.minimum(refinable, capacity)
        self.output = self.processed
        self.raw_stock = self.raw_stock - self.processed
        self.refined_stock = self.refined_stock + self.processed

    def asks(self, month: int, settings, last_price: np.ndarray) -> Asks:
        """Refined stock offered: what exceeds the product cover at marginal cost (the raw
        price paid, this month's where nothing was ever bought, plus conversion); the cover in
        slices, each at the higher of that cost and its reservation price on the normal
        (long-run) price (``abm.agents.storage``). Rows are slice-major: the stock above
        cover, then each slice from the top, every refinery in each. A slice counts in buyers'
        choice of origin as far as it was in the money at last month's delivered price
        there (``last_price``, (mineral, country))."""
        raw = np.where(np.isnan(self.raw_price_paid), self.raw_price_seen, self.raw_price_paid)
        cost = raw + self.unit_cost
        target = self.product_cover(self.operating_capacity(month))
        held, middle = cover_slices(self.refined_stock, target)
        above = np.maximum(self.refined_stock - target, 0.0)
        normal = np.where(np.isfinite(self.investment_price), self.investment_price, cost)
        reserve = np.maximum(reservation_price(normal, middle, settings.release_elasticity), cost)
        count = len(held) + 1
        market, origin = np.tile(self.mineral, count), np.tile(self.location, count)
        price = np.concatenate((cost[None], reserve)).ravel()
        quantity = np.concatenate((above[None], held)).ravel()
        at_cost = np.arange(len(quantity)) < len(self)
        width = settings.cover_price_spread
        seen = in_the_money(last_price[market, origin], price, width)
        return Asks(
            market=market,
            origin=origin,
            quantity=quantity,
            price=price,
            matched=np.where(at_cost, np.nan, quantity * seen),
            spread=np.where(at_cost, np.nan, width),
        )

    def per_refinery(self, by_row: np.ndarray) -> np.ndarray:
        """Tonnes of a row-by-row result of ``asks`` summed per refinery."""
        return by_row.reshape(-1, len(self)).sum(axis=0)

    def invest(
        self, month: int, world, conditions, settings, price_error: np.ndarray, mines, rules=None
    ) -> None:
        """Quarterly investment, judged on the conversion cost plus the long-run price of
        the ore a new refinery here would run on (``mines``' expectations, not the last
        cargo), with the policies' capex and lead-time changes (``conditions``). Where
        ``rules`` ban the ore's export, investors know it is stranded at home and judge it at
        the lower of that and what it fetches there now (``stranded_ore``)."""
        raw_long = mines.long_run_ore_price(world.reference_price[:, RAW])
        countries = len(world.countries)
        ore = mines.local_ore_price(month, raw_long, countries)
        if rules is not None:
            now = mines.local_ore_price(month, raw_long, countries, short_run=True)
            ore = np.where(stranded_ore(rules.allowed[RAW]), np.fmin(ore, now), ore)
        ore = ore.take(self.cell)
        lead = conditions.refinery_lead_multiplier
        build = world.build_months[REFINED, self.mineral] * lead
        self.commission(
            month,
            self.new_capacity_cost + ore,
            world.capex_usd_per_tpa[REFINED, self.mineral] * conditions.capex_multiplier[REFINED],
            world.decision_months[REFINED, self.mineral],
            build,
            world.ramp_months[REFINED, self.mineral] * lead,
            settings,
            price_error=price_error[self.mineral],
            drive_boost=conditions.investment_boost[self.location],
            demand_path=world.demand_path,
            projects=ProjectTerms.of(
                REFINED, self, build, china=world.countries.index("CN"), lead=lead
            ),
        )

    def deliver(self, sold: np.ndarray) -> None:
        """Hand over what the market took from refined stock (by row of ``asks``)."""
        sold = self.per_refinery(sold)
        self.sold = sold
        self.refined_stock = self.refined_stock - sold


class Refiner(SiteAgent):
    """A refinery: a view of one row of ``RefineryFleet``, for the page and for users who
    inspect agents."""

    @property
    def conversion_cost_usd_per_t(self) -> float:
        """What this refinery spends to turn one tonne of ore into refined metal."""
        return float(self.fleet.unit_cost[self.index])
