"""Fixtures of the sweep tests: one fault-free reference sweep per session."""

from __future__ import annotations

import pytest
from support.sweeps import reference_sweep, results


@pytest.fixture(scope="session")
def reference_folder(tmp_path_factory):
    """The 8-run sweep of test_sweep_faults.py run without faults, once per session for
    the fault and mixing tests (copy it before changing it)."""
    return reference_sweep(tmp_path_factory.mktemp("reference"), "[1, 2]")


@pytest.fixture(scope="session")
def reference(reference_folder):
    """That sweep's runs.parquet and prices series, in run order."""
    return results(reference_folder)
