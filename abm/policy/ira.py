"""IRA content rules: a compliant tier of the refined market, with its own price.

With an ``ira_rules`` policy in force (held by the US government), each month:

* A refined tonne is compliant when it was processed in the US or an FTA partner by a refiner
  whose owner is not a foreign entity of concern (FEOC), from ore not mined by an FEOC-owned
  mine; or recycled in North America (US, CA). Provenance of ore: a refinery's raw purchases
  this month, by origin, times the share of each origin's sales made by non-FEOC owners
  (ore from one origin is mixed).
* Compliant sellers first offer their compliant tonnes in the compliant tier at no less than
  what the same tonnes fetch in the ordinary market (last month's price at their location;
  the ask is lifted by the ramp width so that no tonne is offered below it): compliant
  material can always be sold as ordinary, never the other way round.
* US battery makers need compliant supply for ``share`` of their purchases, where share is
  the year's minerals schedule times ``1 - leasing_share``. They will pay up to the ordinary
  price they expect plus the credit's worth per tonne: ``credit_per_vehicle`` spread over
  the covered minerals in a vehicle by value (``KG_PER_VEHICLE``, an estimate).
* The compliant tier clears first; what is left of supply and demand then clears in the
  ordinary market. The compliant price minus the ordinary one is the premium; it exists
  only while the rule binds and compliant supply is scarce.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np

from abm.market import Asks, Bids, Clearing
from abm.orders import OrderBook
from abm.policy.instruments import Policy, required_share

if TYPE_CHECKING:
    from abm.agents.buyer import BuyerFleet
    from abm.agents.producer import MineFleet
    from abm.agents.recycler import RecyclerFleet
    from abm.agents.refiner import RefineryFleet
    from abm.observations import Observations
    from abm.policy.effects import PolicyBook
    from abm.settings import ModelSettings
    from abm.world import World


class Market(Protocol):
    """What the compliance rule reads: the policies, the world, the agent sets, and the
    last ordinary clearing (``observations``)."""

    policies: PolicyBook
    world: World
    settings: ModelSettings
    observations: Observations
    mines: MineFleet
    refineries: RefineryFleet
    recyclers: RecyclerFleet
    buyers: BuyerFleet


NORTH_AMERICA = ("US", "CA")
# Contained mineral in one electric car's battery (about 60 kWh NMC/graphite): ESTIMATE from
# IEA Global EV Outlook battery chemistry averages (lithium ~0.1 kg LCE per kWh, nickel
# ~0.5 kg/kWh, cobalt ~0.08 kg/kWh, graphite ~0.9 kg/kWh).
KG_PER_VEHICLE = {
    "lithium": 6.0,
    "graphite": 50.0,
    "cobalt": 5.0,
    "nickel": 30.0,
    "copper": 0.0,
    "rare_earths": 0.0,
    "gallium": 0.0,
    "germanium": 0.0,
}


@dataclass
class CompliancePlan:
    """What the rule in force implies this month."""

    covered: np.ndarray  # (mineral,) bool
    share: float  # required compliant share of US battery makers' purchases
    credit_per_t: np.ndarray  # (mineral,) USD per tonne of contained mineral
    refiners: np.ndarray  # (refinery,) bool: location and owner qualify
    recyclers: np.ndarray  # (recycler,) bool
    ore_share: np.ndarray  # (mineral, country) share of this month's ore that is FEOC-free
    buyers: np.ndarray  # (buyer,) bool: US battery makers


def active_rule(model: Market, month: int) -> Policy | None:
    """The IRA rules in force in ``month``, if any."""
    for _, policy in model.policies.in_force(month):
        if policy.kind == "ira_rules":
            return policy
    return None


def plan(model: Market, month: int, raw: Clearing) -> CompliancePlan | None:
    """The compliance conditions of this month, or None without a rule (or a zero share)."""
    rule = active_rule(model, month)
    if rule is None:
        return None
    world = model.world
    year = int(world.months[month].year)
    share = required_share(rule.param("minerals_schedule"), year) * (
        1.0 - rule.param("leasing_share")
    )
    if share <= 0:
        return None
    index = {c: i for i, c in enumerate(world.countries)}
    qualifying = np.zeros(len(world.countries), dtype=bool)
    qualifying[[index[c] for c in {rule.country, *rule.param("fta_partners")}]] = True
    feoc = np.zeros(len(world.countries), dtype=bool)
    feoc[[index[c] for c in rule.param("feoc")]] = True
    covered = np.isin(world.minerals, rule.param("covered"))
    refineries = model.refineries
    refiners = (
        qualifying[refineries.location] & ~feoc[refineries.owner] & covered[refineries.mineral]
    )
    recyclers = model.recyclers
    america = np.isin(np.asarray(world.countries)[recyclers.country], NORTH_AMERICA)
    recycling = america & covered[recyclers.mineral]
    buyers = model.buyers
    sector = np.asarray(world.buyers.sector)
    makers = (buyers.country == index[rule.country]) & (sector == "batteries")
    return CompliancePlan(
        covered=covered,
        share=share,
        credit_per_t=_credit_per_tonne(model, rule, covered),
        refiners=refiners,
        recyclers=recycling,
        ore_share=_feoc_free_ore(model, raw, feoc),
        buyers=makers,
    )


def _credit_per_tonne(model: Market, rule: Policy, covered: np.ndarray) -> np.ndarray:
    """The credit spread over a vehicle's covered minerals by their 2023 value."""
    price = model.world.reference_price[:, 1]
    kilograms = np.array([KG_PER_VEHICLE[m] for m in model.world.minerals]) * covered
    value = (kilograms / 1000.0 * price).sum()
    if value <= 0:
        return np.zeros(len(price))
    return rule.param("credit_per_vehicle") * price / value * covered


