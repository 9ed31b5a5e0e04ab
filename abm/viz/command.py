"""``abm viz``: serve the Solara page with ``solara run --production``.

The port is checked (a number from 1 to 65535 that nothing else holds) before it is announced,
and the server child is stopped when ``abm viz`` is interrupted or terminated.
"""

from __future__ import annotations

import argparse
import importlib.util
import signal
import socket
import subprocess
import sys
from pathlib import Path

from abm.validation import InputError, number

APP = Path(__file__).with_name("app.py")


class PortError(InputError):
    """The port is out of range or taken: names the port and the allowed values."""


class _StopError(Exception):
    """Raised by the SIGTERM handler so the server child is stopped on the way out."""


def server_command(port: int, host: str) -> list[str]:
    """The command line that serves the page (used by ``abm viz`` and the browser test)."""
    solara = Path(sys.executable).with_name("solara")
    return [str(solara), "run", str(APP), "--port", str(port), "--host", host, "--production"]


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def free_port(host: str) -> int | None:
    """A port free on ``host`` now (the system's pick), to suggest instead of a taken one."""
    with socket.socket(_family(host)) as probe:
        try:
            probe.bind((host, 0))
        except OSError:
            return None
        return probe.getsockname()[1]


def check_port(host: str, port: int) -> None:
    """Refuse a port outside 1-65535, or one that cannot be bound on ``host`` now, before the
    URL is announced (the server would fail later with uvicorn's errno and exit 3)."""
    number("--port", port, whole=True, low=1, high=65535, error=PortError)
    with socket.socket(_family(host)) as probe:
        try:
            probe.bind((host, port))
        except OSError as problem:
            other = free_port(host)
            suggestion = f", e.g. --port {other}" if other else ""
            raise PortError(
                f"--port {port}: cannot serve on {host}:{port} ({problem.strerror or problem}); "
                f"choose another port from 1 to 65535 with --port{suggestion}"
            ) from None


def _stop(signum: int, frame: object) -> None:
    raise _StopError


def run_viz(args: argparse.Namespace) -> int:
    """Serve the page until interrupted or terminated; print its URL first."""
    if importlib.util.find_spec("solara") is None:  # the 'viz' extra (abm.cli says so)
        raise ModuleNotFoundError("solara is not installed", name="solara")
    check_port(args.host, args.port)
    url = f"http://{args.host}:{args.port}/"
    print(f"Serving the minerals page at {url} (Ctrl-C stops)", flush=True)
    previous = signal.signal(signal.SIGTERM, _stop)
    server = subprocess.Popen(server_command(args.port, args.host))
    try:
        return server.wait()
    except (KeyboardInterrupt, _StopError):
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
        if server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
