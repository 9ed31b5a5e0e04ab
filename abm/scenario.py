"""Scenario files: a named run configuration in TOML (experiments/scenarios/*.toml).

Keys: ``name``, ``description``, ``world`` (the base year of the calibrated world: 2023, the
default, or a vintage's year, ``abm.data.vintage``), ``start`` (no earlier than January of
the world's year), ``end``, a ``[settings]`` table of model settings
(``abm.settings.ModelSettings``), ``[[policy]]`` tables (``abm.policy.instruments``) and
``[[adjust]]`` tables that change the calibrated world (mineral, stage, country, optional
owner, capacity_multiplier). Every key and value is checked before a run starts,
and only a small regular UTF-8 file is read at all.
"""

from __future__ import annotations

import difflib
import os
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from abm.data.vintage import BASE_YEAR, check_world
from abm.policy.instruments import Policy, PolicyError, policy_from_record
from abm.settings import ModelSettings, SettingsError, unknown_settings
from abm.validation import SAFE_NAME_RULE, InputError, depth, is_safe_name, safe_name, text
from abm.world import ADJUST_KEYS, AdjustmentError, check_adjustment

TOP_LEVEL_KEYS = ("name", "description", "world", "start", "end", "settings", "policy", "adjust")


class ScenarioError(InputError):
    """A scenario file or name is wrong; the message names the file and field."""


@dataclass(frozen=True)
class Scenario:
    """A named scenario: its settings, its policies and its adjustments to the calibration."""

    name: str
    description: str = ""
    settings: dict[str, Any] = field(default_factory=dict)
    policies: tuple[Policy, ...] = ()
    adjustments: tuple[dict[str, Any], ...] = ()
    path: Path | None = None
    world: int = BASE_YEAR

    def model_settings(self, overrides: dict[str, Any] | None = None) -> ModelSettings:
        """The scenario's settings with ``overrides`` on top, validated; errors name the file.

        ``overrides`` may hold ``world``, which is not a model setting: the run starts no
        earlier than January of its world's year."""
        values = {**self.settings, **(overrides or {})}
        world = self.world_year(values)
        values.pop("world", None)
        try:
            unknown_settings(values)
            settings = ModelSettings(**values)
        except SettingsError as error:
            raise ScenarioError(f"{self.where}: {error}") from None
        if int(settings.start[:4]) < world:
            raise ScenarioError(
                f"{self.where}: start {settings.start} is before January of its world "
                f"(world = {world}); start at {world}-01 or later"
            )
        return settings

    def world_year(self, overrides: dict[str, Any] | None = None) -> int:
        """The world's base year, ``overrides['world']`` if given, checked."""
        value = (overrides or {}).get("world", self.world)
        return check_world(f"{self.where}: ", value, ScenarioError)

    @property
    def where(self) -> str:
        """The file's name (or the scenario's), to start an error message."""
        return self.path.name if self.path else self.name


def scenario_directories() -> list[Path]:
    """Where built-in scenarios live: ./experiments/scenarios, then beside the package."""
    here = Path(__file__).resolve().parents[1] / "experiments" / "scenarios"
    local = Path.cwd() / "experiments" / "scenarios"
    return [d for d in dict.fromkeys([local, here]) if d.is_dir()]


def builtin_scenarios() -> dict[str, Path]:
    """Built-in scenario names and their files; the first directory wins a name."""
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


MAX_FILE_BYTES = 1_000_000  # the largest built-in scenario is a few kilobytes
MAX_DEPTH = 6  # [[policy]] tables hold a schedule table at most: deeper is not a scenario


