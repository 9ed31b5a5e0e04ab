"""Owners as investors: budgets by owner, projects placed across locations, in modules.

A site's owner (a country's firms, ``SiteFleet.owner``) decides where its next projects go,
not the site itself. Each quarter an owner's budget for one mineral and stage is its
worldwide capacity (at least an entrant's ``entry_share`` of the world's) times the
investment rate times the drive it expects where it would build; it places that budget
across the (mineral, location) cells open to it by a multinomial logit on the log of the
expected price over the full cost of a new tonne there (the profitability index of the
project: price, operating cost, the ore a refinery would run on, capex and policy),
with sensitivity ``location_sensitivity``. A cell receives

    budget share = base(owner) x p(cell) x drive(cell),  p = softmax(beta x log ratio)

over the owner's cells, so money goes where margins are widest and the market is tight,
and none where the drive is zero. Projects are whole modules (``abm/data/modules.csv``: an
RKEF line, an HPAL plant, a converter): an owner builds as many as its budget over all its
cells, carried over between decisions, buys, at the cells where most budget waits (the
largest-remainder rule). At a cell where the owner has capacity a share
``brownfield_share`` is brownfield (built in ``brownfield_build_months`` at
``brownfield_capex_factor`` of the capex), the rest greenfield (exploration and permits,
then the build); at a cell with no capacity everything is greenfield. Chinese owners build
greenfield in the documented EPC build time where there is one. No randomness: same
inputs, same bits.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from abm.data import MINERALS, STAGES
from abm.validation import InputError

MODULES_CSV = Path(__file__).resolve().parent.parent / "data" / "modules.csv"
MODULE_COLUMNS = (
    "module_t_per_year",
    "china_build_months",
    "brownfield_build_months",
    "brownfield_capex_factor",
)


@cache
def module_table(path: Path = MODULES_CSV) -> dict[str, np.ndarray]:
    """(stage, mineral) arrays of the module sizes and brownfield terms in ``path``.

    ``china_build_months`` is NaN where no Chinese EPC build time is documented.
    """
    table = pd.read_csv(path)
    missing = [c for c in ("mineral", "stage", *MODULE_COLUMNS, "source") if c not in table]
    if missing:
        raise InputError(f"{path.name}: missing column {missing[0]}")
    arrays = {c: np.full((len(STAGES), len(MINERALS)), np.nan) for c in MODULE_COLUMNS}
    for row in table.itertuples(index=False):
        if row.mineral not in MINERALS or row.stage not in STAGES:
            raise InputError(
                f"{path.name}: mineral/stage {row.mineral}/{row.stage} is not one of "
                f"{', '.join(MINERALS)} / {', '.join(STAGES)}"
            )
        s, m = STAGES.index(row.stage), MINERALS.index(row.mineral)
        for column in MODULE_COLUMNS:
            arrays[column][s, m] = float(getattr(row, column))
    for column in MODULE_COLUMNS:
        values = arrays[column]
        if column != "china_build_months" and not np.isfinite(values).all():
            raise InputError(f"{path.name}: {column} must be given for every mineral and stage")
        if (values[np.isfinite(values)] <= 0).any():
            raise InputError(f"{path.name}: {column} must be positive")
    return arrays


@dataclass(frozen=True)
class ProjectTerms:
    """Per site: what one project of its stage and mineral is, and how it is built."""

    module_t_per_month: np.ndarray
    brownfield_build_months: np.ndarray
    brownfield_capex_factor: np.ndarray
    greenfield_build_months: np.ndarray  # the owner's own where documented (Chinese EPC)

    @classmethod
    def of(cls, stage: int, fleet, build_months: np.ndarray, china: int, lead=1.0):
        """The terms of ``fleet``'s sites at ``stage``; ``build_months`` per site is the
        stage's greenfield build, ``china`` the owner index of Chinese firms, ``lead`` a
        policy's multiplier on build times."""
        table = module_table()
        row = {name: values[stage, fleet.mineral] for name, values in table.items()}
        china_build = np.where(np.isfinite(row["china_build_months"]), row["china_build_months"], 0)
        chinese = (fleet.owner == china) & (china_build > 0)
        return cls(
            module_t_per_month=row["module_t_per_year"] / 12.0,
            brownfield_build_months=row["brownfield_build_months"] * lead,
            brownfield_capex_factor=row["brownfield_capex_factor"],
            greenfield_build_months=np.where(chinese, china_build * lead, build_months),
        )


