"""The programme overview across seminars (HTTP only)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("programme", __name__)
