"""The chapter's nine claims as measurable statements about pairs of scenario runs.

Each claim names the scenarios it compares (by role), the metrics that measure it (one value
per seed, computed from that seed's runs), each metric's target (a direction, and a size
where the chapter or its sources give one) and the series its figure shows. Sizes from
history are judged "within a factor of two over the same window" (MISSION.md); the band is
written next to each.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from abm.replicate import measures as mx
from abm.replicate.summary import Summary

Runs = dict[str, Summary]  # role -> the run of that role, one seed


@dataclass(frozen=True)
class Target:
    """What a metric must show: ``low < value < high`` (either end open)."""

    low: float = -np.inf
    high: float = np.inf
    text: str = ""

    def holds(self, value: float) -> bool:
        return bool(np.isfinite(value) and self.low < value < self.high)


@dataclass(frozen=True)
class Metric:
    name: str
    unit: str
    compute: Callable[[Runs], float]
    target: Target
    size: bool = False  # a historical size (factor-of-two band), not only a direction
    judged: bool = True  # False: context shown beside the claim, not part of its verdict
    note: str = ""


@dataclass(frozen=True)
class Panel:
    """One panel of a claim's figure: a series per role over time."""

    title: str
    ylabel: str
    series: Callable[[Summary], np.ndarray]
    roles: tuple[str, ...]


@dataclass(frozen=True)
class Claim:
    number: int
    title: str
    chapter: str
    runs: dict[str, str]  # role -> scenario name
    metrics: tuple[Metric, ...]
    panels: tuple[Panel, ...] = field(default=())
    mark: str | None = None  # a month the figure marks (the policy or shock)
    why_not: str = ""  # what the runs show when the claim does not hold (an analysis)


def above(value: float, text: str) -> Target:
    return Target(low=value, text=text)


def below(value: float, text: str) -> Target:
    return Target(high=value, text=text)


def band(low: float, high: float, text: str) -> Target:
    return Target(low=low, high=high, text=text)


SHOCK = "2025-10"  # the DRC cobalt export cut, October 2025 to September 2026


def _re_peak(restricted: str, base: str) -> Callable[[Runs], float]:
    def compute(r: Runs) -> float:
        x, y = r[restricted], r[base]
        return mx.peak_ratio(
            mx.price_in(x, "rare_earths", "JP"),
            mx.price_in(y, "rare_earths", "JP"),
            mx.window(x, "2024-01", 36),
        )

    return compute


def _re_leverage(r: Runs) -> float:
    return _re_peak("thick", "thick_counterfactual")(r) / _re_peak("policy", "counterfactual")(r)


def _re_diversified(r: Runs) -> float:
    span = mx.year(r["policy"], 2028)
    return 100.0 * (
        mx.share(r["policy"], r["policy"].refined, "rare_earths", "CN", span)
        - mx.share(r["counterfactual"], r["counterfactual"].refined, "rare_earths", "CN", span)
    )


def _re_japan_sourcing(r: Runs) -> float:
    def from_china(run: Summary) -> float:
        m, jp = run.minerals.index("rare_earths"), run.countries.index("JP")
        return float(run.china_share_in[1, mx.year(run, 2025), m, jp].mean())

    return 100.0 * (from_china(r["policy"]) - from_china(r["counterfactual"]))


def _indonesia_share(run: Summary, which: int) -> float:
    return 100.0 * mx.share(run, run.refined, "nickel", "ID", mx.year(run, which))


def _graphite_export_fall(r: Runs) -> float:
    run = r["policy"]
    m, first = run.minerals.index("graphite"), run.month("2023-12")
    exports = run.china_exports[1, :, m]
    return 100.0 * (1.0 - exports[first] / exports[first - 1])


def _graphite_premium(r: Runs) -> float:
    def gap(run: Summary) -> float:
        span = mx.window(run, "2023-12", 12)
        return float(
            np.nanmean(
                mx.ex_china_price(run, "graphite")[span] / mx.price_in(run, "graphite", "CN")[span]
            )
        )

    return 100.0 * (gap(r["policy"]) - gap(r["counterfactual"]))


