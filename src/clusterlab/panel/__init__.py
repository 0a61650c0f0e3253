"""Two-wave panels of real clusters: simulate the interval between survey waves from the
first, predict the second and score the prediction against null models, and calibrate the
network-evolution parameters by the method of simulated moments."""

from .interval import IntervalRun, simulate_interval
from .predict import PredictResult, predict
from .synthetic import Panel, make_panel

__all__ = ["IntervalRun", "simulate_interval", "Panel", "make_panel", "PredictResult", "predict"]
