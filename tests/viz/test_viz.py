"""The Solara page: the model behind it builds from its controls, and the page works in chromium."""

from __future__ import annotations

import inspect
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from abm.scenario import builtin_scenarios
from abm.validation import InputError
from abm.viz import app, figures
from abm.viz.command import server_command

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def test_interactive_model_builds_with_defaults_and_steps():
    model = app.InteractiveModel()
    start = app.current_date(model)
    model.step()
    assert app.current_date(model) != start
    for make in figures.FIGURES:
        assert make(model, "lithium").axes


def test_every_control_is_a_constructor_keyword():
    keywords = inspect.signature(app.InteractiveModel.__init__).parameters
    assert set(app.model_params) <= set(keywords)


def test_importing_the_page_builds_no_model_to_share_between_sessions():
    assert not [v for v in vars(app).values() if isinstance(v, app.InteractiveModel)]


@pytest.mark.parametrize("text", ["abc", "-1", "1.5", "", str(2**63)])
def test_a_bad_seed_is_refused_with_one_line_naming_the_seed(text):
    with pytest.raises(InputError, match=r"^Seed: .* is not a whole number") as refused:
        app.InteractiveModel(rng=text)
    assert "\n" not in str(refused.value)


def test_controls_that_cannot_build_a_model_are_named_before_reset():
    controls = app.default_parameters()
    assert app.control_problem(controls) is None
    problem = app.control_problem(controls | {"scenario_name": "rare-earth-2010", "world": "2022"})
    assert problem is not None and "end: 2020-12 is before start 2022-01" in problem


def test_slider_labels_carry_their_values():
    labels = {
        name: app.slider_label(spec, value)
        for (name, spec), value in zip(
            [(n, s) for n, s in app.model_params.items() if s["type"].startswith("Slider")],
            [2031, 0.25, 0.3],
            strict=True,
        )
    }
    assert labels == {
        "restriction_start_year": "Restriction start year: 2031",
        "us_tariff_rate": "US tariff on Chinese refined imports: 25%",
        "leasing_share": "IRA leasing share: 30%",
    }


@pytest.fixture(scope="module")
def stepped_once():
    model = app.InteractiveModel()
    model.step()
    return model


def test_time_plots_show_the_first_step_on_a_year_long_axis(stepped_once):
    for make in (figures.price_figure, figures.unmet_demand_figure):
        axes = make(stepped_once, "lithium").axes[0]
        low, high = axes.get_xlim()  # matplotlib's dates are days
        assert high - low >= 330, make.__name__
        for line in axes.get_lines():
            assert len(line.get_xdata()) == 1 and line.get_marker() not in ("None", "", None)


def test_destination_lines_differ_in_colour_dash_and_marker(stepped_once):
    lines = figures.price_figure(stepped_once, "cobalt").axes[0].get_lines()
    looks = {(line.get_color(), line.get_linestyle(), line.get_marker()) for line in lines}
    assert len(looks) == len(lines) >= len(figures.DESTINATIONS)
    for attribute in ("get_color", "get_linestyle", "get_marker"):
        assert len({getattr(line, attribute)() for line in lines}) == len(lines), attribute


@pytest.mark.parametrize("mineral", list(app.MINERALS))
def test_share_bars_sum_to_one_and_their_labels_do_not_overlap(stepped_once, mineral):
    figure = figures.supply_share_figure(stepped_once, mineral)
    axes = figure.axes[0]
    for row in (0, 1):
        bars = [p for p in axes.patches if abs(p.get_y() + p.get_height() / 2 - row) < 1e-9]
        assert sum(p.get_width() for p in bars) == pytest.approx(1.0, abs=1e-9)
    countries = [p.get_facecolor()[:3] for p in axes.patches if not p.get_hatch()]
    assert all(len(set(colour)) > 1 for colour in countries)  # no grey: grey reads as "other"
    figure.canvas.draw()
    boxes = [text.get_window_extent() for text in axes.texts]
    for i, box in enumerate(boxes):
        assert not any(box.overlaps(other) for other in boxes[i + 1 :]), mineral


def test_every_figure_follows_the_mineral_it_is_given(stepped_once):
    for make in figures.FIGURES:
        lithium, cobalt = (make(stepped_once, m).axes[0] for m in ("lithium", "cobalt"))
        assert "lithium" in lithium.get_title() and "cobalt" in cobalt.get_title()


def test_controls_add_their_policies():
    model = app.InteractiveModel(
        export_restriction=True, us_tariff_rate=0.25, ira_rules=True, rng="3"
    )
    kinds = set(model.policies.log_table()["kind"])
    assert {"export_ban", "import_tariff", "ira_rules"} <= kinds


