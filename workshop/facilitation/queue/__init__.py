"""Facilitation: queue."""
