"""Instruments are classes: the policy records' schemas and the docs' tables come from them."""

from __future__ import annotations

from pathlib import Path

from abm.policy.instruments import KINDS
from abm.policy.kinds import INSTRUMENTS, Instrument, instrument_table

ROOT = Path(__file__).resolve().parents[2]


def test_every_policy_kind_is_an_instrument_class_with_its_parameters():
    assert set(KINDS) == set(INSTRUMENTS)
    for kind, instrument in INSTRUMENTS.items():
        assert isinstance(instrument, Instrument) and instrument.kind == kind
        assert KINDS[kind] is instrument.parameters
        assert instrument.effect


def test_the_readme_and_the_odd_show_the_table_the_classes_make():
    table = instrument_table()
    assert table in (ROOT / "README.md").read_text()
    assert table in (ROOT / "docs" / "ODD.md").read_text()


def test_forums_apply_first_and_exemptions_last():
    assert INSTRUMENTS["forum"].phase < INSTRUMENTS["export_ban"].phase
    assert INSTRUMENTS["tariff_exemption"].phase > INSTRUMENTS["import_tariff"].phase
