"""The partnership view for facilitators and heads (HTTP only)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("partnership_view", __name__)
