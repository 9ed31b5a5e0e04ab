"""The README's outputs table against what a run writes: every file, every column."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from abm.cli import main

README = Path(__file__).resolve().parents[1] / "README.md"


def outputs_table() -> dict[str, str]:
    """Each row of the README's outputs table: file name -> the row's text."""
    text = README.read_text()
    start = text.index("| file | contents |")
    rows = {}
    for line in text[start:].splitlines()[2:]:
        if not line.startswith("|"):
            break
        files, contents = line.strip("|").split("|", 1)
        for name in re.findall(r"`([^`]+)`", files):
            rows[name] = contents
    return rows


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory) -> Path:
    """A short `abm run` with IRA rules (the only kind of run that writes premiums)."""
    out = tmp_path_factory.mktemp("run") / "ira"
    assert main(["run", "ira", "--end", "2023-03", "--out", str(out)]) == 0
    return out


def test_the_readme_lists_every_file_a_run_writes_and_no_other(run_folder):
    written = {*json.loads((run_folder / "manifest.json").read_text())["outputs"], "manifest.json"}
    assert written == {p.name for p in run_folder.iterdir()}
    rows = outputs_table()
    only_with_a_floor = {name for name, row in rows.items() if "with a price floor" in row}
    assert only_with_a_floor == {"floors.parquet"}  # tests/policy/test_floors.py checks it
    assert set(rows) - only_with_a_floor == written


def test_the_readme_names_every_column_of_every_table(run_folder):
    rows = outputs_table()
    for path in sorted(run_folder.glob("*.parquet")):
        columns = pd.read_parquet(path).columns
        missing = [c for c in columns if not re.search(rf"\b{re.escape(c)}\b", rows[path.name])]
        assert not missing, f"{path.name}: the README does not name {missing}"
