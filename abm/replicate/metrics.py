"""The metrics the claims file names, each a function of one seed's runs by role.

``experiments/claims.toml`` says which metric a row uses and with which arguments (roles,
mineral, windows); the functions here only compute. Every window is a start month and a
length in months (or a year), as the file writes it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from abm.replicate import measures as mx
from abm.replicate.summary import REFINED, Summary

Runs = dict[str, Summary]  # role -> the run of that role, one seed


def _price(run: Summary, mineral: str, where: str) -> np.ndarray:
    """A refined price series: ``world``, ``ex_china`` or a destination's code."""
    if where == "world":
        return mx.world_price(run, mineral)
    if where == "ex_china":
        return mx.ex_china_price(run, mineral)
    return mx.price_in(run, mineral, where)


def peak_ratio(r: Runs, treated, base, mineral, where, start, months) -> float:
    """Highest ratio of a price to the same price in the counterfactual."""
    x, y = r[treated], r[base]
    return mx.peak_ratio(
        _price(x, mineral, where), _price(y, mineral, where), mx.window(x, start, months)
    )


def leverage(r: Runs, mineral, where, start, months, thick, thick_base, treated, base) -> float:
    """The peak ratio in a thicker market over the peak ratio in today's market."""
    args = (mineral, where, start, months)
    return peak_ratio(r, thick, thick_base, *args) / peak_ratio(r, treated, base, *args)


def quarterly_peak(r: Runs, role, mineral, where, start, quarters) -> float:
    """Highest quarterly mean price within a window over the mean of the quarter before."""
    run = r[role]
    series = _price(run, mineral, where)
    first = run.month(start)
    before = np.nanmean(series[max(first - 3, 0) : first])
    return (
        float(np.nanmax(mx.quarterly_means(series, mx.window(run, start, 3 * quarters)))) / before
    )


def fall_from_peak_pct(r: Runs, role, mineral, where, start, quarters, at) -> float:
    """How far the quarter starting ``at`` sits below the highest quarter of the window, %."""
    run = r[role]
    series = _price(run, mineral, where)
    peak = np.nanmax(mx.quarterly_means(series, mx.window(run, start, 3 * quarters)))
    return 100.0 * (1.0 - float(np.nanmean(series[mx.window(run, at, 3)])) / peak)


def onset(r: Runs, treated, base, mineral, where, start, months) -> float:
    """Months until the price ratio to the counterfactual covers half its rise to its peak."""
    x, y = r[treated], r[base]
    ratio = _price(x, mineral, where) / _price(y, mineral, where)
    return mx.onset_months(ratio, mx.window(x, start, months))


def quota_use_pct(r: Runs, role, mineral, stage, year) -> float:
    """China's exports in a year over its licences for that year (the run's own licensed
    tonnes: the quota share of its exports in the 12 months before the licences began), %."""
    run = r[role]
    licence = next(
        s
        for s in run.shocks
        if s.kind == "export_licensing"
        and (s.country, s.mineral, s.stage, s.targets) == ("CN", mineral, stage, "all")
    )
    s = ("raw", "refined").index(stage)
    exported = run.china_exports[s, mx.year(run, year), run.minerals.index(mineral)].sum()
    return 100.0 * float(exported) / (12.0 * licence.licensed_t_per_month)


def china_sourcing_pp(r: Runs, treated, base, mineral, country, start, months) -> float:
    """Change in China's share of a destination's purchases, percentage points."""

    def from_china(run: Summary) -> float:
        m, c = run.minerals.index(mineral), run.countries.index(country)
        return float(run.china_share_in[REFINED, mx.window(run, start, months), m, c].mean())

    return 100.0 * (from_china(r[treated]) - from_china(r[base]))


def output_share_pp(r: Runs, treated, base, mineral, country, start, months) -> float:
    """Change in a country's share of refined output, percentage points."""
    x, y = r[treated], r[base]
    span = mx.window(x, start, months)
    return 100.0 * (
        mx.share(x, x.refined, mineral, country, span)
        - mx.share(y, y.refined, mineral, country, span)
    )


def output_share_pct(r: Runs, role, mineral, country, year) -> float:
    """A country's share of refined output in one year, %."""
    run = r[role]
    return 100.0 * mx.share(run, run.refined, mineral, country, mx.year(run, year))


def share_rise_pp(r: Runs, role, mineral, country, first_year, last_year) -> float:
    """Rise of a country's share of refined output between two years, percentage points."""
    run = r[role]
    shares = [
        mx.share(run, run.refined, mineral, country, mx.year(run, y))
        for y in (first_year, last_year)
    ]
    return 100.0 * (shares[1] - shares[0])


def output_ratio(r: Runs, role, mineral, country, first_year, last_year) -> float:
    """A country's refined output in one year over an earlier year."""
    run = r[role]
    m, c = run.minerals.index(mineral), run.countries.index(country)
    first, last = (run.refined[mx.year(run, y), m, c].sum() for y in (first_year, last_year))
    return float(last / first) if first > 0 else float("nan")


def rise_pct(r: Runs, role, mineral, where, start, months, before_start, before_months) -> float:
    """Rise of a price's mean over a window above its mean over an earlier window, %."""
    run = r[role]
    series = _price(run, mineral, where)
    return mx.rise_pct(
        series, mx.window(run, start, months), mx.window(run, before_start, before_months)
    )


def peak_rise_pct(
    r: Runs, role, mineral, where, start, months, before_start, before_months
) -> float:
    """Rise of a price's highest month in a window above its mean over an earlier window, %."""
    run = r[role]
    series = _price(run, mineral, where)
    before = np.nanmean(series[mx.window(run, before_start, before_months)])
    return 100.0 * (float(np.nanmax(series[mx.window(run, start, months)])) / before - 1.0)


