"""Facilitation: plenary."""
