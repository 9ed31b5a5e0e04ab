"""Scenario files: a named run configuration in TOML (experiments/scenarios/*.toml).

Keys: ``name``, ``description``, ``start``, ``end``, a ``[settings]`` table of model
settings (``abm.settings.ModelSettings``), ``[[policy]]`` tables (``abm.policy.instruments``)
and ``[[adjust]]`` tables that change the calibrated world (mineral, stage, country,
optional owner, capacity_multiplier). Every key and value is checked before a run starts.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from abm.policy.instruments import Policy, PolicyError, policy_from_record
from abm.settings import ModelSettings, SettingsError, unknown_settings
from abm.world import ADJUST_KEYS

TOP_LEVEL_KEYS = ("name", "description", "start", "end", "settings", "policy", "adjust")


class ScenarioError(ValueError):
    """A scenario file or name is wrong; the message names the file and field."""


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str = ""
    settings: dict[str, Any] = field(default_factory=dict)
    policies: tuple[Policy, ...] = ()
    adjustments: tuple[dict[str, Any], ...] = ()
    path: Path | None = None

    def model_settings(self, overrides: dict[str, Any] | None = None) -> ModelSettings:
        values = {**self.settings, **(overrides or {})}
        where = self.path.name if self.path else self.name
        try:
            unknown_settings(values)
            return ModelSettings(**values)
        except SettingsError as error:
            raise ScenarioError(f"{where}: {error}") from None


def scenario_directories() -> list[Path]:
    """Where built-in scenarios live: ./experiments/scenarios, then beside the package."""
    here = Path(__file__).resolve().parents[1] / "experiments" / "scenarios"
    local = Path.cwd() / "experiments" / "scenarios"
    return [d for d in dict.fromkeys([local, here]) if d.is_dir()]


def builtin_scenarios() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for directory in scenario_directories():
        for path in sorted(directory.glob("*.toml")):
            found.setdefault(path.stem, path)
    return found


def _known(what: str, key: str, allowed: tuple[str, ...], listing: str) -> None:
    """Raise for a key that is not allowed, suggesting the closest one."""
    if key in allowed:
        return
    close = difflib.get_close_matches(key, allowed, n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    raise ScenarioError(f"{what} '{key}'{hint}; {listing}: {', '.join(allowed)}")


def load_scenario(name_or_path: str) -> Scenario:
    """A built-in scenario by name, or a scenario file by path."""
    path = Path(name_or_path)
    if not (path.suffix == ".toml" or path.exists()):
        known = builtin_scenarios()
        if name_or_path not in known:
            close = difflib.get_close_matches(name_or_path, list(known), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise ScenarioError(
                f"scenario '{name_or_path}' is not a file nor a built-in scenario{hint}; "
                f"built-in: {', '.join(known) or 'none'}"
            )
        path = known[name_or_path]
    if not path.exists():
        raise ScenarioError(f"scenario file {path} does not exist")
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError(f"{path.name}: not valid TOML: {error}") from None
    for key in data:
        _known(f"{path.name}: unknown key", key, TOP_LEVEL_KEYS, "allowed")
    settings = dict(data.get("settings", {}))
    if not isinstance(settings, dict):
        raise ScenarioError(f"{path.name}: settings must be a table")
    for key in ("start", "end"):
        if key in data:
            settings[key] = data[key]
    policies = data.get("policy", [])
    adjustments = data.get("adjust", [])
    for key, value in (("policy", policies), ("adjust", adjustments)):
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise ScenarioError(f"{path.name}: {key} must be written as [[{key}]] tables")
    try:
        records = tuple(
            policy_from_record(record, f"{path.name}: policy[{i}]")
            for i, record in enumerate(policies)
        )
    except PolicyError as error:
        raise ScenarioError(str(error)) from None
    for i, adjustment in enumerate(adjustments):
        for key in adjustment:
            _known(f"{path.name}: adjust[{i}]: unknown field", key, ADJUST_KEYS, "fields are")
    scenario = Scenario(
        name=str(data.get("name", path.stem)),
        description=str(data.get("description", "")),
        settings=settings,
        policies=records,
        adjustments=tuple(dict(a) for a in adjustments),
        path=path,
    )
    scenario.model_settings()  # validate now, before anything runs
    return scenario
