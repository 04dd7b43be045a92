"""Render the fullest demo partnership's documents and report what it costs.

Run with `make bench-documents`. Figures are compared with raw WeasyPrint on the same HTML in
the same run (the machines are small and noisy: never compare with another day's numbers).
The last line is machine-readable:
RESULT vision_ms=<median: snapshot → HTML → tagged PDF, both languages> weasyprint_ms=<median:
raw WeasyPrint on the same HTML, same variant> overhead_pct=<our time before WeasyPrint as % of
WeasyPrint's> peak_mb=<peak resident memory of a render> pages=<n> cached_ms=<median download
of a stored version> zip_s=<bulk ZIP of the demo seminar>
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
import weasyprint

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workshop import create_app, demo
from workshop.auth.services import open_session
from workshop.documents import pdf, services
from workshop.documents.fetcher import StaticOnlyFetcher, static_url
from workshop.extensions import db
from workshop.models import Account, Base, Partnership, Role, Seminar

RUNS = int(os.environ.get("BENCH_RUNS", "5"))


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def _child_peak_mb(page: str) -> float:
    """Peak resident memory of one render in a fresh process: what a render adds to a worker
    is what the renderer's own child process holds."""
    script = (
        "import resource,sys\n"
        "from workshop.documents.pdf import _render\n"
        "_render(sys.stdin.read())\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], input=page, capture_output=True, text=True, check=True
    )
    return round(int(done.stdout.split()[-1]) / 1024, 1)


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-documents-"))
    os.environ["WORKSHOP_INSTANCE_PATH"] = str(folder)
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite'}",
            "SECRET_KEY": "benchmark-secret-key-long-enough-for-signing",
            "WTF_CSRF_ENABLED": False,
            "SERVER_NAME": "localhost",
        }
    )
    with app.app_context():
        Base.metadata.create_all(db.engine)
        demo.seed()
        db.session.commit()
        partnership = db.session.scalars(sa.select(Partnership).order_by(Partnership.id)).first()
        head = db.session.scalar(sa.select(Account).where(Account.role == Role.HEAD))
        version = services.current_version(partnership, actor=head)
        db.session.commit()

        pdf.render_pdf("<html lang=en><title>warm</title><p>warm up</p></html>")  # fork server
        ours, whole, raw = [], [], []
        page = ""
        for _ in range(RUNS):
            started = time.perf_counter()
            data = services.render(version, "vision", "pdf", "both")
            whole.append(time.perf_counter() - started)
            started = time.perf_counter()
            page = services.page_html(version, "vision", "both")
            ours.append(time.perf_counter() - started)

            started = time.perf_counter()
            weasyprint.HTML(string=page, base_url=static_url()).write_pdf(
                pdf_variant=pdf.PDF_VARIANT,
                url_fetcher=StaticOnlyFetcher(on_refuse=lambda *a: None),
            )
            raw.append(time.perf_counter() - started)
        out = folder / "vision.pdf"
        out.write_bytes(data)
        info = subprocess.run(
            ["pdfinfo", str(out)], capture_output=True, text=True, check=True
        ).stdout
        pages = int(
            next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:"))
        )
        peak = _child_peak_mb(page)

        stored = services.file_for(version, "vision", "pdf", "both", actor=head)
        db.session.commit()
        client = app.test_client()
        token = open_session(head, hours=1)
        db.session.commit()
        with client.session_transaction() as session:
            session["_user_id"] = token
        url = f"/documents/{version.id}/vision/both.pdf"
        cached = []
        for _ in range(max(RUNS, 10)):
            started = time.perf_counter()
            response = client.get(url)
            cached.append(time.perf_counter() - started)
            assert response.status_code == 200 and response.data == stored.data

        from workshop.jobs import services as jobs

        facilitator = db.session.scalar(sa.select(Account).where(Account.role == Role.FACILITATOR))
        seminar = db.session.scalar(sa.select(Seminar).where(Seminar.is_demo.is_(True)))
        started = time.perf_counter()
        job = jobs.start("seminar_zip", {"seminar_id": seminar.id}, actor=facilitator)
        db.session.commit()  # hands the job to the local worker, as a web request does
        while True:  # what the progress page sees: the job's row
            db.session.expire_all()
            if db.session.get(type(job), job.id).state in ("done", "failed"):
                break
            time.sleep(0.05)
        zip_s = time.perf_counter() - started
        finished = db.session.get(type(job), job.id)
        assert finished.state == "done" and not finished.failures, finished.failures

    vision_ms, weasy_ms, ours_ms = (
        statistics.median(whole),
        statistics.median(raw),
        statistics.median(ours),
    )
    print(f"vision runs (s): {[round(t, 3) for t in whole]}")
    print(f"raw WeasyPrint runs (s): {[round(t, 3) for t in raw]}")
    print(f"HTML building runs (s): {[round(t, 3) for t in ours]}")
    print(f"own process peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB")
    print(
        f"RESULT vision_ms={_ms(vision_ms)} weasyprint_ms={_ms(weasy_ms)} "
        f"overhead_pct={round(100 * ours_ms / weasy_ms, 1)} peak_mb={peak} pages={pages} "
        f"cached_ms={_ms(statistics.median(cached))} zip_s={round(zip_s, 2)}"
    )


if __name__ == "__main__":
    main()
