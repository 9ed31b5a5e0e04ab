"""PNG figures of a run: refined prices against their 2023 level, refined output shares.

Each figure says on its own what it shows: the scenario and seed in its title, a line where
each scripted policy starts (its mineral's panel only, or every panel for a policy on all
minerals), units on every axis. Prices are ratios to the 2023 reference price on a log
scale, so a spike does not flatten the rest of the path and minerals compare at a glance.
Shares carry an "other" band, so each stack sums to one. The x axis is in fractional
years with ticks set here: matplotlib's date locator and ``tight_layout`` cost most of a
run's figure time.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, cast

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

from abm.groups import tonne_weighted
from abm.world.months import fractional_years

if TYPE_CHECKING:
    from abm.model import MineralsModel

SHOWN_DESTINATIONS = ("CN", "US", "EU", "JP", "IN", "KR")
LINE_STYLES = ("-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1)))
SHARE_FLOOR = 0.02  # locations that never reach this share of a mineral go into "other"
OTHER = "other"
POLICY_START = "policy-start"  # the gid of the line marking a policy's start
SIZE = (16.0, 7.5)
REFINED = 1


def write_figures(
    model: MineralsModel,
    directory: Path,
    scenario: str = "",
    compare: tuple[str, MineralsModel] | None = None,
) -> list[Path]:
    """Write the price and refined-share figures of ``model`` into ``directory``; with
    ``compare`` (a scenario's name and its run), its world price is drawn in the price
    figure too."""
    figures = {
        "prices.png": price_figure(model, scenario, compare),
        "refined_shares.png": shares_figure(model, scenario),
    }
    paths = []
    for name, figure in figures.items():
        figure.savefig(directory / name, dpi=90)
        plt.close(figure)
        paths.append(directory / name)
    return paths


def run_label(model: MineralsModel, scenario: str) -> str:
    """``scenario, seed N, world Y``: what a figure's title says it is."""
    return f"{scenario or 'run'}, seed {model.seed_value}, world {model.calibration.year}"


def policy_starts(model: MineralsModel) -> list[tuple[float, str, tuple[str, ...]]]:
    """(fractional year, label, minerals) of each scripted policy's start within the run."""
    first = model.world.months[0]
    starts = []
    for policy in model.policies.policies:
        if policy.cause != "scripted":
            continue
        text = policy.start or f"{first.year}-{first.month:02d}"
        year, month = (int(part) for part in text.split("-"))
        label = f"{policy.country} {policy.kind.replace('_', ' ')}"
        starts.append((year + (month - 1) / 12.0, label, policy.minerals()))
    return starts


def price_ratios(model: MineralsModel) -> np.ndarray:
    """(month, mineral, destination) refined delivered price over the 2023 reference, for
    ``SHOWN_DESTINATIONS``; NaN where a destination bought nothing."""
    world, rec = model.world, model.recorder
    shown = [world.countries.index(c) for c in SHOWN_DESTINATIONS]
    prices = rec.destination_price[1, : rec.months_done][:, :, shown]
    return prices / world.reference_price[None, :, 1, None]


def refined_shares(model: MineralsModel, mineral: int) -> tuple[np.ndarray, list[str]]:
    """(month, band) shares of primary refined output of ``mineral`` by location, bands
    for locations that reach ``SHARE_FLOOR`` in some month and a last ``OTHER`` band for the
    rest; each month sums to one (zero in a month with no output)."""
    world, rec, fleet = model.world, model.recorder, model.refineries
    months = rec.months_done
    sites = fleet.mineral == mineral
    by_country = np.zeros((months, len(world.countries)))
    np.add.at(by_country.T, fleet.location[sites], rec.refinery_output[:months, sites].T)
    total = by_country.sum(axis=1, keepdims=True)
    shares = np.divide(by_country, total, out=np.zeros_like(by_country), where=total > 0)
    shown = shares.max(axis=0) >= SHARE_FLOOR
    bands = np.column_stack((shares[:, shown], shares[:, ~shown].sum(axis=1)))
    return bands, [c for c, keep in zip(world.countries, shown, strict=True) if keep] + [OTHER]


def world_price_ratio(model: MineralsModel) -> np.ndarray:
    """(month, mineral) refined delivered price weighted by tonnes bought, over the 2023
    reference; NaN in a month nobody bought."""
    world, rec = model.world, model.recorder
    done = rec.months_done
    bought = rec.flows[REFINED, :done].sum(axis=2)  # (month, mineral, destination)
    mean = tonne_weighted(rec.destination_price[REFINED, :done], bought, axis=2)
    return mean / world.reference_price[None, :, REFINED]


def _aligned(model: MineralsModel, other: MineralsModel) -> np.ndarray:
    """``other``'s world price ratio on ``model``'s months, NaN where it has none."""
    ours = model.world.months[: model.recorder.months_done]
    theirs = other.world.months[: other.recorder.months_done]
    at = theirs.get_indexer(ours)
    ratio = world_price_ratio(other)
    return np.where((at >= 0)[:, None], ratio[np.maximum(at, 0)], np.nan)


def price_figure(
    model: MineralsModel, scenario: str = "", compare: tuple[str, MineralsModel] | None = None
) -> Figure:
    """Refined delivered price in the main consuming countries over its 2023 level, one
    panel per mineral, log scale; with ``compare``, that run's world price in black."""
    world = model.world
    years = _years(model)
    ratios = price_ratios(model)
    against = None
    if compare is not None:
        against = _aligned(model, compare[1])
        ratios = np.concatenate((ratios, against[:, :, None]), axis=2)
    figure, axes = plt.subplots(2, 4, figsize=SIZE, sharex=True)
    colours = plt.get_cmap("tab10").colors  # type: ignore[attr-defined]
    for m, axis in enumerate(axes.ravel()):
        for d, country in enumerate(SHOWN_DESTINATIONS):
            axis.plot(
                years,
                ratios[:, m, d],
                color=colours[d],
                ls=LINE_STYLES[d],
                lw=1.3,
                label=country,
            )
        if against is not None:
            axis.plot(
                years,
                against[:, m],
                color="black",
                lw=2.0,
                alpha=0.6,
                label=f"{compare[0]} (world price)" if compare else None,
            )
        axis.axhline(1.0, color="grey", lw=0.8, ls=":")
        axis.set_yscale("log")
        _ratio_ticks(axis, ratios[:, m])
        axis.set_title(world.minerals[m].replace("_", " "))
        _mark_policies(axis, model, world.minerals[m])
    for axis in axes[:, 0]:
        axis.set_ylabel("price / 2023 price (log)")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    figure.legend(
        handles,
        labels,
        loc="upper center",
        ncol=len(labels),
        fontsize=9,
        bbox_to_anchor=(0.5, 0.955),
        frameon=False,
        title=None,
    )
    return _finish(
        figure,
        axes,
        "Refined price over its 2023 level, main consuming countries "
        f"({run_label(model, scenario)})",
        years,
    )


def shares_figure(model: MineralsModel, scenario: str = "") -> Figure:
    """Share of primary refined output by location, stacked to one, one panel per mineral."""
    world = model.world
    years = _years(model)
    figure, axes = plt.subplots(2, 4, figsize=SIZE, sharex=True)
    colours = list(cast(ListedColormap, plt.get_cmap("tab20")).colors)  # type: ignore[arg-type]
    for m, axis in enumerate(axes.ravel()):
        bands, labels = refined_shares(model, m)
        palette = [
            "lightgrey" if label == OTHER else colours[world.countries.index(label) % 20]
            for label in labels
        ]
        axis.stackplot(years, bands.T, colors=palette, labels=labels)
        axis.set_title(world.minerals[m].replace("_", " "))
        axis.set_ylim(0, 1)
        axis.legend(fontsize=7, loc="lower left", ncol=3, framealpha=0.8)
        _mark_policies(axis, model, world.minerals[m], colour="black")
    for axis in axes[:, 0]:
        axis.set_ylabel("share of refined output")
    return _finish(
        figure,
        axes,
        "Refined output by location, share of primary refined tonnes "
        f"({run_label(model, scenario)})",
        years,
    )


def _years(model: MineralsModel) -> np.ndarray:
    return fractional_years(model.world.months[: model.recorder.months_done])


RATIO_TICKS = (
    0.1,
    0.2,
    0.3,
    0.5,
    0.7,
    0.8,
    0.9,
    1.0,
    1.1,
    1.25,
    1.5,
    2.0,
    3.0,
    5.0,
    10.0,
    20.0,
    50.0,
    100.0,
    200.0,
)


def _ratio_ticks(axis, ratios: np.ndarray) -> None:
    """Plain-number ticks on a log axis that spans at least 0.8-1.25, about five of them."""
    finite = ratios[np.isfinite(ratios) & (ratios > 0)]
    low = min(float(finite.min()), 0.8) if finite.size else 0.8
    high = max(float(finite.max()), 1.25) if finite.size else 1.25
    low, high = low / 1.05, high * 1.05
    axis.set_ylim(low, high)
    inside = [t for t in RATIO_TICKS if low <= t <= high]
    keep = max(1, len(inside) // 6)
    ticks = sorted(set(inside[::keep]) | {1.0})
    axis.yaxis.set_major_locator(FixedLocator(ticks))
    axis.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    axis.yaxis.set_minor_locator(NullLocator())


def _mark_policies(axis, model: MineralsModel, mineral: str, colour: str = "dimgrey") -> None:
    """A vertical line where each scripted policy on ``mineral`` starts."""
    for year, label, minerals in policy_starts(model):
        if mineral in minerals:
            axis.axvline(year, color=colour, lw=0.9, ls="--", alpha=0.7, gid=POLICY_START)
            axis.annotate(
                label,
                (year, 0.02),
                xycoords=("data", "axes fraction"),
                rotation=90,
                va="bottom",
                ha="right",
                fontsize=6,
                color=colour,
            )


def _finish(figure: Figure, axes, title: str, years: np.ndarray) -> Figure:
    """Title, year ticks on the bottom row and a fixed layout."""
    first, last = int(np.floor(years[0])), int(np.ceil(years[-1]))
    # At most five labels a panel (four panels a row leave room for no more), on round steps.
    step = next((k for k in (1, 2, 5, 10, 20) if (last - first) // k + 1 <= 5), 50)
    ticks = list(range(first, last + 1, step))
    for axis in axes[-1]:
        axis.set_xticks(ticks, [str(t) for t in ticks])
        axis.set_xlabel("year")
    axes[0, 0].set_xlim(years[0], max(years[-1], years[0] + 1.0 / 12.0))
    figure.suptitle(title, fontsize=12)
    figure.subplots_adjust(left=0.05, right=0.99, bottom=0.08, top=0.87, wspace=0.22, hspace=0.18)
    return figure
