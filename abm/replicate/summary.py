"""What the replication keeps of one run: the few views its claims measure, small enough that
hundreds of runs fit in memory at once (2.7 MB for a run to 2040, against 24 MB for the
recorder).

Every array is computed from the recorder's books; nothing here is a result of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from abm.groups import tonne_weighted
from abm.outputs import compliant_premium
from abm.replicate.shocks import ShockSize, shock_sizes

if TYPE_CHECKING:
    from abm.model import MineralsModel

RAW, REFINED = 0, 1


@dataclass(frozen=True)
class Summary:
    """One finished run of one scenario and seed.

    Axes: ``s`` stage (raw, refined), ``t`` month, ``m`` mineral, ``c`` country.
    Prices are USD per tonne, quantities tonnes per month.
    """

    scenario: str
    seed: int
    months: tuple[str, ...]  # YYYY-MM
    minerals: tuple[str, ...]
    countries: tuple[str, ...]
    reference_price: np.ndarray  # (m, s): the 2023 price
    choke_price: np.ndarray  # (m,): refined choke price, where buyers buy nothing
    world_price: np.ndarray  # (s, t, m): delivered price weighted by tonnes bought
    price_in: np.ndarray  # (s, t, m, c): delivered price at each destination (NaN if none)
    ex_china_price: np.ndarray  # (s, t, m): tonne-weighted over destinations other than China
    china_exports: (
        np.ndarray
    )  # (s, t, m): tonnes China ships abroad, as recorded (unrecorded excluded)
    sold_by_origin: np.ndarray  # (s, t, m, c): tonnes each origin sells, home and abroad
    china_share_in: np.ndarray  # (s, t, m, c): share of each destination's purchases from China
    mined: np.ndarray  # (t, m, c): primary mine output by location
    refined: np.ndarray  # (t, m, c): primary refinery output by location
    recycled: np.ndarray  # (t, m): secondary refined output
    refining_capacity: np.ndarray  # (t, m, c): t/month
    mining_capacity: np.ndarray  # (t, m, c): t/month
    consumed: np.ndarray  # (t, m, c)
    unmet: np.ndarray  # (t, m): demand planned at long-run prices and not consumed
    premium_pct: np.ndarray  # (t, m): compliant-tier premium, 0 where no tier
    producer_surplus: np.ndarray  # (t, c): margins of mines, refineries, recyclers (USD)
    retaliations: int  # policies adopted in retaliation
    endogenous: int  # policies adopted by governments' own rules
    shocks: tuple[ShockSize, ...] = ()  # the scripted restrictions, sized in this world

    def month(self, text: str) -> int:
        """Index of a YYYY-MM month in this run."""
        return self.months.index(text)


def _by_place(per_site: np.ndarray, mineral, place, shape: tuple[int, int, int]) -> np.ndarray:
    """Monthly values per site (t, site) summed by (t, mineral, place)."""
    out = np.zeros(shape)
    np.add.at(out.transpose(1, 2, 0), (mineral, place), per_site.T)
    return out


def summarise(model: MineralsModel, scenario: str, policies=()) -> Summary:
    """The replication's views of a finished run; ``policies`` are the scenario's own, to size."""
    world, rec = model.world, model.recorder
    done = rec.months_done
    minerals, countries = tuple(world.minerals), tuple(world.countries)
    shape = (done, len(minerals), len(countries))
    cn = countries.index("CN")

    flows = rec.flows[:, :done]  # (s, t, m, origin, destination)
    bought = flows.sum(axis=3)  # (s, t, m, destination)
    price = rec.destination_price[:, :done]
    recorded = flows - rec.unrecorded_flows() if rec.leaks else flows  # what customs saw
    abroad = np.ones(len(countries), dtype=bool)
    abroad[cn] = False
    from_china = np.divide(
        flows[:, :, :, cn, :], bought, out=np.zeros_like(bought), where=bought > 0
    )

    mines, refineries, recyclers = model.mines, model.refineries, model.recyclers
    mine_output, refinery_output = rec.mine_output[:done], rec.refinery_output[:done]
    mined = _by_place(mine_output, mines.mineral, mines.location, shape)
    refined = _by_place(refinery_output, refineries.mineral, refineries.location, shape)
    recycled = _by_place(rec.recycled[:done], recyclers.mineral, recyclers.country, shape)
    mine_cost = _by_place(mine_output * mines.unit_cost, mines.mineral, mines.location, shape)
    refine_cost = _by_place(
        refinery_output * refineries.unit_cost, refineries.mineral, refineries.location, shape
    )
    recycling_cost = _by_place(
        rec.recycled[:done] * recyclers.cost, recyclers.mineral, recyclers.country, shape
    )
    origin = np.nan_to_num(rec.origin_price[:, :done])  # (s, t, m, c)
    raw_at = np.nan_to_num(price[RAW])
    margins = (
        mined * origin[RAW]
        - mine_cost
        + refined * (origin[REFINED] - raw_at)
        - refine_cost
        + recycled * origin[REFINED]
        - recycling_cost
    )

    demanded = rec.demanded[:done]
    consumed = rec.consumed[:done]
    log = model.policies.log_table()
    endogenous = log[log.cause == "endogenous"] if len(log) else log
    retaliations = (
        int(endogenous.reason.str.startswith("retaliation").sum()) if len(endogenous) else 0
    )
    premium, _ = compliant_premium(model)
    premium = np.where(rec.tiered[:done], premium, 0.0)
    return Summary(
        scenario=scenario,
        seed=int(model.seed_value or 0),  # the replication always seeds its runs
        months=tuple(m.strftime("%Y-%m") for m in world.months[:done]),
        minerals=minerals,
        countries=countries,
        reference_price=np.asarray(world.reference_price, float).copy(),
        choke_price=model.buyers.price_bound(model.settings, len(world.minerals)),
        world_price=tonne_weighted(price, bought, axis=3),
        price_in=price.copy(),
        ex_china_price=tonne_weighted(price[..., abroad], bought[..., abroad], axis=3),
        china_exports=recorded[:, :, :, cn, abroad].sum(axis=3),
        sold_by_origin=flows.sum(axis=4),
        china_share_in=from_china,
        mined=mined,
        refined=refined,
        recycled=recycled.sum(axis=2),
        refining_capacity=_by_place(
            rec.refinery_capacity[:done], refineries.mineral, refineries.location, shape
        ),
        mining_capacity=_by_place(rec.mine_capacity[:done], mines.mineral, mines.location, shape),
        consumed=consumed.copy(),
        unmet=np.maximum(demanded - consumed, 0.0).sum(axis=2),
        premium_pct=premium,
        producer_surplus=margins.sum(axis=1),
        retaliations=retaliations,
        endogenous=len(endogenous),
        shocks=shock_sizes(model, scenario, list(policies)),
    )
