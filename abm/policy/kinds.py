"""Every kind of policy instrument, one small class each: its parameters (type, default,
range, meaning), its effect in a sentence, and what it changes while in force.

Adding an instrument is adding a class here and listing it in ``INSTRUMENTS``: the policy
records (``abm.policy.instruments``) validate against its parameters, the policy book
(``abm.policy.effects``) applies it each month, and the README's instrument table is
generated from these classes (``python -m abm.policy.kinds``; a test keeps the README in
step). Instruments never edit outputs: they change trade rules (bans, taxes, tariffs,
quotas) or the conditions agents decide under (collection rates, capex, lead times,
investors' information, stockpile targets).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Protocol

import numpy as np
from scipy.stats import lognorm

from abm.policy.schema import Parameter
from abm.policy.schema import PolicyRecord as Policy

if TYPE_CHECKING:
    from abm.policy.conditions import Conditions
    from abm.policy.rules import TradeRules


def _share(default: float, help_text: str) -> Parameter:
    return Parameter(float, default, help_text, 0.0, 1.0)


class Book(Protocol):
    """What an instrument changes and reads while it applies (``abm.policy.effects``)."""

    rules: TradeRules
    conditions: Conditions

    @property
    def countries(self) -> tuple[str, ...]:
        """Country codes, in the world's order."""

    @property
    def minerals(self) -> tuple[str, ...]:
        """Minerals, in the world's order."""

    def sites_in(self, fleet: str, country: str, mineral: int) -> np.ndarray:
        """Indices of ``fleet``'s sites in ``country`` working mineral number ``mineral``."""

    def license(self, number: int, policy: Policy, mineral: str, stage: str, month: int) -> None:
        """Start licensing exports under policy ``number`` for one mineral and stage."""

    def join_forum(self, policy: Policy) -> None:
        """Join the forum's members (the policy's country and its ``members``) in one forum."""


class Instrument:
    """A kind of policy. ``phase`` orders the kinds within a month: forums first (0), then
    the rest in the order they were adopted (1), exemptions last (2), so an exemption
    waives whatever tariffs were set."""

    kind: ClassVar[str]
    effect: ClassVar[str]  # one sentence for the README's table
    parameters: ClassVar[dict[str, Parameter]] = {}
    phase: ClassVar[int] = 1

    def apply(self, book: Book, number: int, policy: Policy, month: int) -> None:
        """Change the book's trade rules or conditions for one month (no-op by default:
        some kinds act elsewhere, e.g. the IRA tier, read by ``abm.policy.ira``)."""


class TradeInstrument(Instrument):
    """A kind that acts on each (mineral, stage) pair it covers."""

    def apply(self, book: Book, number: int, policy: Policy, month: int) -> None:
        """Apply the policy to each (mineral, stage) pair it covers."""
        for mineral in policy.minerals():
            for stage in policy.stages():
                self.apply_pair(book, number, policy, mineral, stage, month)

    def apply_pair(
        self, book: Book, number: int, policy: Policy, mineral: str, stage: str, month: int
    ) -> None:
        """Apply the policy to one mineral at one stage."""
        raise NotImplementedError


class ExportBan(TradeInstrument):
    """Export ban: no trade from the country to the targets."""

    kind = "export_ban"
    effect = "the pairs country -> targets are closed"

    def apply_pair(self, book, number, policy, mineral, stage, month) -> None:
        """Close the pairs country -> targets."""
        targets = list(policy.target_codes())
        book.rules.set_export_ban(policy.country, mineral, stage, targets, banned=True)


