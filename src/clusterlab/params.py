"""Base class of every parameter table: unknown keys are errors, assignments validated."""

from pydantic import BaseModel, ConfigDict, Field


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class MechanismParams(Params):
    """Parameters of a switchable mechanism."""

    enabled: bool = Field(True, description="switch the mechanism on or off")


__all__ = ["Params", "MechanismParams", "Field"]
