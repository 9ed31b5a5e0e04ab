"""Judge the claims from the metric values and write REPORT.md, values.csv and figures.

Nothing in the report depends on the time or the machine: the same seeds and code give the
same files, byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy import stats

from abm.outputs import write_text_atomic
from abm.replicate.claims import CAP_SHARE, CLAIMS, Claim, Metric
from abm.replicate.runner import Values
from abm.replicate.shocks import mean_sizes
from abm.replicate.summary import Summary
from abm.settings import ModelSettings

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
    """One metric over the seeds: mean, 95% interval, the highest price / cap ratio it was
    taken at, and whether it holds."""

    metric: Metric
    values: np.ndarray
    caps: np.ndarray | None = None

    @property
    def mean(self) -> float:
        """The mean over seeds."""
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
    def cap(self) -> float:
        """The highest price / cap ratio over the seeds (0 when no price is checked)."""
        return float(np.max(self.caps)) if self.caps is not None and len(self.caps) else 0.0

    @property
    def bound(self) -> bool:
        """Taken while a price it reads was within 20% of the model's cap in some seed."""
        return self.cap >= CAP_SHARE

    @property
    def meets(self) -> bool:
        """The mean meets the target and, for a direction, the whole interval does too."""
        target = self.metric.target
        if self.metric.size:
            return target.holds(self.mean)
        low, high = self.interval
        return target.holds(self.mean) and target.holds(low) and target.holds(high)

    @property
    def holds(self) -> bool:
        """Meets its target and is not bound by the cap: a bound row never holds."""
        return self.meets and not self.bound

    @property
    def status(self) -> str:
        """The report's word on this metric: yes, no (and why), or why it is not judged."""
        if not self.metric.judged:
            return self.metric.unjudged
        if self.bound:
            return f"**no**: bound by the model's price cap (price / cap up to {self.cap:.2f})"
        return "yes" if self.holds else "**no**"


def verdict(measured: list[Measured]) -> str:
    """The claim's verdict: holds, or which of its direction and size do not."""
    judged = [m for m in measured if m.metric.judged]
    direction = all(m.holds for m in judged if not m.metric.size)
    size = all(m.holds for m in judged if m.metric.size)
    text = "holds" if direction and size else "direction holds, size does not"
    if not direction:
        text = "does not hold"
    bound = sum(m.bound for m in judged)
    return text + (f" ({bound} bound by the cap)" if bound else "")


def _number(value: float) -> str:
    if not np.isfinite(value):
        return "n/a"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}" if abs(value) < 10 else f"{value:.1f}"


def _settings() -> dict[str, str]:
    """The model's default settings, as the "why" texts may quote them."""
    defaults = ModelSettings()
    return {
        f"setting_{f.name}": _number(getattr(defaults, f.name))
        for f in fields(defaults)
        if isinstance(getattr(defaults, f.name), float | int)
    }


def explain(item: Measured) -> str:
    """The report's sentence for a row that does not hold, its numbers from the values."""
    low, high = item.interval
    unit = item.metric.unit
    measured = f"{_number(item.mean)} {unit} ({_number(low)} to {_number(high)})"
    head = f"- {item.metric.name}: measured {measured} against {item.metric.target.text}"
    if item.bound:
        return (
            f"{head}; taken while a price it reads reached {item.cap:.2f} of the choke price "
            "(the model's cap), so it shows the cap, not the mechanism."
        )
    values = {
        "mean": _number(item.mean),
        "low": _number(low),
        "high": _number(high),
        "history": _number(item.metric.history) if item.metric.history is not None else "",
        "cap": f"{item.cap:.2f}",
        **_settings(),
    }
    return f"{head}. {item.metric.why.format(**values)}"


def write_values(
    values: dict[int, Values], seeds: list[int], out: Path, claims: tuple[Claim, ...] = CLAIMS
) -> Path:
    """Write every metric's value for every seed as one CSV, the table ``check`` compares."""
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
                        "value": values[claim.number].value[i, j],
                        "cap_ratio": values[claim.number].cap[i, j],
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


TABLE = [
    "| claim | verdict | metric | measured (95% interval) | target | price / cap | holds |",
    "| --- | --- | --- | --- | --- | --- | --- |",
]


def _rows(claim: Claim, measured: list[Measured], verdict_text: str) -> list[str]:
    lines = []
    for k, item in enumerate(measured):
        low, high = item.interval
        kind = " (*size*)" if item.metric.size else ""
        cap = f"{item.cap:.2f}" if item.metric.caps else "-"
        lines.append(
            f"| {claim.number if k == 0 else ''} | {verdict_text if k == 0 else ''} "
            f"| {item.metric.name}{kind} | {_number(item.mean)} {item.metric.unit} "
            f"({_number(low)} to {_number(high)}) | {item.metric.target.text} | {cap} "
            f"| {item.status} |"
        )
    return lines


