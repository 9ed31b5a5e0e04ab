"""The interactive Mesa page: pick a scenario and a few policies, then step month by month.

Run with ``solara run abm/viz/app.py`` (or ``abm viz``). Every control is a keyword of
``InteractiveModel`` because SolaraViz rebuilds the model as ``type(model)(**params)`` on reset;
the world control is the scenario files' ``world`` key (``abm run --world``).
"""

from __future__ import annotations

from typing import Any

import matplotlib

matplotlib.use("Agg")

import numpy as np
import solara
from matplotlib.figure import Figure
from mesa.visualization import Slider, SolaraViz
from mesa.visualization.utils import update_counter

from abm.data import COUNTRIES, MINERALS
from abm.data.vintage import world_years
from abm.experiment import model_arguments
from abm.model import MineralsModel
from abm.policy.instruments import Policy
from abm.scenario import builtin_scenarios, load_scenario
from abm.settings import POLICY_MODES

TOP_FLOWS = 8


SCENARIO_WORLD = "scenario's"  # the world control's default: the scenario's own world


def world_overrides(world: str | int) -> dict[str, Any]:
    """The world control as overrides: a chosen year rebuilds the model in that year's world
    from its January (a world starts in its base year); the default keeps the scenario's."""
    if world in (SCENARIO_WORLD, None, ""):
        return {}
    year = int(world)
    return {"world": year, "start": f"{year}-01"}


class InteractiveModel(MineralsModel):
    """A MineralsModel built from the page's simple controls plus a built-in scenario."""

    def __init__(
        self,
        scenario_name: str = "default",
        world: str = SCENARIO_WORLD,
        mineral: str = "lithium",
        export_restriction: bool = False,
        restriction_country: str = "CN",
        restriction_mineral: str = "graphite",
        restriction_start_year: int = 2025,
        us_tariff_rate: float = 0.0,
        ira_rules: bool = False,
        leasing_share: float = 0.0,
        recycling_support: bool = False,
        transparency: bool = False,
        retaliation: bool = True,
        policy_mode: str = "scripted",
        rng: int | str | None = 1,
        scenario: Any = None,  # Mesa's own Scenario object, passed by SolaraViz on reset
    ):
        chosen = load_scenario(scenario_name)
        self.scenario_name = scenario_name
        self.mineral = mineral
        overrides: dict[str, Any] = {"policy_mode": policy_mode, "retaliation": bool(retaliation)}
        overrides |= world_overrides(world)
        policies: list[Policy] = []  # the controls' policies, after the scenario's own
        start = overrides.get("start", chosen.settings.get("start", "2023-01"))
        if export_restriction:
            policies.append(
                Policy(
                    "export_ban",
                    restriction_country,
                    restriction_mineral,
                    "all",
                    start=f"{int(restriction_start_year)}-01",
                )
            )
        if us_tariff_rate > 0:
            policies.append(
                Policy(
                    "import_tariff",
                    "US",
                    "all",
                    "refined",
                    ("CN",),
                    start=start,
                    params={"rate": float(us_tariff_rate)},
                )
            )
        if ira_rules and not any(p.kind == "ira_rules" for p in chosen.policies):
            policies.append(
                Policy("ira_rules", "US", start="2024-01", params={"leasing_share": leasing_share})
            )
        if recycling_support:
            policies.append(Policy("recycling_support", "EU", start=start))
        if transparency:
            policies.append(Policy("transparency", "US", start=start))
        super().__init__(
            **model_arguments(
                chosen,
                seed=int(rng) if rng not in (None, "") else None,
                overrides=overrides,
                extra_policies=policies,
            )
        )
        self.world_year = chosen.world_year(overrides)

    @property
    def mineral_index(self) -> int:
        """The index of the mineral on show."""
        return self.world.minerals.index(self.mineral)

    @property
    def last_month(self) -> int:
        """Index of the last recorded month (the initial month before any step)."""
        return max(self.month - 1, 0)


