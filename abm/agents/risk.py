"""Supply risk: how much of each country's supply of a mineral restrictions threaten.

Users raise their cover when an origin they buy from restricts exports to them, or has
announced that it will (ODD section 4.3). The risk of a (country, mineral) is the share of
its refined purchases over the last year that came from origins restricting exports to it,
plus, for restrictions on ore, the restricting origin's share of the world's ore trade to
the countries it restricts (a threat to everyone's refined supply downstream), at most one.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from abm.policy.licensing import Restriction

RAW, REFINED = 0, 1


def ore_exposure(restrictions: Iterable[Restriction], raw_flows: np.ndarray) -> np.ndarray:
    """(country, mineral) share of each country's ore purchases from origins restricting ore
    exports to it, from a year of raw flows by (mineral, origin, destination)."""
    minerals, countries = raw_flows.shape[0], raw_flows.shape[1]
    threatened = np.zeros((countries, minerals))
    purchases = raw_flows.sum(axis=1)
    for r in restrictions:
        if r.stage != RAW:
            continue
        bought = purchases[r.mineral]
        share = np.divide(
            raw_flows[r.mineral, r.origin], bought, out=np.zeros(countries), where=bought > 0
        )
        threatened[:, r.mineral] += np.where(r.targets, share, 0.0)
    return np.minimum(threatened, 1.0)


def exposure(
    restrictions: Iterable[Restriction], raw_flows: np.ndarray, refined_flows: np.ndarray
) -> np.ndarray:
    """(country, mineral) share of refined supply threatened, from a year of flows by
    (mineral, origin, destination) at each stage."""
    minerals, countries = refined_flows.shape[0], refined_flows.shape[1]
    threatened = np.zeros((countries, minerals))
    purchases = refined_flows.sum(axis=1)  # (mineral, destination)
    raw_total = raw_flows.sum(axis=(1, 2))  # (mineral,)
    for r in restrictions:
        m, i = r.mineral, r.origin
        if r.stage == REFINED:
            bought = purchases[m]
            share = np.divide(
                refined_flows[m, i], bought, out=np.zeros(countries), where=bought > 0
            )
            threatened[:, m] += np.where(r.targets, share, 0.0)
        elif raw_total[m] > 0:
            withheld = raw_flows[m, i][r.targets].sum() / raw_total[m]
            everyone = np.ones(countries, dtype=bool)
            everyone[i] = False
            threatened[:, m] += np.where(everyone, withheld, 0.0)
    return np.minimum(threatened, 1.0)
