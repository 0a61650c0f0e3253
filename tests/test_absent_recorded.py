"""Actors removed as absent are recorded in the outputs of compare, predict and calibrate (not
only on the console)."""

from __future__ import annotations

import pandas as pd
import pytest

from clusterlab.analysis.compare import compare
from clusterlab.data import load_network
from clusterlab.panel.predict import predict

LABELS = ["A", "B", "C", "D", "E"]


def waves(tmp_path):
    w1 = pd.DataFrame(0, index=LABELS, columns=LABELS)
    w2 = w1.copy()
    for a, b in (("A", "B"), ("B", "C"), ("C", "D"), ("A", "D")):
        w1.loc[a, b] = w1.loc[b, a] = 1
    for a, b in (("A", "B"), ("B", "C"), ("C", "E"), ("A", "E")):
        w2.loc[a, b] = w2.loc[b, a] = 1
    w1.to_csv(tmp_path / "w1.csv")
    w2.to_csv(tmp_path / "w2.csv")
    # E is not yet there in wave 1 and D has closed by wave 2: all-zero rows and columns
    return (load_network(tmp_path / "w1.csv", absent="zeros", directed=False),
            load_network(tmp_path / "w2.csv", absent="zeros", directed=False))


@pytest.mark.filterwarnings("ignore:creation model")  # a 5-actor toy separates
def test_compare_and_predict_record_the_absent_actors(tmp_path):
    w1, w2 = waves(tmp_path)
    rule = "no ties (absent='zeros')"
    s = compare(w1, w2).summary()
    assert s["absent"] == {"wave1": {"E": rule}, "wave2": {"D": rule}}
    assert s["actors"]["entries"] == 1 and s["actors"]["exits"] == 1
    p = predict(w1, w2, 1, replications=2, seed=0).summary()
    assert p["absent"] == {"wave1": {"E": rule}, "wave2": {"D": rule}}
    plain = compare(load_network(tmp_path / "w1.csv", directed=False),
                    load_network(tmp_path / "w2.csv", directed=False)).summary()
    assert plain["absent"] == {"wave1": {}, "wave2": {}}
