"""Thread settings set on import (clusterlab.runtime): defaults that the environment overrides."""

import os
import subprocess
import sys

SHOW = "import clusterlab, os; print(os.environ['OMP_WAIT_POLICY'], os.environ['KMP_BLOCKTIME'])"


def settings(**env):
    clean = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY", "KMP_BLOCKTIME")}
    out = subprocess.run([sys.executable, "-c", SHOW], capture_output=True, text=True, env={**clean, **env})
    assert out.returncode == 0, out.stderr
    return out.stdout.split()


def test_idle_threads_sleep_by_default():
    assert settings() == ["PASSIVE", "0"]


def test_the_environment_wins():
    assert settings(OMP_WAIT_POLICY="ACTIVE", KMP_BLOCKTIME="200") == ["ACTIVE", "200"]


def test_numba_reads_the_layer_order_because_clusterlab_sets_it_first():
    code = "import clusterlab, numba; print(' '.join(numba.config.THREADING_LAYER_PRIORITY))"
    clean = {k: v for k, v in os.environ.items() if k != "NUMBA_THREADING_LAYER_PRIORITY"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=clean)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "omp tbb workqueue"