def _controls(mineral: str) -> Callable[[Runs], float]:
    def compute(r: Runs) -> float:
        x, y = r["policy"], r["counterfactual"]
        return mx.mean_ratio(
            mx.ex_china_price(x, mineral),
            mx.ex_china_price(y, mineral),
            mx.window(x, "2023-08", 12),
        )

    return compute


def _lithium_premium(run: Summary) -> float:
    m = run.minerals.index("lithium")
    return float(run.premium_pct[mx.window(run, "2027-01", 72), m].mean())


def _index_ratio(treated: str, base: str) -> Callable[[Runs], float]:
    def compute(r: Runs) -> float:
        span = mx.window(r[base], "2024-01", 84)
        return float(np.mean(mx.price_index(r[treated], span) / mx.price_index(r[base], span)))

    return compute


def _volatility_ratio(treated: str, base: str, start: str, months: int, minerals=None):
    def compute(r: Runs) -> float:
        span = mx.window(r[base], start, months)
        return mx.volatility(r[treated], span, minerals) / mx.volatility(r[base], span, minerals)

    return compute


def _recovery_gap(treated: str, base: str) -> Callable[[Runs], float]:
    def compute(r: Runs) -> float:
        return mx.months_to_recover(r[treated], "cobalt", SHOCK) - mx.months_to_recover(
            r[base], "cobalt", SHOCK
        )

    return compute


def _shock_ratio(treated: str, base: str) -> Callable[[Runs], float]:
    def compute(r: Runs) -> float:
        return mx.shock_peak(r[treated], "cobalt", SHOCK, 12) / mx.shock_peak(
            r[base], "cobalt", SHOCK, 12
        )

    return compute


def _shortage_ratio(treated: str, base: str) -> Callable[[Runs], float]:
    def compute(r: Runs) -> float:
        span = slice(0, len(r[base].months))
        return mx.shortage_value(r[treated], span) / max(mx.shortage_value(r[base], span), 1.0)

    return compute


def _gainers(r: Runs) -> float:
    return float((mx.welfare_change(r["autarky"], r["open"], "2024-01") > 0).sum())


def _china_gain(r: Runs) -> float:
    change = mx.welfare_change(r["autarky"], r["open"], "2024-01")
    return float(change[r["open"].countries.index("CN")] / 1e9)


def _retaliations(r: Runs) -> float:
    return float(r["policy"].retaliations - r["counterfactual"].retaliations)


def _cobalt(run: Summary) -> np.ndarray:
    return mx.world_price(run, "cobalt") / 1000.0


