"""What both overview pages hand templates/overview/_blocks.html to lay the documents' blocks
out on a screen."""

from __future__ import annotations

from typing import Any

from workshop import charts
from workshop.documents import model


def block_kind(block: model.Block) -> str:
    """What a template lays a block out as: "chart", "table", "facts"…"""
    return type(block).__name__.lower()


def template_helpers() -> dict[str, Any]:
    return {"chart_uri": charts.data_uri, "block_kind": block_kind}
