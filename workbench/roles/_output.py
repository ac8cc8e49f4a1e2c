"""The base of every model output: untrusted, so extra keys are ignored and NaN is an error."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ModelOutput(BaseModel):
    # Model outputs are untrusted: NaN or Infinity (which Python's json accepts) is an error;
    # models add chatter, so keys the model is not asked for are dropped.
    model_config = ConfigDict(extra="ignore", allow_inf_nan=False)
