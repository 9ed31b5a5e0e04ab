"""Figures and sensitivity indices from a sweep's runs.parquet, into <dir>/analysis/."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

from abm.sweep.design import sample_matrix
from abm.sweep.spec import Sweep, SweepError, parse_sweep


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in name)


def _effect_figure(ok: pd.DataFrame, metric: str, parameter: str, path: Path) -> None:
    """Mean and spread over seeds of a metric against one parameter."""
    grouped = ok.groupby(ok[parameter].astype(str))[metric]
    stats = grouped.agg(["mean", "min", "max"])
    figure, axes = plt.subplots(figsize=(5, 3.5))
    x = range(len(stats))
    axes.errorbar(
        x,
        stats["mean"],
        yerr=[stats["mean"] - stats["min"], stats["max"] - stats["mean"]],
        fmt="o-",
        capsize=3,
    )
    if len(stats) <= 12:
        axes.set_xticks(list(x), stats.index, rotation=30)
    axes.set_xlabel(parameter)
    axes.set_ylabel(f"{metric} (mean, min-max over seeds)")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def _scatter_figure(ok: pd.DataFrame, metric: str, parameter: str, path: Path) -> None:
    """Continuous designs: every run as a point, samples averaged over seeds as a line."""
    figure, axes = plt.subplots(figsize=(5, 3.5))
    axes.scatter(ok[parameter], ok[metric], s=8, alpha=0.5, label="runs")
    means = ok.groupby("sample").agg({parameter: "first", metric: "mean"}).sort_values(parameter)
    axes.plot(means[parameter], means[metric], ".", color="black", label="mean over seeds")
    axes.set_xlabel(parameter)
    axes.set_ylabel(metric)
    axes.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def _heat_map(ok: pd.DataFrame, metric: str, rows: str, columns: str, path: Path) -> None:
    table = ok.pivot_table(
        index=ok[rows].astype(str), columns=ok[columns].astype(str), values=metric, aggfunc="mean"
    )
    figure, axes = plt.subplots(figsize=(5, 4))
    image = axes.imshow(table.to_numpy(dtype=float), aspect="auto", origin="lower")
    axes.set_xticks(range(len(table.columns)), table.columns, rotation=30)
    axes.set_yticks(range(len(table.index)), table.index)
    axes.set_xlabel(columns)
    axes.set_ylabel(rows)
    figure.colorbar(image, label=f"{metric} (mean over seeds)")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


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


def analyze(directory: Path) -> tuple[list[Path], tuple[int, int]]:
    """Write every figure and table of the runs done; returns their paths and (runs done,
    runs planned). Sensitivity indices need every run of the design."""
    from abm.sweep.design import runs

    sweep = finished_sweep(directory)
    table = pd.read_parquet(directory / "runs.parquet")
    planned = len(runs(sweep))
    ok = table[table["status"] == "ok"]
    out = directory / "analysis"
    out.mkdir(exist_ok=True)
    written: list[Path] = []
    parameters = list(sweep.parameters)
    for metric in (m.name for m in sweep.metrics):
        for parameter in parameters:
            path = out / f"{_safe(metric)}__{_safe(parameter)}.png"
            draw = _effect_figure if sweep.design == "grid" else _scatter_figure
            draw(ok, metric, parameter, path)
            written.append(path)
        if sweep.design == "grid" and len(parameters) == 2:
            path = out / f"{_safe(metric)}__heatmap.png"
            _heat_map(ok, metric, parameters[0], parameters[1], path)
            written.append(path)
        if sweep.design in ("sobol", "morris") and len(ok) == len(table) == planned:
            indices = _indices(sweep, table, metric)
            csv = out / f"{_safe(metric)}__{sweep.design}.csv"
            indices.to_csv(csv)
            figure, axes = plt.subplots(figsize=(5, 3.5))
            columns = ["S1", "ST"] if sweep.design == "sobol" else ["mu_star", "sigma"]
            indices[columns].plot.bar(ax=axes)
            axes.set_title(f"{metric}: {sweep.design} indices")
            figure.tight_layout()
            figure.savefig(csv.with_suffix(".png"), dpi=100)
            plt.close(figure)
            written += [csv, csv.with_suffix(".png")]
    return written, (len(table), planned)