class ExportLicensing(TradeInstrument):
    """Export licensing as a review of cases: exporters apply each month for what each target
    would buy from the country, and a growing share of them hold a licence.

    The share licensed ``months`` after licences open is ``grant_share`` times the
    log-normal CDF of review times (median ``review_months``, log-sd ``review_spread``): the
    expected share of many cases decided, not a draw, so seeds do not change it;
    ``review_months = 0`` decides every case at once. ``delay_months`` is a decreed
    suspension before licences open (none granted); ``quota_share < 1`` also caps exports to
    each target at that share of their pre-policy level (a volume quota).
    """

    kind = "export_licensing"
    effect = (
        "no licences for `delay_months`; then exports to each target capped at what it "
        "applies for (its purchases last month and the orders refused, times the country's "
        "pre-policy share of its purchases) "
        "times the share licensed, `grant_share` x the log-normal CDF of review times "
        "(`review_months`, `review_spread`), and at `quota_share` of the pre-policy exports; "
        "`denied` targets get none"
    )
    parameters: ClassVar[dict[str, Parameter]] = {
        "quota_share": _share(
            1.0, "volume quota: share of the pre-policy monthly exports licensed at most"
        ),
        "delay_months": Parameter(
            int, 0, "months of decreed suspension before licences open", 0, 120
        ),
        "review_months": Parameter(
            float, 0.0, "median months from application to decision (0: at once)", 0.0, 60.0
        ),
        "review_spread": Parameter(float, 0.5, "log-sd of review times (log-normal)", 0.01, 5.0),
        "grant_share": _share(1.0, "share of applications granted once reviewed"),
        "denied": Parameter(list, [], "targets refused any licence (country codes)"),
    }

    def apply_pair(self, book, number, policy, mineral, stage, month) -> None:
        """Hand the licensing to the book, which caps exports month by month."""
        book.license(number, policy, mineral, stage, month)

    @staticmethod
    def licensed_share(policy: Policy, months_in_force: int) -> float:
        """Share of exporters holding a licence in the ``months_in_force``-th month of the
        policy (0: its first month), counted to the middle of that month from the day
        licences open (the start plus ``delay_months``)."""
        elapsed = months_in_force - policy.param("delay_months")
        if elapsed < 0:
            return 0.0
        median = policy.param("review_months")
        decided = (
            1.0
            if median == 0
            else float(lognorm.cdf(elapsed + 0.5, s=policy.param("review_spread"), scale=median))
        )
        return policy.param("grant_share") * decided


class ExportTax(TradeInstrument):
    """Export tax: an ad valorem tax on exports to the targets."""

    kind = "export_tax"
    effect = "ad valorem tax on exports to the targets"
    parameters: ClassVar[dict[str, Parameter]] = {
        "rate": Parameter(float, 0.1, "ad valorem tax on exports", 0.0, 10.0)
    }

    def apply_pair(self, book, number, policy, mineral, stage, month) -> None:
        """Set the tax on exports to the targets."""
        targets = list(policy.target_codes())
        book.rules.set_export_tax(policy.country, mineral, stage, targets, policy.param("rate"))


class ImportTariff(TradeInstrument):
    """Import tariff: an ad valorem tariff on imports from the targets."""

    kind = "import_tariff"
    effect = "ad valorem tariff on imports from the targets"
    parameters: ClassVar[dict[str, Parameter]] = {
        "rate": Parameter(float, 0.1, "ad valorem tariff on imports", 0.0, 10.0)
    }

    def apply_pair(self, book, number, policy, mineral, stage, month) -> None:
        """Set the tariff on imports from the targets."""
        targets = list(policy.target_codes())
        book.rules.set_import_tariff(policy.country, mineral, stage, targets, policy.param("rate"))


class TariffExemption(TradeInstrument):
    """Tariff exemption: the country waives its import tariffs on the mineral."""

    kind = "tariff_exemption"
    effect = "the country's import tariffs on the mineral are waived (India's 25 minerals)"
    phase = 2

    def apply_pair(self, book, number, policy, mineral, stage, month) -> None:
        """Waive the country's tariffs on imports of the mineral."""
        book.rules.exempt_imports(policy.country, mineral, stage)


class EnforcementCrackdown(TradeInstrument):
    """Enforcement crackdown: the country polices transshipment of the exports it restricts
    (China's May 2025 campaign against third-country relabelling) and their unrecorded
    export (smuggling, mislabelling), shrinking the limits of both routes."""

    kind = "enforcement_crackdown"
    effect = (
        "exports the country bans or caps to the targets leak through third countries, or "
        "leave unrecorded, at most (1 - `strength`) of the usual limits (`strength` 1: not at all)"
    )
    parameters: ClassVar[dict[str, Parameter]] = {
        "strength": _share(1.0, "share of the leak limit closed (1: no leakage)")
    }

    def apply_pair(self, book, number, policy, mineral, stage, month) -> None:
        """Shrink the leak limit of exports to the targets."""
        targets = list(policy.target_codes())
        book.rules.crack_down(policy.country, mineral, stage, targets, policy.param("strength"))


