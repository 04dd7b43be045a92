"""Running the room: what a facilitator sees and does while the seminar is live.

- ``dashboard/`` partnerships × stages at a glance, refreshed by polling the seminar's change
                 counter (``workshop.live``); help requests from the tables
- ``control/``   the room's controls (open or close a stage for every table, the countdown, a
                 notice, revealing votes), the projector view, and what participants' screens
                 poll to follow them
- ``plenary/``   the room-wide round on principles and priority areas: proposals, merges, votes
- ``queue/``     everything submitted and waiting for review across the seminar

Each room has views (HTTP only) and the services and queries they call; no room imports another
room's views. ``blueprints()`` lists every room's blueprint for the app factory.
"""

from __future__ import annotations

from flask import Blueprint


def blueprints() -> list[Blueprint]:
    from workshop.facilitation.control.views import bp as control
    from workshop.facilitation.dashboard.views import bp as dashboard
    from workshop.facilitation.plenary.views import bp as plenary
    from workshop.facilitation.queue.views import bp as queue

    return [dashboard, control, plenary, queue]
