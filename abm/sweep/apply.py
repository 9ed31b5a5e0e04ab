"""Put one sample's values into a scenario: settings overrides and changed policies."""

from __future__ import annotations

import dataclasses
from typing import Any

from abm.policy.instruments import Policy, policy_from_record
from abm.sweep.spec import Sweep, SweepError

POLICY_FIELDS = ("kind", "country", "mineral", "stage", "targets", "start", "end")


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
    """Settings overrides and policies for one sample (raises on an invalid value)."""
    overrides = dict(settings)
    changed = list(policies)
    for path, value in values.items():
        head, _, name = path.rpartition(".")
        if head == "settings":
            overrides[name] = value
        elif head.startswith("policy["):
            index = int(head[7:-1])
            changed[index] = _set(changed[index], name, value, path)
        else:
            kind = head.split(".")[1]
            changed = [_set(p, name, value, path) if p.kind == kind else p for p in changed]
    return overrides, changed


def check_samples(sweep: Sweep, samples: list[dict[str, Any]], where: str) -> None:
    """Apply every sample and build its settings and policies as a run will, so a value the
    model refuses (out of range, wrong type, an unknown policy field, an end before the
    start) stops the sweep before its first run instead of failing every run."""
    for number, values in enumerate(samples):
        try:
            overrides, _ = apply(sweep.scenario.settings, sweep.scenario.policies, values)
            if sweep.end:
                overrides["end"] = sweep.end
            sweep.scenario.model_settings(overrides)
        except (ValueError, TypeError) as error:  # the model's errors name the field
            shown = ", ".join(f"{path} = {value!r}" for path, value in values.items())
            raise SweepError(f"{where}: sample {number} ({shown}): {error}") from None
