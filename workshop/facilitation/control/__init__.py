"""Facilitation: control."""