def read_text(path: Path, error: type[InputError]) -> str:
    """A small regular UTF-8 file's text (a scenario or sweep file), refusing anything else.

    The file is opened without blocking and checked with ``fstat`` before a byte is read, so
    a FIFO or a device neither hangs nor streams forever.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise error(f"{path}: file does not exist") from None
    except OSError as problem:
        raise error(f"{path}: cannot be read ({problem.strerror})") from None
    mode = os.fstat(descriptor).st_mode
    if not stat.S_ISREG(mode):
        os.close(descriptor)
        if stat.S_ISDIR(mode):
            raise error(f"{path}: is a folder, not a regular TOML file")
        raise error(f"{path}: is not a regular file (a pipe, socket or device)")
    with os.fdopen(descriptor, "rb") as stream:
        try:
            raw = stream.read(MAX_FILE_BYTES + 1)
        except OSError as problem:
            raise error(f"{path}: cannot be read ({problem.strerror})") from None
    if len(raw) > MAX_FILE_BYTES:
        raise error(f"{path.name}: larger than {MAX_FILE_BYTES} bytes; too large for abm to read")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as problem:
        raise error(f"{path.name}: not UTF-8 text (byte {problem.start})") from None


def read_toml(path: Path, error: type[InputError]) -> dict[str, Any]:
    """A TOML file's tables, read by ``read_text`` and no deeper than ``MAX_DEPTH``."""
    text = read_text(path, error)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as problem:
        raise error(f"{path.name}: not valid TOML: {problem}") from None
    except RecursionError:
        raise error(f"{path.name}: nested deeper than {MAX_DEPTH} tables or lists") from None
    if depth(data) > MAX_DEPTH:
        raise error(f"{path.name}: nested deeper than {MAX_DEPTH} tables or lists")
    return data


def _scenario_path(name_or_path: str) -> Path:
    """The file of a built-in scenario name, or the path as given."""
    path = Path(name_or_path)
    if path.suffix == ".toml" or os.path.lexists(path):
        return path
    known = builtin_scenarios()
    if name_or_path not in known:
        close = difflib.get_close_matches(name_or_path, list(known), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise ScenarioError(
            f"scenario '{name_or_path}' is not a file nor a built-in scenario{hint}; "
            f"built-in: {', '.join(known) or 'none'}"
        )
    return known[name_or_path]


def _name(data: dict[str, Any], path: Path) -> str:
    """The scenario's name: a safe folder name (refused if not), or the file's sanitised stem."""
    if "name" not in data:
        return safe_name(path.stem)
    name = text(f"{path.name}: name", data["name"], ScenarioError)
    if not is_safe_name(name):
        raise ScenarioError(f"{path.name}: name {name!r} is not a safe name: {SAFE_NAME_RULE}")
    return name


def _tables(path: Path, key: str, value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ScenarioError(f"{path.name}: {key} must be written as [[{key}]] tables")
    return value


def load_scenario(name_or_path: str) -> Scenario:
    """A built-in scenario by name, or a scenario file by path."""
    path = _scenario_path(name_or_path)
    data = read_toml(path, ScenarioError)
    for key in data:
        _known(f"{path.name}: unknown key", key, TOP_LEVEL_KEYS, "allowed")
    settings = data.get("settings", {})
    if not isinstance(settings, dict):
        raise ScenarioError(f"{path.name}: settings must be a table, got {settings!r}")
    settings = dict(settings)
    for key in ("start", "end"):
        if key in data:
            settings[key] = data[key]
    policies = _tables(path, "policy", data.get("policy", []))
    adjustments = _tables(path, "adjust", data.get("adjust", []))
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
        try:
            check_adjustment(adjustment, f"{path.name}: adjust[{i}]")
        except AdjustmentError as error:
            raise ScenarioError(str(error)) from None
    scenario = Scenario(
        name=_name(data, path),
        description=text(f"{path.name}: description", data.get("description", ""), ScenarioError),
        settings=settings,
        policies=records,
        adjustments=tuple(dict(a) for a in adjustments),
        path=path,
        world=check_world(f"{path.name}: ", data.get("world", BASE_YEAR), ScenarioError),
    )
    scenario.model_settings()  # validate now, before anything runs
    return scenario
