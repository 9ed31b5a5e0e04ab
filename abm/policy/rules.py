"""Trade rules as arrays: what each government has set, in the form the market needs.

Arrays are indexed (stage, mineral, origin, destination). A government changes only the rows
or columns of its own country: exports where it is the origin, imports where it is the
destination.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from abm.market import Frictions

ALL = "all"


class TradeRules:
    """Tariffs, export taxes, bans and quotas for every stage, mineral and pair."""

    def __init__(
        self, countries: tuple[str, ...], minerals: tuple[str, ...], stages: tuple[str, ...]
    ):
        self.countries, self.minerals, self.stages = countries, minerals, stages
        shape = (len(stages), len(minerals), len(countries), len(countries))
        self.tariff = np.zeros(shape)
        self.export_tax = np.zeros(shape)
        self.allowed = np.ones(shape, dtype=bool)
        self.cap_tonnes = np.full(shape, np.inf)
        self.leak_allowance = np.ones(shape)  # share of the leak limit crackdowns leave

    def reset(self) -> None:
        """Free trade: no tariff, tax, ban or quota anywhere."""
        self.tariff[:] = 0.0
        self.export_tax[:] = 0.0
        self.allowed[:] = True
        self.cap_tonnes[:] = np.inf
        self.leak_allowance[:] = 1.0

    def exempt_imports(self, country: str, mineral: str, stage: str) -> None:
        """Waive every import tariff of ``country`` on ``mineral`` at ``stage``."""
        s, m, j, _ = self._index(mineral, stage, country, [])
        self.tariff[s, m, :, j] = 0.0

    def _index(self, mineral: str, stage: str, country: str, partners) -> tuple:
        for name, value, allowed in (
            ("mineral", mineral, self.minerals),
            ("stage", stage, self.stages),
            ("country", country, self.countries),
        ):
            if value not in allowed:
                raise ValueError(f"{name} '{value}' is not one of {', '.join(allowed)}")
        if partners == ALL:
            chosen = [c for c in self.countries if c != country]
        else:
            chosen = [partners] if isinstance(partners, str) else list(partners)
            for partner in chosen:
                if partner not in self.countries:
                    raise ValueError(
                        f"target '{partner}' is not one of all, {', '.join(self.countries)}"
                    )
        partner_index = [self.countries.index(p) for p in chosen]
        return (
            self.stages.index(stage),
            self.minerals.index(mineral),
            self.countries.index(country),
            partner_index,
        )

    def set_export_ban(self, country, mineral, stage, targets: str | Iterable[str], banned: bool):
        """Close (or, with ``banned=False``, reopen) exports from ``country`` to ``targets``."""
        s, m, i, partners = self._index(mineral, stage, country, targets)
        self.allowed[s, m, i, partners] = not banned

    def set_import_tariff(self, country, mineral, stage, origins, rate: float):
        """Set the ad valorem tariff ``country`` puts on imports from ``origins``."""
        if rate < 0:
            raise ValueError(f"rate: {rate} is negative; a tariff is a share >= 0")
        s, m, j, partners = self._index(mineral, stage, country, origins)
        self.tariff[s, m, partners, j] = rate

    def set_export_tax(self, country, mineral, stage, targets, rate: float):
        """Set the ad valorem tax ``country`` puts on exports to ``targets``."""
        if rate < 0:
            raise ValueError(f"rate: {rate} is negative; a tax is a share >= 0")
        s, m, i, partners = self._index(mineral, stage, country, targets)
        self.export_tax[s, m, i, partners] = rate

    def set_export_quota(self, country, mineral, stage, targets, tonnes: float):
        """Cap exports from ``country`` to each of ``targets`` at ``tonnes`` a month."""
        if tonnes < 0:
            raise ValueError(f"tonnes_per_month: {tonnes} is negative")
        s, m, i, partners = self._index(mineral, stage, country, targets)
        self.cap_tonnes[s, m, i, partners] = tonnes

    def crack_down(self, country, mineral, stage, targets, strength: float) -> None:
        """Shrink by ``strength`` (1: close) the leak limit of ``country``'s banned or capped
        exports to ``targets`` (``abm.leakage``); the strongest crackdown in force holds."""
        if not 0.0 <= strength <= 1.0:
            raise ValueError(f"strength: {strength} is not a share in [0, 1]")
        s, m, i, partners = self._index(mineral, stage, country, targets)
        allowance = self.leak_allowance[s, m, i, partners]
        self.leak_allowance[s, m, i, partners] = np.minimum(allowance, 1.0 - strength)

    def frictions(self, stage: int, transport_usd_per_t: np.ndarray) -> Frictions:
        """What the market of one stage sees this step."""
        return Frictions(
            transport_usd_per_t=transport_usd_per_t,
            tariff=self.tariff[stage],
            export_tax=self.export_tax[stage],
            allowed=self.allowed[stage],
            cap_tonnes=self.cap_tonnes[stage],
        )
