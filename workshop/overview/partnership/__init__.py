"""Overview: partnership."""
