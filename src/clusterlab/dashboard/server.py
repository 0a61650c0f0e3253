"""Start the dashboard: Solara's Starlette app under uvicorn, on 127.0.0.1 by default.

Solara is pinned with the `solara-assets` release of the same version (the `dashboard`
extra), so the page's JavaScript, CSS and fonts are served by this server and nothing loads
from a CDN; production mode also leaves out Solara's "check" iframe, which would fetch from
solara.dev. Telemetry is switched off before Solara is imported.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import sys
import tempfile


def bind(host: str, port: int | None) -> socket.socket:
    """A listening socket on (host, port); port None or 0 = a free port chosen by the OS.
    Bound here (not probed and released) so no other program can take the port between."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, int(port or 0)))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def environment(scenario: str | None, propositions: str | None, workers: int | None = None) -> None:
    """The settings Solara and the app read at import."""
    os.environ["SOLARA_APP"] = "clusterlab.dashboard.app:Page"
    os.environ["SOLARA_MODE"] = "production"
    os.environ["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    os.environ["SOLARA_THEME_SHOW_BANNER"] = "False"
    if scenario:
        os.environ["CLUSTERLAB_DASHBOARD_SCENARIO"] = scenario
    if propositions:
        os.environ["CLUSTERLAB_DASHBOARD_PROPOSITIONS"] = propositions
    if workers:
        os.environ["CLUSTERLAB_DASHBOARD_WORKERS"] = str(workers)


def serve(sock: socket.socket, scenario: str | None = None, propositions: str | None = None,
          workers: int | None = None, announce=print) -> None:
    """Serve the dashboard on the bound socket `sock` until interrupted."""
    environment(scenario, propositions, workers)
    import uvicorn

    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    os.environ["SERVER_NAME"] = host
    os.environ["SERVER_PORT"] = str(port)
    config = uvicorn.Config("solara.server.starlette:app", log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    # the connections' temporary folders live under one folder, removed when the server stops;
    # uvicorn re-raises SIGTERM after its shutdown, so it must end in SystemExit (not a kill)
    # for the clean-up to run
    temp = tempfile.mkdtemp(prefix="clusterlab-dashboard-")
    os.environ["CLUSTERLAB_DASHBOARD_TMP"] = temp
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    announce(f"clusterlab dashboard: http://{shown}:{port}/  (Ctrl+C stops it)")
    sys.stdout.flush()
    try:
        server.run(sockets=[sock])
    finally:
        shutil.rmtree(temp, ignore_errors=True)
