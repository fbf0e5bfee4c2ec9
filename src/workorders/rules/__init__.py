"""rules package (pure core)."""
