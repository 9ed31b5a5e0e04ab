"""Judge the claims from the metric values and write REPORT.md, values.csv and figures.

Nothing in the report depends on the time or the machine: the same seeds and code give the
same files, byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy import stats

from abm.outputs import write_text_atomic
from abm.replicate.claims import CLAIMS, Claim, Metric
from abm.replicate.summary import Summary

ROLE_STYLE = {
    "policy": ("C3", "-"),
    "counterfactual": ("C0", "-"),
    "thick": ("C1", "--"),
    "thick_counterfactual": ("C2", "--"),
    "leasing": ("C1", "-"),
    "segmented": ("C3", "-"),
    "open": ("C0", "-"),
    "autarky": ("C7", "--"),
}


@dataclass(frozen=True)
class Measured:
    """One metric over the seeds: mean, 95% interval, and whether its target holds."""

    metric: Metric
    values: np.ndarray

    @property
    def mean(self) -> float:
        return float(np.mean(self.values))

    @property
    def interval(self) -> tuple[float, float]:
        """Student-t 95% interval of the mean across seeds (the mean itself with one seed)."""
        n = len(self.values)
        if n < 2:
            return self.mean, self.mean
        half = stats.t.ppf(0.975, n - 1) * np.std(self.values, ddof=1) / np.sqrt(n)
        return self.mean - half, self.mean + half

    @property
    def holds(self) -> bool:
        """The mean meets the target and, for a direction, the whole interval does too."""
        target = self.metric.target
        if self.metric.size:
            return target.holds(self.mean)
        low, high = self.interval
        return target.holds(self.mean) and target.holds(low) and target.holds(high)


def verdict(measured: list[Measured]) -> str:
    judged = [m for m in measured if m.metric.judged]
    direction = all(m.holds for m in judged if not m.metric.size)
    size = all(m.holds for m in judged if m.metric.size)
    if direction and size:
        return "holds"
    if direction:
        return "direction holds, size does not"
    return "does not hold"


def _number(value: float) -> str:
    if not np.isfinite(value):
        return "n/a"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}" if abs(value) < 10 else f"{value:.1f}"


def write_values(
    values: dict[int, np.ndarray], seeds: list[int], out: Path, claims: tuple[Claim, ...] = CLAIMS
) -> Path:
    rows = []
    for claim in claims:
        for i, metric in enumerate(claim.metrics):
            for j, seed in enumerate(seeds):
                rows.append(
                    {
                        "claim": claim.number,
                        "metric": metric.name,
                        "unit": metric.unit,
                        "seed": seed,
                        "value": values[claim.number][i, j],
                    }
                )
    path = out / "values.csv"
    pd.DataFrame(rows).to_csv(path, index=False, float_format="%.10g")
    return path


def figure(claim: Claim, runs: dict[tuple[str, int], Summary], seeds: list[int], out: Path) -> Path:
    """One panel per series: the mean across seeds of each role, with its min-max range."""
    panels = claim.panels
    fig, axes = plt.subplots(1, len(panels), figsize=(6.2 * len(panels), 4.0), squeeze=False)
    for panel, axis in zip(panels, axes[0], strict=True):
        for role in panel.roles:
            name = claim.runs[role]
            first = runs[(name, seeds[0])]
            dates = pd.to_datetime(list(first.months))
            with np.errstate(divide="ignore", invalid="ignore"):
                series = np.array([panel.series(runs[(name, seed)]) for seed in seeds], float)
            colour, style = ROLE_STYLE.get(role, ("k", "-"))
            axis.plot(dates, np.nanmean(series, axis=0), color=colour, ls=style, label=name)
            if len(seeds) > 1:
                axis.fill_between(
                    dates,
                    np.nanmin(series, axis=0),
                    np.nanmax(series, axis=0),
                    color=colour,
                    alpha=0.15,
                )
        if claim.mark:
            axis.axvline(pd.Timestamp(claim.mark), color="grey", lw=0.8, ls=":")
        axis.set_title(panel.title, fontsize=10)
        axis.set_ylabel(panel.ylabel)
        axis.legend(fontsize=7)
    fig.suptitle(f"Claim {claim.number}: mean of {len(seeds)} seeds (band: range)", fontsize=10)
    fig.tight_layout()
    path = out / f"claim-{claim.number}.png"
    fig.savefig(path, dpi=90, metadata={"Software": None})
    plt.close(fig)
    return path


def write_report(
    values: dict[int, np.ndarray],
    runs: dict[tuple[str, int], Summary],
    seeds: list[int],
    out: Path,
    command: str,
    commit: str | None,
    claims: tuple[Claim, ...] = CLAIMS,
) -> tuple[Path, dict[int, str]]:
    """REPORT.md, values.csv and a figure per claim; returns the verdict of each claim."""
    out.mkdir(parents=True, exist_ok=True)
    write_values(values, seeds, out, claims)
    verdicts: dict[int, str] = {}
    lines = [
        "# Replication of the chapter's claims",
        "",
        f"Made by `{command}` from commit `{commit or 'unknown'}`; seeds {seeds[0]} to "
        f"{seeds[-1]} ({len(seeds)} seeds). Each metric is computed per seed from that seed's "
        "runs (`values.csv` has every value); the table gives the mean and the Student-t 95% "
        "interval of the mean across seeds. A direction holds when the mean and the whole "
        "interval meet the target; a size from history (marked *size*) holds when the mean is "
        "within the band, which is the historical figure within a factor of two "
        "(MISSION.md). Historical episodes are replayed in the calibrated 2023 world, so "
        "sizes compare a mechanism, not a date. Scenario files are in "
        "`experiments/scenarios/`; the model is described in `docs/ODD.md`.",
        "",
        "| claim | verdict | metric | measured (95% interval) | target | holds |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    details = []
    for claim in claims:
        measured = [Measured(m, values[claim.number][i]) for i, m in enumerate(claim.metrics)]
        verdicts[claim.number] = verdict(measured)
        for k, item in enumerate(measured):
            low, high = item.interval
            kind = " (*size*)" if item.metric.size else ""
            kind += "" if item.metric.judged else " (context, not judged)"
            lines.append(
                f"| {claim.number if k == 0 else ''} | {verdicts[claim.number] if k == 0 else ''} "
                f"| {item.metric.name}{kind} | {_number(item.mean)} {item.metric.unit} "
                f"({_number(low)} to {_number(high)}) | {item.metric.target.text} "
                f"| {'yes' if item.holds else '**no**'} |"
            )
        path = figure(claim, runs, seeds, out)
        details += [
            f"## Claim {claim.number}: {claim.title}",
            "",
            f"Source: {claim.chapter}. Verdict: **{verdicts[claim.number]}**.",
            "",
            "Runs: " + ", ".join(f"{role} = `{name}`" for role, name in claim.runs.items()) + ".",
            "",
        ]
        if verdicts[claim.number] != "holds" and claim.why_not:
            details += [f"Why not: {claim.why_not}", ""]
        details += [f"- {m.metric.name}: {m.metric.note}" for m in measured if m.metric.note]
        details += ["", f"![claim {claim.number}]({path.name})", ""]
    failing = [n for n, v in verdicts.items() if v != "holds"]
    lines += [
        "",
        f"**{len(claims) - len(failing)} of {len(claims)} claims hold.**"
        + (
            f" Not holding: {', '.join(f'claim {n} ({verdicts[n]})' for n in failing)}."
            if failing
            else ""
        ),
        "",
    ]
    report = out / "REPORT.md"
    write_text_atomic(report, "\n".join(lines + details).rstrip() + "\n")
    return report, verdicts
