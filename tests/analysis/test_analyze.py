"""`clusterlab analyze` and `clusterlab compare` as a user runs them."""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd

DATA = str(Path(__file__).parents[1] / "fixtures")


def cli(*args):
    return subprocess.run([sys.executable, "-m", "clusterlab", *map(str, args)], capture_output=True, text=True)


def test_analyze_writes_every_output_and_feeds_a_simulation(tmp_path, cli_in_process):
    out = tmp_path / "an"
    proc = cli("analyze", f"{DATA}/matrix_excel.csv", "--attributes", f"{DATA}/attributes.csv",
               "--group", "kind", "--out", out)
    assert proc.returncode == 0, proc.stderr
    for f in ("firms.csv", "firms.parquet", "summary.json", "report.html", "network.graphml", "network.gexf"):
        assert (out / f).stat().st_size > 0, f
    firms = pd.read_csv(out / "firms.csv")
    assert len(firms) == 6 and {"betweenness", "constraint", "gb_role", "gf_gatekeeper", "focal_candidate"} <= set(firms.columns)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["actors"] == 6 and 0 < summary["density"] < 1 and "lock_in" in summary
    html = (out / "report.html").read_text()
    assert "data:image/png;base64," in html and "https://" not in html and "Müller GmbH" in html
    sim = tmp_path / "sim"
    # analyze above on the real command line (a subprocess); the runs that read its folder in
    # process (conftest.cli_in_process, the same entry point)
    proc = cli_in_process("run", "--from-network", out, "--steps", 6, "--out", sim, "-q", "--no-figures")
    assert proc.returncode == 0, proc.stderr
    actors = pd.read_parquet(sim / "actors.parquet")
    assert set(actors["label"].iloc[:6]) == set(firms["id"])
    # a folder whose writing was stopped part way (manifest incomplete) is not read
    manifest = out / ".clusterlab-manifest.json"
    data = json.loads(manifest.read_text())
    manifest.write_text(json.dumps({**data, "complete": False}))
    proc = cli_in_process("run", "--from-network", out, "--steps", 2, "--out", tmp_path / "sim2", "-q")
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
    assert "stopped part way" in proc.stderr and "clusterlab analyze" in proc.stderr
    assert not (tmp_path / "sim2").exists()


def test_analyze_bad_input_is_one_line(tmp_path, cli_in_process):
    for i, (args, words) in enumerate([((f"{DATA}/bad/nonsquare_matrix.csv",), ["nonsquare_matrix.csv"]),
                        ((f"{DATA}/edges.csv", "--attributes", f"{DATA}/bad/attr_duplicate_ids.csv"), ["attr_duplicate_ids.csv", "line"]),
                        ((f"{DATA}/edges.csv", "--group", "colour"), ["'colour'"]),
                        ((f"{DATA}/bad/network.xlsx",), ["network.xlsx"])]):
        # the first on the real command line (a subprocess), the others in process (the same
        # entry point, conftest.cli_in_process)
        proc = (cli if i == 0 else cli_in_process)("analyze", *args, "--out", tmp_path / "x")
        assert proc.returncode == 2, (args, proc.stderr)
        line = proc.stderr.strip()
        assert "\n" not in line and line.startswith("error: ") and "Traceback" not in proc.stderr
        assert all(w in line for w in words), line
        assert not (tmp_path / "x").exists()


def test_compare_two_waves(tmp_path, cli_in_process):
    w1 = tmp_path / "w1.csv"
    w2 = tmp_path / "w2.csv"
    w1.write_text("source,target\na,b\nb,c\nc,d\nd,a\na,c\n")
    w2.write_text("source,target\na,b\nb,c\nb,d\nd,e\ne,a\nc,a\n")
    prox = tmp_path / "cog.csv"
    labels = ["a", "b", "c", "d", "e"]
    rows = [",".join([""] + labels)] + [",".join([x] + ["0.5"] * 5) for x in labels]
    prox.write_text("\n".join(rows) + "\n")
    out = tmp_path / "cmp"
    proc = cli("compare", w1, w2, "--proximity", f"cognitive={prox}", "--out", out)
    assert proc.returncode == 0, proc.stderr
    ties = pd.read_csv(out / "ties.csv")
    counts = ties["status"].value_counts().to_dict()
    # among the stayers a-d (directed): a>b, b>c persist; b>d, c>a are new; c>d, d>a, a>c end
    assert counts == {"persisted": 2, "created": 2, "dissolved": 3}
    actors = pd.read_csv(out / "actors.csv")
    assert set(actors.loc[actors["status"] == "entry", "id"]) == {"e"}
    assert (out / "coefficients.csv").exists() and (out / "report.html").exists()
    proc = cli_in_process("compare", w1, w2, "--proximity", "cognitive", "--out", tmp_path / "bad")  # in process
    assert proc.returncode == 2 and "NAME=MATRIX" in proc.stderr