def _shock_lines(runs: dict[tuple[str, int], Summary], seeds: list[int], claims) -> list[str]:
    """Every scripted restriction of the claims' scenarios, sized in each run's own world."""
    lines = [
        "## The shocks and their sizes",
        "",
        "Each scripted export ban or licence of one mineral, as its scenario file states it, "
        "sized in the run's own world (mean over seeds): the country's exports to the targets "
        "in the 12 months before the start, what the licences allow after any months without "
        "licences, the tonnes withheld over the policy's months in the run if exports would "
        "otherwise have stayed at that level, and those tonnes as a share of world output of "
        "the stage over the same months at the pre-policy rate. Bans of every mineral "
        "(`autarky`, `segmented`) are described in their files and not sized here.",
        "",
        "| scenario | policy | months | exports before (t/month) | licensed (t/month) "
        "| withheld (t) | share of world supply |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    names = list(dict.fromkeys(name for claim in claims for name in claim.runs.values()))
    for name in names:
        for row in mean_sizes([runs[(name, seed)].shocks for seed in seeds]):
            lines.append(
                f"| `{name}` | {row['policy']} | {row['months']} | {_number(row['baseline'])} "
                f"| {_number(row['licensed'])} | {_number(row['cut'])} "
                f"| {_number(row['share'])}% |"
            )
    return [*lines, ""]


def _intro(command: str, commit: str | None, seeds: list[int]) -> list[str]:
    spread = _number(ModelSettings().willingness_to_pay_spread)
    return [
        "# Replication of the chapter's claims",
        "",
        f"Made by `{command}` from commit `{commit or 'unknown'}`; seeds {seeds[0]} to "
        f"{seeds[-1]} ({len(seeds)} seeds). Each metric is computed per seed from that seed's "
        "runs (`values.csv` has every value); the table gives the mean and the Student-t 95% "
        "interval of the mean across seeds. A direction holds when the mean and the whole "
        "interval meet the target; a size from history (marked *size*) holds when the mean is "
        "within the band, the historical figure within a factor of two on the same "
        "definition (window and comparator in `experiments/claims.toml`, sources in "
        "`docs/DATA.md`). Each historical episode runs in a world of its own time (2010 for "
        "rare earths, 2013 for nickel, 2022 for the 2023 episodes; `docs/DATA.md` section 7) "
        "from January of that year at its real dates, its counterfactual in the same world, "
        "and each size is read over history's own months. Scenario files are in "
        "`experiments/scenarios/`; the model is described in `docs/ODD.md`.",
        "",
        "**The cap.** Buyers ration by value: each sector stops buying around its "
        "willingness to pay, from the mineral's cost share and the product's margin, spread "
        f"over its firms (log half-width {spread}). The cap of a mineral is the highest price "
        "any of its buyers pays (the top of the widest spread); quota rents and the solver's "
        "price bracket stop there too. A row taken while any refined price it reads (any "
        f"destination, its runs, minerals and window) passed {CAP_SHARE:.0%} of the cap is "
        "*bound by the model's price cap*: it shows the cap, not the mechanism, and never "
        "holds. The column *price / cap* gives the highest ratio over its seeds. "
        "`tools/cap-check` reruns every price metric with every willingness to pay doubled.",
        "",
    ]


def _section(title: str, text: str, claims, verdicts, measured_by) -> list[str]:
    lines = [f"## {title}", "", text, ""]
    if not claims:
        return [*lines, "None.", ""]
    lines += TABLE
    for claim in claims:
        lines += _rows(claim, measured_by[claim.number], verdicts[claim.number])
    return [*lines, ""]


def _definition(metric: Metric) -> str:
    """A row's window, comparator and source, as the claims file states them."""
    parts = [f"window {metric.window}", f"against {metric.comparator}"]
    if metric.source:
        parts.append(f"source `{metric.source}` (`docs/DATA.md` section 4)")
    return f"- {metric.name}: " + "; ".join(p for p in parts if not p.endswith(" ")) + "."


def _details(claim: Claim, measured: list[Measured], verdict_text: str, figure_name: str):
    lines = [
        f"## Claim {claim.number}: {claim.title}",
        "",
        f"Source: {claim.chapter}. Section: {claim.section}. Verdict: **{verdict_text}**.",
        "",
    ]
    if claim.calibrated:
        lines += [f"In-sample: {claim.calibrated}.", ""]
    lines += [
        "Runs: " + ", ".join(f"{role} = `{name}`" for role, name in claim.runs.items()) + ".",
        "",
    ]
    lines += ["Rows, as `experiments/claims.toml` defines them:", ""]
    lines += [_definition(m.metric) for m in measured] + [""]
    missed = [explain(m) for m in measured if m.metric.judged and not m.holds]
    if missed:
        lines += ["Rows that do not hold:", "", *missed, ""]
    unjudged = [f"- {m.metric.name}: {m.metric.unjudged}." for m in measured if not m.metric.judged]
    if unjudged:
        lines += ["Rows shown but not judged:", "", *unjudged, ""]
    return [*lines, f"![claim {claim.number}]({figure_name})", ""]


def write_report(
    values: dict[int, Values],
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
    measured_by = {
        claim.number: [
            Measured(m, values[claim.number].value[i], values[claim.number].cap[i])
            for i, m in enumerate(claim.metrics)
        ]
        for claim in claims
    }
    verdicts = {number: verdict(items) for number, items in measured_by.items()}
    failing = [n for n, v in verdicts.items() if v != "holds"]
    lines = _intro(command, commit, seeds)
    lines += [
        f"**{len(claims) - len(failing)} of {len(claims)} claims hold.**"
        + (
            f" Not holding: {', '.join(f'claim {n} ({verdicts[n]})' for n in failing)}."
            if failing
            else ""
        ),
        "",
    ]
    lines += _section(
        "In-sample: episodes a parameter or rule was fitted or designed on",
        "These episodes informed the model itself (what was fitted is named under each "
        "claim), so landing on them is not evidence that the mechanism carries over.",
        [c for c in claims if c.section == "in-sample"],
        verdicts,
        measured_by,
    )
    lines += _section(
        "Held-out: episodes and claims no parameter was fitted on",
        "Bands and targets were written in `experiments/claims.toml` before the runs.",
        [c for c in claims if c.section == "held-out"],
        verdicts,
        measured_by,
    )
    lines += _shock_lines(runs, seeds, claims)
    for claim in claims:
        path = figure(claim, runs, seeds, out)
        lines += _details(claim, measured_by[claim.number], verdicts[claim.number], path.name)
    report = out / "REPORT.md"
    write_text_atomic(report, "\n".join(lines).rstrip() + "\n")
    return report, verdicts
