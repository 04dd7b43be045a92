"""Background jobs: long work (a seminar's documents as one ZIP, a PDF) done off the request,
with a progress page any process can show. See services.py for how a job runs."""
