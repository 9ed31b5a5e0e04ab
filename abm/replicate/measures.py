"""Measures the claims use, each a function of one or two runs' summaries.

Prices are refined (stage 1) unless a name says raw. Windows are given as YYYY-MM months
and a length; a window that runs past the end of a run is cut at the end.
"""

from __future__ import annotations

import numpy as np

from abm.replicate.summary import REFINED, Summary

BATTERY_RECYCLED = ("copper", "lithium", "nickel", "cobalt")  # the IEA's 10-30% minerals
RECOVERY_BAND = 0.10  # recovered: back within 10% of the pre-shock price


def window(run: Summary, start: str, months: int) -> slice:
    first = run.month(start)
    return slice(first, min(first + months, len(run.months)))


def year(run: Summary, which: int) -> slice:
    return window(run, f"{which}-01", 12)


def share(run: Summary, table: np.ndarray, mineral: str, country: str, span: slice) -> float:
    """A country's share of a (t, m, c) output table over a window."""
    m, c = run.minerals.index(mineral), run.countries.index(country)
    total = table[span, m, :].sum()
    return float(table[span, m, c].sum() / total) if total > 0 else float("nan")


def price_in(run: Summary, mineral: str, country: str) -> np.ndarray:
    return run.price_in[REFINED, :, run.minerals.index(mineral), run.countries.index(country)]


def world_price(run: Summary, mineral: str) -> np.ndarray:
    return run.world_price[REFINED, :, run.minerals.index(mineral)]


def ex_china_price(run: Summary, mineral: str) -> np.ndarray:
    return run.ex_china_price[REFINED, :, run.minerals.index(mineral)]


def peak_ratio(series: np.ndarray, base: np.ndarray, span: slice) -> float:
    """Highest ratio of a series to its counterfactual within a window."""
    return float(np.nanmax(series[span] / base[span]))


def mean_ratio(series: np.ndarray, base: np.ndarray, span: slice) -> float:
    return float(np.nanmean(series[span]) / np.nanmean(base[span]))


def price_index(run: Summary, span: slice) -> np.ndarray:
    """Each month's refined world prices over their 2023 levels, averaged over minerals."""
    relative = run.world_price[REFINED, span, :] / run.reference_price[:, REFINED]
    return np.nanmean(relative, axis=1)


def volatility(run: Summary, span: slice, minerals: tuple[str, ...] | None = None) -> float:
    """Standard deviation of monthly log changes of refined world prices, mean over minerals."""
    chosen = [run.minerals.index(m) for m in (minerals or run.minerals)]
    logs = np.log(run.world_price[REFINED, span, :][:, chosen])
    return float(np.nanmean(np.nanstd(np.diff(logs, axis=0), axis=0)))


def shortage_value(run: Summary, span: slice) -> float:
    """Unmet demand over a window, valued at 2023 refined prices (USD)."""
    return float((run.unmet[span] * run.reference_price[:, REFINED]).sum())


def shock_peak(run: Summary, mineral: str, start: str, months: int) -> float:
    """Highest refined world price in a window after a shock, over the 12 months before it."""
    series = world_price(run, mineral)
    first = run.month(start)
    before = np.nanmean(series[max(first - 12, 0) : first])
    return float(np.nanmax(series[window(run, start, months)]) / before)


def months_to_recover(run: Summary, mineral: str, start: str) -> float:
    """Months from a shock until the refined world price is back within ``RECOVERY_BAND`` of
    its level in the 12 months before, counted from the shock's start; the rest of the run if
    it never comes back (a censored value, said so in the report)."""
    series = world_price(run, mineral)
    first = run.month(start)
    before = np.nanmean(series[max(first - 12, 0) : first])
    after = series[first:]
    peak = int(np.nanargmax(after))
    back = np.flatnonzero(np.abs(after[peak:] / before - 1.0) <= RECOVERY_BAND)
    return float(peak + back[0]) if back.size else float(len(after))


def primary_cut_pct(high: Summary, zero: Summary, which: int) -> float:
    """Cut in mine output in a year from recycling, % of the no-recycling output, mean over
    the IEA's four recycled minerals."""
    span = year(high, which)
    cuts = []
    for mineral in BATTERY_RECYCLED:
        m = high.minerals.index(mineral)
        base = zero.mined[span, m, :].sum()
        cuts.append(100.0 * (1.0 - high.mined[span, m, :].sum() / base))
    return float(np.mean(cuts))


def welfare_change(policy: Summary, base: Summary, start: str) -> np.ndarray:
    """Change in each country's welfare from ``start`` to the end (USD, per country).

    Producers: the change in the operating margins of the mines, refineries and recyclers
    located there. Users: the change in surplus on refined material, by the trapezoid rule
    on the demand curve, -(p1 - p0)(q0 + q1)/2 per month and mineral, with the choke price
    where nothing was delivered. Tariff and quota rents are left out (the autarky case has
    neither).
    """
    span = slice(base.month(start), len(base.months))
    p0 = np.where(
        np.isnan(base.price_in[REFINED, span]),
        base.choke_price[:, None],
        base.price_in[REFINED, span],
    )
    p1 = np.where(
        np.isnan(policy.price_in[REFINED, span]),
        policy.choke_price[:, None],
        policy.price_in[REFINED, span],
    )
    users = -((p1 - p0) * (base.consumed[span] + policy.consumed[span]) / 2.0).sum(axis=(0, 1))
    producers = (policy.producer_surplus[span] - base.producer_surplus[span]).sum(axis=0)
    return users + producers


def response_lag(run: Summary, mineral: str, longest: int = 60) -> float:
    """Months by which capacity additions (mines and refineries) follow the price: the lag
    at which the refined price's log correlates best with later monthly additions."""
    m = run.minerals.index(mineral)
    price = np.log(world_price(run, mineral))
    capacity = run.mining_capacity[:, m, :].sum(axis=1) + run.refining_capacity[:, m, :].sum(axis=1)
    added = np.diff(capacity, prepend=capacity[0])
    best, lag = -np.inf, 0
    for k in range(longest + 1):
        x, y = price[: len(price) - k], added[k:]
        if np.std(x) == 0 or np.std(y) == 0:
            continue
        r = float(np.corrcoef(x, y)[0, 1])
        if r > best:
            best, lag = r, k
    return float(lag)
