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
from abm.viz import app
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
    for make in (app.price_figure, app.supply_share_figure, app.flow_figure):
        assert make(model).axes


def test_every_control_is_a_constructor_keyword():
    keywords = inspect.signature(app.InteractiveModel.__init__).parameters
    assert set(app.model_params) <= set(keywords)


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
    assert app.unmet_demand_figure(model).axes


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, seconds: float = 60) -> None:
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


@pytest.mark.slow
def test_page_renders_steps_and_reacts_to_controls(tmp_path):
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
    errors: list[str] = []
    try:
        url = f"http://127.0.0.1:{port}/"
        _wait_for(url)
        with playwright.sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1600})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on(
                "response",
                lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None,
            )
            page.goto(url)
            page.get_by_text("Month: 2023-01").wait_for(timeout=60_000)
            page.locator("img").first.wait_for(timeout=30_000)
            assert page.locator("img").count() >= 4
            price_plot = page.locator("img").nth(0)
            before = price_plot.get_attribute("src")
            page.get_by_role("button", name="Step").click()
            page.get_by_text("Month: 2023-02").wait_for(timeout=30_000)
            _wait_until(lambda: price_plot.get_attribute("src") != before)
            # A control: choose cobalt, press Reset; the page and the plots follow the new model.
            page.get_by_label("Mineral", exact=True).click(force=True)
            page.get_by_role("option", name="cobalt", exact=True).click()
            page.get_by_role("button", name="Reset").click()
            page.get_by_text("mineral: cobalt").wait_for(timeout=30_000)
            page.get_by_text("Month: 2023-01").wait_for(timeout=30_000)
            for _ in range(6):
                page.get_by_role("button", name="Step").click()
                page.wait_for_timeout(300)
            page.get_by_text("Month: 2023-07").wait_for(timeout=30_000)
            page.wait_for_timeout(1000)
            page.screenshot(path=str(tmp_path / "viz.png"), full_page=True)
            # The documentation's screenshot is a committed file: it is replaced only when
            # asked (ABM_UPDATE_SCREENSHOT=1), so `make test` leaves a checkout as it was.
            if os.environ.get("ABM_UPDATE_SCREENSHOT") == "1":
                docs = Path(__file__).resolve().parents[2] / "docs" / "viz.png"
                shutil.copy(tmp_path / "viz.png", docs)
            # The world control: the 2013 world, from January 2013, after Reset.
            page.get_by_label("World (base year; the run starts in its January)").click(force=True)
            page.get_by_role("option", name="2013", exact=True).click()
            page.get_by_role("button", name="Reset").click()
            page.get_by_text("world: 2013").wait_for(timeout=60_000)
            page.get_by_text("Month: 2013-01").wait_for(timeout=30_000)
            page.get_by_role("button", name="Step").click()
            page.get_by_text("Month: 2013-02").wait_for(timeout=30_000)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert not errors, "\n".join(errors)


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
        if viz.poll() is None:
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
