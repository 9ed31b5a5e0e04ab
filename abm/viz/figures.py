"""The page's figures, drawn from a model's recorder for the mineral on show.

The mineral is an argument, not model state, so the page can switch it without a reset. Time
plots span at least a year from the start, so the first step is a visible point on a sensible
axis rather than a dot on an axis a few hours wide; overlapping lines keep distinct colours,
dashes and markers; bar segments too narrow for their label are named in the legend instead.
"""

from __future__ import annotations

from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

DESTINATIONS = ("CN", "US", "EU", "JP")
# One look per destination: colour, dash, marker and width differ, so equal prices still show
# every line (the widest drawn first, under the others).
LINE_STYLES = (
    {"color": "C0", "linestyle": "-", "marker": "o", "linewidth": 3.0},
    {"color": "C1", "linestyle": "--", "marker": "s", "linewidth": 2.2},
    {"color": "C2", "linestyle": "-.", "marker": "^", "linewidth": 1.6},
    {"color": "C3", "linestyle": ":", "marker": "D", "linewidth": 1.2},
)
MIN_WINDOW_MONTHS = 12  # the time axis shows at least this many months from the start
MARKERS_PER_LINE = 8
SHARE_BARS = 5  # countries named per share bar; the rest are one "other" band
LABEL_MIN_SHARE = 0.12  # narrower segments are named in the legend only
TOP_FLOWS = 8
# A colour per country: tab20 without its two greys (they read as "other"), and two of tab20b.
COUNTRY_COLOURS = [
    *(matplotlib.colormaps["tab20"](i) for i in range(20) if i not in (14, 15)),
    *(matplotlib.colormaps["tab20b"](i) for i in (0, 8)),
]


def _figure(width: float = 5.0, height: float = 3.2) -> tuple[Figure, Any]:
    # Fixed margins: constrained layout costs about 30 ms a figure, a third of the render time.
    figure = Figure(figsize=(width, height))
    figure.subplots_adjust(left=0.16, right=0.97, top=0.88, bottom=0.14)
    return figure, figure.subplots()


def _no_data_yet(model: Any, axes: Any, title: str) -> bool:
    """Before the first step there is nothing recorded: say so instead of an empty plot."""
    if model.month > 0:
        return False
    axes.set_title(title, fontsize=10)
    axes.text(0.5, 0.5, "press Step", ha="center", va="center", transform=axes.transAxes)
    axes.set_axis_off()
    return True


def recorded_months(model: Any) -> int:
    """How many months have been recorded (the model's month, at most its horizon)."""
    return min(model.month, model.running_months)


def _time_axis(axes: Any, model: Any) -> None:
    """A date axis from the start to at least a year on (or the horizon, if shorter)."""
    months = model.world.months
    last = min(max(recorded_months(model), MIN_WINDOW_MONTHS), model.running_months) - 1
    pad = np.timedelta64(15, "D")
    axes.set_xlim(months[0] - pad, months[last] + pad)
    locator = mdates.AutoDateLocator(maxticks=10)  # 6 finds no interval for 4-5 years
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    axes.tick_params(labelsize=7)


def _legend_below(axes: Any, entries: dict[str, Any] | None = None, ncol: int = 5) -> None:
    """A legend under the axes, where it cannot hide a line or a bar."""
    handles, labels = (list(entries.values()), list(entries)) if entries else ([], [])
    axes.legend(
        *((handles, labels) if entries else ()),
        fontsize=7,
        ncol=ncol,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.12),
        frameon=False,
    )


