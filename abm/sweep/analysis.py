"""Figures and sensitivity indices from a sweep's runs.parquet, into <dir>/analysis/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import NamedTuple

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from abm.sweep.design import sample_matrix
from abm.sweep.labels import metric_label, parameter_label, reference
from abm.sweep.spec import Metric, Sweep, SweepError, parse_sweep


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in name)


def _save(figure: Figure, path: Path) -> None:
    """Write with the labels inside the picture (long labels are wrapped, never cut off)."""
    figure.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(figure)


def _effect_figure(sweep: Sweep, ok: pd.DataFrame, metric: Metric, parameter: str, path: Path):
    """Grids: mean and spread over seeds of a metric against one parameter."""
    grouped = ok.groupby(ok[parameter].astype(str), sort=False)[metric.name]
    stats = grouped.agg(["mean", "min", "max"])
    figure, axes = plt.subplots(figsize=(6, 4.2))
    x = range(len(stats))
    axes.errorbar(
        x,
        stats["mean"],
        yerr=[stats["mean"] - stats["min"], stats["max"] - stats["mean"]],
        fmt="o-",
        capsize=3,
        label=f"mean, min-max over {len(sweep.seeds)} seed(s)",
    )
    if len(stats) <= 12:
        axes.set_xticks(list(x), stats.index, rotation=30)
    axes.set_xlabel(parameter_label(parameter, 60))
    axes.set_ylabel(metric_label(metric))
    axes.set_title(f"{sweep.name}: {metric.name}", fontsize=10)
    axes.legend(fontsize=8)
    _save(figure, path)


def _scatter_figure(sweep: Sweep, ok: pd.DataFrame, metric: Metric, parameter: str, path: Path):
    """Continuous designs: every run as a point, samples averaged over seeds as a line."""
    figure, axes = plt.subplots(figsize=(6, 4.2))
    axes.scatter(ok[parameter], ok[metric.name], s=8, alpha=0.5, label="runs")
    means = ok.groupby("sample").agg({parameter: "first", metric.name: "mean"})
    means = means.sort_values(parameter)
    axes.plot(means[parameter], means[metric.name], ".", color="black", label="mean over seeds")
    axes.set_xlabel(parameter_label(parameter, 60))
    axes.set_ylabel(metric_label(metric))
    axes.set_title(f"{sweep.name}: {metric.name} ({sweep.design})", fontsize=10)
    axes.legend(fontsize=8)
    _save(figure, path)


def _heat_map(sweep: Sweep, ok: pd.DataFrame, metric: Metric, path: Path) -> None:
    """Two-parameter grids: the mean over seeds in each cell, written in it, on a colour scale
    from the metric's reference (no change for a ratio, else zero), so that a difference of a
    fraction of a percent looks like one."""
    rows, columns = list(sweep.parameters)
    table = ok.pivot_table(
        index=ok[rows].astype(str),
        columns=ok[columns].astype(str),
        values=metric.name,
        aggfunc="mean",
        sort=False,
    )
    values = table.to_numpy(dtype=float)
    finite = values[np.isfinite(values)]
    base = reference(metric)
    low = min(base, finite.min()) if finite.size else base
    high = max(base, finite.max()) if finite.size else base + 1.0
    figure, axes = plt.subplots(figsize=(6.5, 4.8))
    image = axes.imshow(values, aspect="auto", origin="lower", vmin=low, vmax=high or 1.0)
    shade = (values - low) / ((high or 1.0) - low or 1.0)  # where each cell is on the scale
    for (i, j), value in np.ndenumerate(values):
        colour = "black" if shade[i, j] > 0.6 else "white"  # viridis is light at the top
        axes.text(j, i, f"{value:.4g}", ha="center", va="center", fontsize=8, color=colour)
    axes.set_xticks(range(len(table.columns)), table.columns, rotation=30)
    axes.set_yticks(range(len(table.index)), table.index)
    axes.set_xlabel(parameter_label(columns, 60))
    axes.set_ylabel(parameter_label(rows))
    axes.set_title(f"{sweep.name}: {metric.name}, mean over seeds", fontsize=10)
    figure.colorbar(image, label=f"{metric_label(metric)}\n(scale from {base:g})")
    _save(figure, path)


def _indices(sweep: Sweep, table: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Sobol S1/ST or Morris mu*/sigma, from the mean over seeds of each sample."""
    from abm.sweep.design import _problem

    problem = _problem(sweep)
    outcome = table.groupby("sample")[metric].mean().sort_index().to_numpy()
    if sweep.design == "sobol":
        from SALib.analyze import sobol

        result = sobol.analyze(problem, outcome, calc_second_order=False, seed=sweep.seeds[0])
        keys = ["S1", "S1_conf", "ST", "ST_conf"]
    else:
        from SALib.analyze import morris

        result = morris.analyze(problem, sample_matrix(sweep), outcome, seed=sweep.seeds[0])
        keys = ["mu_star", "mu_star_conf", "sigma"]
    return pd.DataFrame(
        {k: result[k] for k in keys}, index=pd.Index(problem["names"], name="parameter")
    )


WIDEST_INTERVAL = 0.1  # a Sobol index known to +-0.1 cannot rank parameters of the usual sizes


