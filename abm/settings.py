"""Model settings: every behavioural parameter in one typed, validated place.

A setting is a constructor keyword of the model (SolaraViz and ``abm run --set`` both need
that), so each one here has a default, a type, allowed values and a one-line meaning.
Every number has a finite range: an unbounded one would let ``1e300`` overflow the model.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from dataclasses import dataclass, field, fields
from typing import Any

from abm.validation import InputError, flag, number, text

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
DEMAND_SCENARIOS = ("STEPS", "APS", "NZE")
POLICY_MODES = ("scripted", "endogenous", "both")
FIRST_YEAR, LAST_YEAR = 2000, 2100  # months outside are refused: no data, and no memory for them


class SettingsError(InputError):
    """A setting is unknown, of the wrong type, or out of range."""


@dataclass(frozen=True)
class ModelSettings:
    """Behavioural and calibration parameters of a run (units in the names)."""

    start: str = field(default="2023-01", metadata={"help": "first month simulated (YYYY-MM)"})
    end: str = field(default="2040-12", metadata={"help": "last month simulated (YYYY-MM)"})
    demand_scenario: str = field(
        default="STEPS",
        metadata={"help": "IEA demand path", "choices": DEMAND_SCENARIOS},
    )
    tranches: int = field(
        default=8,
        metadata={"help": "cost tranches per mine or refinery group", "min": 1, "max": 256},
    )
    cost_jitter: float = field(
        default=0.02, metadata={"help": "log-sd of random unit-cost draws", "min": 0.0, "max": 1.0}
    )
    demand_noise: float = field(
        default=0.02, metadata={"help": "log-sd of monthly demand shocks", "min": 0.0, "max": 1.0}
    )
    demand_noise_persistence: float = field(
        default=0.8,
        metadata={"help": "AR(1) persistence of demand shocks", "min": 0.0, "max": 0.999},
    )
    substitution_elasticity: float = field(
        default=10.0,
        metadata={
            "help": "buyers' elasticity of substitution between origins",
            "min": 0.5,
            "max": 100.0,
        },
    )
    ramp_width: float = field(
        default=0.08,
        metadata={"help": "spread of costs inside one agent (log price)", "min": 0.005, "max": 1.0},
    )
    product_demand_elasticity: float = field(
        default=0.5,
        metadata={
            "help": "price elasticity of the products that use minerals, within a year",
            "min": 0.0,
            "max": 5.0,
        },
    )
    long_run_demand_elasticity: float = field(
        default=0.3,
        metadata={
            "help": "elasticity of consumption to the long-run expected price (substitution)",
            "min": 0.0,
            "max": 5.0,
        },
    )
    redesign_years: float = field(
        default=5.0,
        metadata={
            "help": "years before a redesign made at high prices is undone (putty-clay)",
            "min": 0.1,
            "max": 50.0,
        },
    )
    willingness_to_pay_scale: float = field(
        default=1.0,
        metadata={
            "help": "multiplier on every sector's willingness to pay (from cost share and margin)",
            "min": 0.1,
            "max": 100.0,
        },
    )
    willingness_to_pay_spread: float = field(
        default=0.7,
        metadata={
            "help": "spread of willingness to pay across a sector's firms (log half-width)",
            "min": 0.01,
            "max": 3.0,
        },
    )
    purchase_elasticity: float = field(
        default=0.4,
        metadata={
            "help": "price elasticity of users' restocking below their reservation price",
            "min": 0.01,
            "max": 5.0,
        },
    )
    inventory_months: float = field(
        default=1.0,
        metadata={
            "help": "users' cover, months of need, where no cited figure gives it",
            "min": 0.0,
            "max": 60.0,
        },
    )
    inventory_adjustment_months: float = field(
        default=3.0,
        metadata={"help": "months buyers take to close an inventory gap", "min": 1.0, "max": 120.0},
    )
    release_elasticity: float = field(
        default=1.32,
        metadata={
            "help": "how readily users and refiners give up cover as prices rise",
            "min": 0.05,
            "max": 20.0,
        },
    )
    cover_price_spread: float = field(
        default=0.25,
        metadata={
            "help": "spread of users' reservation prices for cover across firms (log half-width)",
            "min": 0.01,
            "max": 3.0,
        },
    )
    risk_cover_months: float = field(
        default=7.0,
        metadata={
            "help": "months of need users add to their cover per unit of supply risk",
            "min": 0.0,
            "max": 60.0,
        },
    )
    risk_memory_months: float = field(
        default=12.0,
        metadata={"help": "months over which supply risk fades", "min": 1.0, "max": 240.0},
    )
    sourcing_memory: bool = field(
        default=True,
        metadata={
            "help": "buyers add a premium for an origin's record of restrictions to its "
            "delivered cost when choosing origins (never paid); false: price alone"
        },
    )
    sourcing_memory_months: float = field(
        default=120.0,
        metadata={
            "help": "mean life in months of a buyer's record of an origin's restrictions "
            "(the 10-year offtakes signed after 2010)",
            "min": 1.0,
            "max": 600.0,
        },
    )
    mine_adjustment_months: float = field(
        default=3.0,
        metadata={
            "help": "months a mine takes to bring output down to sales",
            "min": 1.0,
            "max": 60.0,
        },
    )
    mine_stock_months: float = field(
        default=3.0,
        metadata={"help": "ore a mine can hold, months of capacity", "min": 0.0, "max": 60.0},
    )
    stockholder_financing_multiple: float = field(
        default=2.0,
        metadata={
            "help": "stock merchants can finance, multiple of what they hold at the start",
            "min": 0.0,
            "max": 100.0,
        },
    )
    storage_cost_monthly: float = field(
        default=0.002,
        metadata={
            "help": "warehouse rent and insurance per month, share of the price",
            "min": 0.0,
            "max": 0.5,
        },
    )
    raw_bid_elasticity: float = field(
        default=0.1,
        metadata={"help": "price elasticity of refiners' raw purchases", "min": 0.01, "max": 5.0},
    )
    expectation_months: float = field(
        default=3.0,
        metadata={"help": "smoothing of short-run price expectations", "min": 1.0, "max": 240.0},
    )
    investment_expectation_months: float = field(
        default=24.0,
        metadata={"help": "smoothing of the price investors expect", "min": 1.0, "max": 240.0},
    )
    investment_interval_months: int = field(
        default=3, metadata={"help": "months between investment decisions", "min": 1, "max": 120}
    )
    investment_rate: float = field(
        default=0.25,
        metadata={
            "help": "largest capacity added per year, share of capacity",
            "min": 0.0,
            "max": 5.0,
        },
    )
    brownfield_share: float = field(
        default=0.5,
        metadata={
            "help": "share of new capacity built at existing sites (build time only)",
            "min": 0.0,
            "max": 1.0,
        },
    )
    entry_share: float = field(
        default=0.01,
        metadata={
            "help": "scale of an entrant's projects, share of world capacity",
            "min": 0.0,
            "max": 1.0,
        },
    )
    hurdle_rate: float = field(
        default=0.10,
        metadata={"help": "annual cost of capital for new capacity", "min": 0.0, "max": 1.0},
    )
    asset_life_years: float = field(
        default=20.0,
        metadata={"help": "years over which capex is recovered", "min": 1.0, "max": 100.0},
    )
    # Owners as investors (abm/agents/owners.py, issue 21): where owners place projects.
    location_sensitivity: float = field(
        default=44.7,
        metadata={
            "help": "owners' logit sensitivity to log(expected price / full cost) across "
            "locations (fitted on Indonesia's refined nickel 2018/2014, nickel-ban-2014)",
            "min": 0.0,
            "max": 200.0,
        },
    )
    # Idling, retirement and restarts of sites (abm/agents/idling.py; evidence in
    # abm/data/evidence/idling.csv).
    site_idling: bool = field(
        default=True,
        metadata={"help": "sites losing money idle, then retire; idled ones can restart"},
    )
    idle_after_loss_months: int = field(
        default=15,
        metadata={
            "help": "months of operating losses (with no better outlook) before a site idles",
            "min": 1,
            "max": 240,
        },
    )
    retire_after_idle_months: int = field(
        default=36,
        metadata={
            "help": "months idle (not restarting) before a site retires for good",
            "min": 1,
            "max": 480,
        },
    )
    restart_months: int = field(
        default=6,
        metadata={"help": "months from a restart decision to output again", "min": 0, "max": 60},
    )
    restart_capex_share: float = field(
        default=0.05,
        metadata={
            "help": "restart capex per t/yr, as a share of a new tonne's capex",
            "min": 0.0,
            "max": 2.0,
        },
    )
    # By-products (abm.agents.byproducts): gallium, germanium and cobalt tied to their hosts.
    byproducts: bool = field(
        default=True,
        metadata={
            "help": "gallium, germanium and cobalt capacity follows host output x recovery "
            "(off: they invest as mines of their own)"
        },
    )
    recovery_investment_share: float = field(
        default=0.4,
        metadata={
            "help": "share of the gap to a by-product's recovery limit closed per year of "
            "full investment drive",
            "min": 0.0,
            "max": 1.0,
        },
    )
    use_pipeline: bool = field(
        default=True, metadata={"help": "build the IEA base-case project pipeline"}
    )
    recycling: bool = field(
        default=True,
        metadata={"help": "recyclers operate; false removes all secondary supply"},
    )
    recycling_cost_share: float = field(
        default=0.55,
        metadata={
            "help": "recyclers' unit cost, share of the 2023 refined price",
            "min": 0.0,
            "max": 10.0,
        },
    )
    recycling_capacity_growth: float = field(
        default=0.05,
        metadata={"help": "yearly growth of recycling capacity", "min": 0.0, "max": 5.0},
    )
    product_life_order: int = field(
        default=3,
        metadata={
            "help": "stages of the delay from use to end of life (1: exponential lives; "
            "3: lives spread with a coefficient of variation of 0.58)",
            "min": 1,
            "max": 12,
        },
    )
    leak_limit_share: float = field(
        default=0.5,
        metadata={
            "help": "tonnes a closed pair may leak through a third country a month, share of "
            "its pre-restriction monthly flow (0: bans are watertight)",
            "min": 0.0,
            "max": 1.0,
        },
    )
    leak_relabel_cost_share: float = field(
        default=0.15,
        metadata={
            "help": "cost of relabelling leaked goods in the third country, share of their value",
            "min": 0.0,
            "max": 10.0,
        },
    )
    leak_enforcement_cost_share: float = field(
        default=0.1,
        metadata={
            "help": "expected enforcement cost (seizures, fines) of leaked goods, share of "
            "their value, with no leaked volume yet",
            "min": 0.0,
            "max": 10.0,
        },
    )
    leak_enforcement_rise: float = field(
        default=0.5,
        metadata={
            "help": "rise of the enforcement cost share after a year of leaking at the limit",
            "min": 0.0,
            "max": 10.0,
        },
    )
    # Exports outside authorised channels (``abm.leakage``; docs/DATA.md section 9).
    evasion_limit_share: float = field(
        default=0.59,
        metadata={
            "help": "tonnes a banned or capped pair may export unrecorded (mislabelled, direct) "
            "a month, share of its pre-restriction monthly flow (0: no evasion; ESTIMATE: "
            "the largest of the 35-59% gaps between foreign imports and China's recorded "
            "rare-earth exports in 2006-2008, State Council white paper 2012)",
            "min": 0.0,
            "max": 1.0,
        },
    )
    evasion_mislabel_cost_share: float = field(
        default=0.15,
        metadata={
            "help": "cost of mislabelling unrecorded exports (false declarations, handling), "
            "share of their value (ESTIMATE: the third-country relabelling cost)",
            "min": 0.0,
            "max": 10.0,
        },
    )

    policy_mode: str = field(
        default="scripted",
        metadata={
            "help": "scripted: only scenario policies; endogenous: governments decide; both",
            "choices": POLICY_MODES,
        },
    )
    retaliation: bool = field(
        default=True, metadata={"help": "governments may answer restrictions in kind"}
    )
    retaliation_probability: float = field(
        default=0.5,
        metadata={
            "help": "chance a targeted government answers a restriction",
            "min": 0.0,
            "max": 1.0,
        },
    )
    retaliation_min_exposure: float = field(
        default=0.1,
        metadata={
            "help": "least share of purchases (or exports) hit before a government retaliates",
            "min": 0.0,
            "max": 1.0,
        },
    )
    retaliation_tariff: float = field(
        default=0.25,
        metadata={"help": "tariff rate of a retaliatory tariff", "min": 0.0, "max": 10.0},
    )
    forum_damping: float = field(
        default=0.9,
        metadata={
            "help": "cut in retaliation chance between forum members with dispute settlement",
            "min": 0.0,
            "max": 1.0,
        },
    )
    forum_case_months: int = field(
        default=34,
        metadata={
            "help": "months from a forum case on an export restriction to its removal",
            "min": 1,
            "max": 240,
        },
    )
    forum_appeal_void_share: float = field(
        default=0.6,
        metadata={
            "help": "chance a ruling against a restriction is appealed into the void",
            "min": 0.0,
            "max": 1.0,
        },
    )
    decision_interval_months: int = field(
        default=3, metadata={"help": "months between governments' decisions", "min": 1, "max": 120}
    )
    nationalism_reserve_share: float = field(
        default=0.2,
        metadata={
            "help": "least share of world reserves for a raw-export ban",
            "min": 0.0,
            "max": 1.0,
        },
    )
    industrial_support_threshold: float = field(
        default=0.8,
        metadata={
            "help": "import share from one supplier that triggers industrial support",
            "min": 0.0,
            "max": 1.0,
        },
    )
    industrial_subsidy: float = field(
        default=0.3,
        metadata={"help": "capital subsidy of industrial support", "min": 0.0, "max": 1.0},
    )
    investor_noise: float = field(
        default=0.3,
        metadata={
            "help": "log-sd of investors' shared price error without transparency",
            "min": 0.0,
            "max": 2.0,
        },
    )
    price_report_lag_months: int = field(
        default=6,
        metadata={
            "help": "months before investors see prices, without transparency",
            "min": 0,
            "max": 60,
        },
    )
    investor_noise_persistence: float = field(
        default=0.95,
        metadata={
            "help": "monthly persistence of investors' price error",
            "min": 0.0,
            "max": 0.999,
        },
    )

    def __post_init__(self) -> None:
        for item in fields(self):
            checked = _check(item, getattr(self, item.name))
            if _kind(item) is int:  # a whole float such as 8.0 is kept as the count 8
                object.__setattr__(self, item.name, checked)
        if month_index(self.end) < month_index(self.start):
            raise SettingsError(f"end: {self.end} is before start {self.start}")

    @property
    def months(self) -> int:
        """Number of monthly steps from start to end, both included."""
        return month_index(self.end) - month_index(self.start) + 1

    def replace(self, **changes: Any) -> ModelSettings:
        """A copy with some settings changed (validated like the constructor)."""
        unknown_settings(changes)
        return dataclasses.replace(self, **changes)

    def as_dict(self) -> dict[str, Any]:
        """The settings as a plain dict, for the manifest."""
        return dataclasses.asdict(self)


def month_index(month: str) -> int:
    """Months since year 0 of a YYYY-MM string."""
    match = MONTH.match(month)
    if not match:
        raise SettingsError(f"month '{month}' is not of the form YYYY-MM")
    return int(match.group(1)) * 12 + int(match.group(2)) - 1


def unknown_settings(values: dict[str, Any]) -> None:
    """Raise for keys that are not settings, suggesting the closest name."""
    names = [item.name for item in fields(ModelSettings)]
    for key in values:
        if key not in names:
            close = difflib.get_close_matches(key, names, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise SettingsError(f"unknown setting '{key}'{hint}; settings are: {', '.join(names)}")


_TYPES = {"str": str, "float": float, "int": int, "bool": bool}


def _kind(item: dataclasses.Field) -> type:
    return _TYPES[item.type] if isinstance(item.type, str) else item.type


def check_month(name: str, value: Any, error: type[InputError] = SettingsError) -> str:
    """A YYYY-MM month from FIRST_YEAR to LAST_YEAR, named by its field when it is not."""
    if not isinstance(value, str) or not MONTH.match(value):
        raise error(f"{name}: month {value!r} is not of the form YYYY-MM")
    if not FIRST_YEAR <= int(value[:4]) <= LAST_YEAR:
        raise error(f"{name}: month '{value}' is outside {FIRST_YEAR}-01 to {LAST_YEAR}-12")
    return value


def _check(item: dataclasses.Field, value: Any) -> Any:
    """The setting's value, checked against its type, range and choices."""
    meta, kind = item.metadata, _kind(item)
    if kind is bool:
        return flag(item.name, value, SettingsError)
    if kind in (int, float):
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        low, high = meta.get("min"), meta.get("max")
        return number(item.name, value, whole=kind is int, low=low, high=high, error=SettingsError)
    if item.name in ("start", "end"):
        return check_month(item.name, value)
    text(item.name, value, SettingsError)
    if "choices" in meta and value not in meta["choices"]:
        raise SettingsError(f"{item.name}: '{value}' is not one of {', '.join(meta['choices'])}")
    return value


def parse_setting(name: str, value: str) -> Any:
    """A ``--set`` value read as its setting's type: '3' is 3 for a count, '2023-02' a month."""
    unknown_settings({name: value})
    kind = _kind(next(item for item in fields(ModelSettings) if item.name == name))
    if kind is bool:
        lowered = value.strip().lower()
        return lowered == "true" if lowered in ("true", "false") else value
    for read in (int, float) if kind in (int, float) else ():
        try:
            return read(value)  # '2.5' or '1e999' for a count: refused by the check, by name
        except ValueError:
            continue
    return value  # refused with the field's allowed values by the settings check
