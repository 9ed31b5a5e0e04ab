"""Policy instruments as data: a record per policy, and the schema of each kind's parameters.

A policy is ``kind``, the ``country`` that applies it, the ``mineral`` (or ``all``), the
``stage`` (``raw``, ``refined`` or ``all``), its ``targets`` (``all`` or country codes), a
``start`` and optional ``end`` month, an optional ``announced`` month (when governments made it
known; default its start), and the parameters of its kind. Policies never edit
outputs: ``abm.policy.effects`` turns the active ones into trade rules and agent settings.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from typing import Any

from abm.data import COUNTRIES, MINERALS
from abm.policy.kinds import INSTRUMENTS
from abm.policy.schema import Parameter
from abm.settings import check_month, month_index
from abm.validation import InputError, flag, number

ALL = "all"
STAGE_CHOICES = ("raw", "refined", ALL)
CAUSES = ("scripted", "endogenous")
RECORD_FIELDS = ("kind", "country", "mineral", "stage", "targets", "announced", "start", "end")


# The parameters of every kind, from its instrument (abm.policy.kinds).
KINDS: dict[str, dict[str, Parameter]] = {
    kind: instrument.parameters for kind, instrument in INSTRUMENTS.items()
}


class PolicyError(InputError):
    """A policy record is malformed; the message names the field and allowed values."""


@dataclass(frozen=True)
class Policy:
    """One instrument applied by one government."""

    kind: str
    country: str
    mineral: str = ALL
    stage: str = ALL
    targets: tuple[str, ...] | str = ALL
    start: str | None = None
    end: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    cause: str = "scripted"
    reason: str = "scenario"
    announced: str | None = None  # YYYY-MM, no later than start; None: at its start

    def minerals(self) -> tuple[str, ...]:
        """The minerals the policy covers: all of them for ``all``."""
        return MINERALS if self.mineral == ALL else (self.mineral,)

    def stages(self) -> tuple[str, ...]:
        """The stages the policy covers: raw and refined for ``all``."""
        return ("raw", "refined") if self.stage == ALL else (self.stage,)

    def target_codes(self) -> tuple[str, ...]:
        """The countries the policy aims at: every other country for ``all``."""
        if self.targets == ALL:
            return tuple(c for c in COUNTRIES if c != self.country)
        return tuple(self.targets)

    def active(self, month: str) -> bool:
        """Whether the policy is in force in ``month`` (YYYY-MM), its start and end included."""
        begins = self.start is None or month_index(month) >= month_index(self.start)
        ends = self.end is not None and month_index(month) > month_index(self.end)
        return begins and not ends

    def param(self, name: str) -> Any:
        """The value of parameter ``name``, or its kind's default."""
        return self.params.get(name, KINDS[self.kind][name].default)

    def announced_month(self) -> str | None:
        """The month the policy was made known: ``announced``, or its start."""
        return self.announced or self.start

    def describe(self) -> str:
        """The parameters as JSON, for the event log."""
        full = {name: self.param(name) for name in KINDS[self.kind]}
        return json.dumps(full, sort_keys=True, default=str)


