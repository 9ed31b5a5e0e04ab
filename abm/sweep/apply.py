"""Put one sample's values into a scenario: settings overrides and changed policies."""

from __future__ import annotations

import dataclasses
from typing import Any

from abm.policy.instruments import Policy, policy_from_record

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
