"""PNG figures of a run: prices by mineral, refined supply shares over time."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, cast

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap

if TYPE_CHECKING:
    from abm.model import MineralsModel

SHOWN_DESTINATIONS = ("CN", "US", "EU", "JP", "IN", "KR")


def write_figures(model: MineralsModel, directory: Path) -> list[Path]:
    """Write the price and refined-share figures of ``model`` into ``directory``."""
    return [_prices(model, directory), _refined_shares(model, directory)]


def _prices(model: MineralsModel, directory: Path) -> Path:
    """Refined delivered price in the main consuming countries, one panel per mineral."""
    world, rec = model.world, model.recorder
    months = world.months[: rec.months_done]
    figure, axes = plt.subplots(2, 4, figsize=(16, 7), sharex=True)
    for m, (mineral, axis) in enumerate(zip(world.minerals, axes.ravel(), strict=True)):
        for country in SHOWN_DESTINATIONS:
            c = world.countries.index(country)
            axis.plot(months, rec.destination_price[1, : len(months), m, c] / 1000, label=country)
        axis.axhline(world.reference_price[m, 1] / 1000, color="grey", lw=0.8, ls=":")
        axis.set_title(mineral)
        axis.set_ylabel("kUSD/t (refined)")
    axes[0, 0].legend(fontsize=7)
    return _save(
        figure,
        "Refined price delivered to main consumers (dotted: 2023 reference)",
        directory / "prices.png",
    )


def _refined_shares(model: MineralsModel, directory: Path) -> Path:
    """Share of primary refined output by location, stacked, one panel per mineral."""
    world, rec, fleet = model.world, model.recorder, model.refineries
    months = world.months[: rec.months_done]
    figure, axes = plt.subplots(2, 4, figsize=(16, 7), sharex=True)
    colours = list(cast(ListedColormap, plt.get_cmap("tab20")).colors)  # type: ignore[arg-type]
    for m, (mineral, axis) in enumerate(zip(world.minerals, axes.ravel(), strict=True)):
        sites = fleet.mineral == m
        by_country = np.zeros((len(months), len(world.countries)))
        np.add.at(by_country.T, fleet.location[sites], rec.refinery_output[: len(months), sites].T)
        total = by_country.sum(axis=1, keepdims=True)
        shares = np.divide(by_country, total, out=np.zeros_like(by_country), where=total > 0)
        shown = np.flatnonzero(shares.max(axis=0) > 0.02)
        axis.stackplot(
            months,
            shares[:, shown].T,
            colors=[colours[i % 20] for i in shown],
            labels=[world.countries[i] for i in shown],
        )
        axis.set_title(mineral)
        axis.set_ylim(0, 1)
        axis.legend(fontsize=6, loc="lower left", ncol=2)
    return _save(
        figure,
        "Refined output by location (share of primary refined tonnes)",
        directory / "refined_shares.png",
    )


def _save(figure, title: str, path: Path) -> Path:
    figure.suptitle(title)
    figure.autofmt_xdate()
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)
    return path
