"""Calibration data for the 2023 base year: tables with sources, their loader and checksums.

``load_calibration()`` returns the shipped tables, validated; ``data_checksums()`` fingerprints
them (and the primary files they were built from) for run manifests. The tables are rebuilt from
the primary files with ``python -m abm.data.build_tables``; see abm/data/README.md.
"""

from __future__ import annotations

import functools
from pathlib import Path

from abm.data.loader import Calibration, CalibrationError, checksums, read_all
from abm.data.schema import COUNTRIES, MINERALS, SCENARIOS, SECTORS, STAGES

__all__ = [
    "COUNTRIES",
    "MINERALS",
    "SCENARIOS",
    "SECTORS",
    "STAGES",
    "Calibration",
    "CalibrationError",
    "data_checksums",
    "load_calibration",
]


def load_calibration(directory: str | Path | None = None) -> Calibration:
    """Read and validate every table; ``directory`` overrides the shipped tables (for tests).

    The shipped tables are read and checked once per process (a sweep worker builds many
    models; reading them took a fifth of a two-year run) and each call gets its own copies,
    so a caller changing a table changes nobody else's.
    """
    if directory is not None:
        return Calibration(**read_all(directory))
    return Calibration(**{name: table.copy() for name, table in _shipped_tables().items()})


@functools.cache
def _shipped_tables() -> dict:
    return read_all(None)


def data_checksums() -> dict[str, str]:
    """sha256 of each shipped CSV and primary file, keyed by its path under abm/data."""
    return checksums()
