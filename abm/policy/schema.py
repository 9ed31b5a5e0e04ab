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
    def kind(self) -> str:
        """The instrument kind (a key of ``abm.policy.kinds.INSTRUMENTS``)."""

    @property
    def country(self) -> str:
        """The country whose government applies it."""

    @property
    def start(self) -> str | None:
        """Its first month, YYYY-MM (None: from the start of the run)."""

    @property
    def announced(self) -> str | None:
        """The month it was made known, YYYY-MM (None: at its start)."""

    @property
    def end(self) -> str | None:
        """Its last month, YYYY-MM (None: to the end of the run)."""

    def minerals(self) -> tuple[str, ...]:
        """The minerals the policy covers."""

    def stages(self) -> tuple[str, ...]:
        """The stages the policy covers."""

    def target_codes(self) -> tuple[str, ...]:
        """The countries the policy aims at."""

    def param(self, name: str) -> Any:
        """The value of parameter ``name``, or its kind's default."""
