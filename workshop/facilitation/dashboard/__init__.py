"""Facilitation: dashboard."""
