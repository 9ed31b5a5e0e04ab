"""Shared state of mines and refineries: capacity over time, costs, expectations, investment.

Mines (``Producer``) and refineries (``Refiner``) are both *sites*: a cost tranche of one
owner's operations of one mineral in one country. Their state lives in arrays here so a step
costs a few numpy calls, not a Python loop over agents; the Mesa agents are views into it.
"""

from __future__ import annotations

import mesa
import numpy as np
import pandas as pd

from abm.agents.idling import SiteOperations, capital_annuity
from abm.agents.owners import Owners, ProjectTerms
from abm.groups import group_medians


class SiteFleet:
    """Arrays for every site of one stage, indexed by the agent's ``index``."""

    def __init__(self, sites: pd.DataFrame, capacity_path: np.ndarray, countries, minerals):
        self.table = sites.reset_index(drop=True)
        self.mineral = self.table.mineral.map({m: i for i, m in enumerate(minerals)}).to_numpy()
        country_index = {c: i for i, c in enumerate(countries)}
        self.location = self.table.location.map(country_index).to_numpy()
        self.owner = self.table.owner.map(country_index).to_numpy()
        # Each site's (mineral, location) cell of a flattened (mineral, country) table: one
        # ``take`` reads the prices every site sees, where 2-d indexing costs four times more.
        self.cell = self.mineral * len(countries) + self.location
        self.unit_cost = self.table.unit_cost_usd_per_t.to_numpy(float).copy()
        self.entrant = (self.table.tranche < 0).to_numpy()  # no capacity at the start
        # What a new tonne of capacity here costs to run: the location's marginal 2023 cost,
        # whatever this tranche's own cost (new projects do not inherit old mines' grades).
        self.new_capacity_cost = self.table.new_capacity_cost_usd_per_t.to_numpy(float)
        # The capacity path (site, month), t/month. Investment writes it over each project's
        # lead and ramp only, not on to the end of the horizon (which made a run's cost grow
        # with the square of its months): from month ``_settled[i]`` on, every month of row i
        # holds ``_tail[i]``, whatever ``_path`` says there. Read it with ``capacity_in`` and
        # ``capacity_of``; ``capacity`` writes it out in full.
        self._path = capacity_path.astype(float).copy()
        self._settle()
        self.output = np.zeros(len(self.table))  # this month's tonnes
        self.expected_price = np.full(len(self.table), np.nan)  # short run, at the location
        self.investment_price = np.full(len(self.table), np.nan)  # what investors expect
        self.reference_utilisation: np.ndarray | None = None  # by mineral, at the first decision
        self.owners = Owners(self.owner, self.mineral, self.location)  # who decides investment
        self.price_history = np.full((1, len(self.table)), np.nan)  # see keep_prices
        self.operations = SiteOperations(len(self.table))  # idled, retired, restarting

    @property
    def capacity(self) -> np.ndarray:
        """The whole capacity path, (site, month) t/month, written out in full.

        The caller may change it until the next investment, which takes the tails from it
        again. Costs the whole horizon: the model itself reads ``capacity_in``.
        """
        months = np.arange(self._path.shape[1])
        np.copyto(self._path, self._tail[:, None], where=months >= self._settled[:, None])
        self._settled[:] = len(months)
        self._handed_out = True
        return self._path

    def capacity_in(self, month: int) -> np.ndarray:
        """Every site's capacity in ``month``, t/month."""
        return np.where(month < self._settled, self._path[:, month], self._tail)

    def capacity_of(self, sites: np.ndarray | int, months: np.ndarray | int) -> np.ndarray:
        """The capacity of each of ``sites`` in its own month of ``months``, t/month."""
        return np.where(months < self._settled[sites], self._path[sites, months], self._tail[sites])

    def operating_capacity(self, month: int) -> np.ndarray:
        """What each site can offer, produce or buy for in ``month``, t/month: its capacity
        unless idled (retired sites have none)."""
        return np.where(self.operations.idled, 0.0, self.capacity_in(month))

    def usable_capacity(self, month: int, ahead: np.ndarray | int | None = None) -> np.ndarray:
        """The capacity investors count, t/month: each site's capacity in its month of
        ``ahead`` (``month`` itself by default), unless it is idle then (idled and not
        restarting by that month) or retired."""
        months = month if ahead is None else ahead
        capacity = self.capacity_of(np.arange(len(self)), months)
        return np.where(self.operations.usable(months), capacity, 0.0)

    def operating_margins(self) -> tuple[np.ndarray, np.ndarray]:
        """USD/t each site expects to earn on a tonne it runs, at this month's expected price
        and at investors' (the long run): the price at its location less its unit cost
        (refiners subtract the ore as well)."""
        return self.expected_price - self.unit_cost, self.investment_price - self.unit_cost

    def review_operations(self, month: int, settings, restart_capex_usd_per_tpa) -> None:
        """At the end of ``month``: idle sites losing money for long enough with no better
        outlook, restart idled ones whose outlook pays a restart, retire those idle too long
        (``abm.agents.idling``); a retired site's capacity leaves the books from next month."""
        if not settings.site_idling:
            return
        capacity = self.capacity_in(month)
        capex = np.broadcast_to(restart_capex_usd_per_tpa, capacity.shape)
        margins = self.operating_margins()
        retiring = self.operations.review(month, margins, capacity, capex, settings)
        if retiring.size:
            self.cut_capacity(retiring, month + 1)

    def cut_capacity(self, sites: np.ndarray, start: int) -> None:
        """No capacity at ``sites`` from month ``start`` on, projects under way included.

        Writes only the months between each row's settled month and ``start`` (the old tail
        up to ``start``, zeros from it to the end of what was written out), not the horizon.
        """
        if self._handed_out:
            self._settle()
        start = min(start, self._path.shape[1])
        settled = self._settled[sites]
        rows, months = month_spans(sites, settled, np.maximum(start - settled, 0))
        self._path[rows, months] = self._tail[rows]
        rows, months = month_spans(
            sites, np.full(len(sites), start), np.maximum(settled - start, 0)
        )
        self._path[rows, months] = 0.0
        self._settled[sites] = start
        self._tail[sites] = 0.0

    def idled_capacity(self, month: int) -> np.ndarray:
        """Each site's capacity standing idle in ``month``, t/month."""
        return np.where(self.operations.idled, self.capacity_in(month), 0.0)

    def add_capacity(
        self, sites: np.ndarray, start: np.ndarray, ramp: np.ndarray, tonnes: np.ndarray
    ) -> None:
        """Add ``tonnes`` t/month to each of ``sites`` from month ``start`` on, rising
        linearly over ``ramp`` months (whole numbers of months, as floats)."""
        if self._handed_out:
            self._settle()
        add_ramps(self._path, self._settled, self._tail, sites, start, ramp, tonnes)

    def hold_capacity(self, sites: np.ndarray, month: int, tonnes: np.ndarray) -> None:
        """Set each of ``sites``' capacity from ``month`` on to ``tonnes`` t/month, keeping
        the months before as they were (by-product circuits: ``abm.agents.byproducts``)."""
        if self._handed_out:
            self._settle()
        settled = self._settled[sites]
        width = np.maximum(month - settled, 0)  # months read from the old tail until now
        row_of = np.repeat(sites, width)
        month_of = np.repeat(settled - np.cumsum(width) + width, width) + np.arange(width.sum())
        self._path.reshape(-1)[row_of * self._path.shape[1] + month_of] = self._tail[row_of]
        self._settled[sites] = month
        self._tail[sites] = tonnes

    def _settle(self) -> None:
        """Find each row's tail (again): the months from its last change in the path on."""
        path = self._path
        sites, months = path.shape
        self._settled = np.full(sites, months, dtype=np.int64)
        self._tail = np.zeros(sites)
        if months > 1:
            changed = path[:, 1:] != path[:, :-1]
            last = months - 1 - np.argmax(changed[:, ::-1], axis=1)
            self._settled[:] = np.where(changed.any(axis=1), last, 0)
            self._tail = path[:, -1].copy()
        self._handed_out = False  # True once ``capacity`` has handed the path out

    def keep_prices(self, months: int) -> None:
        """Keep the last ``months`` months of prices seen (the longest reporting lag plus
        one), in a ring: a full history would grow with the horizon for nothing."""
        self.price_history = np.full((months, len(self)), np.nan)

    def remember_price(self, month: int, price: np.ndarray) -> None:
        """Keep this month's prices in the ring set up by ``keep_prices``."""
        self.price_history[month % len(self.price_history)] = price

    def price_months_ago(self, month: int, lag: np.ndarray) -> np.ndarray:
        """Each site's price ``lag`` months before ``month`` (or the first month's), as
        remembered; ``lag`` must be shorter than the ring kept."""
        seen = np.maximum(month - lag, 0) % len(self.price_history)
        return self.price_history.take(seen * len(self) + np.arange(len(self)))

    def __len__(self) -> int:
        return len(self.unit_cost)

    def update_expectations(
        self,
        price: np.ndarray,
        short_months: float,
        long_months: np.ndarray | float,
        reported_price: np.ndarray | None = None,
    ):
        """Adaptive expectations: exponential smoothing of the price seen at the location.

        The short-run expectation follows this month's price; investors smooth the price as
        reported to them (``reported_price``, later in opaque markets) over ``long_months``.
        """
        reported = price if reported_price is None else reported_price
        self.expected_price = np.where(
            np.isnan(self.expected_price),
            price,
            self.expected_price + (price - self.expected_price) / short_months,
        )
        self.investment_price = np.where(
            np.isnan(self.investment_price),
            reported,
            self.investment_price + (reported - self.investment_price) / long_months,
        )

    def see_prices(
        self, clearing, month: int, settings, horizon_months: np.ndarray, report_lag: np.ndarray
    ) -> None:
        """Expectations after this month's clearing of the sites' stage.

        Traders see this month's price at their site (``site_prices``). Investors see it as
        reported, ``report_lag`` months late for each mineral, smoothed over
        ``horizon_months`` (shorter where futures show scarcity sooner).
        """
        price = site_prices(self, clearing)
        price = np.where(np.isfinite(price), price, self.expected_price)
        self.remember_price(month, price)
        self.update_expectations(
            price,
            settings.expectation_months,
            horizon_months[self.mineral],
            reported_price=self.price_months_ago(month, report_lag[self.mineral]),
        )

    def commission(
        self,
        month: int,
        margin_cost: np.ndarray,
        capex_usd_per_tpa: np.ndarray,
        decision_months: np.ndarray,
        build_months: np.ndarray,
        ramp_months: np.ndarray,
        settings,
        price_error: np.ndarray | float = 1.0,
        drive_boost: np.ndarray | float = 0.0,
        demand_path: np.ndarray | None = None,
        investing: np.ndarray | None = None,
        *,
        projects: ProjectTerms,
    ) -> np.ndarray:
        """Commission new capacity where expected prices cover operating and capital cost.

        The signal, per site: drive = clip(ratio - 1 + (tightness - 1) / 2, 0, 1)
        x clip((tightness - 0.8) / 0.2 + (ratio - 1.5) / 0.5, 0, 1):
        tightness is the utilisation expected one greenfield lead time out (output grown with
        ``demand_path``, over committed capacity), relative to the utilisation at the first
        decision; and
        ratio is the price investors expect over the full cost of a new tonne (``margin_cost``,
        which for refiners includes the raw input, plus the capital annuity, brownfield capex
        at the owner's existing sites). Owners then place their budgets across locations and
        build in whole modules, brownfield at their existing sites and greenfield elsewhere
        (``abm.agents.owners``); each project ramps up linearly. Investors see the expected
        price times ``price_error`` (their shared misjudgement); ``drive_boost`` raises the
        drive of coordinated investors; only the sites in the ``investing`` mask build (all if
        None); ``projects`` are the modules and brownfield terms of the fleet's stage. Returns
        the tonnes/month committed per site.
        """
        owners = self.owners
        # Idled and retired capacity is no base to build on: owners expand where they run.
        capacity = self.usable_capacity(month)
        existing = owners.per_cell(capacity) > 0  # cells where the owner has capacity now
        brownfield = np.where(existing, settings.brownfield_share, 0.0)[owners.cell]
        capex_share = 1.0 - brownfield * (1.0 - projects.brownfield_capex_factor)
        drive, ratio, world_capacity = self._drive(
            month,
            margin_cost,
            capex_usd_per_tpa * capex_share,
            decision_months + build_months,
            settings,
            price_error,
            demand_path,
            capacity,
        )
        drive *= 1.0 + drive_boost
        if investing is not None:  # by-products' circuits are set by their hosts, not here
            drive = np.where(investing, drive, 0.0)
        per_decision = settings.investment_rate * settings.investment_interval_months / 12.0
        # Entrants scale their first projects on the size of their market.
        seed = np.where(self.entrant, settings.entry_share * world_capacity[self.mineral], 0.0)
        placed = owners.placed(capacity, drive, ratio, seed, settings.location_sensitivity)
        module = np.zeros(owners.cells)
        module[owners.cell] = projects.module_t_per_month
        brown, green = owners.commit(
            placed * per_decision, existing, settings.brownfield_share, module
        )
        ramp = np.maximum(np.round(ramp_months), 1.0)
        added = np.zeros(len(self))
        for tonnes, lead in (
            (brown, projects.brownfield_build_months),
            (green, decision_months + projects.greenfield_build_months),
        ):
            at_site = owners.to_sites(tonnes, capacity)
            building = np.flatnonzero(at_site > 0)  # only these rows change
            start = month + 1 + np.round(lead[building])
            self.add_capacity(building, start, ramp[building], at_site[building])
            added += at_site
        return added

    def _drive(
        self,
        month: int,
        margin_cost: np.ndarray,
        capex_usd_per_tpa: np.ndarray,
        lead_months: np.ndarray,
        settings,
        price_error,
        demand_path: np.ndarray | None,
        capacity: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per site, how much its investors want to add (0 to 1) and the ratio of the
        expected price to the full cost of a new tonne; and world capacity by mineral.
        ``capacity`` is this month's usable capacity, if the caller has it already."""
        full_cost = margin_cost + capex_usd_per_tpa * capital_annuity(settings)
        ratio = self.investment_price * price_error / np.maximum(full_cost, 1e-9)
        # Investors look at how tight the market will be once what is already committed is
        # built, one greenfield lead time out: this month's output grown with the expected
        # demand path (the IEA outlook investors read), over the capacity committed by then.
        # Nobody builds into idle or coming capacity; an expected squeeze brings projects
        # forward even before prices rise (half a point of drive per point of tightness).
        minerals = self.mineral.max() + 1
        # Idled and retired capacity counts for nothing: it cannot serve the market.
        if capacity is None:
            capacity = self.usable_capacity(month)
        world_capacity = np.bincount(self.mineral, capacity, minerals)
        # The paths run a longest lead time past the run's end (abm.world.months.path_starts),
        # so this look-ahead is never clipped and does not depend on when the run ends.
        last = self._path.shape[1] - 1
        ahead = np.minimum(month + np.round(lead_months).astype(int), last)
        committed = np.bincount(self.mineral, self.usable_capacity(month, ahead), minerals)
        horizon = np.zeros(minerals, dtype=int)
        np.maximum.at(horizon, self.mineral, ahead)
        growth = np.ones(minerals)
        if demand_path is not None:
            now = demand_path[:, month]
            growth = np.divide(
                demand_path[np.arange(minerals), horizon], now, out=np.ones(minerals), where=now > 0
            )
        output = np.bincount(self.mineral, self.output, minerals)
        utilisation = output * growth / np.maximum(committed, 1e-300)
        if self.reference_utilisation is None:
            self.reference_utilisation = output / np.maximum(world_capacity, 1e-300)
        tightness = (utilisation / np.maximum(self.reference_utilisation, 1e-9))[self.mineral]
        drive = _unit(ratio - 1.0 + 0.5 * (tightness - 1.0))
        # Spare capacity elsewhere holds investors back, unless margins are so wide (half as
        # much again as the full cost) that it plainly cannot reach this market or its input.
        gate = _unit((tightness - 0.8) / 0.2 + (ratio - 1.5) / 0.5)
        return drive * gate, ratio, world_capacity


def site_prices(fleet: SiteFleet, clearing) -> np.ndarray:
    """The price each site sees: its origin price, else the delivered price at home, else
    the median origin price of its mineral (a site with nothing to sell yet)."""
    price = clearing.origin_price.take(fleet.cell)
    home = clearing.destination_price.take(fleet.cell)
    price = np.where(np.isfinite(price), price, home)
    seen = np.isfinite(price)
    if seen.all():  # the usual case: no median needed
        return price
    return np.where(seen, price, median_price(clearing.origin_price)[fleet.mineral])


def median_price(origin_price: np.ndarray) -> np.ndarray:
    """Median origin price per mineral: what a site with nothing to sell yet sees."""
    minerals, countries = origin_price.shape
    keys = np.repeat(np.arange(minerals), countries)
    return group_medians(keys, origin_price.ravel(), np.full(minerals, np.nan))


def _unit(x: np.ndarray) -> np.ndarray:
    """``x`` clipped to [0, 1], NaN as 0: ``np.clip(np.nan_to_num(x), 0, 1)`` in two ufuncs
    (``fmax`` drops NaN), without ``nan_to_num``'s copies."""
    return np.fmin(np.fmax(x, 0.0), 1.0)


def month_spans(rows: np.ndarray, first: np.ndarray, width: np.ndarray):
    """The (row, month) cells of ``width[k]`` months from ``first[k]`` in each of ``rows``."""
    offsets = np.arange(width.sum()) - np.repeat(np.cumsum(width) - width, width)
    return np.repeat(rows, width), np.repeat(first, width) + offsets


def add_ramps(path, settled, tail, rows, start, ramp, tonnes) -> None:
    """Add ``tonnes`` to each row's capacity path from month ``start`` on, rising linearly
    over ``ramp`` months: ``tonnes x clip((t - start + 1) / ramp, 0, 1)`` in month t.

    Only the months up to the end of the latest ramp in the row are written (``path`` from
    ``settled`` on is the row's ``tail``): writing the plateau out to the end of the horizon
    made a run's cost grow with the square of its months. A project starting beyond the
    horizon never arrives. Additions to one month are made in the order of the projects,
    so a path is the same to the bit however its projects were batched.
    """
    months = path.shape[1]
    first = np.maximum(np.trunc(start), 0).astype(np.int64)
    arrives = first < months
    rows, start, ramp, tonnes, first = (
        v[arrives] for v in (np.asarray(rows), start, ramp, tonnes, first)
    )
    if not len(rows):
        return
    plateau = np.minimum(np.trunc(start + ramp).astype(np.int64) - 1, months)
    # Each row's months written out from now on: to the end of its latest ramp.
    written = settled.copy()
    np.maximum.at(written, rows, plateau)
    # Months newly written out hold the old tail first.
    grown = np.flatnonzero(written > settled)
    width = written[grown] - settled[grown]
    row_of = np.repeat(grown, width)
    month_of = np.repeat(settled[grown] - np.cumsum(width) + width, width) + np.arange(width.sum())
    path.reshape(-1)[row_of * months + month_of] = tail[row_of]
    # Then each project's ramp, over its months up to the row's end of writing: in month t,
    # tonnes x min((t - start + 1) / ramp, 1), where t - start + 1 >= 1.
    width = np.maximum(written[rows] - first, 0)
    into = np.arange(width.sum()) - np.repeat(np.cumsum(width) - width, width)  # t - first
    cell = into + np.repeat(rows * months + first, width)
    since = into + np.repeat(first - start + 1.0, width)
    added = np.minimum(since / np.repeat(ramp, width), 1.0) * np.repeat(tonnes, width)
    # Layers of projects with one project per row, in order, so no cell is added twice in
    # one fancy-indexed addition (np.add.at would do, at ten times the cost).
    order = np.argsort(rows, kind="stable")
    ranked = rows[order]
    first_of_row = np.searchsorted(ranked, ranked)
    layer = np.empty(len(rows), dtype=np.int64)
    layer[order] = np.arange(len(rows)) - first_of_row
    flat = path.reshape(-1)  # a view: the path is C-contiguous
    for depth in range(layer.max() + 1):
        here = layer == depth
        if depth == 0 and here.all():  # each row once: the common case
            flat[cell] += added
        else:
            mine = np.repeat(here, width)
            flat[cell[mine]] += added[mine]
        tail[rows[here]] += tonnes[here]
    settled[:] = written


class SiteAgent(mesa.Agent):
    """A mine or refinery agent: a view of one row of its fleet's arrays."""

    def __init__(self, model: mesa.Model, fleet: SiteFleet, index: int):
        super().__init__(model)
        self.fleet = fleet
        self.index = index

    @property
    def mineral(self) -> str:
        """The mineral this site works."""
        return self.model.world.minerals[self.fleet.mineral[self.index]]

    @property
    def location(self) -> str:
        """The country the site stands in."""
        return self.model.world.countries[self.fleet.location[self.index]]

    @property
    def owner(self) -> str:
        """The country whose firm owns the site."""
        return self.model.world.countries[self.fleet.owner[self.index]]

    @property
    def capacity_t_per_month(self) -> float:
        """What the site can put out this month (the last month once the run is over),
        t/month."""
        month = min(self.model.month, self.model.running_months - 1)
        return float(self.fleet.capacity_of(self.index, month))

    @property
    def output_t(self) -> float:
        """The site's output in tonnes, as last recorded."""
        return float(self.fleet.output[self.index])
