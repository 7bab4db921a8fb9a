"""The offline engine: a deterministic chat model that does each stage's job from its input."""
