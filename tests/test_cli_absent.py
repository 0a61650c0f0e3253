"""The command line with UCINET DL and Excel files and absent actors (`--absent zeros`,
`present` columns, `compare --presence`), and `compare --attributes` keeping an actor
absent from a wave absent."""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

DATA = Path(__file__).parent / "fixtures"


def cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "clusterlab", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd)


# The successful commands below run in process (conftest.cli_in_process: the `clusterlab`
# entry point with its argv, folder, stdout and stderr): what they test is what the commands
# read and write. The bad-input cases at the end keep analyze, compare and run on the real
# command line (a subprocess).


def status(out: Path) -> dict:
    actors = pd.read_csv(out / "actors.csv", dtype=str)
    return dict(zip(actors["id"], actors["status"]))


W1 = "source,target\nA,B\nB,C\nC,A\n"
W2 = "source,target\nA,B\nB,C\nC,E\n"


def test_compare_attributes_do_not_add_back_an_actor_missing_from_a_wave(tmp_path, cli_in_process):
    (tmp_path / "w1.csv").write_text(W1)
    (tmp_path / "w2.csv").write_text(W2)
    # E is only in wave 2 (an entry), F in neither wave: the attributes list both
    (tmp_path / "a.csv").write_text("id,size\nA,1\nB,2\nC,3\nE,4\nF,5\n")
    proc = cli_in_process("compare", "w1.csv", "w2.csv", "--attributes", "a.csv", "--out", "cmp", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert status(tmp_path / "cmp") == {"A": "stayer", "B": "stayer", "C": "stayer", "E": "entry"}
    summary = json.loads((tmp_path / "cmp" / "summary.json").read_text())
    assert summary["actors"]["wave1"] == 3 and summary["actors"]["entries"] == 1
    line = proc.stdout.splitlines()[0]
    assert "1 entries, 0 exits" in line
    assert "wave 1: attributes of 2 actors not in the file ignored (E, F)" in line
    assert "wave 2: attributes of 1 actor not in the file ignored (F)" in line


def test_compare_absent_zeros_turns_an_all_zero_actor_into_an_entry(tmp_path, cli_in_process):
    labels = ["A", "B", "C", "E"]
    w1 = pd.DataFrame([[0, 1, 0, 0], [0, 0, 1, 0], [1, 0, 0, 0], [0, 0, 0, 0]], index=labels, columns=labels)
    w2 = pd.DataFrame([[0, 1, 0, 0], [0, 0, 1, 0], [1, 0, 0, 1], [0, 0, 0, 0]], index=labels, columns=labels)
    w1.to_csv(tmp_path / "w1.csv")
    w2.to_csv(tmp_path / "w2.csv")
    plain = cli_in_process("compare", "w1.csv", "w2.csv", "--out", "plain", cwd=tmp_path)
    assert plain.returncode == 0 and status(tmp_path / "plain")["E"] == "stayer"  # the old miscount
    proc = cli_in_process("compare", "w1.csv", "w2.csv", "--absent", "zeros", "--out", "cmp", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert status(tmp_path / "cmp")["E"] == "entry"
    assert "wave 1: 1 absent actor removed (E)" in proc.stdout and "wave 2:" not in proc.stdout


def test_predict_says_which_absent_actors_it_removed(tmp_path, cli_in_process):
    """As compare: the actors --absent zeros removed are named on the console (the README
    says so; predict and calibrate printed nothing)."""
    labels = ["A", "B", "C", "D", "E"]
    w1 = pd.DataFrame([[0, 1, 0, 0, 0], [0, 0, 1, 0, 0], [1, 0, 0, 1, 0], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0]],
                      index=labels, columns=labels)
    w2 = pd.DataFrame([[0, 1, 0, 0, 0], [0, 0, 1, 0, 0], [1, 0, 0, 0, 1], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0]],
                      index=labels, columns=labels)
    w1.to_csv(tmp_path / "w1.csv")
    w2.to_csv(tmp_path / "w2.csv")
    proc = cli_in_process("predict", "w1.csv", "w2.csv", "--years", "1", "--absent", "zeros", "--replications", "2",
                          "--out", "pred", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "wave 1 (w1.csv): 1 absent actor removed (E)" in proc.stderr
    assert "wave 2 (w2.csv): 1 absent actor removed (D)" in proc.stderr


def test_compare_presence_names_one_column_per_wave(tmp_path, cli_in_process):
    (tmp_path / "w1.csv").write_text(W1 + "D,A\n")
    (tmp_path / "w2.csv").write_text(W2 + "D,A\n")
    # D still has a tie in the wave-2 file, but the survey marks it closed by wave 2
    (tmp_path / "a.csv").write_text("id,in_w1,in_w2\nA,1,1\nB,1,1\nC,1,1\nD,yes,no\nE,0,1\n")
    proc = cli_in_process("compare", "w1.csv", "w2.csv", "--attributes", "a.csv", "--presence", "in_w1, in_w2",
               "--out", "cmp", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert status(tmp_path / "cmp") == {"A": "stayer", "B": "stayer", "C": "stayer", "E": "entry", "D": "exit"}
    assert "wave 2: 1 absent actor removed (D) with the 1 tie the file gives them" in proc.stdout


def test_analyze_absent_zeros_reads_dl_and_reports_the_removed(tmp_path, cli_in_process):
    proc = cli_in_process("analyze", DATA / "cluster.dl", "--absent", "zeros", "--out", tmp_path / "an")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("5 actors, 7 ties (1 absent actor removed (Zeta & Sons)): ")
    summary = json.loads((tmp_path / "an" / "summary.json").read_text())
    assert summary["actors"] == 5 and summary["reader"]["absent_actors"] == ["Zeta & Sons"]
    assert summary["reader"]["format"] == "dl"
    firms = pd.read_csv(tmp_path / "an" / "firms.csv")
    assert "Zeta & Sons" not in set(firms["id"]) and len(firms) == 5


def test_analyze_reads_an_excel_sheet_and_dl_by_format(tmp_path, cli_in_process):
    with pd.ExcelWriter(tmp_path / "s.xlsx") as w:
        pd.DataFrame({"x": [1]}).to_excel(w, sheet_name="notes", index=False)
        pd.DataFrame({"from": ["A", "B"], "to": ["B", "C"], "value": [2, 1]}).to_excel(w, sheet_name="ties", index=False)
    proc = cli_in_process("analyze", f"{tmp_path / 's.xlsx'}#ties", "--out", tmp_path / "x")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("3 actors, 2 ties: ")
    (tmp_path / "u.txt").write_text("dl n=3 format=nodelist1 labels embedded data:\np q r\n")
    proc = cli_in_process("analyze", tmp_path / "u.txt", "--format", "dl", "--out", tmp_path / "y")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("3 actors, 2 ties: ")


def test_run_from_network_leaves_absent_actors_out(tmp_path, cli_in_process):
    proc = cli_in_process("run", "--from-network", DATA / "matrix.csv", "--absent", "zeros", "--steps", 2, "-q",
               "--no-figures", "--out", tmp_path / "sim")
    assert proc.returncode == 0, proc.stderr
    assert "matrix.csv: 1 absent actor removed (Zeta & Sons)" in proc.stderr
    labels = set(pd.read_parquet(tmp_path / "sim" / "actors.parquet")["label"].dropna())
    assert "Alpha" in labels and "Zeta & Sons" not in labels
    # the same through the scenario key, and a `present` column without --absent
    (tmp_path / "a.csv").write_text("id,present\nBeta,0\n")
    proc = cli_in_process("run", "--from-network", DATA / "matrix.csv", "--attributes", tmp_path / "a.csv", "--set",
               "data.absent=zeros", "--steps", 2, "-q", "--no-figures", "--out", tmp_path / "sim2")
    assert proc.returncode == 0, proc.stderr
    assert "2 absent actors removed (Beta, Zeta & Sons)" in proc.stderr
    labels = set(pd.read_parquet(tmp_path / "sim2" / "actors.parquet")["label"].dropna())
    assert not labels & {"Beta", "Zeta & Sons"} and "Gamma" in labels


BAD = [
    (["analyze", "e.csv", "--absent", "all"], ["--absent 'all': expected zeros"]),
    (["analyze", "e.csv", "--presence", "in_w1"], ["--presence needs --attributes"]),
    (["compare", "e.csv", "e.csv", "--attributes", "a.csv", "--presence", "in_w1"],
     ["--presence 'in_w1': expected two columns, one per wave"]),
    (["compare", "e.csv", "e.csv", "--attributes", "a.csv", "--presence", "in_w1,gone"],
     ["a.csv: no presence column 'gone'", "'in_w1'"]),
    (["run", "--absent", "zeros", "--steps", "2"], ["--absent needs --from-network"]),
    (["analyze", "bad.dl"], ["bad.dl: line 2", "actor 3 is outside 1..2 (N=2)"]),
    (["analyze", "e.csv", "--attributes", "p.csv"], ["p.csv: column 'present', id 'A': 'soon' is not a presence"]),
]
# analyze, compare and run each keep one case on the real command line (a subprocess); the
# others run the same entry point in process (conftest.cli_in_process), with the same checks
REAL = {0, 2, 4}


@pytest.mark.parametrize("case", range(len(BAD)))
def test_bad_absent_options_and_files_are_one_line(tmp_path, case, cli_in_process):
    args, words = BAD[case]
    (tmp_path / "e.csv").write_text("source,target\nA,B\n")
    (tmp_path / "a.csv").write_text("id,in_w1\nA,1\n")
    (tmp_path / "p.csv").write_text("id,present\nA,soon\n")
    (tmp_path / "bad.dl").write_text("dl n=2 format=edgelist1 data:\n1 3\n")
    proc = (cli if case in REAL else cli_in_process)(*args, "--out", "out", cwd=tmp_path)
    err = proc.stderr
    assert proc.returncode == 2 and err.count("\n") == 1 and err.startswith("error: "), err
    assert all(w in err for w in words) and "Traceback" not in err, err
    assert not (tmp_path / "out").exists()
