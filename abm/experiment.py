"""The model as a function (EMA workbench's shape): one ``run`` behind every front end.

``run(scenario, seed=..., overrides=..., end=...)`` builds the model a scenario file
describes, with some of its inputs changed, runs it, and hands back the finished model with
its tables built on first use. ``abm run``, sweeps, the replication, the page and the
benchmark all build their models through ``build``, so a scenario means the same thing
everywhere.

Overrides are keyed by path, as in sweep files: ``settings.NAME`` (or a bare setting name,
as ``abm run --set`` takes it), ``policy.KIND.FIELD`` (every policy of that kind) or
``policy[I].FIELD`` (the scenario's I-th policy); ``world`` chooses the calibrated world.
Settings are the model's uncertainties, policies its levers; outcomes are computed from the
tables.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from abm.policy.instruments import Policy, policy_from_record
from abm.scenario import Scenario, load_scenario

if TYPE_CHECKING:
    import pandas as pd

    from abm.model import MineralsModel

POLICY_FIELDS = ("kind", "country", "mineral", "stage", "targets", "announced", "start", "end")


def _record(policy: Policy) -> dict[str, Any]:
    record = {name: getattr(policy, name) for name in POLICY_FIELDS}
    if isinstance(record["targets"], tuple):
        record["targets"] = list(record["targets"])
    record.update(policy.params)
    return {k: v for k, v in record.items() if v is not None}


def _set(policy: Policy, name: str, value: Any, where: str) -> Policy:
    """A copy of the policy with one field or parameter changed, validated again."""
    record = _record(policy)
    record[name] = value
    checked = policy_from_record(record, where)
    return dataclasses.replace(checked, cause=policy.cause, reason=policy.reason)


def apply(
    settings: dict[str, Any], policies: tuple[Policy, ...], values: dict[str, Any]
) -> tuple[dict[str, Any], list[Policy]]:
    """Settings overrides and policies with ``values`` (keyed by path) put in; raises the
    policies' or settings' own errors on an invalid value."""
    overrides = dict(settings)
    changed = list(policies)
    for path, value in values.items():
        head, _, name = path.rpartition(".")
        if head in ("settings", ""):
            overrides[name] = value
        elif head.startswith("policy["):
            index = int(head[7:-1])
            changed[index] = _set(changed[index], name, value, path)
        else:
            kind = head.split(".")[1]
            changed = [_set(p, name, value, path) if p.kind == kind else p for p in changed]
    return overrides, changed


def model_arguments(
    scenario: Scenario | str,
    *,
    seed: int | None = 1,
    overrides: dict[str, Any] | None = None,
    end: str | None = None,
    extra_policies: Sequence[Policy] = (),
) -> dict[str, Any]:
    """The keyword arguments of ``MineralsModel`` for ``scenario`` with ``overrides``: what
    ``build`` passes, and what the page's model (a subclass the page rebuilds by keyword)
    passes too. ``extra_policies`` come after the scenario's own."""
    chosen = load_scenario(scenario) if isinstance(scenario, str) else scenario
    values = dict(overrides or {})
    if end is not None:
        values["settings.end"] = end
    settings, policies = apply(chosen.settings, chosen.policies, values)
    return {
        "rng": seed,
        "settings": chosen.model_settings(settings),
        "world_year": chosen.world_year(settings),
        "policies": [*policies, *extra_policies],
        "adjustments": list(chosen.adjustments),
    }


def build(
    scenario: Scenario | str,
    *,
    seed: int = 1,
    overrides: dict[str, Any] | None = None,
    end: str | None = None,
) -> MineralsModel:
    """The model of ``scenario`` (a Scenario, a built-in name or a file) with ``overrides``,
    ready to step; ``end`` cuts or extends its horizon."""
    from abm.model import MineralsModel

    return MineralsModel(**model_arguments(scenario, seed=seed, overrides=overrides, end=end))


@dataclass
class Outcome:
    """A finished run: its scenario, seed, overrides and model; tables built once, when
    first read (``abm.outputs.tables``)."""

    scenario: Scenario
    seed: int
    overrides: dict[str, Any]
    model: MineralsModel = field(repr=False)

    @cached_property
    def tables(self) -> dict[str, pd.DataFrame]:
        """The run's output tables, built from the model's records."""
        from abm.outputs import tables

        return tables(self.model)


def run(
    scenario: Scenario | str,
    *,
    seed: int = 1,
    overrides: dict[str, Any] | None = None,
    end: str | None = None,
) -> Outcome:
    """Build and run ``scenario`` to the end of its horizon (see ``build``)."""
    chosen = load_scenario(scenario) if isinstance(scenario, str) else scenario
    model = build(chosen, seed=seed, overrides=overrides, end=end).run()
    return Outcome(chosen, seed, dict(overrides or {}), model)