def _markevery(count: int, line: int) -> tuple[int, int]:
    """Markers spread along a line and staggered between lines, so they do not all coincide."""
    step = max(1, count // MARKERS_PER_LINE)
    return min(line * step // len(LINE_STYLES), count - 1), step


def price_figure(model: Any, mineral: str) -> Figure:
    """Refined price by destination (and the compliant tier when IRA rules apply)."""
    title = f"Refined {mineral} price by destination (USD/t)"
    figure, axes = _figure()
    if _no_data_yet(model, axes, title):
        return figure
    recorder, m, upto = model.recorder, model.world.minerals.index(mineral), recorded_months(model)
    months = model.world.months[:upto]
    prices = recorder.destination_price[1, :upto, m, :]
    shown = []
    for line, (code, style) in enumerate(zip(DESTINATIONS, LINE_STYLES, strict=True)):
        c = model.world.countries.index(code)
        shown.append(prices[:, c])
        axes.plot(
            months,
            prices[:, c],
            label=code,
            markersize=4,
            markevery=_markevery(upto, line),
            **style,
        )
    if recorder.tiered[:upto, m].any():
        c = model.world.countries.index("US")
        axes.plot(
            months,
            recorder.compliant_price[:upto, m, c],
            color="0.3",
            linestyle=(0, (1, 2)),
            marker="x",
            markersize=4,
            markevery=_markevery(upto, 0),
            label="US tier",
        )
    latest = np.array([series[-1] for series in shown])
    spread = (latest.max() - latest.min()) / latest.min() if latest.min() > 0 else 0.0
    axes.set_title(f"{title}\nlast month's spread between destinations: {spread:.1%}", fontsize=9)
    _legend_below(axes, ncol=len(DESTINATIONS) + 1)
    _time_axis(axes, model)
    figure.subplots_adjust(bottom=0.26)
    return figure


def _share_bar(axes: Any, row: int, shares: np.ndarray, names: list[str], legend: dict) -> None:
    """One stacked bar: the largest countries, then "other" so the bar sums to one."""
    left = 0.0
    largest = [c for c in np.argsort(shares)[::-1][:SHARE_BARS] if shares[c] > 0]
    segments = [(names[c], shares[c], COUNTRY_COLOURS[c % len(COUNTRY_COLOURS)]) for c in largest]
    segments.append(("other", 1.0 - sum(shares[c] for c in largest), "white"))
    for name, share, colour in segments:
        if share <= 1e-9:
            continue
        hatch = "///" if name == "other" else None  # no country's colour looks like it
        legend[name] = axes.barh(
            row, share, left=left, color=colour, edgecolor="0.5", hatch=hatch, linewidth=0.5
        )
        if share >= LABEL_MIN_SHARE:
            label = f"{name}\n{share:.0%}"
            axes.text(left + share / 2, row, label, ha="center", va="center", fontsize=7)
        left += share


def supply_share_figure(model: Any, mineral: str) -> Figure:
    """Refined output shares of the mineral by refinery location and by owner, last month."""
    title = f"Refined {mineral} supply shares, last month"
    figure, axes = _figure()
    if _no_data_yet(model, axes, title):
        return figure
    fleet, month = model.refineries, recorded_months(model) - 1
    output = model.recorder.refinery_output[month]
    mask = fleet.mineral == model.world.minerals.index(mineral)
    total = output[mask].sum()
    axes.set_title(title, fontsize=10)
    if total <= 0:
        axes.text(0.5, 0.5, "no refined output", ha="center", transform=axes.transAxes)
        axes.set_axis_off()
        return figure
    legend: dict[str, Any] = {}
    for row, where in enumerate((fleet.location, fleet.owner)):
        shares = np.bincount(where[mask], output[mask], len(model.world.countries)) / total
        _share_bar(axes, row, shares, list(model.world.countries), legend)
    axes.set_yticks([0, 1], ["location", "owner"])
    axes.set_xlim(0, 1)
    axes.xaxis.set_major_formatter(PercentFormatter(1.0))
    axes.tick_params(labelsize=7)
    _legend_below(axes, legend, ncol=min(len(legend), 6))
    figure.subplots_adjust(bottom=0.3)
    return figure


def flow_figure(model: Any, mineral: str) -> Figure:
    """The largest refined origin -> destination flows of the mineral, last month."""
    title = f"Largest refined {mineral} flows, last month (t/month)"
    figure, axes = _figure()
    if _no_data_yet(model, axes, title):
        return figure
    flows = model.recorder.flows[1, recorded_months(model) - 1, model.world.minerals.index(mineral)]
    order = np.argsort(flows, axis=None)[::-1][:TOP_FLOWS]
    origin, destination = np.unravel_index(order, flows.shape)
    names = model.world.countries
    labels = [f"{names[o]} → {names[d]}" for o, d in zip(origin, destination, strict=True)]
    axes.barh(labels[::-1], flows[origin, destination][::-1], color="C0")
    axes.set_title(title, fontsize=10)
    axes.tick_params(labelsize=7)
    figure.subplots_adjust(left=0.2)
    return figure


def unmet_demand_figure(model: Any, mineral: str) -> Figure:
    """Share of demand not consumed, per month, for the mineral (all countries)."""
    title = f"Unmet {mineral} demand (share of demand, all countries)"
    figure, axes = _figure()
    if _no_data_yet(model, axes, title):
        return figure
    upto, m = recorded_months(model), model.world.minerals.index(mineral)
    demanded = model.recorder.demanded[:upto, m].sum(axis=1)
    consumed = model.recorder.consumed[:upto, m].sum(axis=1)
    unmet = np.clip(1 - consumed / np.where(demanded > 0, demanded, 1), 0, 1)
    axes.plot(
        model.world.months[:upto], unmet, marker="o", markersize=4, markevery=_markevery(upto, 0)
    )
    top = max(0.05, 1.1 * unmet.max())
    axes.set_ylim(-0.03 * top, top)  # a little below zero, so a line at zero is not the axis
    axes.yaxis.set_major_formatter(PercentFormatter(1.0))
    axes.set_title(title, fontsize=10)
    _time_axis(axes, model)
    return figure


FIGURES = (price_figure, supply_share_figure, flow_figure, unmet_demand_figure)
