"""Errors a user can act on. The command line prints them as one line and exits with 2."""


class ClusterlabError(Exception):
    """Base class for user-facing errors (bad input, bad scenario)."""


class ScenarioError(ClusterlabError):
    """A scenario file or override is malformed, unknown or out of range."""


class MechanismError(ClusterlabError, ValueError):
    """A mechanism is defined or combined wrongly: a bad or repeated name, a column or an
    actor state declared twice, a place in the loop that does not exist."""


class ClusterlabWarning(UserWarning):
    """A valid scenario with a part that cannot act (a policy with nothing to act on, an
    event after the last step). The command line prints it as one line `warning: ...`."""
