"""One validation path for every number, word and name a user gives abm.

Settings, policies, adjustments, scenario files and ``--set`` all check their values here, so
NaN, inf, a bool posing as a number or a list posing as a word are refused the same way
everywhere, with one line that names the field and the allowed values.
"""

from __future__ import annotations

import math
import re
from typing import Any


class InputError(ValueError):
    """Bad user input: the message names the field (or file) and what is allowed."""


def _span(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"from {low} to {high}"
    if low is not None:
        return f"at least {low}"
    return f"at most {high}" if high is not None else "any finite number"


def number(
    field: str,
    value: Any,
    *,
    whole: bool = False,
    low: float | None = None,
    high: float | None = None,
    error: type[InputError] = InputError,
) -> int | float:
    """``value`` as a finite number in [low, high]; ``whole`` numbers come back as int.

    A bool is not a number, and NaN and inf are refused, because ``x < low`` is False for NaN
    and inf would overflow wherever it is used. A whole float such as ``3.0`` is accepted as 3.
    """
    allowed = f"a {'whole ' if whole else ''}number {_span(low, high)}"
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise error(f"{field}: expected {allowed}, got {value!r}")
    if not math.isfinite(value):
        raise error(f"{field}: {value} is not a finite number; expected {allowed}")
    if whole and value != int(value):
        raise error(f"{field}: expected a whole number, got {value!r}")
    if low is not None and value < low:
        raise error(f"{field}: {value} is below the minimum {low}")
    if high is not None and value > high:
        raise error(f"{field}: {value} is above the maximum {high}")
    return int(value) if whole else value


def flag(field: str, value: Any, error: type[InputError] = InputError) -> bool:
    """A true/false value (not 0 or 1, not the text 'yes')."""
    if not isinstance(value, bool):
        raise error(f"{field}: expected true or false, got {value!r}")
    return value


def text(field: str, value: Any, error: type[InputError] = InputError) -> str:
    """A word or sentence: a list or a number is not text."""
    if not isinstance(value, str):
        raise error(f"{field}: expected text, got {value!r}")
    return value


SAFE_NAME = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$")
SAFE_NAME_RULE = (
    "letters, digits, '.', '-' and '_', at most 100, not starting with '.' "
    "(so not '', '.' or '..', and no '/')"
)


def is_safe_name(name: str) -> bool:
    """A name that is one folder name under ``results/``, never a path or a hidden name."""
    return bool(SAFE_NAME.match(name))


def safe_name(name: str) -> str:
    """``name`` with every unsafe run of characters replaced by '-' (for file stems)."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", name).lstrip(".")[:100]
    return cleaned if is_safe_name(cleaned) else "scenario"


def depth(value: Any) -> int:
    """How deeply tables and lists nest in a parsed file (a plain value is depth 0)."""
    if isinstance(value, dict):
        return 1 + max((depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((depth(v) for v in value), default=0)
    return 0
