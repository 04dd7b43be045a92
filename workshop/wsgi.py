"""The app gunicorn serves (gunicorn.conf.py names it): production unless told otherwise.

``WORKSHOP_ENV`` defaults to ``production`` here, so a server started from this module refuses
an unsafe configuration (workshop/production.py); ``WORKSHOP_ENV=development`` serves a local
copy over plain HTTP.
"""

from __future__ import annotations

import os

from workshop import create_app

os.environ.setdefault("WORKSHOP_ENV", "production")
app = create_app()
