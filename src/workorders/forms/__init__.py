"""forms package (pure core)."""