class Stockpile(Instrument):
    """Stockpile: the government buys while prices are low and sells when they spike."""

    kind = "stockpile"
    effect = (
        "the government buys toward a target while prices are low and sells when the home "
        "price passes the release level"
    )
    parameters: ClassVar[dict[str, Parameter]] = {
        "size_months": Parameter(
            float, 3.0, "target stock, months of the country's use", 0.0, 120.0
        ),
        "fill_months": Parameter(float, 24.0, "months over which the stock is built", 1.0, 240.0),
        "release_price_ratio": Parameter(
            float, 1.5, "release when the home price exceeds this times its 2023 level", 1.0, 100.0
        ),
        "max_build_price_ratio": Parameter(
            float, 1.2, "buy only below this times the 2023 price", 0.1, 100.0
        ),
    }

    def apply(self, book, number, policy, month) -> None:
        """Give the country's stockpile of each covered mineral this policy to follow."""
        country = book.countries.index(policy.country)
        for mineral in policy.minerals():
            book.conditions.stockpile_policy[(country, book.minerals.index(mineral))] = policy


class RecyclingSupport(Instrument):
    """Recycling support: recyclers collect more end-of-life material and grow faster."""

    kind = "recycling_support"
    effect = "recyclers collect more end-of-life material and grow faster"
    parameters: ClassVar[dict[str, Parameter]] = {
        "collection_rate": _share(0.5, "share of end-of-life material collected"),
        "capacity_growth": Parameter(float, 0.15, "yearly growth of recycling capacity", 0.0, 5.0),
    }

    def apply(self, book, number, policy, month) -> None:
        """Raise the country's recyclers' collection rate and capacity growth to at least the
        policy's."""
        conditions = book.conditions
        for mineral in policy.minerals():
            here = book.sites_in("recyclers", policy.country, book.minerals.index(mineral))
            conditions.collection_rate[here] = np.maximum(
                conditions.collection_rate[here], policy.param("collection_rate")
            )
            conditions.recycling_growth[here] = np.maximum(
                conditions.recycling_growth[here], policy.param("capacity_growth")
            )


class InvestmentSupport(Instrument):
    """Investment support: a capital subsidy for new capacity in the country."""

    kind = "investment_support"
    effect = "capital subsidy for new capacity in the country"
    parameters: ClassVar[dict[str, Parameter]] = {
        "subsidy": _share(0.3, "share of capital cost paid by the government")
    }

    def apply(self, book, number, policy, month) -> None:
        """Cap the capital cost of new mines or refineries in the country at one less the
        subsidy."""
        for mineral in policy.minerals():
            for stage in policy.stages():
                fleet = "mines" if stage == "raw" else "refineries"
                here = book.sites_in(fleet, policy.country, book.minerals.index(mineral))
                capex = book.conditions.capex_multiplier[0 if stage == "raw" else 1]
                capex[here] = np.minimum(capex[here], 1.0 - policy.param("subsidy"))


class LabourMobility(Instrument):
    """Labour mobility: refineries in the country build and ramp up faster."""

    kind = "labour_mobility"
    effect = "shorter refinery build and ramp times"
    parameters: ClassVar[dict[str, Parameter]] = {
        "lead_time_multiplier": Parameter(
            float, 0.6, "multiplier on refinery build and ramp times", 0.05, 1.0
        ),
    }

    def apply(self, book, number, policy, month) -> None:
        """Shorten the country's refinery lead times to at most the policy's multiplier."""
        lead = book.conditions.refinery_lead_multiplier
        for mineral in policy.minerals():
            here = book.sites_in("refineries", policy.country, book.minerals.index(mineral))
            lead[here] = np.minimum(lead[here], policy.param("lead_time_multiplier"))


class Transparency(Instrument):
    """Transparency: investors see prices sooner and misjudge them less."""

    kind = "transparency"
    effect = (
        "investors see prices sooner and misjudge them less; with futures they see scarcity sooner"
    )
    parameters: ClassVar[dict[str, Parameter]] = {
        "noise": Parameter(float, 0.05, "log-sd of investors' price errors", 0.0, 2.0),
        "report_lag_months": Parameter(int, 0, "months before investors see a price", 0, 60),
        "futures": Parameter(bool, True, "an exchange with futures: investors see scarcity sooner"),
    }

    def apply(self, book, number, policy, month) -> None:
        """Lower investors' price noise, and open futures where the policy says so."""
        conditions = book.conditions
        for mineral in policy.minerals():
            m = book.minerals.index(mineral)
            conditions.investor_noise[m] = min(conditions.investor_noise[m], policy.param("noise"))
            conditions.futures[m] |= bool(policy.param("futures"))
            conditions.report_lag[m] = min(
                conditions.report_lag[m], policy.param("report_lag_months")
            )


