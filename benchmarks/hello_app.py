"""The ceiling for `make bench-load`: the smallest Flask app, served like the workshop.

Gunicorn serves ``benchmarks.hello_app:app`` with the same settings as the workshop, so the
requests per second it takes show what the box, the server and the load generator can do at
all; the workshop's autosave rate is reported as a share of it.
"""

from __future__ import annotations

from flask import Flask

from workshop.extensions import db

app = Flask(__name__)
# Registered, never used: gunicorn.conf.py's post_fork drops each forked worker's inherited
# database connections, and expects the extension it serves to be there.
app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite://"
db.init_app(app)


@app.get("/")
def hello() -> str:
    return "Hello, world!"