def current_date(model: InteractiveModel) -> str:
    """The month on show as YYYY-MM, held at the last month once the run ends."""
    month = min(model.month, model.running_months - 1)
    return f"{model.world.months[month]:%Y-%m}"


def _figure(width: float = 5.0, height: float = 3.0) -> tuple[Figure, Any]:
    # Fixed margins: constrained layout costs about 30 ms a figure, a third of the render time.
    figure = Figure(figsize=(width, height))
    figure.subplots_adjust(left=0.2, right=0.97, top=0.9, bottom=0.12)
    return figure, figure.subplots()


def _no_data_yet(model: InteractiveModel, axes, title: str) -> bool:
    """Before the first step there is nothing recorded: say so instead of an empty plot."""
    if model.month > 0:
        return False
    axes.set_title(title)
    axes.text(0.5, 0.5, "press Step", ha="center", va="center", transform=axes.transAxes)
    axes.set_axis_off()
    return True


def price_figure(model: InteractiveModel) -> Figure:
    """Refined price by destination (and the compliant tier when IRA rules apply)."""
    figure, axes = _figure()
    if _no_data_yet(model, axes, f"Refined {model.mineral} price by destination (USD/t)"):
        return figure
    recorder, m, upto = model.recorder, model.mineral_index, model.month
    months = model.world.months[: max(upto, 1)]
    prices = recorder.destination_price[1, : max(upto, 1), m, :]
    for code in ("CN", "US", "EU", "JP"):
        c = model.world.countries.index(code)
        axes.plot(months, prices[:, c], label=code)
    if recorder.tiered[: max(upto, 1), m].any():
        c = model.world.countries.index("US")
        axes.plot(months, recorder.compliant_price[: max(upto, 1), m, c], "--", label="US tier")
    axes.set_title(f"Refined {model.mineral} price by destination (USD/t)")
    axes.legend(fontsize=7)
    axes.tick_params(labelsize=7)
    return figure


def supply_share_figure(model: InteractiveModel) -> Figure:
    """Refined output shares of the chosen mineral by location and by owner, last month."""
    figure, axes = _figure()
    if _no_data_yet(model, axes, f"Refined {model.mineral} supply shares"):
        return figure
    fleet, month = model.refineries, model.last_month
    output = model.recorder.refinery_output[month]
    mask = fleet.mineral == model.mineral_index
    total = output[mask].sum() or 1.0
    for row, where in enumerate((fleet.location, fleet.owner)):
        shares = np.bincount(where[mask], output[mask], len(COUNTRIES)) / total
        left = 0.0
        for c in np.argsort(shares)[::-1][:5]:
            axes.barh(row, shares[c], left=left, color=f"C{c % 10}")
            axes.text(left + shares[c] / 2, row, model.world.countries[c], ha="center", fontsize=7)
            left += shares[c]
    axes.set_yticks([0, 1], ["location", "owner"])
    axes.set_xlim(0, 1)
    axes.set_title(f"Refined {model.mineral} supply shares")
    return figure


def flow_figure(model: InteractiveModel) -> Figure:
    """The largest refined origin -> destination flows of the chosen mineral, last month."""
    figure, axes = _figure()
    if _no_data_yet(model, axes, f"Largest refined {model.mineral} flows (t/month)"):
        return figure
    flows = model.recorder.flows[1, model.last_month, model.mineral_index]
    order = np.argsort(flows, axis=None)[::-1][:TOP_FLOWS]
    origin, destination = np.unravel_index(order, flows.shape)
    names = model.world.countries
    labels = [f"{names[o]}->{names[d]}" for o, d in zip(origin, destination, strict=True)]
    axes.barh(labels[::-1], flows[origin, destination][::-1])
    axes.set_title(f"Largest refined {model.mineral} flows (t/month)")
    axes.tick_params(labelsize=7)
    return figure


