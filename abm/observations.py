"""What governments, stockpiles and licensing may see: the market's recent public record.

The model updates one ``Observations`` at the end of every month; rules read it and never
the model or its output recorder. It keeps only what rules look back on: a year of trade
flows and of every site's output, last month's consumption, and the last clearings' prices.
Sums over months run in calendar order, as over a full history.
"""

from __future__ import annotations

import numpy as np

from abm.market import Clearing

MEMORY_MONTHS = 12  # the longest look-back of any rule (output shares, licensing baselines)


class Observations:
    """A year of the market's record, in rings of ``MEMORY_MONTHS`` months."""

    def __init__(self, minerals: int, countries: int, mines: int, refineries: int):
        self.months_seen = 0
        self._flows = np.zeros((2, MEMORY_MONTHS, minerals, countries, countries))
        self._output = (np.zeros((MEMORY_MONTHS, mines)), np.zeros((MEMORY_MONTHS, refineries)))
        self.consumption = np.zeros((countries, minerals))  # last month's, t by (country, mineral)
        self.last_clearing: list[Clearing | None] = [None, None]  # raw, refined

    def record(
        self,
        raw: Clearing,
        refined: Clearing,
        mine_output: np.ndarray,
        refinery_output: np.ndarray,
        consumed: np.ndarray,
        unrecorded: np.ndarray | None = None,
    ) -> None:
        """The month just cleared: its recorded flows (less ``unrecorded``, (stage, mineral,
        origin, destination) tonnes that left outside authorised channels), each site's
        output, consumption by (mineral, country)."""
        slot = self.months_seen % MEMORY_MONTHS
        for stage, clearing in enumerate((raw, refined)):
            self._flows[stage, slot] = clearing.flows
            if unrecorded is not None:
                self._flows[stage, slot] -= unrecorded[stage]
            self.last_clearing[stage] = clearing
        self._output[0][slot] = mine_output
        self._output[1][slot] = refinery_output
        self.consumption = consumed.T
        self.months_seen += 1

    def _order(self, months: int) -> np.ndarray:
        """Ring slots of the last ``months`` months seen, oldest first."""
        if months > MEMORY_MONTHS:
            raise ValueError(f"observations keep {MEMORY_MONTHS} months, not {months}")
        done = self.months_seen
        return np.arange(max(0, done - months), done) % MEMORY_MONTHS

    def recent_flows(self, stage: int, months: int) -> np.ndarray:
        """(month, mineral, origin, destination) tonnes of the last ``months`` months."""
        return self._flows[stage].take(self._order(months), axis=0)

    def flows_over(self, stage: int, months: int) -> np.ndarray:
        """(mineral, origin, destination) tonnes summed over the last ``months`` months."""
        return self.recent_flows(stage, months).sum(axis=0)

    def output_over(self, stage: int, months: int) -> np.ndarray:
        """Each site's tonnes of ``stage`` (0 mines, 1 refineries) over the last ``months``."""
        return self._output[stage].take(self._order(months), axis=0).sum(axis=0)
