"""`clusterlab dashboard` as a user starts it: loopback by default, clean errors, and
nothing else in clusterlab imports the dashboard."""

from __future__ import annotations

import ast
import socket
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("solara")

from .conftest import start_server  # noqa: E402

SRC = Path(__file__).resolve().parents[2] / "src" / "clusterlab"


def cli(*args):
    return subprocess.run([sys.executable, "-m", "clusterlab", "dashboard", *args], capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize("args, text", [
    (["no_such_preset"], "no such file or preset: 'no_such_preset'"),
    (["--port", "70000"], "--port 70000: expected a whole number from 0 to 65,535"),
    (["--workers", "0"], "--workers 0: expected a whole number from 1 to 4,096"),
])
def test_bad_options_are_one_line_and_exit_2(args, text):
    r = cli(*args)
    assert r.returncode == 2 and text in r.stderr
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr


def test_a_port_in_use_is_refused():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = s.getsockname()[1]
        r = cli("--port", str(port))
    assert r.returncode == 2 and f"--port {port}: cannot listen there" in r.stderr


def test_serves_on_loopback_by_default():
    proc, url, seconds = start_server()
    try:
        assert url.startswith("http://127.0.0.1:")
    finally:
        proc.terminate()
        proc.wait(10)


def test_bind_listens_where_asked():
    from clusterlab.dashboard.server import bind

    sock = bind("127.0.0.1", None)
    try:
        host, port = sock.getsockname()
        assert host == "127.0.0.1" and port > 0
    finally:
        sock.close()


def test_nothing_else_imports_the_dashboard():
    for path in SRC.rglob("*.py"):
        if "dashboard" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            for n in names:
                if "dashboard" in n:
                    # only the command line, inside the `dashboard` command, starts it
                    assert path.name == "cli.py", f"{path} imports {n}"
