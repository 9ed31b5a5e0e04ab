"""The chapter's nine claims, read from ``experiments/claims.toml``.

The file holds every row the report judges: what it measures (a function of
``abm/replicate/metrics.py`` and its arguments), its target or historical band, its window,
comparator and source, and why it misses when it does. It is data, written before any run,
so a band cannot be widened to admit a result without the change showing in the file.
"""

from __future__ import annotations

import inspect
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from abm.replicate.metrics import METRICS, ROLE_ARGUMENTS, Runs
from abm.replicate.panels import PANELS, Panel

CLAIMS_FILE = Path(__file__).resolve().parents[2] / "experiments" / "claims.toml"
KINDS = ("direction", "size")
SECTIONS = ("in-sample", "held-out")
CAP_SHARE = 0.8  # a price above 80% of its cap is "within 20% of the cap": the row is bound


class ClaimsError(ValueError):
    """The claims file is malformed; the message names the row and field."""


@dataclass(frozen=True)
class Target:
    """What a metric must show: ``low < value < high`` (either end open)."""

    low: float = -np.inf
    high: float = np.inf
    text: str = ""

    def holds(self, value: float) -> bool:
        """Whether ``value`` is finite and strictly inside the target's bounds."""
        return bool(np.isfinite(value) and self.low < value < self.high)


@dataclass(frozen=True)
class Caps:
    """The prices a row is checked against the model's cap on: minerals over a window."""

    minerals: tuple[str, ...]
    start: str | None = None
    months: int | None = None
    countries: tuple[str, ...] | None = None  # destinations whose prices the row reads


@dataclass(frozen=True)
class Metric:
    """One measured quantity of a claim, with its unit and the range it must fall in."""

    name: str
    unit: str
    metric: str
    args: dict[str, Any]
    target: Target
    kind: str = "direction"
    history: float | None = None
    window: str = ""
    comparator: str = ""
    source: str = ""
    unjudged: str = ""  # why the row is shown but not judged; empty: judged
    caps: Caps | None = None
    why: str = ""

    @property
    def size(self) -> bool:
        """Whether this metric judges the size of an effect rather than its direction."""
        return self.kind == "size"

    @property
    def judged(self) -> bool:
        """Whether this metric is judged at all (``unjudged`` says why not)."""
        return not self.unjudged

    def compute(self, runs: Runs) -> float:
        """This metric's value on one seed's runs."""
        return METRICS[self.metric](runs, **self.args)

    def roles(self) -> list[str]:
        """The roles whose runs the row reads (and whose prices its cap check covers)."""
        return [self.args[key] for key in ROLE_ARGUMENTS if key in self.args]


@dataclass(frozen=True)
class Claim:
    """One claim of the report to replicate: the runs it compares and the metrics that test it."""

    number: int
    title: str
    chapter: str
    runs: dict[str, str]  # role -> scenario name
    metrics: tuple[Metric, ...]
    section: str = "held-out"
    calibrated: str = ""  # in-sample: what was fitted or designed on this episode
    panels: tuple[Panel, ...] = field(default=())
    mark: str | None = None  # a month the figure marks (the policy or shock)


def _target(where: str, row: dict) -> Target:
    if row["kind"] == "size":
        band = row.get("band")
        if not (isinstance(band, list) and len(band) == 2 and band[0] < band[1]):
            raise ClaimsError(f"{where}: band must be [low, high] with low < high for a size")
        return Target(float(band[0]), float(band[1]), row.get("target", ""))
    low, high = row.get("low", -np.inf), row.get("high", np.inf)
    if not low < high:
        raise ClaimsError(f"{where}: a direction needs low < high (or one of them)")
    return Target(float(low), float(high), row.get("target", ""))


def _caps(record: dict) -> Caps:
    countries = record.get("countries")
    return Caps(
        tuple(record["minerals"]),
        record.get("start"),
        record.get("months"),
        tuple(countries) if countries else None,
    )


def _metric(where: str, row: dict, roles: dict[str, str]) -> Metric:
    for name in ("name", "metric", "args", "unit", "kind", "target"):
        if name not in row:
            raise ClaimsError(f"{where}: field '{name}' is missing")
    if row["kind"] not in KINDS:
        raise ClaimsError(f"{where}: kind '{row['kind']}' is not one of {', '.join(KINDS)}")
    if row["metric"] not in METRICS:
        raise ClaimsError(f"{where}: metric '{row['metric']}' is not one of {', '.join(METRICS)}")
    try:
        inspect.signature(METRICS[row["metric"]]).bind(None, **row["args"])
    except TypeError as error:
        raise ClaimsError(f"{where}: args do not fit {row['metric']}: {error}") from None
    caps = row.get("caps")
    metric = Metric(
        name=row["name"],
        unit=row["unit"],
        metric=row["metric"],
        args=dict(row["args"]),
        target=_target(where, row),
        kind=row["kind"],
        history=row.get("history"),
        window=row.get("window", ""),
        comparator=row.get("comparator", ""),
        source=row.get("source", ""),
        unjudged=row.get("unjudged", ""),
        caps=_caps(caps) if caps else None,
        why=row.get("why", ""),
    )
    unknown = [role for role in metric.roles() if role not in roles]
    if unknown:
        raise ClaimsError(f"{where}: roles {unknown} are not among the claim's runs {list(roles)}")
    if metric.judged and metric.caps is None:
        raise ClaimsError(f"{where}: a judged row needs caps (the prices checked against the cap)")
    return metric


def load_claims(path: Path = CLAIMS_FILE) -> tuple[Claim, ...]:
    """Every claim of the file, checked: each row's fields, metric, arguments and roles."""
    with open(path, "rb") as handle:
        data = tomllib.load(handle)
    claims = []
    for record in data.get("claim", []):
        where = f"{path.name}: claim {record.get('number', '?')}"
        if record.get("section", "held-out") not in SECTIONS:
            raise ClaimsError(f"{where}: section must be one of {', '.join(SECTIONS)}")
        runs = dict(record["runs"])
        metrics = tuple(
            _metric(f"{where}, row {i + 1}", row, runs) for i, row in enumerate(record["metric"])
        )
        number = int(record["number"])
        claims.append(
            Claim(
                number=number,
                title=record["title"],
                chapter=record["chapter"],
                runs=runs,
                metrics=metrics,
                section=record.get("section", "held-out"),
                calibrated=record.get("calibrated", ""),
                panels=PANELS.get(number, ()),
                mark=record.get("mark"),
            )
        )
    return tuple(claims)


CLAIMS: tuple[Claim, ...] = load_claims()


def scenarios(claims: tuple[Claim, ...] = CLAIMS) -> list[str]:
    """Every scenario the claims run, once."""
    return list(dict.fromkeys(name for claim in claims for name in claim.runs.values()))