class Owners:
    """The owners of one fleet's sites, grouped into (owner, mineral, location) cells.

    Keeps, per cell, the budget placed and not yet committed as a whole module, separately
    for brownfield and greenfield projects.
    """

    def __init__(self, owner: np.ndarray, mineral: np.ndarray, location: np.ndarray):
        countries = int(max(owner.max(initial=0), location.max(initial=0))) + 1
        key = (owner * (mineral.max(initial=0) + 1) + mineral) * countries + location
        cell_key, self.cell = np.unique(key, return_inverse=True)
        self.cells = len(cell_key)
        self.rows_in_cell = np.bincount(self.cell, minlength=self.cells)
        first = np.zeros(self.cells, dtype=np.int64)
        first[self.cell[::-1]] = np.arange(len(key))[::-1]  # a row of each cell
        self.cell_mineral = mineral[first]
        group_key = cell_key // countries  # (owner, mineral)
        _, self.group = np.unique(group_key, return_inverse=True)
        self.groups = int(self.group.max(initial=-1)) + 1
        self.pending_brownfield = np.zeros(self.cells)
        self.pending_greenfield = np.zeros(self.cells)

    def per_cell(self, values: np.ndarray) -> np.ndarray:
        """Sum of a per-site array over each cell."""
        return np.bincount(self.cell, values, self.cells)

    def placed(
        self,
        capacity: np.ndarray,
        drive: np.ndarray,
        ratio: np.ndarray,
        seed: np.ndarray,
        sensitivity: float,
    ) -> np.ndarray:
        """t/month each cell is given this decision, before modules and the decision rate.

        ``capacity``, ``drive`` and ``ratio`` are per site; ``seed`` per site is an
        entrant's base (``entry_share`` of its mineral's world capacity).
        """
        cell_capacity = self.per_cell(capacity)
        cell_drive = self.per_cell(drive) / self.rows_in_cell
        seen = np.isfinite(ratio)
        cell_ratio = self.per_cell(np.where(seen, ratio, 0.0)) / np.maximum(self.per_cell(seen), 1)
        # No price seen (or none to earn) counts as a ratio of 1e-12: last, not undefined.
        utility = sensitivity * np.log(np.maximum(cell_ratio, 1e-12))
        top = np.full(self.groups, -np.inf)
        np.maximum.at(top, self.group, utility)
        weight = np.exp(utility - top[self.group])
        share = weight / np.bincount(self.group, weight, self.groups)[self.group]
        base = np.bincount(self.group, cell_capacity, self.groups)
        cell_seed = np.zeros(self.cells)
        np.maximum.at(cell_seed, self.cell, seed)
        group_seed = np.zeros(self.groups)
        np.maximum.at(group_seed, self.group, cell_seed)
        base = np.maximum(base, group_seed)
        return base[self.group] * share * cell_drive

    def commit(
        self, budget: np.ndarray, existing: np.ndarray, brownfield_share: float, module: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Whole modules (t/month) committed per cell, brownfield and greenfield, from
        ``budget`` placed this decision plus what was carried over; ``existing`` marks the
        cells where the owner has capacity now, ``module`` is each cell's module size.

        An owner builds as many modules as its budget over all its cells buys; they go to
        the cells whose carried-over budget covers them (whole modules first, then the
        largest remainders): spreading a budget over many locations must not keep every one
        of them short of a module for ever. A cell's carry-over may turn negative (it got a
        module ahead of its share) and is made up from later budgets.
        """
        share = np.where(existing, brownfield_share, 0.0)
        self.pending_brownfield += share * budget
        self.pending_greenfield += (1.0 - share) * budget
        return (
            self._whole_modules(self.pending_brownfield, module),
            self._whole_modules(self.pending_greenfield, module),
        )

    def _whole_modules(self, pending: np.ndarray, module: np.ndarray) -> np.ndarray:
        """Tonnes of whole modules per cell by the largest-remainder rule within each owner's
        cells of one mineral, taken out of ``pending`` (changed in place)."""
        units = pending / module
        owner_units = np.floor(np.bincount(self.group, units, self.groups) + 1e-9)
        whole = np.floor(np.maximum(units, 0.0))
        left = owner_units - np.bincount(self.group, whole, self.groups)
        remainder = units - whole
        order = np.lexsort((-remainder, self.group))  # by owner, largest remainder first
        ranked = self.group[order]
        rank = np.arange(self.cells) - np.searchsorted(ranked, ranked)
        extra = np.zeros(self.cells)
        extra[order] = rank < left[ranked]
        tonnes = np.where(left[self.group] >= 0, whole + extra, 0.0) * module
        pending -= tonnes
        return tonnes

    def to_sites(self, tonnes: np.ndarray, capacity: np.ndarray) -> np.ndarray:
        """Each cell's ``tonnes`` over its sites: pro rata of capacity, evenly where the cell
        has none."""
        cell_capacity = self.per_cell(capacity)[self.cell]
        even = 1.0 / self.rows_in_cell[self.cell]
        weight = np.where(cell_capacity > 0, capacity / np.maximum(cell_capacity, 1e-300), even)
        return tonnes[self.cell] * weight


def stranded_ore(allowed: np.ndarray) -> np.ndarray:
    """(mineral, country) True where the ore may go to no other country: an export ban
    makes local refining its only outlet. ``allowed`` is (mineral, origin, destination)."""
    countries = allowed.shape[1]
    abroad = ~np.eye(countries, dtype=bool)
    return ~(allowed & abroad).any(axis=2)
