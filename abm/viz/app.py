"""The interactive Mesa page: pick a scenario and a few policies, then step month by month.

Run with ``solara run abm/viz/app.py`` (or ``abm viz``). Each browser session builds its own
model (``Page``), so one tab's steps never move another's. The page is laid out from Mesa's
own ``ModelController`` (Step, play, Reset) rather than ``SolaraViz``, because SolaraViz's
parameter inputs hide slider values, cannot refuse a bad seed without a traceback, and add a
tab bar and a step counter that repeat the month. Every model control is a keyword of
``InteractiveModel`` since Reset rebuilds the model as ``type(model)(**params)``; the mineral on
show is a display choice outside the model, switched live.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import solara
from mesa.visualization.solara_viz import ModelController
from mesa.visualization.utils import update_counter

from abm.cli import MAX_SEED
from abm.data import COUNTRIES, MINERALS
from abm.data.vintage import world_years
from abm.experiment import model_arguments
from abm.model import MineralsModel
from abm.policy.instruments import Policy
from abm.scenario import builtin_scenarios, load_scenario
from abm.settings import POLICY_MODES
from abm.validation import InputError
from abm.viz.figures import FIGURES

SCENARIO_WORLD = "scenario's"  # the world control's default: the scenario's own world
PLAY_INTERVAL_MS = 300


def world_overrides(world: str | int) -> dict[str, Any]:
    """The world control as overrides: a chosen year rebuilds the model in that year's world
    from its January (a world starts in its base year); the default keeps the scenario's."""
    if world in (SCENARIO_WORLD, None, ""):
        return {}
    year = int(world)
    return {"world": year, "start": f"{year}-01"}


def seed(value: int | str | None) -> int | None:
    """The seed box's text as numpy's seed (a whole number, not negative); None draws fresh."""
    if value is None:
        return None
    text = str(value).strip()
    if not (text.isdigit() and int(text) <= MAX_SEED):
        raise InputError(f"Seed: {text!r} is not a whole number from 0 to {MAX_SEED}")
    return int(text)