def _choice(where: str, name: str, value: Any, allowed) -> None:
    if not isinstance(value, str) or value not in allowed:
        close = difflib.get_close_matches(str(value), [str(a) for a in allowed], n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        shown = f"'{value}'" if isinstance(value, str) else repr(value)
        raise PolicyError(f"{where}: {name} {shown} is not one of {', '.join(allowed)}{hint}")


def _codes(where: str, name: str, value: Any) -> tuple[str, ...]:
    codes = [value] if isinstance(value, str) else value
    if not isinstance(codes, list | tuple):
        raise PolicyError(f"{where}: {name} must be 'all' or a list of country codes")
    for code in codes:
        _choice(where, name, code, COUNTRIES)
    return tuple(codes)


def policy_from_record(record: dict[str, Any], where: str = "policy") -> Policy:
    """Validate a policy table (as read from TOML) and build the record."""
    record = dict(record)
    if "kind" not in record:
        raise PolicyError(f"{where}: kind is missing; kinds are {', '.join(KINDS)}")
    kind = record.pop("kind")
    _choice(where, "kind", kind, KINDS)
    where = f"{where} ({kind})"
    if "country" not in record:
        raise PolicyError(f"{where}: country is missing")
    country = record.pop("country")
    _choice(where, "country", country, COUNTRIES)
    mineral = record.pop("mineral", ALL)
    _choice(where, "mineral", mineral, (ALL, *MINERALS))
    stage = record.pop("stage", ALL)
    _choice(where, "stage", stage, STAGE_CHOICES)
    targets = record.pop("targets", ALL)
    targets = ALL if targets == ALL else _codes(where, "targets", targets)
    start, end = record.pop("start", None), record.pop("end", None)
    for name, month in (("start", start), ("end", end)):
        if month is not None:
            check_month(f"{where}: {name}", month, PolicyError)
    if start and end and month_index(end) < month_index(start):
        raise PolicyError(f"{where}: end {end} is before start {start}")
    announced = _announced(where, record.pop("announced", None), start)
    params = _params(where, kind, record)
    return Policy(kind, country, mineral, stage, targets, start, end, params, announced=announced)


def _announced(where: str, announced: Any, start: str | None) -> str | None:
    """The announcement month: YYYY-MM, and no later than the start it announces."""
    if announced is None:
        return None
    check_month(f"{where}: announced", announced, PolicyError)
    if start is None:
        raise PolicyError(f"{where}: announced {announced} needs a start (YYYY-MM) to announce")
    if month_index(announced) > month_index(start):
        raise PolicyError(f"{where}: announced {announced} is after start {start}")
    return announced


def _schedule(where: str, name: str, value: Any) -> dict[int, float]:
    """A year -> share table (TOML keys are strings)."""
    if not isinstance(value, dict) or not value:
        raise PolicyError(f"{where}: {name} must be a table of year = share")
    schedule = {}
    for year, share in value.items():
        if not str(year).isdigit() or not 2000 <= int(year) <= 2100:
            raise PolicyError(f"{where}: {name} year '{year}' is not a year from 2000 to 2100")
        share = number(f"{where}: {name}[{year}]", share, low=0.0, high=1.0, error=PolicyError)
        schedule[int(year)] = float(share)
    return dict(sorted(schedule.items()))


def required_share(schedule: dict[int, float], year: int) -> float:
    """The schedule's share in ``year``: zero before its first year, the last one after."""
    share = 0.0
    for start, value in sorted((int(start), float(value)) for start, value in schedule.items()):
        if year >= start:
            share = value
    return share


def _params(where: str, kind: str, values: dict[str, Any]) -> dict[str, Any]:
    schema = KINDS[kind]
    params: dict[str, Any] = {}
    for name, value in values.items():
        if name not in schema:
            allowed = [*RECORD_FIELDS, *schema]
            close = difflib.get_close_matches(name, allowed, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise PolicyError(
                f"{where}: unknown field '{name}'{hint}; fields are: {', '.join(allowed)}"
            )
        spec = schema[name]
        if spec.kind is list and name == "covered":
            for mineral in value if isinstance(value, list) else [value]:
                _choice(where, name, mineral, MINERALS)
            value = list(value) if isinstance(value, list) else [value]
        elif spec.kind is list:
            value = list(_codes(where, name, value))
        elif spec.kind is dict:
            value = _schedule(where, name, value)
        elif spec.kind is bool:
            flag(f"{where}: {name}", value, PolicyError)
        else:
            whole = spec.kind is int
            value = number(
                f"{where}: {name}",
                value,
                whole=whole,
                low=spec.low,
                high=spec.high,
                error=PolicyError,
            )
        params[name] = value
    return params
