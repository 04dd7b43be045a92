"""Overview: programme."""