class InteractiveModel(MineralsModel):
    """A MineralsModel built from the page's simple controls plus a built-in scenario."""

    def __init__(
        self,
        scenario_name: str = "default",
        world: str = SCENARIO_WORLD,
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
        # Every parameter but ``scenario`` is a control: Reset passes them all by keyword.
        controls = {name: value for name, value in locals().items() if name in model_params}
        arguments = control_arguments(controls)
        self.scenario_name = scenario_name
        super().__init__(**arguments)
        self.world_year = arguments["world_year"]


def control_arguments(controls: Mapping[str, Any]) -> dict[str, Any]:
    """MineralsModel's keywords for the page's controls: the scenario's settings, adjustments and
    policies as ``abm run`` builds them, then the policies the controls add."""
    chosen = load_scenario(controls["scenario_name"])
    overrides: dict[str, Any] = {
        "policy_mode": controls["policy_mode"],
        "retaliation": bool(controls["retaliation"]),
    }
    overrides |= world_overrides(controls["world"])
    start = overrides.get("start", chosen.settings.get("start", "2023-01"))
    policies: list[Policy] = []  # the controls' policies, after the scenario's own
    if controls["export_restriction"]:
        policies.append(
            Policy(
                "export_ban",
                controls["restriction_country"],
                controls["restriction_mineral"],
                "all",
                start=f"{int(controls['restriction_start_year'])}-01",
            )
        )
    if controls["us_tariff_rate"] > 0:
        rate = {"rate": float(controls["us_tariff_rate"])}
        policies.append(
            Policy("import_tariff", "US", "all", "refined", ("CN",), start=start, params=rate)
        )
    if controls["ira_rules"] and not any(p.kind == "ira_rules" for p in chosen.policies):
        leasing = {"leasing_share": controls["leasing_share"]}
        policies.append(Policy("ira_rules", "US", start="2024-01", params=leasing))
    if controls["recycling_support"]:
        policies.append(Policy("recycling_support", "EU", start=start))
    if controls["transparency"]:
        policies.append(Policy("transparency", "US", start=start))
    return model_arguments(
        chosen, seed=seed(controls["rng"]), overrides=overrides, extra_policies=policies
    )


def control_problem(controls: Mapping[str, Any]) -> str | None:
    """Why these controls cannot build a model (one line naming the field), or None. Cheap: it
    reads the scenario and checks the settings without building the world."""
    try:
        control_arguments(controls)
    except InputError as error:
        return str(error)
    return None


def current_date(model: InteractiveModel) -> str:
    """The month on show as YYYY-MM, held at the last month once the run ends."""
    month = min(model.month, model.running_months - 1)
    return f"{model.world.months[month]:%Y-%m}"


def simulated(model: InteractiveModel) -> str:
    """What the plots cover: the months simulated so far, out of the horizon."""
    done, months = min(model.month, model.running_months), model.world.months
    horizon = f"{model.running_months} months to {months[model.running_months - 1]:%Y-%m}"
    if done == 0:
        return f"nothing simulated yet ({horizon})"
    return f"simulated {months[0]:%Y-%m} to {months[done - 1]:%Y-%m} ({done} of {horizon})"


model_params: dict[str, dict[str, Any]] = {
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
    "restriction_start_year": {
        "type": "SliderInt",
        "value": 2025,
        "min": 2023,
        "max": 2035,
        "step": 1,
        "label": "Restriction start year",
        "format": "{}",
    },
    "us_tariff_rate": {
        "type": "SliderFloat",
        "value": 0.0,
        "min": 0.0,
        "max": 1.0,
        "step": 0.05,
        "label": "US tariff on Chinese refined imports",
        "format": "{:.0%}",
    },
    "ira_rules": {"type": "Checkbox", "value": False, "label": "IRA rules"},
    "leasing_share": {
        "type": "SliderFloat",
        "value": 0.0,
        "min": 0.0,
        "max": 1.0,
        "step": 0.05,
        "label": "IRA leasing share",
        "format": "{:.0%}",
    },
    "recycling_support": {"type": "Checkbox", "value": False, "label": "EU recycling support"},
    "transparency": {"type": "Checkbox", "value": False, "label": "Price transparency"},
    "retaliation": {"type": "Checkbox", "value": True, "label": "Retaliation"},
    "policy_mode": {
        "type": "Select",
        "value": "scripted",
        "values": list(POLICY_MODES),
        "label": "Policy mode",
    },
    "rng": {"type": "InputText", "value": "1", "label": "Seed"},
}

# The mineral on show. A module-level reactive is per browser session in solara, and it is not
# a model parameter, so switching it redraws the plots without a reset.
shown_mineral = solara.reactive("lithium")


def default_parameters() -> dict[str, Any]:
    """The model controls' starting values (the seed as a number, as Reset passes it)."""
    values = {name: spec["value"] for name, spec in model_params.items()}
    return values | {"rng": seed(values["rng"])}


def slider_label(spec: dict[str, Any], value: float) -> str:
    """A slider's label with its value, so the value shows without touching the thumb."""
    return f"{spec['label']}: {spec['format'].format(value)}"


@solara.component
def Slider(name: str, spec: dict[str, Any], value: float, on_value):  # noqa: N802
    """A slider under a label that carries its value (vuetify shows it only while dragging);
    the label sits above, as an inline one leaves the slider no room in the sidebar."""
    slider: Any = solara.SliderInt if spec["type"] == "SliderInt" else solara.SliderFloat
    with solara.Column(gap="0px", classes=[f"control-{name}"]):
        solara.Text(slider_label(spec, value), style={"color": "rgba(0, 0, 0, 0.6)"})
        slider(
            "",
            value=value,
            on_value=on_value,
            min=spec["min"],
            max=spec["max"],
            step=spec["step"],
        )


@solara.component
def SeedInput(spec: dict[str, Any], on_seed):  # noqa: N802 - solara components are named like classes
    """The seed box: a bad seed gets a message under the box and never reaches the model."""
    text, set_text = solara.use_state(str(spec["value"]))
    problem, set_problem = solara.use_state("")

    def take(value: str | None) -> None:
        set_text(value or "")
        try:
            chosen = seed(value or "")
        except InputError as error:
            set_problem(f"{error}. Reset keeps the last good seed.")
            return
        set_problem("")
        on_seed(chosen)

    solara.InputText(spec["label"], value=text, on_value=take, error=bool(problem))
    if problem:
        solara.Error(problem, dense=True)


@solara.component
def ModelControls(parameters: solara.Reactive[dict[str, Any]]):  # noqa: N802
    """The model's controls. They apply on Reset, which rebuilds the model from ``parameters``;
    a choice that cannot build a model gets a message here and never reaches ``parameters``."""
    draft = solara.use_reactive(parameters.value)
    problem = solara.use_reactive("")

    def setter(name: str):
        def choose(value: Any) -> None:
            chosen = {**draft.value, name: value}
            draft.set(chosen)
            why = control_problem(chosen)
            problem.set(f"{why}. Reset keeps the last choices that work." if why else "")
            if why is None:
                parameters.set(chosen)

        return choose

    solara.Text("These apply when you press Reset.")
    if problem.value:
        solara.Error(problem.value, dense=True)
    for name, spec in model_params.items():
        value, kind = draft.value[name], spec["type"]
        if kind == "Select":
            solara.Select(spec["label"], values=spec["values"], value=value, on_value=setter(name))
        elif kind == "Checkbox":
            solara.Checkbox(label=spec["label"], value=value, on_value=setter(name))
        elif kind in ("SliderInt", "SliderFloat"):
            Slider(name, spec, value, setter(name))
        elif kind == "InputText":
            SeedInput(spec, setter(name))
        else:
            raise ValueError(f"{name}: unknown control type {kind!r}")


@solara.component
def DateView(model: InteractiveModel):  # noqa: N802
    """The month (the page's only step counter), scenario and world."""
    update_counter.get()
    # Plain HTML, not Markdown: solara's Markdown loads KaTeX from a CDN that is offline here.
    solara.HTML(tag="h2", unsafe_innerHTML=f"Month: {current_date(model)}")
    solara.Text(
        f"Scenario: {model.scenario_name}; world: {model.world_year}; "
        f"mineral shown: {shown_mineral.value}; {simulated(model)}"
    )


@solara.component
def PolicyLog(model: InteractiveModel):  # noqa: N802
    """The table of policies adopted so far."""
    update_counter.get()
    table = model.policies.log_table()
    solara.HTML(tag="h3", unsafe_innerHTML="Policy event log")
    if table.empty:
        solara.Text("No policies.")
    else:
        solara.DataFrame(table.astype(str), items_per_page=10)


@solara.component
def Plots(model: InteractiveModel):  # noqa: N802
    """The four figures for the mineral on show, redrawn every step and on a switch."""
    update_counter.get()
    mineral = shown_mineral.value
    for pair in (FIGURES[:2], FIGURES[2:]):
        with solara.Columns([1, 1]):
            for make in pair:
                solara.FigureMatplotlib(make(model, mineral), format="png")


@solara.component
def Page():  # noqa: N802
    """One browser session's page, with its own model."""
    first = solara.use_memo(InteractiveModel, [])  # built once per session, not per module
    model: solara.Reactive[InteractiveModel] = solara.use_reactive(first)
    parameters = solara.use_reactive(default_parameters())
    play_interval = solara.use_reactive(PLAY_INTERVAL_MS)
    render_interval = solara.use_reactive(1)
    use_threads = solara.use_reactive(False)
    with solara.AppBar():
        solara.AppBarTitle("Critical minerals")
    with solara.Sidebar(), solara.Column():
        with solara.Card("Run"):
            ModelController(
                model,
                model_parameters=parameters,
                play_interval=play_interval,
                render_interval=render_interval,
                use_threads=use_threads,
            )
        with solara.Card("Display (switches live)"):
            solara.Select("Mineral shown", values=list(MINERALS), value=shown_mineral)
        with solara.Card("Scenario and policies"):
            ModelControls(parameters)
    DateView(model.value)
    Plots(model.value)
    PolicyLog(model.value)


page = Page