def _feoc_free_ore(model: Market, raw: Clearing, feoc: np.ndarray) -> np.ndarray:
    """Share of each (mineral, refinery country)'s ore this month not mined by FEOC owners."""
    mines, world = model.mines, model.world
    minerals, countries = len(world.minerals), len(world.countries)
    sold = np.zeros((minerals, countries))
    clean = np.zeros((minerals, countries))
    np.add.at(sold, (mines.mineral, mines.location), mines.output)
    np.add.at(clean, (mines.mineral, mines.location), mines.output * ~feoc[mines.owner])
    clean_share = np.divide(clean, sold, out=np.zeros_like(clean), where=sold > 0)
    arriving = raw.flows.sum(axis=1)  # (mineral, destination)
    clean_arriving = (raw.flows * clean_share[:, :, None]).sum(axis=1)
    return np.divide(clean_arriving, arriving, out=np.zeros_like(arriving), where=arriving > 0)


def tier_book(model: Market, rules: CompliancePlan, book: OrderBook) -> OrderBook:
    """The compliant tier's orders, from the ordinary market's ``book``: compliant refiners'
    and recyclers' asks, and US battery makers' bids (some of the buyers' rows)."""
    refiner_asks, recycler_asks = book.asks["refiners"], book.asks["recyclers"]
    buyer_bids = book.bids["buyers"]
    general = model.observations.last_clearing[1]
    refineries, buyers = model.refineries, model.buyers

    lift = np.exp(model.settings.ramp_width)  # a seller's ramp then starts at the floor

    def floor(market, origin, ask):
        if general is None:
            return ask * lift
        seen = general.origin_price[market, origin]
        return np.maximum(ask, np.where(np.isfinite(seen), seen, ask)) * lift

    # The refiners' asks are slice-major rows of every refinery (RefineryFleet.asks).
    per_refinery = len(refiner_asks.market) // len(refineries)
    ore = np.tile(rules.ore_share[refineries.mineral, refineries.location], per_refinery)
    compliant = np.tile(rules.refiners, per_refinery)
    refiners = Asks(
        market=refiner_asks.market,
        origin=refiner_asks.origin,
        quantity=np.where(compliant, refiner_asks.quantity * ore, 0.0),
        price=floor(refiner_asks.market, refiner_asks.origin, refiner_asks.price),
        matched=None
        if refiner_asks.matched is None
        else np.where(compliant, refiner_asks.matched * ore, 0.0),
        spread=refiner_asks.spread,
    )
    recycling = Asks(
        market=recycler_asks.market,
        origin=recycler_asks.origin,
        quantity=np.where(rules.recyclers, recycler_asks.quantity, 0.0),
        price=floor(recycler_asks.market, recycler_asks.origin, recycler_asks.price),
    )
    rows, columns = buyers.rows, buyers.columns
    wanted = np.flatnonzero(rules.buyers[rows] & rules.covered[columns])
    rows, columns = rows[wanted], columns[wanted]
    quantity = rules.share * buyer_bids.quantity[wanted]
    expected = buyers.expected_price[rows, columns]
    bids = Bids(
        market=buyer_bids.market[wanted],
        destination=buyer_bids.destination[wanted],
        quantity=quantity,
        reference_price=np.maximum(buyers.expected_compliant_price[rows, columns], expected),
        elasticity=buyer_bids.elasticity[wanted],
        max_price=expected + rules.credit_per_t[columns],
        max_quantity=quantity,
    )
    tier = OrderBook()
    tier.add_asks("refiners", refiners)
    tier.add_asks("recyclers", recycling)
    tier.add_bids("buyers", bids, rows=wanted, size=len(buyer_bids.market))
    return tier
