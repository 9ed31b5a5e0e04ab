"""The series each claim's figure shows, one panel per series, by claim number."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from abm.replicate import measures as mx
from abm.replicate.summary import Summary


@dataclass(frozen=True)
class Panel:
    """One panel of a claim's figure: a series per role over time."""

    title: str
    ylabel: str
    series: Callable[[Summary], np.ndarray]
    roles: tuple[str, ...]


def _refined_share(mineral: str, country: str) -> Callable[[Summary], np.ndarray]:
    def series(s: Summary) -> np.ndarray:
        m, c = s.minerals.index(mineral), s.countries.index(country)
        return 100.0 * s.refined[:, m, c] / s.refined[:, m, :].sum(axis=1)

    return series


def _world_kusd(mineral: str) -> Callable[[Summary], np.ndarray]:
    return lambda s: mx.world_price(s, mineral) / 1000.0


def _index(s: Summary) -> np.ndarray:
    return mx.price_index(s, slice(0, len(s.months)))


COBALT = Panel("Refined cobalt, world price", "kUSD/t", _world_kusd("cobalt"), ())
INDEX = "Refined price index (2023 = 1, mean of minerals)"

PANELS: dict[int, tuple[Panel, ...]] = {
    1: (
        Panel(
            "Refined rare earths delivered to Japan",
            "kUSD/t",
            lambda s: mx.price_in(s, "rare_earths", "JP") / 1000.0,
            ("policy", "counterfactual", "thick", "thick_counterfactual"),
        ),
        Panel(
            "China's share of refined rare-earth output",
            "%",
            _refined_share("rare_earths", "CN"),
            ("policy", "counterfactual"),
        ),
    ),
    2: (
        Panel(
            "Indonesia's share of refined nickel output",
            "%",
            _refined_share("nickel", "ID"),
            ("policy", "counterfactual"),
        ),
        Panel(
            "Refined nickel, world price",
            "kUSD/t",
            _world_kusd("nickel"),
            ("policy", "counterfactual"),
        ),
    ),
    3: (
        Panel(
            "China's graphite exports (both stages)",
            "kt/month",
            lambda s: s.china_exports[:, :, s.minerals.index("graphite")].sum(axis=0) / 1000.0,
            ("policy", "counterfactual"),
        ),
        Panel(
            "Refined graphite, ex-China over China price",
            "ratio",
            lambda s: mx.ex_china_price(s, "graphite") / mx.price_in(s, "graphite", "CN"),
            ("policy", "counterfactual"),
        ),
    ),
    4: (
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
    5: (
        Panel(
            "Compliant lithium premium",
            "%",
            lambda s: s.premium_pct[:, s.minerals.index("lithium")],
            ("policy", "leasing", "counterfactual"),
        ),
    ),
    6: (
        Panel(INDEX, "index", _index, ("segmented", "open", "autarky", "policy")),
        Panel(COBALT.title, COBALT.ylabel, COBALT.series, ("segmented", "open")),
    ),
    7: (
        Panel(
            "Refined lithium, world price",
            "kUSD/t",
            _world_kusd("lithium"),
            ("policy", "counterfactual"),
        ),
        Panel(
            "Lithium refining capacity",
            "kt/month",
            lambda s: s.refining_capacity[:, s.minerals.index("lithium"), :].sum(axis=1) / 1000.0,
            ("policy", "counterfactual"),
        ),
    ),
    8: (
        Panel(
            "Mine output, copper + lithium + nickel + cobalt",
            "Mt/month",
            lambda s: (
                s.mined[:, [s.minerals.index(m) for m in mx.BATTERY_RECYCLED], :].sum(axis=(1, 2))
                / 1e6
            ),
            ("policy", "counterfactual"),
        ),
        Panel(COBALT.title, COBALT.ylabel, COBALT.series, ("policy", "counterfactual")),
    ),
    9: (
        Panel(INDEX, "index", _index, ("policy", "counterfactual")),
        Panel(COBALT.title, COBALT.ylabel, COBALT.series, ("policy", "counterfactual")),
    ),
}
