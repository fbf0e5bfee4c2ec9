"""definitions package (pure core)."""
