"""The sweep file: parsed and validated in one place, so bad input stops before any run."""

from __future__ import annotations

import dataclasses
import difflib
import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from abm.data import COUNTRIES, MINERALS
from abm.data.vintage import check_world, world_years
from abm.scenario import Scenario, ScenarioError, load_scenario, read_text
from abm.settings import ModelSettings, SettingsError, month_index
from abm.validation import InputError, number

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
METRIC_MINERALS = ("all", *MINERALS)
METRIC_STAGES = ("raw", "refined", "all")
METRIC_REGIONS = ("world", *COUNTRIES)
RUN_COLUMNS = (
    "run_id",
    "sample",
    "seed",
    "status",
    "wall_time_s",
    "error",
    "fingerprint",
    "series",
)
PATH_PATTERN = re.compile(r"^(world|settings\.\w+|policy\.\w+\.\w+|policy\[\d+\]\.\w+)$")
WORLD = "world"  # the calibrated world's year: a grid axis only (a year is not a range)
NAME_PATTERN = re.compile(r"^[A-Za-z0-9._-]+$")
MAX_RUNS = 100_000  # samples x seeds: a sweep's run list and its validation stay in memory


class SweepError(InputError):
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


def _years() -> str:
    return ", ".join(str(year) for year in world_years())


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
            f"parameter '{path}': expected world, settings.NAME, policy.KIND.FIELD or "
            "policy[I].FIELD",
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
        if path == WORLD and design != "grid":
            raise _fail(
                where,
                f"parameter 'world': a world is one of the years {_years()}, not a range; "
                "only design grid can sweep it",
            )
        if design == "grid":
            if not isinstance(value, list) or not value:
                raise _fail(where, f"parameter '{path}': a grid needs a non-empty list of values")
            for item in value:
                _check_value(where, path, item)
                if path == WORLD:
                    check_world(f"{where}: parameter ", item, SweepError)
            parameters[path] = list(value)
        else:
            parameters[path] = _range(where, path, design, value)
    return parameters


def _check_value(where: str, path: str, value: Any) -> None:
    """A grid value: text, true/false, a finite number, or a list of them (policy targets).

    NaN and inf would pass the model's range checks (every comparison with NaN is false)."""
    if isinstance(value, list):
        for item in value:
            _check_value(where, path, item)
    elif isinstance(value, dict):
        raise _fail(where, f"parameter '{path}': value {value!r} is a table, not a value")
    elif isinstance(value, float):
        number(f"{where}: parameter '{path}'", value, error=SweepError)


def _range(where: str, path: str, design: str, value: Any) -> tuple[float, float]:
    """A continuous design's { low, high }: finite numbers (not true/false), low below high."""
    shape = f"parameter '{path}': design {design} needs a range {{ low = X, high = Y }}"
    if not isinstance(value, dict) or set(value) != {"low", "high"}:
        raise _fail(where, shape)
    for key in ("low", "high"):
        number(f"{where}: parameter '{path}': {key}", value[key], error=SweepError)
    if not value["low"] < value["high"]:
        raise _fail(where, f"parameter '{path}': low must be below high")
    return float(value["low"]), float(value["high"])


def _metrics(where: str, records: Any, parameters: dict[str, Any]) -> tuple[Metric, ...]:
    """Every metric's kind, mineral, stage and region known (else it would be NaN in every run),
    and its name not a column the run table already has."""
    tables = isinstance(records, list) and all(isinstance(r, dict) for r in records)
    if not tables or not records:
        raise _fail(where, "at least one [[metric]] table is needed")
    taken = (*RUN_COLUMNS, *parameters)
    metrics = []
    for i, record in enumerate(records):
        here = f"{where}: metric[{i}]"
        for key in record:
            _allowed(here, "field", key, METRIC_KEYS)
        if "name" not in record or "kind" not in record:
            raise _fail(here, "name and kind are required")
        name = record["name"]
        if not isinstance(name, str) or not name.strip():
            raise _fail(here, f"name {name!r} must be non-empty text")
        if name in taken:
            raise _fail(
                here, f"name '{name}' is a column of the run table; taken: {', '.join(taken)}"
            )
        _allowed(here, "kind", record["kind"], METRIC_KINDS)
        _allowed(here, "mineral", record.get("mineral", "all"), METRIC_MINERALS)
        _allowed(here, "stage", record.get("stage", "refined"), METRIC_STAGES)
        _allowed(here, "region", record.get("region", "world"), METRIC_REGIONS)
        metrics.append(Metric(**record))
    names = [m.name for m in metrics]
    if len(set(names)) != len(names):
        raise _fail(where, "metric names must be unique")
    return tuple(metrics)


DEFAULT_KINDS = ("peak_price_ratio", "mean_price", "volatility", "cumulative_unmet", "hhi")


