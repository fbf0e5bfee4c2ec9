"""connectors package (pure core)."""
