"""The figures and the self-contained HTML report of a summary."""

from __future__ import annotations

import base64
import re

import numpy as np
import pandas as pd
import pytest

from clusterlab.experiments import Store
from clusterlab.experiments.report import plot_bands, write_report
from clusterlab.experiments.summary import summarize

EVIL = "<b>org&co</b>"


def arms_store(folder):
    """Two arms, the second with a label that must be escaped; 6 CRN replications."""
    rng = np.random.default_rng(2)
    shared = rng.normal(1.0, 0.3, 6)
    st = Store(folder, durable=False)
    for p, (arm, shift) in enumerate((("none", 0.0), (EVIL, 0.25))):
        for r in range(6):
            y = shared[r] + shift + rng.normal(0, 0.02)
            ts = pd.DataFrame({"step": [0, 12, 24], "k<1>": shared[r] + shift * np.arange(3) / 2})
            st.write(f"{p}-{r}", {"outcomes": pd.DataFrame({"sme_intl": [y]}), "timeseries": ts},
                     {"arm": arm, "point": p, "replication": r, "seed": 1 + r})
    st.save_json("layout", {"name": "org <year 5>", "kind": "arms", "arms": ["none", EVIL],
                                "control": "none", "replications": 6, "seed": 1,
                                "steps_per_year": 12})
    return st


def test_report_is_self_contained_and_escaped(tmp_path):
    s = summarize(arms_store(tmp_path / "store"))
    path = write_report(s, tmp_path / "out")
    assert path == tmp_path / "out" / "report.html"
    assert {p.name for p in (tmp_path / "out" / "figures").iterdir()} == {"bands.png", "effects.png"}
    text = path.read_text(encoding="utf-8")
    srcs = re.findall(r'src="([^"]*)"', text)
    rest = re.sub(r'src="data:image/png;base64,[A-Za-z0-9+/=]*"', "", text)
    assert not re.search(r"(?i)(https?:|ftp:|//[a-z]|<script|<link|<iframe|@import|url\(|src=|href=)", rest)
    assert len(srcs) == 2 and all(x.startswith("data:image/png;base64,") for x in srcs)
    png = base64.b64decode(srcs[0].split(",", 1)[1])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert EVIL not in text and "&lt;b&gt;org&amp;co&lt;/b&gt;" in text
    assert "org &lt;year 5&gt;" in text and "<year 5>" not in text
    c = s.comparisons.iloc[0]
    words = f"sme_intl: &lt;b&gt;org&amp;co&lt;/b&gt; vs none {c['mean_diff']:+.3g} (95% CI {c['ci_low']:.3g} to {c['ci_high']:.3g})"
    assert words in text
    assert "Holm-adjusted" in text and "Common random numbers" in text and "Multiple comparisons" in text
    assert text.count("<tr>") == 1 + 2  # the arm means table: header and two arms


def test_bands_figure_has_a_panel_per_column_and_ci(tmp_path):
    s = summarize(arms_store(tmp_path / "store"))
    fig = plot_bands(s)
    try:
        ax = [a for a in fig.axes if a.get_visible()]
        assert len(ax) == 1 and ax[0].get_title() == "k<1>" and ax[0].get_xlabel() == "year"
        assert len(ax[0].lines) == 2 and len(ax[0].collections) == 2  # a mean and a band per arm
    finally:
        import matplotlib.pyplot as plt

        plt.close(fig)


def test_design_report_has_sensitivity_and_warnings(tmp_path):
    sample = pytest.importorskip("SALib.sample.morris")
    problem = {"num_vars": 2, "names": ["network.radius_km", "x.y"], "bounds": [[1, 20], [0, 1]]}
    x = sample.sample(problem, 4, num_levels=4, seed=1)
    st = Store(tmp_path / "store", durable=False)
    for p, v in enumerate(x):
        st.write(f"p{p}", {"outcomes": pd.DataFrame({"gap": [v[0] * 0.1 + v[1]]})},
                 {"arm": "design", "point": p, "replication": 0, "seed": 1,
                  "network.radius_km": v[0], "x.y": v[1]})
    st.save_json("layout", {"name": "screen", "kind": "design", "method": "morris",
                                "problem": problem, "levels": 4, "replications": 1, "seed": 1})
    with pytest.warns(Warning, match="r = 4 trajectories"):
        s = summarize(st, num_resamples=20)
    text = write_report(s, tmp_path / "out").read_text(encoding="utf-8")
    assert (tmp_path / "out" / "figures" / "sensitivity.png").is_file()
    assert "Sensitivity table" in text and "network.radius_km" in text and "mu*" in text
    assert "Warnings" in text and "r = 4 trajectories" in text
    assert "Comparisons" not in text and text.count("<img") == 1