class Forum(Instrument):
    """Forum: members settle disputes, share stockpiles and invest with more drive."""

    kind = "forum"
    effect = (
        "members settle disputes instead of retaliating, share stockpiles and invest with "
        "more drive"
    )
    parameters: ClassVar[dict[str, Parameter]] = {
        "members": Parameter(list, [], "member countries (the applying country is one)"),
        "dispute_settlement": Parameter(bool, True, "members settle instead of retaliating"),
        "shared_stockpiles": Parameter(bool, True, "members' stockpiles release to members"),
        "coordinated_investment": Parameter(
            float, 0.25, "extra investment drive of members' sites (share)", 0.0, 5.0
        ),
    }
    phase = 0

    def apply(self, book, number, policy, month) -> None:
        """Enter the country in the forum."""
        book.join_forum(policy)


class PriceFloor(Instrument):
    """Price floor with an offtake: the government guarantees covered producers a price (the
    US Department of Defense and MP Materials, July 2025)."""

    kind = "price_floor"
    effect = (
        "covered sites (the country's, of the mineral and stage, of `owners` if named) are "
        "paid the floor less their price on what they sell below `floor_usd_per_t`; the "
        "government buys `offtake_share` of their refined output the market leaves unsold, "
        "at the floor, into its stock; their investors expect at least the floor"
    )
    parameters: ClassVar[dict[str, Parameter]] = {
        "floor_usd_per_t": Parameter(
            float, 0.0, "guaranteed price, USD per tonne of the model's basis", 0.0, 1e9
        ),
        "offtake_share": _share(
            0.0, "share of refined output the government takes at the floor if unsold"
        ),
        "owners": Parameter(list, [], "owners covered (country codes; none named: any owner)"),
    }

    def apply(self, book, number, policy, month) -> None:
        """Enter the floor among those in force (``abm.policy.floors`` pays it)."""
        book.conditions.price_floors.append(policy)


class IraRules(Instrument):
    """IRA rules: a compliant tier of the refined market for US battery makers."""

    kind = "ira_rules"
    effect = (
        "a compliant tier of the refined market: US battery makers need compliant supply for "
        "the schedule's share (less leasing) and pay up to the credit's worth per tonne more; "
        "compliant = processed in the US or an FTA partner by a non-FEOC owner from non-FEOC "
        "ore, or recycled in North America"
    )
    parameters: ClassVar[dict[str, Parameter]] = {
        "leasing_share": _share(0.0, "share of compliant-market demand exempt (leased vehicles)"),
        "minerals_schedule": Parameter(
            dict,
            {2024: 0.5, 2025: 0.6, 2026: 0.7, 2027: 0.8},
            "year -> required compliant share "
            "of critical-mineral value (Table 5.1; later years keep the last share)",
        ),
        "components_schedule": Parameter(
            dict,
            {2024: 0.6, 2025: 0.6, 2026: 0.7, 2027: 0.8, 2028: 0.9, 2029: 1.0},
            "year -> battery-component share (Table 5.1; recorded, not yet used by buyers)",
        ),
        "fta_partners": Parameter(
            list,
            ["AU", "CA", "CL", "JP", "KR", "PE"],
            "countries whose processing counts as compliant",
        ),
        "feoc": Parameter(list, ["CN"], "foreign entities of concern, judged by owner"),
        "credit_per_vehicle": Parameter(
            float, 3750.0, "USD of credit tied to critical minerals", 0.0, 100_000.0
        ),
        "covered": Parameter(
            list, ["lithium", "graphite", "cobalt", "nickel"], "minerals the rule covers"
        ),
    }
    # The tier itself is cleared by the model from abm.policy.ira, which reads the rule.


INSTRUMENTS: dict[str, Instrument] = {
    cls.kind: cls()
    for cls in (
        ExportBan,
        ExportLicensing,
        ExportTax,
        ImportTariff,
        TariffExemption,
        EnforcementCrackdown,
        Stockpile,
        RecyclingSupport,
        InvestmentSupport,
        LabourMobility,
        Transparency,
        Forum,
        IraRules,
        PriceFloor,
    )
}


def instrument_table() -> str:
    """The README's table of policy kinds, their parameters and effects (Markdown)."""
    lines = ["| kind | parameters | effect |", "| --- | --- | --- |"]
    for kind, instrument in INSTRUMENTS.items():
        names = ", ".join(f"`{name}`" for name in instrument.parameters) or "none"
        lines.append(f"| `{kind}` | {names} | {instrument.effect} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(instrument_table(), end="")
