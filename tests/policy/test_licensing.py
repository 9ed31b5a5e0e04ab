"""Licensing as a process (applications, review, quotas) and the restrictions agents may know
of (announced policies). The book is fed hand-made flows, so each cap can be traced."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy.stats import lognorm

from abm.model import MineralsModel
from abm.policy.instruments import Policy, PolicyError, policy_from_record
from abm.policy.kinds import ExportLicensing
from abm.policy.licensing import Restriction

ORIGIN, TARGET, OTHER = "CN", "JP", "AU"


@pytest.fixture()
def book_of(small_calibration):
    """A function that builds the policy book of an unrun model with ``policies``."""

    def build(*policies: Policy):
        model = MineralsModel(
            rng=1, calibration=small_calibration, end="2023-12", policies=list(policies)
        )
        return model.policies

    return build


def licence(start="2023-03", **params) -> Policy:
    return Policy("export_licensing", ORIGIN, "graphite", "refined", (TARGET,), start, None, params)


def record_month(book, from_origin: float, from_other: float) -> None:
    """One month seen in which the target buys ``from_origin`` and ``from_other`` tonnes of
    refined graphite."""
    world = book.world
    shape = (len(world.minerals), len(world.countries), len(world.countries))
    flows = np.zeros(shape)
    m, j = world.minerals.index("graphite"), world.countries.index(TARGET)
    flows[m, world.countries.index(ORIGIN), j] = from_origin
    flows[m, world.countries.index(OTHER), j] = from_other
    raw = SimpleNamespace(flows=np.zeros(shape))
    refined = SimpleNamespace(flows=flows)
    observations = book.observations
    mines, refineries = observations._output[0].shape[1], observations._output[1].shape[1]
    consumed = np.zeros((len(world.minerals), len(world.countries)))
    observations.record(raw, refined, np.zeros(mines), np.zeros(refineries), consumed)


def cap(book, month: int) -> float:
    """The cap on refined graphite from the origin to the target after licensing ``month``."""
    world = book.world
    book.rules.reset()
    book.license(0, book.policies[0], "graphite", "refined", month)
    m = world.minerals.index("graphite")
    i, j = world.countries.index(ORIGIN), world.countries.index(TARGET)
    return float(book.rules.cap_tonnes[1, m, i, j])


def with_baseline(book, months: int = 2) -> None:
    """The target bought 100 t a month from the origin and 100 t from another country."""
    for _ in range(months):
        record_month(book, 100.0, 100.0)


# ---------------------------------------------------------------- announced
@pytest.mark.parametrize(
    ("announced", "message"),
    [
        ("2023-13", "announced: month '2023-13' is not of the form YYYY-MM"),
        ("March", "announced: month 'March' is not of the form YYYY-MM"),
        ("2023-05", "announced 2023-05 is after start 2023-04"),
    ],
)
def test_a_bad_or_late_announcement_is_refused_in_one_line_naming_announced(announced, message):
    record = {"kind": "export_ban", "country": "CN", "start": "2023-04", "announced": announced}
    with pytest.raises(PolicyError, match=message) as raised:
        policy_from_record(record)
    assert "\n" not in str(raised.value)


def test_announced_defaults_to_the_start_and_may_come_earlier():
    plain = policy_from_record({"kind": "export_ban", "country": "CN", "start": "2023-04"})
    early = policy_from_record(
        {"kind": "export_ban", "country": "CN", "start": "2023-04", "announced": "2023-01"}
    )
    assert plain.announced is None and plain.announced_month() == "2023-04"
    assert early.announced_month() == "2023-01"


def test_the_policy_log_shows_when_each_policy_was_announced(book_of):
    ban = Policy("export_ban", "CN", "gallium", "refined", ("US",), "2023-04", announced="2023-02")
    log = book_of(ban, licence()).log_table()
    assert list(log.announced) == [pd.Timestamp("2023-02-01"), pd.Timestamp("2023-03-01")]
    assert list(log.date) == [pd.Timestamp("2023-04-01"), pd.Timestamp("2023-03-01")]


# ---------------------------------------------------------------- restrictions
def test_restrictions_list_announced_bans_and_licences_until_they_end(book_of):
    ban = Policy(
        "export_ban", "CN", "gallium", "refined", ("US",), "2023-04", "2023-06", announced="2023-02"
    )
    licensing = Policy("export_licensing", "CN", "graphite", "all", "all", "2023-03")
    tax = Policy("export_tax", "ID", "nickel", "refined", "all", "2023-01")
    book = book_of(ban, licensing, tax)
    world = book.world
    assert book.restrictions(0) == []  # January: nothing announced yet (the tax is no limit)
    (announced,) = book.restrictions(1)  # February: the ban is known, two months ahead
    assert isinstance(announced, Restriction)
    assert (announced.number, announced.kind, announced.months_to_start) == (0, "export_ban", 2)
    assert announced.mineral == world.minerals.index("gallium") and announced.stage == 1
    assert announced.origin == world.countries.index("CN")
    assert announced.targets.dtype == bool and announced.targets.shape == (len(world.countries),)
    assert list(np.flatnonzero(announced.targets)) == [world.countries.index("US")]
    march = book.restrictions(2)
    assert [(r.kind, r.stage, r.months_to_start) for r in march] == [
        ("export_ban", 1, 1),
        ("export_licensing", 0, 0),
        ("export_licensing", 1, 0),
    ]
    assert march[1].targets.sum() == len(world.countries) - 1
    assert not march[1].targets[world.countries.index("CN")]
    assert [r.months_to_start for r in book.restrictions(3)] == [0, 0, 0]  # the ban in force
    assert [r.kind for r in book.restrictions(6)] == ["export_licensing"] * 2  # ban ended


# ---------------------------------------------------------------- the licensing process
def test_the_licensed_share_rises_with_the_log_normal_cdf_of_review_times():
    policy = licence(review_months=2.0, review_spread=0.5, grant_share=0.8, delay_months=1)
    shares = [ExportLicensing.licensed_share(policy, month) for month in range(8)]
    assert shares[0] == 0.0  # the decreed suspension: no licences at all
    expected = 0.8 * lognorm.cdf(np.arange(7) + 0.5, s=0.5, scale=2.0)
    np.testing.assert_allclose(shares[1:], expected)
    assert np.all(np.diff(shares) > 0) and shares[-1] < 0.8


def test_review_months_zero_decides_every_case_at_once(book_of):
    book = book_of(licence(review_months=0.0, grant_share=0.9))
    with_baseline(book)
    assert ExportLicensing.licensed_share(book.policies[0], 0) == 0.9
    assert cap(book, 2) == pytest.approx(0.9 * 0.5 * 200.0)  # share 0.5 of 200 t bought


def test_caps_are_applications_times_the_share_licensed(book_of):
    book = book_of(licence(review_months=2.0, review_spread=0.5))
    with_baseline(book)
    share = lognorm.cdf(0.5, s=0.5, scale=2.0)
    assert cap(book, 2) == pytest.approx(100.0 * share)


def test_caps_follow_current_demand_a_target_buying_twice_as_much_gets_twice_the_cap(book_of):
    book = book_of(licence())
    with_baseline(book)
    first = cap(book, 2)
    record_month(book, 200.0, 200.0)  # the target's purchases double
    assert cap(book, 3) == pytest.approx(2 * first)


def test_a_volume_quota_caps_licences_at_its_share_of_pre_policy_exports(book_of):
    book = book_of(licence(quota_share=0.3))
    with_baseline(book)
    assert cap(book, 2) == pytest.approx(30.0)  # 0.3 x 100 t a month, under 100 t applied
    record_month(book, 30.0, 370.0)
    assert cap(book, 3) == pytest.approx(30.0)  # demand doubled; the quota did not


def test_refused_applications_are_filed_again_so_a_binding_cap_does_not_shrink_them(book_of):
    book = book_of(licence(review_months=0.0, grant_share=0.5))
    for _ in range(2):
        record_month(book, 100.0, 0.0)  # the target buys only from the origin
    caps = []
    for month in (2, 3, 4):
        caps.append(cap(book, month))
        record_month(book, caps[-1], 0.0)  # it gets only what is licensed
    np.testing.assert_allclose(caps, [50.0, 50.0, 50.0])


def test_licensing_holds_exports_below_the_applications_until_reviews_are_done(small_calibration):
    policy = Policy(
        "export_licensing",
        "CN",
        "graphite",
        "refined",
        "all",
        "2023-04",
        None,
        {"review_months": 2.0, "review_spread": 0.5},
    )
    model = MineralsModel(rng=1, calibration=small_calibration, end="2023-12", policies=[policy])
    model.run()
    world = model.world
    # Licences hold the authorised exports; unrecorded ones (abm.leakage) come on top.
    rec = model.recorder
    recorded = rec.flows[:, : rec.months_done] - rec.unrecorded_flows()
    flows = recorded[1, :, world.minerals.index("graphite"), :, :]
    cn = world.countries.index("CN")
    abroad = flows[:, cn, :].sum(axis=1) - flows[:, cn, cn]
    before = abroad[:3].mean()
    assert abroad[3] < 0.2 * before  # the first month: few cases decided
    assert abroad[3] < abroad[4] < abroad[5]  # licences come as reviews end
    assert abroad[8] > 0.8 * before  # most exporters licensed by the sixth month
