"""The sweep file: parsed and validated in one place, so bad input stops before any run."""

from __future__ import annotations

import dataclasses
import difflib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from abm.scenario import Scenario, ScenarioError, load_scenario
from abm.settings import ModelSettings

DESIGNS = ("grid", "lhs", "sobol", "morris")
METRIC_KINDS = (
    "mean_price",
    "peak_price_ratio",
    "hhi",
    "cumulative_unmet",
    "premium",
    "volatility",
)
TOP_LEVEL_KEYS = (
    "name",
    "scenario",
    "design",
    "samples",
    "seeds",
    "end",
    "parameters",
    "metric",
    "series",
)
SERIES_TABLES = (
    "prices",
    "flows",
    "supply",
    "demand",
    "balance",
    "capacity",
    "policies",
    "premiums",
)
METRIC_KEYS = ("name", "kind", "mineral", "stage", "region")
PATH_PATTERN = re.compile(r"^(settings\.\w+|policy\.\w+\.\w+|policy\[\d+\]\.\w+)$")


class SweepError(ValueError):
    """A sweep file is malformed: names the file, the field and the allowed values."""


@dataclass(frozen=True)
class Metric:
    """One scalar outcome of a run."""

    name: str
    kind: str
    mineral: str = "all"
    stage: str = "refined"
    region: str = "world"


@dataclass(frozen=True)
class Sweep:
    """A validated sweep: what to vary, over which seeds, and what to measure."""

    name: str
    scenario: Scenario
    design: str
    samples: int
    seeds: tuple[int, ...]
    end: str | None
    parameters: dict[str, Any]  # path -> list of values (grid) or (low, high) range
    metrics: tuple[Metric, ...]
    series: tuple[str, ...] = ()  # output tables kept per run, as time series
    text: str = ""
    path: Path | None = field(default=None)


def _fail(where: str, message: str) -> SweepError:
    return SweepError(f"{where}: {message}")


def _allowed(where: str, key: str, value: Any, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        close = difflib.get_close_matches(str(value), allowed, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise _fail(where, f"{key} '{value}'{hint}; allowed: {', '.join(allowed)}")


def _check_path(where: str, path: str, scenario: Scenario) -> None:
    """A parameter path must name something the scenario has."""
    if not PATH_PATTERN.match(path):
        raise _fail(
            where,
            f"parameter '{path}': expected settings.NAME, policy.KIND.FIELD or policy[I].FIELD",
        )
    head = path.split(".")[0]
    if head == "settings":
        known = tuple(f.name for f in dataclasses.fields(ModelSettings))
        _allowed(where, "parameter setting", path.split(".")[1], known)
    elif head.startswith("policy["):
        index = int(head[7:-1])
        if index >= len(scenario.policies):
            raise _fail(
                where,
                f"parameter '{path}': scenario {scenario.name} has "
                f"{len(scenario.policies)} policies (indices 0..{len(scenario.policies) - 1})",
            )
    elif head == "policy":
        kind = path.split(".")[1]
        kinds = tuple(sorted({p.kind for p in scenario.policies}))
        if kind not in kinds:
            raise _fail(
                where,
                f"parameter '{path}': no policy of kind '{kind}' in scenario "
                f"{scenario.name}; its kinds: {', '.join(kinds) or 'none'}",
            )


def _parameters(where: str, design: str, table: Any, scenario: Scenario) -> dict[str, Any]:
    if not isinstance(table, dict) or not table:
        raise _fail(where, "[parameters] must be a table with at least one parameter")
    parameters: dict[str, Any] = {}
    for path, value in table.items():
        _check_path(where, path, scenario)
        if design == "grid":
            if not isinstance(value, list) or not value:
                raise _fail(where, f"parameter '{path}': a grid needs a non-empty list of values")
            parameters[path] = list(value)
        else:
            ok = isinstance(value, dict) and set(value) == {"low", "high"}
            if not ok or not all(isinstance(value[k], int | float) for k in ("low", "high")):
                raise _fail(
                    where,
                    f"parameter '{path}': design {design} needs a range {{ low = X, high = Y }}",
                )
            if not value["low"] < value["high"]:
                raise _fail(where, f"parameter '{path}': low must be below high")
            parameters[path] = (float(value["low"]), float(value["high"]))
    return parameters


def _metrics(where: str, records: Any) -> tuple[Metric, ...]:
    if not isinstance(records, list) or not records:
        raise _fail(where, "at least one [[metric]] table is needed")
    metrics = []
    for i, record in enumerate(records):
        here = f"{where}: metric[{i}]"
        for key in record:
            _allowed(here, "field", key, METRIC_KEYS)
        if "name" not in record or "kind" not in record:
            raise _fail(here, "name and kind are required")
        _allowed(here, "kind", record["kind"], METRIC_KINDS)
        metrics.append(Metric(**record))
    names = [m.name for m in metrics]
    if len(set(names)) != len(names):
        raise _fail(where, "metric names must be unique")
    return tuple(metrics)


def _series(where: str, value: Any) -> tuple[str, ...]:
    """Which output tables to keep for every run (time series, partitioned by run)."""
    if not isinstance(value, list):
        raise _fail(where, "series must be a list of table names")
    for name in value:
        _allowed(where, "series", name, SERIES_TABLES)
    return tuple(value)


def parse_sweep(text: str, where: str = "sweep") -> Sweep:
    """Validate a sweep file's text; raises SweepError naming the field and allowed values."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise _fail(where, f"not valid TOML: {error}") from None
    for key in data:
        _allowed(where, "key", key, TOP_LEVEL_KEYS)
    for key in ("name", "scenario", "seeds", "parameters", "metric"):
        if key not in data:
            raise _fail(where, f"'{key}' is required")
    design = data.get("design", "grid")
    _allowed(where, "design", design, DESIGNS)
    samples = data.get("samples", 0)
    if design != "grid" and (not isinstance(samples, int) or samples < 1):
        raise _fail(where, f"samples must be a positive integer for design {design}")
    seeds = data["seeds"]
    if not isinstance(seeds, list) or not seeds or not all(isinstance(s, int) for s in seeds):
        raise _fail(where, "seeds must be a non-empty list of integers")
    try:
        scenario = load_scenario(str(data["scenario"]))
    except ScenarioError as error:
        raise _fail(where, f"scenario: {error}") from None
    return Sweep(
        name=str(data["name"]),
        scenario=scenario,
        design=design,
        samples=samples,
        seeds=tuple(seeds),
        end=data.get("end"),
        parameters=_parameters(where, design, data["parameters"], scenario),
        metrics=_metrics(where, data["metric"]),
        series=_series(where, data.get("series", [])),
        text=text,
    )


def load_sweep(path: str | Path) -> Sweep:
    """Read and validate a sweep file."""
    path = Path(path)
    if not path.exists():
        raise SweepError(f"sweep file {path} does not exist")
    return parse_sweep(path.read_text(), path.name)