def default_metrics(scenario: Scenario) -> tuple[Metric, ...]:
    """The metrics of a sweep file without ``[[metric]]``: for each mineral the scenario's
    policies cover (every mineral if they cover all, or if it has none), the world's refined
    price peak over the first month, mean and volatility, cumulative unmet demand and the
    refining HHI; with IRA rules, the compliant premium too. Names are ``KIND_MINERAL``."""
    covered = {m for policy in scenario.policies for m in policy.minerals()}
    minerals = [m for m in MINERALS if m in covered] or list(MINERALS)
    kinds = list(DEFAULT_KINDS)
    if any(policy.kind == "ira_rules" for policy in scenario.policies):
        kinds.append("premium")
    return tuple(
        Metric(name=f"{kind}_{m}", kind=kind, mineral=m) for m in minerals for kind in kinds
    )


def _series(where: str, value: Any) -> tuple[str, ...]:
    """Which output tables to keep for every run (time series, partitioned by run)."""
    if not isinstance(value, list):
        raise _fail(where, "series must be a list of table names")
    for name in value:
        _allowed(where, "series", name, SERIES_TABLES)
    return tuple(value)


def _name(where: str, name: Any) -> str:
    """The sweep's name is its default folder, results/<name>: one plain path component."""
    if not isinstance(name, str) or not NAME_PATTERN.match(name) or name in (".", ".."):
        raise _fail(
            where,
            f"name {name!r}: use letters, digits and . - _ only (it names the folder "
            "results/<name>), not . or ..",
        )
    return name


def _samples(where: str, design: str, samples: Any) -> int:
    if design == "grid":
        return 0  # a grid's samples are its combinations
    if isinstance(samples, bool) or not isinstance(samples, int) or not 1 <= samples <= MAX_RUNS:
        raise _fail(
            where, f"samples must be a whole number from 1 to {MAX_RUNS} for design {design}"
        )
    return samples


def _seeds(where: str, seeds: Any) -> tuple[int, ...]:
    """Non-negative whole numbers (numpy's seeds), each once: a repeated seed repeats a run."""
    ok = isinstance(seeds, list) and seeds
    if not ok or not all(isinstance(s, int) and not isinstance(s, bool) for s in seeds):
        raise _fail(where, "seeds must be a non-empty list of whole numbers")
    negative = [s for s in seeds if s < 0]
    if negative:
        raise _fail(where, f"seeds must be 0 or more; got {negative[0]}")
    if len(set(seeds)) != len(seeds):
        repeated = next(s for s in seeds if seeds.count(s) > 1)
        raise _fail(where, f"seeds must be unique; {repeated} is listed twice")
    return tuple(seeds)


def _end(where: str, end: Any, scenario: Scenario) -> str | None:
    """The sweep's last month: a YYYY-MM month, not before the scenario's first."""
    if end is None:
        return None
    try:
        if not isinstance(end, str):
            raise SettingsError(f"month {end!r} is not of the form YYYY-MM")
        month_index(end)
    except SettingsError as error:
        raise _fail(where, f"end: {error}") from None
    start = scenario.model_settings().start
    if month_index(end) < month_index(start):
        raise _fail(where, f"end: {end} is before the scenario's start {start}")
    return end


def run_count(design: str, samples: int, parameters: dict[str, Any], seeds: int) -> int:
    """How many runs the design makes, known before any sample is drawn."""
    k = len(parameters)
    if design == "grid":
        return math.prod(len(values) for values in parameters.values()) * seeds
    per_sample = {"lhs": 1, "sobol": k + 2, "morris": k + 1}[design]
    return samples * per_sample * seeds


def parse_sweep(text: str, where: str = "sweep") -> Sweep:
    """Validate a sweep file's text; raises SweepError naming the field and allowed values."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise _fail(where, f"not valid TOML: {error}") from None
    for key in data:
        _allowed(where, "key", key, TOP_LEVEL_KEYS)
    for key in ("name", "scenario", "seeds", "parameters"):
        if key not in data:
            raise _fail(where, f"'{key}' is required")
    name = _name(where, data["name"])
    design = data.get("design", "grid")
    _allowed(where, "design", design, DESIGNS)
    samples = _samples(where, design, data.get("samples"))
    seeds = _seeds(where, data["seeds"])
    if not isinstance(data["scenario"], str):
        raise _fail(where, "scenario must be a built-in scenario name or a file path")
    try:
        scenario = load_scenario(data["scenario"])
    except ScenarioError as error:
        raise _fail(where, f"scenario: {error}") from None
    parameters = _parameters(where, design, data["parameters"], scenario)
    count = run_count(design, samples, parameters, len(seeds))
    if count > MAX_RUNS:
        raise _fail(where, f"{count} runs planned (samples x seeds); at most {MAX_RUNS} allowed")
    return Sweep(
        name=name,
        scenario=scenario,
        design=design,
        samples=samples,
        seeds=seeds,
        end=_end(where, data.get("end"), scenario),
        parameters=parameters,
        metrics=(
            _metrics(where, data["metric"], parameters)
            if "metric" in data
            else default_metrics(scenario)
        ),
        series=_series(where, data.get("series", [])),
        text=text,
    )


def load_sweep(path: str | Path) -> Sweep:
    """Read and validate a sweep file."""
    path = Path(path)
    return parse_sweep(read_text(path, SweepError), path.name)