CLAIMS: tuple[Claim, ...] = (
    Claim(
        1,
        "A rare-earth restriction spikes prices; supply diversifies over years; each "
        "supplier's leverage declines as markets thicken",
        "Ch. 5, 'The geographic distribution of production varies by mineral' (2010 "
        "restriction on Japan; Evenett and Fritz 2023: 39); MISSION.md history sizes",
        {
            "policy": "rare-earth-2010",
            "counterfactual": "rare-earth-2010-counterfactual",
            "thick": "rare-earth-2010-thick",
            "thick_counterfactual": "rare-earth-diversified",
        },
        (
            Metric(
                "peak price in Japan, restricted / unrestricted (36 months)",
                "ratio",
                _re_peak("policy", "counterfactual"),
                above(1.0, "> 1 (a spike)"),
            ),
            Metric(
                "the same peak against history (oxide basket +1,100%, about 12x, to Q3 2011)",
                "ratio",
                _re_peak("policy", "counterfactual"),
                band(6.0, 24.0, "6-24 (12x within a factor of two)"),
                size=True,
                note="The basket's 12x included speculative buying and China's domestic "
                "consolidation; the model has neither hoarding nor speculation.",
            ),
            Metric(
                "China's share of refined output in 2028, restricted - unrestricted",
                "pp",
                _re_diversified,
                below(0.0, "< 0 (supply diversifies)"),
            ),
            Metric(
                "China's share of Japan's purchases in 2025, restricted - unrestricted",
                "pp",
                _re_japan_sourcing,
                below(0.0, "< 0 (Japan sources less from China)"),
            ),
            Metric(
                "peak ratio in a thick market / in today's market",
                "ratio",
                _re_leverage,
                below(1.0, "< 1 (leverage declines as markets thicken)"),
            ),
        ),
        (
            Panel(
                "Refined rare earths delivered to Japan",
                "kUSD/t",
                lambda s: mx.price_in(s, "rare_earths", "JP") / 1000.0,
                ("policy", "counterfactual", "thick", "thick_counterfactual"),
            ),
            Panel(
                "China's share of refined rare-earth output",
                "%",
                lambda s: (
                    100.0
                    * s.refined[:, s.minerals.index("rare_earths"), s.countries.index("CN")]
                    / s.refined[:, s.minerals.index("rare_earths"), :].sum(axis=1)
                ),
                ("policy", "counterfactual"),
            ),
        ),
        "2024-01",
        "The size is far from history's. The restriction removes 40% of China's oxide "
        "exports, and in the 2023 world those exports are a small part of world use: China's "
        "own magnet makers use about 88% of magnet rare earths (`demand_2023.csv`), against "
        "an ex-China magnet industry (Japan's) that in 2010 depended on Chinese oxides. Buyers "
        "here neither hoard nor speculate, and separation plants outside China run harder. "
        "The direction holds: the price in Japan peaks about a fifth above the "
        "counterfactual, China's share of Japan's purchases falls by about 35 points, and "
        "the peak is smaller in a thicker market.",
    ),
    Claim(
        2,
        "Indonesia's nickel-ore export ban moves refining into Indonesia",
        "Ch. 5, 'Geopolitical and trade policy risks' (Indonesia's ore ban; Mandala 2024); "
        "IEA 2024 refining shares; MISSION.md history sizes",
        {"policy": "nickel-ban-2014", "counterfactual": "nickel-ban-2014-counterfactual"},
        (
            Metric(
                "Indonesia's refining share in 2032, ban - no ban",
                "pp",
                lambda r: (
                    _indonesia_share(r["policy"], 2032)
                    - _indonesia_share(r["counterfactual"], 2032)
                ),
                above(0.0, "> 0 (refining moves to Indonesia)"),
            ),
            Metric(
                "rise of Indonesia's refining share in the 9 years after the ban (history: 6% "
                "in 2015 to 37% in 2023, +31 pp)",
                "pp",
                lambda r: _indonesia_share(r["policy"], 2032) - _indonesia_share(r["policy"], 2023),
                band(15.5, 62.0, "15.5-62 pp (+31 pp within a factor of two)"),
                size=True,
            ),
            Metric(
                "peak refined nickel price in the 6 months after the ban, ban / no ban "
                "(history: LME about +33%)",
                "ratio",
                lambda r: mx.peak_ratio(
                    mx.world_price(r["policy"], "nickel"),
                    mx.world_price(r["counterfactual"], "nickel"),
                    mx.window(r["policy"], "2024-01", 6),
                ),
                band(1.165, 1.66, "1.17-1.66 (+33% within a factor of two)"),
                size=True,
            ),
        ),
        (
            Panel(
                "Indonesia's share of refined nickel output",
                "%",
                lambda s: (
                    100.0
                    * s.refined[:, s.minerals.index("nickel"), s.countries.index("ID")]
                    / s.refined[:, s.minerals.index("nickel"), :].sum(axis=1)
                ),
                ("policy", "counterfactual"),
            ),
            Panel(
                "Refined nickel, world price",
                "kUSD/t",
                lambda s: mx.world_price(s, "nickel") / 1000.0,
                ("policy", "counterfactual"),
            ),
        ),
        "2024-01",
        "Refining does move to Indonesia, but at about a third of history's pace: new "
        "capacity at a site is capped at `investment_rate` (25% a year) of its capacity, so a "
        "small Indonesian base grows slowly, where Chinese investors built NPI and HPAL plants "
        "in Indonesia far faster (entrants here start at 1% of world capacity). The price "
        "jump is twenty-fold, not a third: the ban strands half the world's ore while "
        "refiners abroad hold half a month of ore and buyers a month of metal; in 2014 "
        "Chinese NPI makers had stockpiled Indonesian ore ahead of the ban and Philippine ore "
        "stood in.",
    ),
    Claim(
        3,
        "China's 2023 graphite licensing: exports plunge, an ex-China premium appears",
        "Ch. 5, 'Geopolitical and trade policy risks' (graphite controls; Bloomberg 2024; "
        "Benchmark 2024 CIF North America index)",
        {
            "policy": "graphite-licensing-2023",
            "counterfactual": "graphite-licensing-2023-counterfactual",
        },
        (
            Metric(
                "fall of China's refined graphite exports in the first month of licensing "
                "(history: spherical -92%, flake -94% from November)",
                "%",
                _graphite_export_fall,
                band(46.0, 100.0001, "46-100% (-92% within a factor of two)"),
                size=True,
                note="The November rush to buy ahead of the licences is not modelled; the "
                "fall is measured against the month before.",
            ),
            Metric(
                "ex-China over China price, first 12 months, licensing - none",
                "pp",
                _graphite_premium,
                above(0.0, "> 0 (an ex-China premium)"),
            ),
        ),
        (
            Panel(
                "China's refined graphite exports",
                "kt/month",
                lambda s: s.china_exports[1, :, s.minerals.index("graphite")] / 1000.0,
                ("policy", "counterfactual"),
            ),
            Panel(
                "Refined graphite, ex-China over China price",
                "ratio",
                lambda s: mx.ex_china_price(s, "graphite") / mx.price_in(s, "graphite", "CN"),
                ("policy", "counterfactual"),
            ),
        ),
        "2023-12",
    ),
    Claim(
        4,
        "Gallium and germanium controls (2023) raise prices outside China",
        "Ch. 5, 'Geopolitical and trade policy risks' (July 2023 controls)",
        {
            "policy": "gallium-germanium-2023",
            "counterfactual": "gallium-germanium-2023-counterfactual",
        },
        (
            Metric(
                "gallium ex-China price, first 12 months, controls / none",
                "ratio",
                _controls("gallium"),
                above(1.0, "> 1"),
            ),
            Metric(
                "germanium ex-China price, first 12 months, controls / none",
                "ratio",
                _controls("germanium"),
                above(1.0, "> 1"),
            ),
        ),
        (
            Panel(
                "Refined gallium, ex-China price",
                "kUSD/t",
                lambda s: mx.ex_china_price(s, "gallium") / 1000.0,
                ("policy", "counterfactual"),
            ),
            Panel(
                "Refined germanium, ex-China price",
                "kUSD/t",
                lambda s: mx.ex_china_price(s, "germanium") / 1000.0,
                ("policy", "counterfactual"),
            ),
        ),
        "2023-08",
    ),
    Claim(
        5,
        "IRA rules create a premium for compliant lithium; the leasing loophole blunts it",
        "Ch. 5, Table 5.1 and 'Geopolitical and trade policy risks' (Simionato 2024)",
        {"policy": "ira", "leasing": "ira-leasing", "counterfactual": "ira-counterfactual"},
        (
            Metric(
                "compliant lithium premium, 2027-2032, no loophole",
                "%",
                lambda r: _lithium_premium(r["policy"]),
                above(0.0, "> 0"),
                note="Premiums below about 5% are partly the sellers' supply ramp; see the "
                "IRA notes in README.md.",
            ),
            Metric(
                "premium with half of demand leased / without",
                "ratio",
                lambda r: _lithium_premium(r["leasing"]) / _lithium_premium(r["policy"]),
                below(1.0, "< 1 (the loophole blunts it)"),
            ),
        ),
        (
            Panel(
                "Compliant lithium premium",
                "%",
                lambda s: s.premium_pct[:, s.minerals.index("lithium")],
                ("policy", "leasing", "counterfactual"),
            ),
        ),
        "2024-01",
    ),
    Claim(
        6,
        "Export restrictions spark retaliation; segmented markets mean higher, more volatile "
        "prices and slower response to shocks; no one gains from autarky",
        "Ch. 5, 'Geopolitical and trade policy risks' (retaliation, segmentation, 'no "
        "country, even China, would benefit from critical minerals autarky')",
        {
            "policy": "retaliation-spiral",
            "counterfactual": "retaliation-spiral-counterfactual",
            "segmented": "segmented",
            "open": "open-trade",
            "autarky": "autarky",
        },
        (
            Metric(
                "retaliatory measures, after China's gallium ban - without it",
                "measures",
                _retaliations,
                above(0.0, "> 0"),
            ),
            Metric(
                "refined price index 2024-2030, segmented / open",
                "ratio",
                _index_ratio("segmented", "open"),
                above(1.0, "> 1 (higher)"),
            ),
            Metric(
                "volatility of refined prices 2024-2030, segmented / open",
                "ratio",
                _volatility_ratio("segmented", "open", "2024-01", 84),
                above(1.0, "> 1 (more volatile)"),
            ),
            Metric(
                "months for cobalt to recover from the DRC export cut, segmented - open",
                "months",
                _recovery_gap("segmented", "open"),
                above(0.0, "> 0 (slower response)"),
            ),
            Metric(
                "countries whose welfare rises under autarky (of 20)",
                "countries",
                _gainers,
                below(0.5, "0 (no one gains)"),
                note="Welfare: producers' operating margins plus users' surplus on refined "
                "material (trapezoid rule), 2024-2030, against open trade.",
            ),
            Metric(
                "China's welfare change under autarky",
                "bn USD",
                _china_gain,
                below(0.0, "< 0 (not even China gains)"),
            ),
        ),
        (
            Panel(
                "Refined price index (2023 = 1, mean of minerals)",
                "index",
                lambda s: mx.price_index(s, slice(0, len(s.months))),
                ("segmented", "open", "autarky", "policy"),
            ),
            Panel("Refined cobalt, world price", "kUSD/t", _cobalt, ("segmented", "open")),
        ),
        "2024-01",
        "Segmentation makes prices higher and more volatile and no country gains from "
        "autarky, but it does not slow the recovery from the cobalt cut: the DRC, in neither "
        "bloc, still sells to both, and recovery is measured against each world's own "
        "pre-shock price.",
    ),
    Claim(
        7,
        "Price transparency makes supply respond faster",
        "Ch. 5, 'Greater market depth and recycling capacity would improve responsiveness "
        "to shocks' (IEA 2024b: 244-245)",
        {"policy": "transparency-high", "counterfactual": "transparency-low"},
        (
            Metric(
                "volatility of the lithium price 2023-2040, transparent / opaque",
                "ratio",
                _volatility_ratio("policy", "counterfactual", "2023-01", 216, ("lithium",)),
                below(1.0, "< 1"),
            ),
            Metric(
                "lag of lithium capacity additions behind the lithium price, transparent - opaque",
                "months",
                lambda r: (
                    mx.response_lag(r["policy"], "lithium")
                    - mx.response_lag(r["counterfactual"], "lithium")
                ),
                below(0.0, "< 0 (supply responds sooner)"),
            ),
            Metric(
                "unmet demand 2023-2040 (value), transparent / opaque",
                "ratio",
                _shortage_ratio("policy", "counterfactual"),
                below(1.0, "< 1 (supply keeps up better)"),
                judged=False,
                note="A consequence one might expect, not the claim itself; shown as context.",
            ),
        ),
        (
            Panel(
                "Refined lithium, world price",
                "kUSD/t",
                lambda s: mx.world_price(s, "lithium") / 1000.0,
                ("policy", "counterfactual"),
            ),
            Panel(
                "Lithium refining capacity",
                "kt/month",
                lambda s: (
                    s.refining_capacity[:, s.minerals.index("lithium"), :].sum(axis=1) / 1000.0
                ),
                ("policy", "counterfactual"),
            ),
        ),
        None,
        "Transparency changes little here: investors smooth prices over 24 months "
        "(`investment_expectation_months`), which swamps the six months of reporting lag "
        "transparency removes, and their drive rests as much on the tightness they read from "
        "the IEA demand outlook, which every investor sees alike; the lithium cycle is set "
        "mostly by lead times of years. With 30 seeds (`abm replicate --claims 7 --seeds 30`) "
        "the effects are still within the noise.",
    ),
    Claim(
        8,
        "Recycling cuts primary supply needs (IEA: 10-30% by 2040) and adds a branch to "
        "lean on in a shortage",
        "Ch. 5, 'Greater market depth and recycling capacity' (IEA 2024b: 236)",
        {
            "policy": "recycling-high",
            "counterfactual": "recycling-zero",
            "calibrated": "transparency-low",  # the calibrated world with the same cobalt cut
        },
        (
            Metric(
                "cut in 2040 mine output of copper, lithium, nickel and cobalt, high "
                "recycling against none (mean of the four)",
                "%",
                lambda r: mx.primary_cut_pct(r["policy"], r["counterfactual"], 2040),
                band(10.0, 30.0, "10-30% (IEA)"),
                size=True,
            ),
            Metric(
                "the same cut from the calibrated recycling (no push; run transparency-low) "
                "against none",
                "%",
                lambda r: mx.primary_cut_pct(r["calibrated"], r["counterfactual"], 2040),
                band(10.0, 30.0, "10-30% (IEA)"),
                size=True,
                judged=False,
                note="Context: today's recycling rates carried forward, for comparison with "
                "the IEA's range.",
            ),
            Metric(
                "cobalt price peak under the DRC export cut, high recycling / none",
                "ratio",
                _shock_ratio("policy", "counterfactual"),
                below(1.0, "< 1 (a branch to lean on)"),
            ),
        ),
        (
            Panel(
                "Mine output, copper + lithium + nickel + cobalt",
                "Mt/month",
                lambda s: (
                    s.mined[:, [s.minerals.index(m) for m in mx.BATTERY_RECYCLED], :].sum(
                        axis=(1, 2)
                    )
                    / 1e6
                ),
                ("policy", "counterfactual"),
            ),
            Panel("Refined cobalt, world price", "kUSD/t", _cobalt, ("policy", "counterfactual")),
        ),
        SHOCK,
        "Recycling cuts primary needs and softens the cobalt spike, but the push run here "
        "(60% collection and 15% more capacity a year everywhere) cuts 2040 mine output a "
        "little more than the IEA's 10-30%, and today's recycling rates carried forward cut "
        "it by less (the context row): the IEA's cases lie between the two.",
    ),
    Claim(
        9,
        "Open trade and cooperation (forums, skilled-labour mobility, investment openness) "
        "make supply more resilient than unilateral barriers",
        "Ch. 5, 'India, Japan, and regional partners can gain from deeper critical minerals "
        "cooperation' (Table 5.2)",
        {"policy": "cooperation", "counterfactual": "unilateral"},
        (
            Metric(
                "cobalt price peak under the DRC export cut, cooperation / unilateral",
                "ratio",
                _shock_ratio("policy", "counterfactual"),
                below(1.0, "< 1"),
            ),
            Metric(
                "months for cobalt to recover, cooperation - unilateral",
                "months",
                _recovery_gap("policy", "counterfactual"),
                below(0.5, "<= 0"),
            ),
            Metric(
                "unmet demand 2023-2030 (value), cooperation / unilateral",
                "ratio",
                _shortage_ratio("policy", "counterfactual"),
                below(1.0, "< 1"),
            ),
            Metric(
                "refined price index 2024-2030, cooperation / unilateral",
                "ratio",
                _index_ratio("policy", "counterfactual"),
                below(1.0, "< 1"),
            ),
        ),
        (
            Panel(
                "Refined price index (2023 = 1, mean of minerals)",
                "index",
                lambda s: mx.price_index(s, slice(0, len(s.months))),
                ("policy", "counterfactual"),
            ),
            Panel("Refined cobalt, world price", "kUSD/t", _cobalt, ("policy", "counterfactual")),
        ),
        SHOCK,
        "Under cooperation the DRC's government bans raw cobalt exports under its "
        "resource-nationalism rule in 2026, once its own export cut has widened the refining "
        "margin (every seed checked); forums in the model damp retaliation but nothing "
        "disciplines resource nationalism (no rule like the WTO's on export restrictions). "
        "Under unilateral barriers the DRC has already banned cobalt ore sales to China in "
        "2023-24, in retaliation for China's licensing, so the cut hits a market already "
        "disrupted. Cooperation still leaves less demand unmet in every seed.",
    ),
)


def scenarios(claims: tuple[Claim, ...] = CLAIMS) -> list[str]:
    """Every scenario the claims run, once."""
    return list(dict.fromkeys(name for claim in claims for name in claim.runs.values()))
