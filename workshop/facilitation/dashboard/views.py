"""Facilitation: dashboard (HTTP only)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("dashboard", __name__)
