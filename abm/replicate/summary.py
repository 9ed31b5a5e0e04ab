"""What the replication keeps of one run: the few views its claims measure, small enough that
hundreds of runs fit in memory at once (2.7 MB for a run to 2040, against 24 MB for the
recorder).

Every array is computed from the recorder's books; nothing here is a result of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

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
    china_exports: np.ndarray  # (s, t, m): tonnes China ships abroad
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

    def month(self, text: str) -> int:
        """Index of a YYYY-MM month in this run."""
        return self.months.index(text)


def _weighted(price: np.ndarray, tonnes: np.ndarray, axis: int) -> np.ndarray:
    """Tonne-weighted mean price over ``axis``, NaN where nothing was bought."""
    total = tonnes.sum(axis=axis)
    value = np.where(tonnes > 0, np.nan_to_num(price) * tonnes, 0.0).sum(axis=axis)
    return np.divide(value, total, out=np.full_like(total, np.nan), where=total > 0)


def _by_location(output: np.ndarray, fleet, shape: tuple[int, int, int]) -> np.ndarray:
    """Site output (t, site) summed by (t, mineral, location)."""
    out = np.zeros(shape)
    np.add.at(out.transpose(1, 2, 0), (fleet.mineral, fleet.location), output.T)
    return out


def summarise(model: MineralsModel, scenario: str) -> Summary:
    """The replication's views of a finished run."""
    world, rec = model.world, model.recorder
    done = rec.months_done
    minerals, countries = tuple(world.minerals), tuple(world.countries)
    shape = (done, len(minerals), len(countries))
    cn = countries.index("CN")

    flows = rec.flows[:, :done]  # (s, t, m, origin, destination)
    bought = flows.sum(axis=3)  # (s, t, m, destination)
    price = rec.destination_price[:, :done]
    abroad = np.ones(len(countries), dtype=bool)
    abroad[cn] = False
    from_china = np.divide(
        flows[:, :, :, cn, :], bought, out=np.zeros_like(bought), where=bought > 0
    )

    mined = _by_location(rec.mine_output[:done], model.mines, shape)
    refined = _by_location(rec.refinery_output[:done], model.refineries, shape)
    recycled = np.zeros(shape)
    recyclers = model.recyclers
    np.add.at(
        recycled.transpose(1, 2, 0), (recyclers.mineral, recyclers.country), rec.recycled[:done].T
    )

    origin = np.nan_to_num(rec.origin_price[:, :done])  # (s, t, m, c)
    raw_at = np.nan_to_num(price[RAW])
    mine_cost = np.zeros(shape)
    np.add.at(
        mine_cost.transpose(1, 2, 0),
        (model.mines.mineral, model.mines.location),
        (rec.mine_output[:done] * model.mines.unit_cost).T,
    )
    refine_cost = np.zeros(shape)
    np.add.at(
        refine_cost.transpose(1, 2, 0),
        (model.refineries.mineral, model.refineries.location),
        (rec.refinery_output[:done] * model.refineries.unit_cost).T,
    )
    margins = (
        mined * origin[RAW]
        - mine_cost
        + refined * (origin[REFINED] - raw_at)
        - refine_cost
        + recycled * origin[REFINED]
        - _recycling_cost(model, shape, done)
    )

    demanded = rec.demanded[:done]
    consumed = rec.consumed[:done]
    log = model.policies.log_table()
    endogenous = log[log.cause == "endogenous"] if len(log) else log
    retaliations = (
        int(endogenous.reason.str.startswith("retaliation").sum()) if len(endogenous) else 0
    )
    premium = np.zeros((done, len(minerals)))
    table = _premiums(model)
    if table is not None:
        premium[:] = table
    return Summary(
        scenario=scenario,
        seed=int(model.seed_value),
        months=tuple(m.strftime("%Y-%m") for m in world.months[:done]),
        minerals=minerals,
        countries=countries,
        reference_price=np.asarray(world.reference_price, float).copy(),
        choke_price=model.settings.choke_multiple * np.asarray(world.reference_price)[:, REFINED],
        world_price=_weighted(price, bought, axis=3),
        price_in=price.copy(),
        ex_china_price=_weighted(price[..., abroad], bought[..., abroad], axis=3),
        china_exports=flows[:, :, :, cn, abroad].sum(axis=3),
        china_share_in=from_china,
        mined=mined,
        refined=refined,
        recycled=recycled.sum(axis=2),
        refining_capacity=_by_location(rec.refinery_capacity[:done], model.refineries, shape),
        mining_capacity=_by_location(rec.mine_capacity[:done], model.mines, shape),
        consumed=consumed.copy(),
        unmet=np.maximum(demanded - consumed, 0.0).sum(axis=2),
        premium_pct=premium,
        producer_surplus=margins.sum(axis=1),
        retaliations=retaliations,
        endogenous=len(endogenous),
    )


def _recycling_cost(model: MineralsModel, shape, done: int) -> np.ndarray:
    recyclers, rec = model.recyclers, model.recorder
    cost = np.zeros(shape)
    np.add.at(
        cost.transpose(1, 2, 0),
        (recyclers.mineral, recyclers.country),
        (rec.recycled[:done] * recyclers.cost).T,
    )
    return cost


def _premiums(model: MineralsModel) -> np.ndarray | None:
    """The compliant premium (t, m) in percent, as ``abm.outputs.premiums_table`` measures it."""
    from abm.outputs import premiums_table

    table = premiums_table(model)
    if table.empty:
        return None
    rec, world = model.recorder, model.world
    out = np.zeros((rec.months_done, len(world.minerals)))
    month = world.months[: rec.months_done].get_indexer(table.date)
    mineral = np.array([world.minerals.index(m) for m in table.mineral])
    out[month, mineral] = table.premium_pct.to_numpy()
    return out