def index_warnings(sweep: Sweep, metric: str, indices: pd.DataFrame) -> list[str]:
    """Why the design is too small for its indices, read off the indices themselves: Sobol
    indices outside [0, 1] or S1 above ST beyond their 95% intervals, or intervals wider than
    +-0.1; Morris mu* less than twice its interval. Empty when they look sound."""
    problems = []
    if sweep.design == "sobol":
        s1, st = indices["S1"], indices["ST"]
        s1_conf, st_conf = indices["S1_conf"], indices["ST_conf"]
        for name in indices.index[(s1 - s1_conf > 1) | (st - st_conf > 1)]:
            problems.append(f"an index of {name} is above 1")
        for name in indices.index[(s1 + s1_conf < 0) | (st + st_conf < 0)]:
            problems.append(f"an index of {name} is below 0")
        for name in indices.index[s1 - s1_conf > st + st_conf]:
            problems.append(f"S1 of {name} exceeds its ST")
        widest = float(np.nanmax(np.r_[s1_conf, st_conf]))
        if not widest <= WIDEST_INTERVAL:
            problems.append(f"95% intervals up to +-{widest:.2g}")
        size = f"N = {sweep.samples}"
        remedy = "raise samples: the intervals shrink about as 1/sqrt(N)"
    else:
        unsure = indices["mu_star_conf"] > 0.5 * indices["mu_star"].abs()
        problems += [
            f"mu* of {name} is within twice its interval" for name in indices.index[unsure]
        ]
        size = f"{sweep.samples} trajectories"
        remedy = "raise samples (trajectories)"
    if not problems:
        return []
    reasons = "; ".join(problems)
    return [f"{metric}: {sweep.design} indices from {size} are unreliable ({reasons}); {remedy}"]


def _index_figure(
    sweep: Sweep, metric: Metric, indices: pd.DataFrame, warnings: list[str], path: Path
) -> None:
    """Bars of the indices with their 95% confidence intervals."""
    errors: list[str | None]
    if sweep.design == "sobol":
        columns, errors = ["S1", "ST"], ["S1_conf", "ST_conf"]
    else:
        columns, errors = ["mu_star", "sigma"], ["mu_star_conf", None]
    figure, axes = plt.subplots(figsize=(6.5, 4.5))
    width = 0.4
    x = np.arange(len(indices))
    for k, (column, error) in enumerate(zip(columns, errors, strict=True)):
        axes.bar(
            x + (k - 0.5) * width,
            indices[column],
            width,
            yerr=None if error is None else indices[error],
            capsize=3,
            label=column + ("" if error is None else " (95% interval)"),
        )
    labels = [parameter_label(name, 24) for name in indices.index]
    axes.set_xticks(x, labels, fontsize=7)
    axes.axhline(0, color="black", linewidth=0.6)
    axes.set_ylabel("index" if sweep.design == "sobol" else metric_label(metric))
    title = f"{sweep.name}: {sweep.design} indices of {metric.name}"
    if warnings:
        title += "\nunreliable: design too small (see abm analyze's warning)"
    axes.set_title(title, fontsize=10, color="firebrick" if warnings else "black")
    axes.legend(fontsize=8)
    _save(figure, path)


def finished_sweep(directory: Path) -> Sweep:
    """The sweep a results folder's manifest.json records; SweepError when the folder is not
    a sweep's or the sweep has not finished."""
    where = directory / "manifest.json"
    if not where.is_file():
        raise SweepError(
            f"{directory} is not a sweep's results folder (no manifest.json); give the folder "
            "abm sweep wrote, e.g. results/<sweep>"
        )
    if not (directory / "runs.parquet").is_file():
        raise SweepError(
            f"{directory}/runs.parquet does not exist: the sweep has not finished (run it "
            "again with --resume)"
        )
    try:
        manifest = json.loads(where.read_text())
        text = manifest["sweep_file"]
    except (OSError, ValueError, KeyError, TypeError):
        raise SweepError(f"{where} is not a sweep's manifest (no sweep_file in it)") from None
    return parse_sweep(text, str(where))


class Analysis(NamedTuple):
    """What ``analyze`` wrote, how many runs it read of how many planned, and its warnings."""

    written: list[Path]
    done: int
    planned: int
    warnings: list[str]


def analyze(directory: Path) -> Analysis:
    """Write every figure and table of the runs done. Sensitivity indices need every run of
    the design; warnings say where the design is too small for them."""
    from abm.sweep.design import runs

    sweep = finished_sweep(directory)
    table = pd.read_parquet(directory / "runs.parquet")
    planned = len(runs(sweep))
    ok = table[table["status"] == "ok"]
    out = directory / "analysis"
    out.mkdir(exist_ok=True)
    written: list[Path] = []
    warnings: list[str] = []
    parameters = list(sweep.parameters)
    for metric in sweep.metrics:
        for parameter in parameters:
            path = out / f"{_safe(metric.name)}__{_safe(parameter)}.png"
            draw = _effect_figure if sweep.design == "grid" else _scatter_figure
            draw(sweep, ok, metric, parameter, path)
            written.append(path)
        if sweep.design == "grid" and len(parameters) == 2:
            path = out / f"{_safe(metric.name)}__heatmap.png"
            _heat_map(sweep, ok, metric, path)
            written.append(path)
        if sweep.design in ("sobol", "morris") and len(ok) == len(table) == planned:
            indices = _indices(sweep, table, metric.name)
            notes = index_warnings(sweep, metric.name, indices)
            warnings += notes
            csv = out / f"{_safe(metric.name)}__{sweep.design}.csv"
            indices.to_csv(csv)
            _index_figure(sweep, metric, indices, notes, csv.with_suffix(".png"))
            written += [csv, csv.with_suffix(".png")]
    return Analysis(written, len(table), planned, warnings)
