"""Random scenario files (hypothesis): abm run either succeeds with sound tables or refuses.

The files are random trees of valid and invalid keys, types and values, NaN and inf included,
written as TOML text. Whatever the file, ``abm run`` exits 0 with finite, non-negative,
balanced tables, or exits 2 with one line; it never raises, and touches nothing but its
output folder.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import tempfile
from dataclasses import fields
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from abm.cli import main
from abm.outputs import largest_relative_residual
from abm.policy.instruments import KINDS
from abm.settings import ModelSettings

SETTINGS = {item.name: item for item in fields(ModelSettings) if item.name not in ("start", "end")}
HOSTILE = [math.nan, math.inf, -math.inf, 1e300, -1, True, "text", [1], {"a": 1}, ""]
SIGNED_COLUMNS = {"residual", "premium_pct"}  # a residual or a premium may be below zero


def toml_value(value) -> str:
    """A Python value as TOML text (TOML has ``nan`` and ``inf``, unlike JSON)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return (
            "nan"
            if math.isnan(value)
            else ("inf" if value > 0 else "-inf")
            if math.isinf(value)
            else repr(value)
        )
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return "{ " + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) + " }"


def mostly(valid: st.SearchStrategy, hostile: st.SearchStrategy) -> st.SearchStrategy:
    """``valid`` five times in six: most files get past their first key to the model."""
    return st.integers(0, 5).flatmap(lambda pick: hostile if pick == 0 else valid)


def valid_values(low, high, default) -> st.SearchStrategy:
    """The default, the bounds and points between them."""
    points = [default] + [v for v in (low, high) if v is not None]
    return st.sampled_from(points)


def setting_value(name: str) -> st.SearchStrategy:
    item = SETTINGS[name]
    meta = item.metadata
    if "choices" in meta:
        valid = st.sampled_from(list(meta["choices"]))
    elif item.type == "bool":
        valid = st.booleans()
    else:
        valid = valid_values(meta.get("min"), meta.get("max"), item.default)
    return mostly(valid, st.sampled_from(HOSTILE))


@st.composite
def settings_tables(draw) -> dict:
    names = draw(st.lists(st.sampled_from(sorted(SETTINGS)), max_size=4, unique=True))
    table = {name: draw(setting_value(name)) for name in names}
    if draw(mostly(st.just(False), st.just(True))):
        table["no_such_setting"] = 1.0
    return table


@st.composite
def policies(draw) -> dict:
    kind = draw(st.sampled_from(["export_ban", "import_tariff", "export_licensing", "stockpile"]))
    record = {"kind": kind, "country": draw(mostly(st.sampled_from(["CN", "US"]), st.just("XX")))}
    record["mineral"] = draw(mostly(st.sampled_from(["graphite", "lithium", "all"]), st.just(5)))
    for name, spec in KINDS[kind].items():
        if spec.kind in (int, float) and draw(st.booleans()):
            valid = valid_values(spec.low, spec.high, spec.default)
            record[name] = draw(mostly(valid, st.sampled_from(HOSTILE)))
    return record


@st.composite
def scenario_texts(draw) -> str:
    """A scenario file: mostly well formed, with hostile keys, types and values mixed in."""
    name = draw(mostly(st.just("p"), st.sampled_from(["", ".", "../../x", "/abs", 5])))
    lines = [f"name = {toml_value(name)}", 'start = "2023-01"']
    end = draw(mostly(st.sampled_from(["2023-01", "2023-02"]), st.just("2023-13")))
    lines.append(f"end = {toml_value(end)}")
    world = draw(mostly(st.sampled_from([None, 2023, 2022]), st.sampled_from([*HOSTILE, 1999])))
    if world is not None:
        lines.append(f"world = {toml_value(world)}")
    if draw(mostly(st.just(False), st.just(True))):
        lines.append(f"unexpected = {toml_value(draw(st.sampled_from(HOSTILE)))}")
    table = draw(settings_tables())
    if table:
        lines.append("[settings]")
        lines += [f"{key} = {toml_value(value)}" for key, value in table.items()]
    for record in draw(st.lists(policies(), max_size=2)):
        lines.append("[[policy]]")
        lines += [f"{key} = {toml_value(value)}" for key, value in record.items()]
    if draw(st.booleans()):
        multiplier = draw(mostly(st.sampled_from([0.5, 2.0, 0.0]), st.sampled_from(HOSTILE)))
        lines += ["[[adjust]]", 'mineral = "nickel"', 'stage = "raw"', 'country = "ID"']
        lines.append(f"capacity_multiplier = {toml_value(multiplier)}")
    return "\n".join(lines) + "\n"


def _files(root: Path, skip: Path) -> dict[str, bytes]:
    return {
        str(path): path.read_bytes()
        for path in root.rglob("*")
        if path.is_file() and skip not in path.parents
    }


def assert_sound_tables(out: Path) -> None:
    """Every number finite, none negative but residuals and premiums, the books balanced."""
    for path in sorted(out.glob("*.parquet")):
        table = pd.read_parquet(path)
        for column in table.select_dtypes("number"):
            values = table[column].to_numpy(float)
            assert np.isfinite(values).all(), (path.name, column)
            if column not in SIGNED_COLUMNS:
                assert (values >= 0).all(), (path.name, column)
    assert largest_relative_residual(pd.read_parquet(out / "balance.parquet")) < 1e-9


@pytest.mark.slow
@settings(max_examples=25, deadline=None)
@given(scenario_texts())
def test_any_scenario_file_runs_soundly_or_is_refused_with_one_line(text):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "s.toml").write_text(text)
        out = root / "out"
        before = _files(root, out)
        stderr, stdout = io.StringIO(), io.StringIO()
        with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(stdout):
            try:
                status = main(["run", "--scenario", str(root / "s.toml"), "--out", str(out)])
            except SystemExit as stop:
                status = stop.code
        error = stderr.getvalue()
        assert "Traceback" not in error
        assert status in (0, 2), error
        if status == 2:
            assert len(error.strip().splitlines()) == 1, error
            assert not out.exists()
        else:
            assert_sound_tables(out)
        assert _files(root, out) == before
