"""The group-work engine, in rooms by role.

- ``access``   what a request at a partnership's table may reach (person, partnership, stage)
- ``answers/`` saving (one ``save`` service for forms and the page's script), merging, values,
               the wire format and row ids, history and restore
- ``review/``  the stage workflow (a state machine), what a stage lacks before submitting,
               comment threads
- ``voting/``  dot votes on candidates
- ``trace/``   where every row came from and what it led to
- ``stage/``   the stage page: one function builds its context; insights, prefill, presence

Each room has views (HTTP only) and the services and queries they call; no room imports another
room's views. ``blueprints()`` lists every room's blueprint for the app factory to register.
"""

from __future__ import annotations

from flask import Blueprint


def blueprints() -> list[Blueprint]:
    from workshop.groupwork.answers.views import bp as answers
    from workshop.groupwork.review.views import bp as review
    from workshop.groupwork.stage.views import bp as stage
    from workshop.groupwork.trace.views import bp as trace
    from workshop.groupwork.voting.views import bp as voting

    return [stage, answers, review, voting, trace]