@pytest.mark.parametrize("scenario_name", list(builtin_scenarios()))
def test_every_builtin_scenario_can_be_chosen_and_stepped(scenario_name):
    model = app.InteractiveModel(scenario_name=scenario_name, ira_rules=True, leasing_share=0.3)
    model.step()
    assert figures.unmet_demand_figure(model, "lithium").axes


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, seconds: float = 150) -> None:
    # solara takes 45-60 s to answer on these 2 cores when five sessions share them
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer in {seconds} s")


def _wait_until(condition, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the page did not change")
        time.sleep(0.2)


DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.fixture(scope="module")
def served_page():
    """The page served with --production on a free port, and a chromium to open it."""
    playwright = pytest.importorskip("playwright.sync_api")
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("Debian's chromium is not installed")
    port = _free_port()
    server = subprocess.Popen(
        server_command(port, "127.0.0.1"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        url = f"http://127.0.0.1:{port}/"
        _wait_for(url)
        with playwright.sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            yield url, browser
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)


@pytest.fixture
def open_tab(served_page):
    """Opens tabs on the page; at the end, closes them and asserts that none logged a console
    error or had a request fail."""
    url, browser = served_page
    errors: list[str] = []
    tabs = []

    def open_one():
        page = browser.new_page(viewport={"width": 1400, "height": 1700})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on(
            "response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None
        )
        tabs.append(page)
        page.goto(url)
        page.get_by_text("Month: 2023-01").wait_for(timeout=120_000)
        page.locator("img").nth(3).wait_for(timeout=60_000)
        return page

    yield open_one
    for page in tabs:
        page.close()
    assert not errors, "\n".join(errors)


def _step(page, to_month: str, times: int = 1) -> None:
    for _ in range(times):
        page.get_by_role("button", name="Step").click()
        page.wait_for_timeout(300)
    page.get_by_text(f"Month: {to_month}").wait_for(timeout=60_000)


def _choose(page, label: str, option: str) -> None:
    page.get_by_label(label, exact=True).click(force=True)
    page.get_by_role("option", name=option, exact=True).click()


def _screenshot(page, tmp_path: Path, name: str) -> None:
    """Save a screenshot; the committed one in docs/ is replaced only when asked
    (ABM_UPDATE_SCREENSHOT=1), so `make test` leaves a checkout as it was."""
    page.wait_for_timeout(1000)
    page.screenshot(path=str(tmp_path / name), full_page=True)
    if os.environ.get("ABM_UPDATE_SCREENSHOT") == "1":
        shutil.copy(tmp_path / name, DOCS / name)


@pytest.mark.slow
def test_each_browser_session_steps_its_own_model(open_tab, tmp_path):
    first = open_tab()
    _step(first, "2023-03", times=2)
    second = open_tab()  # a fresh tab starts at the start, not at 2023-03
    assert second.get_by_text("Month: 2023-01").is_visible()
    assert not second.get_by_text("Time:").count() and not second.get_by_text("Page 0").count()
    _step(second, "2023-02")
    first.wait_for_timeout(1500)
    assert first.get_by_text("Month: 2023-03").is_visible()  # the other tab's step left it
    assert not first.get_by_text("Month: 2023-02").count()
    _step(first, "2023-04")
    assert second.get_by_text("Month: 2023-02").is_visible()
    _screenshot(second, tmp_path, "viz-second-session.png")


@pytest.mark.slow
def test_the_mineral_on_show_switches_live_without_a_reset(open_tab, tmp_path):
    page = open_tab()
    _step(page, "2023-07", times=6)
    price_plot = page.locator("img").nth(0)
    page.wait_for_timeout(1000)
    before = price_plot.get_attribute("src")
    _choose(page, "Mineral shown", "cobalt")
    page.get_by_text("mineral shown: cobalt").wait_for(timeout=30_000)
    _wait_until(lambda: price_plot.get_attribute("src") != before)
    assert page.get_by_text("Month: 2023-07").is_visible()  # the run went on, no reset
    _step(page, "2023-08")
    _screenshot(page, tmp_path, "viz.png")
    page.get_by_role("button", name="▶").click()  # play runs on from here, and pauses
    page.get_by_text("Month: 2023-10").wait_for(timeout=60_000)
    page.get_by_role("button", name="❚❚").click()
    assert page.get_by_text("mineral shown: cobalt").is_visible()


@pytest.mark.slow
def test_slider_values_show_on_the_page_and_apply_on_reset(open_tab, tmp_path):
    page = open_tab()
    for text in (
        "Restriction start year: 2025",
        "US tariff on Chinese refined imports: 0%",
        "IRA leasing share: 0%",
    ):
        assert page.get_by_text(text, exact=True).is_visible(), text
    page.locator(".control-us_tariff_rate").get_by_role("slider").focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    page.get_by_text("US tariff on Chinese refined imports: 25%", exact=True).wait_for()
    page.get_by_role("button", name="Reset").click()
    page.get_by_text("import_tariff").first.wait_for(timeout=60_000)  # in the policy log
    _screenshot(page, tmp_path, "viz-tariff.png")


@pytest.mark.slow
def test_a_bad_seed_gets_a_message_and_the_page_keeps_working(open_tab, tmp_path):
    page = open_tab()
    seed_box = page.get_by_label("Seed", exact=True)
    seed_box.fill("abc")
    seed_box.press("Enter")
    page.get_by_text("Seed: 'abc' is not a whole number").first.wait_for(timeout=30_000)
    _screenshot(page, tmp_path, "viz-bad-seed.png")
    page.get_by_role("button", name="Reset").click()
    _step(page, "2023-02")
    assert "Traceback" not in page.inner_text("body")


@pytest.mark.slow
def test_a_world_that_the_scenario_cannot_run_in_gets_a_message(open_tab):
    page = open_tab()
    _choose(page, "Scenario", "rare-earth-2010")
    _choose(page, "World (base year; the run starts in its January)", "2022")
    page.get_by_text("end: 2020-12 is before start 2022-01").first.wait_for(timeout=30_000)
    page.get_by_role("button", name="Reset").click()  # the last choices that work: 2010's world
    page.get_by_text("Month: 2010-01").wait_for(timeout=120_000)
    _choose(page, "World (base year; the run starts in its January)", "2013")
    page.get_by_role("button", name="Reset").click()
    page.get_by_text("world: 2013").wait_for(timeout=120_000)
    _step(page, "2013-02")
    assert "Traceback" not in page.inner_text("body")


@pytest.mark.parametrize("port", ["99999", "0", "-1", "80.5"])
def test_viz_refuses_a_port_outside_1_to_65535_with_one_line(port):
    done = subprocess.run(
        [sys.executable, "-m", "abm", "viz", "--port", port],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "--port" in done.stderr and "Traceback" not in done.stderr
    assert "Serving" not in done.stdout


def test_viz_refuses_a_port_another_program_holds():
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "abm", "viz", "--port", str(port), "--host", "127.0.0.1"],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 2
    assert f"--port {port}: cannot serve on 127.0.0.1:{port}" in done.stderr
    assert "choose another port from 1 to 65535 with --port, e.g. --port " in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "Serving" not in done.stdout


def _port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@pytest.mark.slow
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_stopping_abm_viz_stops_its_server_and_frees_the_port(stop):
    port = _free_port()
    viz = subprocess.Popen(
        [sys.executable, "-m", "abm", "viz", "--port", str(port), "--host", "127.0.0.1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        _wait_for(f"http://127.0.0.1:{port}/")
        viz.send_signal(stop)  # to abm viz alone, not its process group
        assert viz.wait(timeout=30) == 0
        _wait_until(lambda: _port_is_free(port), seconds=30)
    finally:
        if viz.poll() is None:  # SIGTERM first: SIGKILL would orphan the server child
            viz.terminate()
            try:
                viz.wait(timeout=30)
            except subprocess.TimeoutExpired:
                viz.kill()


def test_the_world_control_rebuilds_the_model_in_that_years_world_from_its_january():
    from abm.experiment import build

    page = app.InteractiveModel(scenario_name="nickel-ban-2014", world="2022")
    run = build(
        "nickel-ban-2014",
        overrides={
            "world": 2022,
            "start": "2022-01",
            "policy_mode": "scripted",
            "retaliation": True,
        },
    )
    assert (page.world_year, app.current_date(page)) == (2022, "2022-01")
    assert page.settings == run.settings
    assert page.calibration.supply.equals(run.calibration.supply)
    own = app.InteractiveModel(scenario_name="nickel-ban-2014")
    assert (own.world_year, app.current_date(own)) == (2013, "2013-01")
    assert not own.calibration.supply.equals(page.calibration.supply)
    assert app.model_params["world"]["values"] == [
        app.SCENARIO_WORLD,
        "2010",
        "2013",
        "2022",
        "2023",
    ]


def test_the_pages_model_is_built_from_its_scenario_as_abm_run_builds_it():
    """One pipeline: the page's model has the settings and policies abm.experiment gives the
    same scenario, plus only what the page's controls add."""
    from abm.experiment import build
    from abm.viz.app import InteractiveModel

    page = InteractiveModel(scenario_name="ira", policy_mode="both", recycling_support=True)
    run = build("ira", seed=1, overrides={"policy_mode": "both", "retaliation": True})
    assert page.settings == run.settings
    assert page.policies.policies[: len(run.policies.policies)] == run.policies.policies
    assert [p.kind for p in page.policies.policies[len(run.policies.policies) :]] == [
        "recycling_support"
    ]
