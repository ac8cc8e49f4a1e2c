"""Model providers registered with LiteLLM: `sim/` (offline simulation) and `local/` (bundled model)."""