def unmet_demand_figure(model: InteractiveModel) -> Figure:
    """Share of demand not consumed, per month, for the chosen mineral (all countries)."""
    figure, axes = _figure()
    if _no_data_yet(model, axes, f"Unmet {model.mineral} demand (share)"):
        return figure
    upto, m = max(model.month, 1), model.mineral_index
    demanded = model.recorder.demanded[:upto, m].sum(axis=1)
    consumed = model.recorder.consumed[:upto, m].sum(axis=1)
    unmet = np.clip(1 - consumed / np.where(demanded > 0, demanded, 1), 0, 1)
    axes.plot(model.world.months[:upto], unmet)
    axes.set_ylim(0, max(0.05, 1.1 * unmet.max()))
    axes.set_title(f"Unmet {model.mineral} demand (share)")
    axes.tick_params(labelsize=7)
    return figure


@solara.component
def DateView(model):  # noqa: N802 - solara components are named like classes
    """The month, scenario and mineral on show."""
    update_counter.get()
    # Plain HTML, not Markdown: solara's Markdown loads KaTeX from a CDN that is offline here.
    solara.HTML(tag="h2", unsafe_innerHTML=f"Month: {current_date(model)}")
    solara.Text(
        f"Scenario: {model.scenario_name}; world: {model.world_year}; mineral: {model.mineral}"
    )


def _figure_component(make):
    @solara.component
    def View(model):  # noqa: N802 - solara components are named like classes
        update_counter.get()
        solara.FigureMatplotlib(make(model), format="png")

    return View


@solara.component
def PolicyLog(model):  # noqa: N802 - solara components are named like classes
    """The table of policies adopted so far."""
    update_counter.get()
    table = model.policies.log_table()
    solara.HTML(tag="h3", unsafe_innerHTML="Policy event log")
    if table.empty:
        solara.Text("No policies.")
    else:
        solara.DataFrame(table.astype(str), items_per_page=10)


model_params = {
    "scenario_name": {
        "type": "Select",
        "value": "default",
        "values": list(builtin_scenarios()),
        "label": "Scenario",
    },
    "world": {
        "type": "Select",
        "value": SCENARIO_WORLD,
        "values": [SCENARIO_WORLD, *map(str, world_years())],
        "label": "World (base year; the run starts in its January)",
    },
    "mineral": {"type": "Select", "value": "lithium", "values": list(MINERALS), "label": "Mineral"},
    "export_restriction": {"type": "Checkbox", "value": False, "label": "Export restriction"},
    "restriction_country": {
        "type": "Select",
        "value": "CN",
        "values": list(COUNTRIES),
        "label": "Restricting country",
    },
    "restriction_mineral": {
        "type": "Select",
        "value": "graphite",
        "values": list(MINERALS),
        "label": "Restricted mineral",
    },
    "restriction_start_year": Slider("Restriction start year", 2025, 2023, 2035, 1),
    "us_tariff_rate": Slider("US tariff on Chinese refined imports", 0.0, 0.0, 1.0, 0.05),
    "ira_rules": {"type": "Checkbox", "value": False, "label": "IRA rules"},
    "leasing_share": Slider("IRA leasing share", 0.0, 0.0, 1.0, 0.05),
    "recycling_support": {"type": "Checkbox", "value": False, "label": "EU recycling support"},
    "transparency": {"type": "Checkbox", "value": False, "label": "Price transparency"},
    "retaliation": {"type": "Checkbox", "value": True, "label": "Retaliation"},
    "policy_mode": {
        "type": "Select",
        "value": "scripted",
        "values": list(POLICY_MODES),
        "label": "Policy mode",
    },
    "rng": {"type": "InputText", "value": 1, "label": "Seed"},
}

components = [
    DateView,
    _figure_component(price_figure),
    _figure_component(supply_share_figure),
    _figure_component(flow_figure),
    _figure_component(unmet_demand_figure),
    PolicyLog,
]

model = InteractiveModel()
page = SolaraViz(model, components=components, model_params=model_params, name="Critical minerals")
page  # noqa: B018
