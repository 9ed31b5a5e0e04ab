"""Idling, retirement and restarts of sites: capacity that loses money stops, then leaves.

A site (one row of a ``SiteFleet``) whose operating margin (the price it expects at its
location less its unit cost, and for refiners less the ore it would buy) has been negative
for ``idle_after_loss_months`` months in a row, and whose owners expect no better in the
long run (investors' price), is idled: its capacity stays in the books but offers,
produces and buys nothing. A site idle for ``retire_after_idle_months`` is retired: its
capacity leaves the books for good (its stocks stay until sold). An idled site whose
long-run margin, over a year, pays the annuity of a restart (``restart_capex_share`` of a
new tonne's capex) restarts: it pays the restart and runs again ``restart_months`` later.
Losses are counted on this month's prices (the reported operating losses of the episodes),
the outlook on investors' prices (the forward prices owners cite), which also keeps a site
from restarting on a passing spike. The figures are in ``abm/data/evidence/idling.csv``.
"""

from __future__ import annotations

import numpy as np


class SiteOperations:
    """Which sites of a fleet run, stand idle or are retired, and for how long.

    Arrays indexed like the fleet's rows. A site restarting stays idle until its
    ``restart_month``; it counts as committed capacity from then on.
    """

    def __init__(self, sites: int):
        self.idled = np.zeros(sites, dtype=bool)
        self.retired = np.zeros(sites, dtype=bool)
        self.loss_months = np.zeros(sites, dtype=np.int64)  # months in a row losing money
        self.idle_months = np.zeros(sites, dtype=np.int64)  # months idle so far
        self.restart_month = np.full(sites, -1, dtype=np.int64)  # runs again then; -1 none
        self.retired_capacity = np.zeros(sites)  # t/month when retired
        self.restart_cost_usd = np.zeros(sites)  # spent on restarts so far
        self.restarts = np.zeros(sites, dtype=np.int64)  # restarts decided so far

    def usable(self, months: np.ndarray | int) -> np.ndarray:
        """Sites whose capacity can run in (each of) ``months``: not idle, or restarting
        by then (retired rows have no capacity left)."""
        restarting = (self.restart_month >= 0) & (self.restart_month <= months)
        return ~self.idled | restarting

    def review(
        self,
        month: int,
        margins_usd_per_t: tuple[np.ndarray, np.ndarray],
        capacity: np.ndarray,
        restart_capex_usd_per_tpa: np.ndarray,
        settings,
    ) -> np.ndarray:
        """One month's decisions; returns the rows to retire now.

        ``margins_usd_per_t`` are each site's operating margins at this month's expected
        prices and at investors' (NaN: not known, not a loss); ``capacity`` its capacity
        this month (t/month).
        """
        now, long_run = margins_usd_per_t
        running = ~self.idled & ~self.retired & (capacity > 0)
        self.loss_months = np.where(running & (now < 0.0), self.loss_months + 1, 0)
        sustained = self.loss_months >= settings.idle_after_loss_months
        idle_now = running & sustained & (long_run < 0.0)
        self.idled |= idle_now
        self.loss_months[idle_now] = 0
        waiting = self.idled & (self.restart_month < 0) & ~idle_now
        self.idle_months = np.where(waiting, self.idle_months + 1, self.idle_months)
        # A restart pays if a year's margin covers the restart's capital annuity.
        restart_usd_per_tpa = settings.restart_capex_share * restart_capex_usd_per_tpa
        pays = 12.0 * long_run > restart_usd_per_tpa * capital_annuity(settings)
        restart = waiting & pays
        self.restart_month[restart] = month + 1 + settings.restart_months
        self.restart_cost_usd[restart] += restart_usd_per_tpa[restart] * 12.0 * capacity[restart]
        self.restarts[restart] += 1
        retire = waiting & ~restart & (self.idle_months >= settings.retire_after_idle_months)
        rows = np.flatnonzero(retire)
        self.idled[rows] = False
        self.retired[rows] = True
        self.retired_capacity[rows] = capacity[rows]
        # Restarts due run from next month on.
        restarted = self.idled & (self.restart_month >= 0) & (month + 1 >= self.restart_month)
        self.idled &= ~restarted
        self.restart_month[restarted] = -1
        self.idle_months[restarted] = 0
        return rows


def capital_annuity(settings) -> float:
    """Share of a capital outlay recovered each year at the hurdle rate over the assets'
    life (a plain share of the life at a zero rate)."""
    rate, life = settings.hurdle_rate, settings.asset_life_years
    return rate / (1.0 - (1.0 + rate) ** -life) if rate else 1.0 / life
