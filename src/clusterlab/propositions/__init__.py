"""The propositions of MODEL.md section 6 as a shipped evidence suite.

    clusterlab propositions P1 P9 --out out/props          # or: all; --quick for a smoke test
    from clusterlab.propositions import run_suite

Each proposition's design is an ordinary experiment file in `designs/` (run one alone
with `clusterlab experiment`); `suite.toml` names the files, the tests and the verdict
rule, and the robustness perturbations. `measures.py` holds the outcome functions,
`verdict.py` the tests, `suite.py` the run, `report.py` the report. docs/propositions.md
describes the designs and the statistics.
"""

from .suite import DESIGNS, SUITE, load_suite, run_suite

__all__ = ["run_suite", "load_suite", "DESIGNS", "SUITE"]
