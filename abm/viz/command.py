"""``abm viz``: serve the Solara page with ``solara run --production``."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

APP = Path(__file__).with_name("app.py")


def server_command(port: int, host: str) -> list[str]:
    """The command line that serves the page (used by ``abm viz`` and the browser test)."""
    solara = Path(sys.executable).with_name("solara")
    return [str(solara), "run", str(APP), "--port", str(port), "--host", host, "--production"]


def run_viz(args: argparse.Namespace) -> int:
    """Serve the page until interrupted; print its URL first."""
    url = f"http://{args.host}:{args.port}/"
    print(f"Serving the minerals page at {url} (Ctrl-C stops)", flush=True)
    server = subprocess.Popen(server_command(args.port, args.host))
    try:
        return server.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        if server.poll() is None:
            server.terminate()
            server.wait(timeout=20)
