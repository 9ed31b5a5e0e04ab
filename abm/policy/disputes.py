"""Discipline in forums: an export restriction against a member that settles disputes is
liable to a case.

The case is filed when the restriction is first seen in force against such a member, and
ruled ``forum_case_months`` later (DS431-433: consultations requested in March 2012, panel
reports March 2014, China's rare-earth quotas gone from January 2015). At the ruling the
restricting government appeals into the void with probability ``forum_appeal_void_share``
(DS592: Indonesia's nickel-ore ban lost at panel in November 2022 and was appealed to an
Appellate Body that cannot sit) and the restriction stays; otherwise it complies and the
restriction ends the month before the ruling takes effect. Rulings that authorise
retaliation against a member that neither complies nor appeals are not modelled: both cited
cases ended in compliance or in the void.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from abm.policy.instruments import Policy

if TYPE_CHECKING:
    from abm.policy.situation import Situation

LIABLE = ("export_ban", "export_licensing", "export_tax")


def liable(view: Situation, policy: Policy) -> bool:
    """Whether a restriction aims at a member that settles disputes with its author."""
    if policy.kind not in LIABLE:
        return False
    c = view.countries.index(policy.country)
    targets = [view.countries.index(t) for t in policy.target_codes()]
    return bool(view.policies.settles[c, targets].any())


def forum_cases(view: Situation, c: int, month: int) -> None:
    """File cases against ``c``'s liable restrictions, and rule on those that are due."""
    book = view.policies
    for number, policy in book.in_force(month):
        if policy.country != view.countries[c] or number in book.ruled:
            continue
        if number not in book.cases:
            if liable(view, policy):
                book.cases[number] = month + view.settings.forum_case_months
            continue
        if month < book.cases[number]:
            continue
        book.ruled.add(number)
        if view.rng.random() < view.settings.forum_appeal_void_share:
            continue
        filed = book.month_text(book.cases[number] - view.settings.forum_case_months)
        book.policies[number] = dataclasses.replace(
            policy,
            end=book.month_text(month - 1),
            reason=f"{policy.reason}; ended by a forum ruling on a case filed {filed}",
        )
