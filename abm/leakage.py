"""Leakage: restricted trade that reaches its buyers through a third country.

A pair (origin ``i``, destination ``j``) closed by a ban (or a quota of zero), or capped by a
quota, may still be served through a third country ``k``: the goods go ``i -> k``, are
relabelled there and go on ``k -> j`` (antimony oxides to the US through Thailand and Mexico
after China's December 2024 ban; ``docs/DATA.md`` section 7). The route is the cheapest
eligible ``k`` at last month's origin price: not ``i`` or ``j``, and trading freely with both
(no ban or quota from ``i`` to ``k``, none from ``k`` to ``j``), so a restriction on every
target leaks nothing. The route's cost is the two legs' freight, ``j``'s tariff on ``k``,
``i``'s export tax to ``k``, and a relabelling and enforcement cost, ad valorem on the origin
value. The enforcement cost rises with the tonnes the route carried in the last 12 months,
from ``leak_enforcement_cost_share`` with none to that plus ``leak_enforcement_rise`` after a
full year at the limit: enforcement reacts to the volumes it detects. The route carries at
most ``leak_limit_share`` of the pair's mean monthly flow in the 12 months before it was
first restricted, shrunk by any enforcement crackdown.

In the market a closed pair's cell carries the route itself, its cap (the market's quota
rent) at the limit. A capped pair ships its quota direct, and up to the limit more once its
quota rent reaches the route's delivered cost over its own (at last month's origin price):
its supply is a staircase (``abm.market_quota``). Leaked goods spend the months of both legs
in transit.

Exports outside authorised channels (China's rare earths in 2006-2012, mislabelled as iron
oxide or alloys; ``docs/DATA.md`` section 9) are a second route of the same kind whose
``via`` is the origin itself: the goods go ``i -> j`` direct but unrecorded, evading the
export tax, at a mislabelling cost (``evasion_mislabel_cost_share``) and the same expected
enforcement cost, rising with the unrecorded tonnes of the last 12 months. It carries at
most ``evasion_limit_share`` of the pre-restriction flow, shrunk by crackdowns like the
third-country route, so it also serves a restriction on every target. A pair takes the
cheaper of its two routes at last month's origin price (one route a pair and month: the
market's staircase has one step). Unrecorded tonnes are in the flows and the books, but
not in the public record licensing and governments read (``abm.observations``).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from abm.market import Frictions

WINDOW_MONTHS = 12  # the pre-restriction flow and the leaked volume are measured over a year
DIRECT = -1  # ``via`` where the tonnes go direct


class Leakage:
    """Each stage's leak routes this month, the pre-restriction flows and the tonnes leaked."""

    def __init__(self, minerals: int, countries: int, settings):
        shape = (2, minerals, countries, countries)
        self.limit_share = settings.leak_limit_share
        self.relabel = settings.leak_relabel_cost_share
        self.enforcement = settings.leak_enforcement_cost_share
        self.rise = settings.leak_enforcement_rise
        self.evasion_share = settings.evasion_limit_share
        self.mislabel = settings.evasion_mislabel_cost_share
        self.baseline = np.full(shape, np.nan)  # t/month before the pair was first closed
        self.leaked = np.zeros((2, WINDOW_MONTHS, *shape[1:]))  # t by month, a ring
        self.unrecorded = np.zeros_like(self.leaked)  # the part that left unrecorded, a ring
        self.origin = np.arange(countries)[None, :, None]  # ``via`` of an unrecorded route
        self.via = np.full(shape, DIRECT, dtype=np.int16)  # this month's routes
        self.via_months = np.zeros(shape)  # months in transit of this month's routes
        self.quota = np.zeros(shape)  # the quota a capped pair's leak starts beyond
        self.months = np.zeros(2, dtype=int)  # months recorded, per stage

    def route(
        self,
        stage: int,
        frictions: Frictions,
        allowance: np.ndarray,
        origin_price: np.ndarray,
        recent_flows,
        transit_months: np.ndarray,
    ) -> Frictions:
        """The frictions with this month's leak routes: in a closed pair's cell, the route
        itself; in a capped pair's, the leak beyond its quota at the route's cost.

        ``allowance`` (mineral, origin, destination) is the share of the leak limit that
        crackdowns leave; ``origin_price`` (mineral, country) last month's prices;
        ``recent_flows(months)`` the (month, mineral, origin, destination) flows seen;
        ``transit_months`` (origin, destination) the routes' months.
        """
        self.via[stage] = DIRECT
        free = frictions.allowed & np.isinf(frictions.cap_tonnes)
        restricted = ~free
        baseline = self.baseline[stage]
        baseline[free] = np.nan  # trade reopened: the next restriction is measured afresh
        if (self.limit_share <= 0 and self.evasion_share <= 0) or not restricted.any():
            return frictions
        unmeasured = restricted & np.isnan(baseline)
        if unmeasured.any():
            window = recent_flows(WINDOW_MONTHS)
            seen = window.mean(axis=0) if len(window) else np.zeros(baseline.shape)
            baseline[unmeasured] = seen[unmeasured]
        limit = self.limit_share * baseline * allowance
        leaking = restricted & (limit > 0)
        if leaking.any():
            via, found = _cheapest_via(frictions, free, origin_price)
            leaking &= found
        else:
            via = np.full(baseline.shape, DIRECT, dtype=np.intp)
        unrecorded = self._unrecorded_cheaper(
            stage, frictions, restricted, leaking, via, baseline * allowance, origin_price
        )
        if unrecorded is not None:
            leaking |= unrecorded
            via = np.where(unrecorded, self.origin, via)
            limit = np.where(unrecorded, self.evasion_share * baseline * allowance, limit)
        if not leaking.any():
            return frictions
        m, i, j = np.nonzero(leaking)
        k = via[m, i, j]
        transport, tariff, tax = (
            frictions.transport_usd_per_t,
            frictions.tariff,
            frictions.export_tax,
        )
        year_at_limit = WINDOW_MONTHS * limit[m, i, j]
        carried = self._third_country_year(stage, m, i, j) / year_at_limit
        markup = self.relabel + self.enforcement + self.rise * np.minimum(carried, 1.0)
        route_tax = (1.0 + tax[m, i, k]) * (1.0 + markup) - 1.0
        route_transport = transport[m, i, k] + transport[m, k, j]
        route_tariff = tariff[m, k, j]
        if unrecorded is not None:  # one leg, no export tax, the evasion markup
            own = k == i
            route_tax[own] = self._evasion_markup(stage, m, i, j, limit)[own]
            route_transport[own] = transport[m, i, j][own]
        closed = ~frictions.allowed[m, i, j] | (frictions.cap_tonnes[m, i, j] <= 0)
        leak_tonnes, leak_rent = np.zeros(leaking.shape), np.full(leaking.shape, np.inf)
        routed = replace(
            frictions,
            transport_usd_per_t=transport.copy(),
            tariff=tariff.copy(),
            export_tax=tax.copy(),
            allowed=frictions.allowed.copy(),
            cap_tonnes=frictions.cap_tonnes.copy(),
            leak_tonnes=leak_tonnes,
            leak_rent=leak_rent,
        )
        # A closed pair's cell carries the route itself, within the limit.
        c = (m[closed], i[closed], j[closed])
        routed.transport_usd_per_t[c] = route_transport[closed]
        routed.tariff[c] = route_tariff[closed]
        routed.export_tax[c] = route_tax[closed]
        routed.allowed[c] = True
        routed.cap_tonnes[c] = limit[c]
        # A capped pair ships its quota direct, and the limit more once buyers pay the
        # route's cost over its own (at last month's origin price).
        q = (m[~closed], i[~closed], j[~closed])
        price = np.nan_to_num(origin_price, nan=0.0)[q[0], q[1]]
        own = ((1.0 + tax[q]) * price + transport[q]) * (1.0 + tariff[q])
        round_about = ((1.0 + route_tax[~closed]) * price + route_transport[~closed]) * (
            1.0 + route_tariff[~closed]
        )
        leak_tonnes[q] = limit[q]
        leak_rent[q] = np.maximum(round_about / np.maximum(own, 1e-300), 1.0)
        self.via[stage, m, i, j] = k
        self.via_months[stage, m, i, j] = np.where(
            k == i, transit_months[i, j], transit_months[i, k] + transit_months[k, j]
        )
        self.quota[stage] = 0.0
        self.quota[stage][q] = frictions.cap_tonnes[q]
        return routed

    def _third_country_year(self, stage: int, m, i, j) -> np.ndarray:
        """Tonnes cells (m, i, j) leaked through third countries in the last 12 months."""
        return (self.leaked[stage][:, m, i, j] - self.unrecorded[stage][:, m, i, j]).sum(axis=0)

    def _evasion_markup(self, stage: int, m, i, j, limit: np.ndarray) -> np.ndarray:
        """The unrecorded route's cost share of the origin value for cells (m, i, j): the
        mislabelling and an enforcement cost rising with the unrecorded tonnes of a year."""
        year_at_limit = WINDOW_MONTHS * np.maximum(limit[m, i, j], 1e-300)
        carried = self.unrecorded[stage][:, m, i, j].sum(axis=0) / year_at_limit
        return self.mislabel + self.enforcement + self.rise * np.minimum(carried, 1.0)

    def _unrecorded_cheaper(
        self, stage, frictions, restricted, leaking, via, allowed_flow, origin_price
    ) -> np.ndarray | None:
        """Where the unrecorded route serves a restricted pair: it is open (a positive
        limit) and the pair has no third-country route or a dearer one. None: it is off."""
        if self.evasion_share <= 0:
            return None
        open_ = restricted & (self.evasion_share * allowed_flow > 0)
        if not open_.any():
            return None
        both = open_ & leaking
        if both.any():
            m, i, j = np.nonzero(both)
            k = via[m, i, j]
            price = np.nan_to_num(origin_price, nan=0.0)[m, i]
            tax, transport, tariff = (
                frictions.export_tax,
                frictions.transport_usd_per_t,
                frictions.tariff,
            )
            year_at_limit = WINDOW_MONTHS * np.maximum(
                self.limit_share * allowed_flow[m, i, j], 1e-300
            )
            carried = self._third_country_year(stage, m, i, j) / year_at_limit
            markup = self.relabel + self.enforcement + self.rise * np.minimum(carried, 1.0)
            third = ((1.0 + tax[m, i, k]) * (1.0 + markup) * price + transport[m, i, k]) + (
                transport[m, k, j]
            )
            third *= 1.0 + tariff[m, k, j]
            evasion = self._evasion_markup(stage, m, i, j, self.evasion_share * allowed_flow)
            direct = ((1.0 + evasion) * price + transport[m, i, j]) * (1.0 + tariff[m, i, j])
            open_[m, i, j] = direct <= third
        return open_

    def record(self, stage: int, flows: np.ndarray) -> np.ndarray:
        """Keep and return this month's leaked tonnes: all a closed pair's cell carried, and
        what a capped pair shipped beyond its quota (its own tolerance aside)."""
        slot = self.months[stage] % WINDOW_MONTHS
        self.months[stage] += 1
        self.unrecorded[stage, slot] = 0.0
        if not (self.via[stage] != DIRECT).any():
            self.leaked[stage, slot] = 0.0
            return self.leaked[stage, slot]
        quota = self.quota[stage]
        beyond = np.where(flows > quota * (1.0 + 1e-5), flows - quota, 0.0)
        self.leaked[stage, slot] = np.where(self.via[stage] != DIRECT, beyond, 0.0)
        own = self.via[stage] == self.origin
        self.unrecorded[stage, slot] = np.where(own, self.leaked[stage, slot], 0.0)
        return self.leaked[stage, slot]

    def unrecorded_now(self) -> np.ndarray:
        """(stage, mineral, origin, destination) tonnes that left unrecorded in the month
        last recorded: not in the public record (``abm.observations``)."""
        return np.stack([self.unrecorded[s, (self.months[s] - 1) % WINDOW_MONTHS] for s in (0, 1)])

    def leaked_now(self, stage: int) -> np.ndarray:
        """(mineral, origin, destination) tonnes leaked in the month last recorded."""
        return self.leaked[stage, (self.months[stage] - 1) % WINDOW_MONTHS]

    def route_lags(
        self, stage: int, fractions: np.ndarray, flows: np.ndarray, lag_fractions
    ) -> np.ndarray:
        """The (lag, mineral, origin, destination) arrival fractions of this month's
        ``flows``, the leaked part of a cell over the route's two legs; ``fractions`` (the
        direct routes') broadcasts to them."""
        leaked = self.leaked_now(stage)
        leaking = leaked > 0
        if not leaking.any():
            return fractions
        lags = np.broadcast_to(fractions, fractions.shape[:1] + leaking.shape).copy()
        part = leaked[leaking] / flows[leaking]
        round_about = lag_fractions(self.via_months[stage][leaking])
        lags[:, leaking] = (1.0 - part) * lags[:, leaking] + part * round_about
        return lags


def _cheapest_via(
    frictions: Frictions, free: np.ndarray, origin_price: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For every pair, the third country with the cheapest delivered cost at ``origin_price``
    among those trading freely with both ends, and whether there is one (mineral, i, j)."""
    n = free.shape[1]
    price = np.nan_to_num(origin_price, nan=0.0)[:, :, None, None]  # (m, i, k, j)
    tax, transport, tariff = frictions.export_tax, frictions.transport_usd_per_t, frictions.tariff
    cost = ((1.0 + tax[:, :, :, None]) * price + transport[:, :, :, None] + transport[:, None]) * (
        1.0 + tariff[:, None]
    )
    eligible = free[:, :, :, None] & free[:, None, :, :]
    third = np.arange(n)
    distinct = third[:, None] != third[None, :]
    eligible &= distinct[None, :, :, None] & distinct[None, None, :, :]  # k is neither i nor j
    cost = np.where(eligible, cost, np.inf)
    via = cost.argmin(axis=2)
    return via, np.isfinite(np.take_along_axis(cost, via[:, :, None], axis=2)[:, :, 0])
