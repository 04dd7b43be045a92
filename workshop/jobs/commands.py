"""``flask jobs run-queued``: run the jobs waiting in the database, here and now."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from workshop.jobs import queries, services


@click.command("run-queued")
@with_appcontext
def run_queued() -> None:
    """Run every queued job in this process, one after the other, then stop.

    For a deployment without Redis that keeps long work out of its web processes
    (JOBS_IN_PROCESS false): run this from cron, or by hand.
    """
    ids = queries.queued_ids()
    for job_id in ids:
        services.run(job_id)
    click.echo(f"{len(ids)} job(s) run.")