def china_exports_pct(r: Runs, role, mineral, start, months, before_start, before_months) -> float:
    """China's exports of a mineral (both stages) in a window against an earlier window's
    monthly mean, % change."""
    run = r[role]
    exports = run.china_exports[:, :, run.minerals.index(mineral)].sum(axis=0)
    return mx.rise_pct(
        exports, mx.window(run, start, months), mx.window(run, before_start, before_months)
    )


def ex_china_gap_pp(r: Runs, treated, base, mineral, start, months) -> float:
    """Change in the ex-China over China price ratio, percentage points."""

    def gap(run: Summary) -> float:
        span = mx.window(run, start, months)
        ratio = mx.ex_china_price(run, mineral)[span] / mx.price_in(run, mineral, "CN")[span]
        return float(np.nanmean(ratio))

    return 100.0 * (gap(r[treated]) - gap(r[base]))


def mean_ratio(r: Runs, treated, base, mineral, where, start, months) -> float:
    """Mean price over a window, over the counterfactual's."""
    x, y = r[treated], r[base]
    return mx.mean_ratio(
        _price(x, mineral, where), _price(y, mineral, where), mx.window(x, start, months)
    )


def _premium(run: Summary, mineral: str, start: str, months: int) -> float:
    return float(run.premium_pct[mx.window(run, start, months), run.minerals.index(mineral)].mean())


def premium_pct(r: Runs, role, mineral, start, months) -> float:
    """The compliant tier's mean premium over a window, %."""
    return _premium(r[role], mineral, start, months)


def premium_ratio(r: Runs, treated, base, mineral, start, months) -> float:
    """The compliant premium with a change over the premium without it."""
    return _premium(r[treated], mineral, start, months) / _premium(r[base], mineral, start, months)


def retaliations(r: Runs, treated, base) -> float:
    """Retaliatory measures adopted, one run less the other."""
    return float(r[treated].retaliations - r[base].retaliations)


def index_ratio(r: Runs, treated, base, start, months) -> float:
    """Mean of the refined price index (2023 = 1) over a window, over the counterfactual's."""
    span = mx.window(r[base], start, months)
    return float(np.mean(mx.price_index(r[treated], span) / mx.price_index(r[base], span)))


def volatility_ratio(r: Runs, treated, base, start, months, minerals=None) -> float:
    """Volatility of refined prices over a window, over the counterfactual's."""
    span = mx.window(r[base], start, months)
    chosen = tuple(minerals) if minerals else None
    return mx.volatility(r[treated], span, chosen) / mx.volatility(r[base], span, chosen)


def replacement_gap(r: Runs, treated, base, mineral, country, start, end) -> float:
    """Months for other origins to make up half of a cut, one world less the other."""
    return mx.replacement_months(r[treated], mineral, country, start, end) - mx.replacement_months(
        r[base], mineral, country, start, end
    )


def half_life_gap(r: Runs, treated, base, mineral, start) -> float:
    """Half-life of the price's excess after its peak, one world less the other (months)."""
    return mx.half_life(r[treated], mineral, start) - mx.half_life(r[base], mineral, start)


def shock_peak_ratio(r: Runs, treated, base, mineral, start, months) -> float:
    """Peak after a shock (over the 12 months before it), one world over the other."""
    return mx.shock_peak(r[treated], mineral, start, months) / mx.shock_peak(
        r[base], mineral, start, months
    )


def shortage_ratio(r: Runs, treated, base) -> float:
    """Unmet demand over the run (valued at 2023 prices), over the counterfactual's."""
    span = slice(0, len(r[base].months))
    return mx.shortage_value(r[treated], span) / max(mx.shortage_value(r[base], span), 1.0)


def welfare_gainers(r: Runs, treated, base, start) -> float:
    """Countries whose welfare bound rises (the most favourable reading of a gain)."""
    return float((mx.welfare_change(r[treated], r[base], start) > 0).sum())


def welfare_pct(r: Runs, treated, base, country, start) -> float:
    """A country's welfare bound under a change, % of its refined use at base prices."""
    c = r[base].countries.index(country)
    change = mx.welfare_change(r[treated], r[base], start)[c]
    return 100.0 * float(change / mx.market_value(r[base], start)[c])


def primary_cut_pct(r: Runs, treated, base, year) -> float:
    """Cut in mine output of the IEA's recycled minerals in a year, % (mean of the four)."""
    return mx.primary_cut_pct(r[treated], r[base], year)


def response_lag_gap(r: Runs, treated, base, mineral) -> float:
    """Lag of capacity additions behind the price, one world less the other (months)."""
    return mx.response_lag(r[treated], mineral) - mx.response_lag(r[base], mineral)


METRICS: dict[str, Callable[..., float]] = {
    f.__name__: f
    for f in (
        peak_ratio,
        leverage,
        quarterly_peak,
        fall_from_peak_pct,
        onset,
        quota_use_pct,
        china_sourcing_pp,
        output_share_pp,
        output_share_pct,
        share_rise_pp,
        output_ratio,
        rise_pct,
        peak_rise_pct,
        china_exports_pct,
        ex_china_gap_pp,
        mean_ratio,
        premium_pct,
        premium_ratio,
        retaliations,
        index_ratio,
        volatility_ratio,
        replacement_gap,
        half_life_gap,
        shock_peak_ratio,
        shortage_ratio,
        welfare_gainers,
        welfare_pct,
        primary_cut_pct,
        response_lag_gap,
    )
}

ROLE_ARGUMENTS = ("role", "treated", "base", "thick", "thick_base")
