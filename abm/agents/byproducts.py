"""By-products: gallium, germanium and cobalt recovered from their hosts' output.

Gallium comes out of alumina refineries' Bayer liquor, germanium out of zinc residues, cobalt
out of DRC copper and nickel mines. Their supply follows the host's output, not their own
price: at each location, recovery capacity = host output x recovery rate (t by-product per t
host). The rate can be raised by cheap, quick investment (a circuit at an existing plant: the
build and ramp lead times; a first circuit at a host waits for the decision time too) up to a
technical limit (``byproducts.csv``) when the price investors expect covers the circuit's
operating and capital cost. The circuits are the mine fleet's by-product rows: their output
is mine output, so the books are the mines' own, and they stop, restart and retire by the
sites' rule (``abm.agents.idling``): a circuit idles only after months of losses with no
better outlook, while its host runs on, pays for and waits for a restart, and one idle too
long is retired, its share of the cell's recovery gone (investment can build it again).
"""

from __future__ import annotations

import numpy as np

from abm.agents.idling import capital_annuity
from abm.agents.sites import _unit
from abm.world.hosts import EXOGENOUS_HOSTS, hosts_of, is_byproduct

RAW = 0  # the stage index of mines in the world's (stage, mineral) tables


class ByproductRecovery:
    """Recovery rates of every (by-product, location) cell, and the capacity they give."""

    def __init__(self, mines, world, settings, utilisation_2023: np.ndarray):
        minerals, countries = world.minerals, world.countries
        byproduct = np.array([is_byproduct(m) for m in minerals])[mines.mineral]
        self.rows = np.flatnonzero(byproduct)
        mines.byproduct[self.rows] = True
        cells, self.cell_of_row = np.unique(mines.cell[self.rows], return_inverse=True)
        self.mineral, self.location = np.divmod(cells, len(countries))
        self.months = world.host_output.shape[2]  # past the run's end, as the world's paths
        self._host_weights(mines, world, minerals, countries)
        self.host_now = self._exogenous_now(world, 0) + self._endogenous_capacity(
            mines, utilisation_2023
        )
        capacity0 = mines.capacity_in(0)[self.rows]
        cell_capacity = np.bincount(self.cell_of_row, capacity0, len(cells))
        rows_in_cell = np.bincount(self.cell_of_row, minlength=len(cells))
        # Each row keeps its start share of its cell (owners' shares, tranches); a cell with
        # nothing at the start splits equally among its (entrant) rows.
        self.share = np.where(
            cell_capacity[self.cell_of_row] > 0,
            capacity0 / np.maximum(cell_capacity[self.cell_of_row], 1e-300),
            1.0 / rows_in_cell[self.cell_of_row],
        )
        hosted = self.host_now > 0
        # Cells without a host path hold their start capacity (a host of 1 t/month).
        self.fixed = ~hosted
        self.host_now = np.where(hosted, self.host_now, 1.0)
        start = cell_capacity / self.host_now
        self.limit = self._limits(start, hosted, minerals, countries)
        self.recovery = np.repeat(start[:, None], self.months, axis=1)  # (cell, month)
        self.installed = cell_capacity.copy()  # recovery capacity this month, t/month
        self.closed = np.zeros(len(cells), dtype=bool)  # every circuit of the cell retired

    # ----------------------------------------------------------------- set-up
    def _host_weights(self, mines, world, minerals, countries) -> None:
        """Which host outputs each cell follows: exogenous paths, or mine rows in the model."""
        cells = len(self.mineral)
        self.exogenous = np.zeros((cells, len(EXOGENOUS_HOSTS)))
        self.host_rows = np.zeros((cells, len(mines)), dtype=bool)
        self._rules = []
        for cell, (m, c) in enumerate(zip(self.mineral, self.location, strict=True)):
            hosts, limit, over = hosts_of(minerals[m], countries[c])
            self._rules.append((hosts, limit, over))
            for host in hosts:
                if host in EXOGENOUS_HOSTS:
                    self.exogenous[cell, EXOGENOUS_HOSTS.index(host)] = 1.0
                else:
                    here = (mines.mineral == minerals.index(host)) & (mines.location == c)
                    self.host_rows[cell] |= here
        self.host_paths = world.host_output[:, self.location, :]  # (host, cell, month)

    def _limits(self, start, hosted, minerals, countries) -> np.ndarray:
        """Each cell's highest recovery: the cited t per t of host, else a multiple of its
        start (of the mean over cells with the same hosts where it starts from nothing)."""
        limit = np.zeros(len(start))
        for cell, (hosts, cited, over) in enumerate(self._rules):
            if not hosted[cell]:
                limit[cell] = start[cell]
            elif np.isfinite(cited):
                limit[cell] = max(cited, start[cell])
            else:
                same = [
                    other
                    for other, rule in enumerate(self._rules)
                    if rule[0] == hosts
                    and self.mineral[other] == self.mineral[cell]
                    and start[other] > 0
                ]
                typical = start[cell] if start[cell] > 0 else _mean(start[same])
                limit[cell] = typical * (over if np.isfinite(over) else 1.0)
        return limit

    # ----------------------------------------------------------------- hosts
    def _exogenous_now(self, world, month: int) -> np.ndarray:
        """(cell,) t/month of the exogenous hosts (alumina, zinc) this month."""
        return np.einsum("ch,hc->c", self.exogenous, self.host_paths[:, :, month])

    def _endogenous_capacity(self, mines, utilisation_2023: np.ndarray) -> np.ndarray:
        """(cell,) t/month the host mines put out at the start: capacity x 2023 utilisation."""
        output = mines.capacity_in(0) * utilisation_2023[mines.mineral]
        return self.host_rows.astype(float) @ output

    def host_output(self, month: int, mines, world, smoothing_months: float) -> np.ndarray:
        """(cell,) t/month of host output: exogenous paths, and the host mines' output in the
        model smoothed over ``smoothing_months`` (a month's sales swing; crews do not)."""
        if month > 0:
            mined = self.host_rows.astype(float) @ mines.output
            endogenous = self.host_rows.any(axis=1)
            smoothed = self.host_now + (mined - self.host_now) / smoothing_months
            exogenous = self._exogenous_now(world, month)
            self.host_now = np.where(endogenous, smoothed, exogenous)
            self.host_now = np.where(self.fixed, 1.0, self.host_now)
        return self.host_now

    # ----------------------------------------------------------------- decisions
    def hold(self, month: int, mines, world, settings) -> None:
        """Set this month's capacity of every circuit: host output x recovery x its share of
        the cell (none once retired). Whether it runs is the sites' rule: an idled circuit
        keeps its capacity in the books and offers nothing (``SiteFleet.operating_capacity``)."""
        self._drop_retired(month, mines.operations.retired[self.rows])
        host = self.host_output(month, mines, world, settings.expectation_months)
        self.installed = host * self.recovery[:, month]
        capacity = self.installed[self.cell_of_row] * self.share
        mines.hold_capacity(self.rows, month, capacity)

    def _drop_retired(self, month: int, retired: np.ndarray) -> None:
        """Take circuits retired since last month out of their cells: the cell's recovery
        from ``month`` on loses their share, and the rows left share it as before (equally
        where none had a share); a cell with no rows left takes no more investment."""
        gone = retired & (self.share > 0)
        if not gone.any():
            return
        cells = len(self.mineral)
        lost = np.bincount(self.cell_of_row, np.where(gone, self.share, 0.0), cells)
        self.recovery[:, month:] *= np.clip(1.0 - lost, 0.0, 1.0)[:, None]
        self.share = np.where(retired, 0.0, self.share)
        kept = np.bincount(self.cell_of_row, self.share, cells)[self.cell_of_row]
        live = np.bincount(self.cell_of_row, ~retired, cells)
        equal = np.where(retired, 0.0, 1.0 / np.maximum(live[self.cell_of_row], 1))
        self.share = np.where(kept > 0, self.share / np.maximum(kept, 1e-300), equal)
        self.closed = live == 0

    def invest(self, month: int, mines, world, conditions, settings, price_error) -> None:
        """Raise recovery where the price investors expect covers a new circuit's full cost:
        a share ``recovery_investment_share`` a year of the gap to the limit, times the drive
        clip(ratio - 1, 0, 1), arriving after the build time (and the decision time where
        the location has no circuit yet) and ramping up."""
        # The first row of each cell (rows need not be in cell order: owners' entrant rows
        # come after the others).
        first = np.unique(self.cell_of_row, return_index=True)[1]
        rows = self.rows[first]  # one row per cell: all rows of a cell see its price
        annuity = capital_annuity(settings)
        capex = world.capex_usd_per_tpa[RAW, self.mineral] * conditions.capex_multiplier[RAW][rows]
        full_cost = mines.new_capacity_cost[rows] + capex * annuity
        ratio = mines.investment_price[rows] * price_error[self.mineral] / full_cost
        drive = _unit(ratio - 1.0) * (1.0 + conditions.investment_boost[self.location])
        gap = np.maximum(self.limit - self.recovery[:, -1], 0.0)
        years = settings.investment_interval_months / 12.0
        step = np.minimum(settings.recovery_investment_share * years * drive, 1.0) * gap
        step = np.where(self.fixed | self.closed, 0.0, step)
        # A circuit where there is none yet waits for the decision (permits, offtake) as
        # well, like an entrant mine's greenfield project; raising an existing one does not.
        new = self.recovery[:, month] <= 0.0
        build = world.build_months[RAW, self.mineral] + np.where(
            new, world.decision_months[RAW, self.mineral], 0.0
        )
        ramp = np.maximum(np.round(world.ramp_months[RAW, self.mineral]), 1.0)
        start = month + 1 + np.round(build)
        since = np.arange(self.months)[None, :] - start[:, None] + 1.0
        self.recovery += step[:, None] * np.clip(since / ramp[:, None], 0.0, 1.0)


def _mean(values: np.ndarray) -> float:
    """Mean of a possibly empty array (0 if empty)."""
    return float(values.mean()) if len(values) else 0.0
