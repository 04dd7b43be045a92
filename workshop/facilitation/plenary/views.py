"""Facilitation: plenary (HTTP only)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("plenary", __name__)
