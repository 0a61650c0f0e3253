"""Experiments: replicated comparisons of scenarios (issue 9). See the modules in this package."""
