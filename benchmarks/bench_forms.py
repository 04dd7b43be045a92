"""Fill a demo partnership's stages 1–4 through autosave and report what it costs.

Run with `make bench-forms`. The last line is machine-readable so releases can be compared:
RESULT save_ms=<median server time of one autosave> save_queries=<max SQL statements per save>
save_bytes=<median request body> page_kb=<heaviest stage page, gzip, with its assets>
"""

from __future__ import annotations

import gzip
import json
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workshop import create_app, demo
from workshop.auth.services import open_session
from workshop.extensions import db
from workshop.method.definition import load
from workshop.models import Account, Base, Membership, Partnership, Role, Side, StageRun

SAMPLE = {
    "text": "Олена Коваленко, head nurse",
    "long_text": "Разом робимо допомогу безпечнішою. Together we make care safer. " * 3,
    "number": 24,
    "date": "2024-03-15",
    "status": 2,
    "score": 4,
}


def sample(question) -> object:
    if question.type in SAMPLE:
        return SAMPLE[question.type]
    if question.type == "single_choice":
        return question.choices[0].id
    if question.type == "multi_choice":
        return [c.id for c in question.choices[:2]]
    if question.type == "person":
        return {"name": "Anna Berg", "role": "Coordinator", "email": "anna@example.org"}
    if question.type == "ref":  # the first row of the table it points at
        return f"{question.link}-0"
    rows = [{"row": r.id} for r in question.rows[:6]] or [
        {"row": f"{question.key}-{n}"} for n in range(3)
    ]
    for row in rows:
        for column in question.columns:
            row[column.key] = sample(column)
    return rows


def main() -> None:
    folder = tempfile.mkdtemp(prefix="bench-forms-")
    os.environ["WORKSHOP_INSTANCE_PATH"] = folder
    url = os.environ.get("WORKSHOP_DATABASE_URL") or f"sqlite:///{folder}/bench.sqlite"
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench" * 8, "WTF_CSRF_ENABLED": False}
    )
    with app.app_context():
        Base.metadata.drop_all(db.engine)
        Base.metadata.create_all(db.engine)
        demo.seed()
        # The second demo pair has no answers yet: a fresh table to fill.
        partnership = db.session.scalars(sa.select(Partnership).order_by(Partnership.id)).all()[1]
        person = Account(display_name="Bench Participant", role=Role.PARTICIPANT)
        seat = Membership(account=person, partnership=partnership, side=Side.UKRAINIAN)
        db.session.add(seat)
        for key in ("needs", "priorities", "action_plan"):
            db.session.add(
                StageRun(partnership_id=partnership.id, stage_key=key, opened_early=True)
            )
        db.session.flush()
        token = open_session(seat.account, hours=1)
        pid = partnership.id
        method = load(partnership.method_version)
        db.session.commit()

    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = token
    statements: list[str] = []
    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    timings, queries, sizes = [], [], []
    for stage in method.stages:
        for question in stage.questions():
            body = json.dumps(
                {
                    "question": question.key,
                    "value": sample(question),
                    "base_version": 0,
                    "key": f"bench-{question.key}",
                }
            )
            statements.clear()
            started = time.perf_counter()
            response = client.post(
                f"/partnerships/{pid}/answers", data=body, content_type="application/json"
            )
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (question.key, response.get_json())
            queries.append(
                len([s for s in statements if not s.startswith(("SAVEPOINT", "RELEASE"))])
            )
            sizes.append(len(body.encode()))
    heaviest = 0
    for stage in method.stages:
        page = client.get(f"/partnerships/{pid}/stages/{stage.key}").get_data()
        weight = len(gzip.compress(page))
        for asset in re.findall(rb'(?:href|src)="(/static/[^"]+)"', page):
            response = client.get(asset.decode())
            weight += len(gzip.compress(response.get_data()))
            response.close()
        print(f"stage {stage.key}: {weight / 1024:.1f} KB compressed with assets")
        heaviest = max(heaviest, weight)
    print(
        f"{len(timings)} autosaves; p95 {sorted(timings)[int(len(timings) * 0.95)]:.1f} ms; "
        f"largest body {max(sizes)} B (a whole table)"
    )
    print(
        f"RESULT save_ms={statistics.median(timings):.1f} save_queries={max(queries)} "
        f"save_bytes={int(statistics.median(sizes))} page_kb={heaviest / 1024:.1f}"
    )


if __name__ == "__main__":
    main()
