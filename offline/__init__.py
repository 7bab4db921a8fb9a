"""The offline engine: a deterministic chat model that does each stage's job from its input."""

ENGINE_VERSION = "13"
"""Bumped when the engine's answers change, so the stage cache never serves its old ones again."""


class OfflineEngineError(ValueError):
    """The offline engine cannot serve this input: a provider's refusal of the content (422), not a fault.

    The model seam refuses the stage's call with it, and the message says what of the input to change.
    """

    status_code = 422
