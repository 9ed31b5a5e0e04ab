"""Measures the claims use, each a function of one or two runs' summaries.

Prices are refined (stage 1) unless a name says raw. Windows are given as YYYY-MM months
and a length; a window that runs past the end of a run is cut at the end.
"""

from __future__ import annotations

import numpy as np

from abm import metrics
from abm.replicate.summary import RAW, REFINED, Summary

BATTERY_RECYCLED = ("copper", "lithium", "nickel", "cobalt")  # the IEA's 10-30% minerals
RECOVERY_BAND = 0.10  # recovered: back within 10% of the pre-shock price


def window(run: Summary, start: str, months: int) -> slice:
    """The months from ``start`` (YYYY-MM) for ``months`` months, cut at the run's end."""
    first = run.month(start)
    return slice(first, min(first + months, len(run.months)))


def year(run: Summary, which: int) -> slice:
    """The twelve months of year ``which``."""
    return window(run, f"{which}-01", 12)


def share(run: Summary, table: np.ndarray, mineral: str, country: str, span: slice) -> float:
    """A country's share of a (t, m, c) output table over a window."""
    m, c = run.minerals.index(mineral), run.countries.index(country)
    total = table[span, m, :].sum()
    return float(table[span, m, c].sum() / total) if total > 0 else float("nan")


def price_in(run: Summary, mineral: str, country: str) -> np.ndarray:
    """Refined price of ``mineral`` in ``country``, month by month."""
    return run.price_in[REFINED, :, run.minerals.index(mineral), run.countries.index(country)]


def world_price(run: Summary, mineral: str) -> np.ndarray:
    """World refined price of ``mineral``, month by month."""
    return run.world_price[REFINED, :, run.minerals.index(mineral)]


def ex_china_price(run: Summary, mineral: str) -> np.ndarray:
    """Refined price of ``mineral`` outside China, month by month."""
    return run.ex_china_price[REFINED, :, run.minerals.index(mineral)]


def peak_ratio(series: np.ndarray, base: np.ndarray, span: slice) -> float:
    """Highest ratio of a series to its counterfactual within a window."""
    return metrics.peak_ratio(series[span], base[span])


def mean_ratio(series: np.ndarray, base: np.ndarray, span: slice) -> float:
    """Mean of ``series`` over mean of ``base``, both over ``span``."""
    return float(np.nanmean(series[span]) / np.nanmean(base[span]))


def price_index(run: Summary, span: slice) -> np.ndarray:
    """Each month's refined world prices over their 2023 levels, averaged over minerals."""
    relative = run.world_price[REFINED, span, :] / run.reference_price[:, REFINED]
    return np.nanmean(relative, axis=1)


def volatility(run: Summary, span: slice, minerals: tuple[str, ...] | None = None) -> float:
    """Volatility (``abm.metrics.log_volatility``) of refined world prices, mean over
    minerals."""
    chosen = [run.minerals.index(m) for m in (minerals or run.minerals)]
    return float(np.nanmean(metrics.log_volatility(run.world_price[REFINED, span, :][:, chosen])))


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
    """An upper bound on each country's welfare change from ``start`` to the end (USD).

    Producers: the change in the operating margins of the mines, refineries and recyclers
    located there. Users: -(p1 - p0) q1 per month and refined mineral, which bounds the
    change in users' surplus from above whichever way the price moves (a loss is at least
    the dearer price on what is still bought; a gain at most the saving on it). It needs no
    valuation of what is not delivered, so it does not depend on the choke price. Where
    either run bought nothing the term is zero. Tariff and quota rents are left out.
    """
    span = slice(base.month(start), len(base.months))
    p0, p1 = base.price_in[REFINED, span], policy.price_in[REFINED, span]
    dearer = np.nan_to_num((p1 - p0) * policy.consumed[span], nan=0.0)
    users = -dearer.sum(axis=(0, 1))
    producers = (policy.producer_surplus[span] - base.producer_surplus[span]).sum(axis=0)
    return users + producers


def market_value(run: Summary, start: str) -> np.ndarray:
    """Each country's use of refined minerals from ``start`` to the end at the prices it paid
    (USD): the scale welfare changes are reported against."""
    span = slice(run.month(start), len(run.months))
    paid = np.nan_to_num(run.price_in[REFINED, span] * run.consumed[span], nan=0.0)
    return paid.sum(axis=(0, 1))


def cap_ratio(runs: list[Summary], minerals: tuple[str, ...], span: slice, countries=None) -> float:
    """Highest refined price at any destination (or those named) over the choke price (the
    model's cap on every price: buyers buy nothing above it, so quota rents and the solver's
    bracket stop there too), over the runs, minerals and months of a metric."""
    highest = 0.0
    for run in runs:
        chosen = [run.minerals.index(m) for m in minerals]
        places = [run.countries.index(c) for c in countries or run.countries]
        prices = run.price_in[REFINED, span][:, chosen, :][:, :, places]
        ratio = prices / run.choke_price[chosen][None, :, None]
        if np.isfinite(ratio).any():
            highest = max(highest, float(np.nanmax(ratio)))
    return highest


def rise_pct(series: np.ndarray, at: slice, before: slice) -> float:
    """Rise of a series' mean over ``at`` above its mean over ``before``, %."""
    return 100.0 * (float(np.nanmean(series[at]) / np.nanmean(series[before])) - 1.0)


def quarterly_means(series: np.ndarray, span: slice) -> np.ndarray:
    """Means of whole quarters (three months from the window's start) within a window."""
    values = series[span]
    whole = len(values) // 3 * 3
    return np.nanmean(values[:whole].reshape(-1, 3), axis=1)


def onset_months(ratio: np.ndarray, span: slice) -> float:
    """Months from a window's start until a ratio to its counterfactual first covers half
    of its rise to the window's peak (when a surge "begins")."""
    values = ratio[span]
    peak = float(np.nanmax(values))
    if not peak > 1.0:
        return float("nan")
    return float(np.flatnonzero(values - 1.0 >= (peak - 1.0) / 2.0)[0])


def replacement_months(run: Summary, mineral: str, country: str, start: str, end: str) -> float:
    """Months from a supply cut's start until other origins' extra raw sales make up half of
    what the cut country sells less, both against their means over the 12 months before;
    the cut's length (censored) if they never do while it lasts."""
    m, c = run.minerals.index(mineral), run.countries.index(country)
    sold = run.sold_by_origin[RAW, :, m, :]
    first, last = run.month(start), run.month(end)
    before = sold[max(first - 12, 0) : first].mean(axis=0)
    lost = before[c] - sold[first : last + 1, c]
    others = np.delete(sold[first : last + 1] - before, c, axis=1).sum(axis=1)
    made_up = np.flatnonzero((lost > 0) & (others >= 0.5 * lost))
    return float(made_up[0]) if made_up.size else float(last + 1 - first)


def half_life(run: Summary, mineral: str, start: str) -> float:
    """Months from the refined world price's peak after a shock until its excess over the 12
    months before the shock has halved; the rest of the run if it never does (censored)."""
    series = world_price(run, mineral)
    first = run.month(start)
    before = np.nanmean(series[max(first - 12, 0) : first])
    after = series[first:]
    peak = int(np.nanargmax(after))
    excess = after[peak:] - before
    halved = np.flatnonzero(excess <= 0.5 * excess[0])
    return float(halved[0]) if halved.size else float(len(excess))


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
