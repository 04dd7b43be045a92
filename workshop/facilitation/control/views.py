"""Facilitation: control (HTTP only)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("control", __name__)
