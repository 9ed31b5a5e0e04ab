"""What every instrument kind is described by (its parameters) and what a policy record
offers the code that applies it: no imports, so every policy module can use them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class Parameter:
    """One parameter of a policy kind: its type, default, range and meaning."""

    kind: type
    default: Any
    help: str
    low: float | None = None
    high: float | None = None


class PolicyRecord(Protocol):
    """A policy as instruments read it (``abm.policy.instruments.Policy``)."""

    @property
    def kind(self) -> str: ...

    @property
    def country(self) -> str: ...

    @property
    def start(self) -> str | None: ...

    def minerals(self) -> tuple[str, ...]: ...

    def stages(self) -> tuple[str, ...]: ...

    def target_codes(self) -> tuple[str, ...]: ...

    def param(self, name: str) -> Any: ...
