"""Errors a user can act on. The command line prints them as one line and exits with 2."""


class ClusterlabError(Exception):
    """Base class for user-facing errors (bad input, bad scenario)."""


class ScenarioError(ClusterlabError):
    """A scenario file or override is malformed, unknown or out of range."""
