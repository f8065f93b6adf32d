"""The Celery app whose real worker writes Stalk's CouchDB fixtures.

Configured from the environment by make_couch_fixtures.py:
  STALK_BROKER   redis://127.0.0.1:PORT/0
  STALK_BACKEND  couchdb://admin:secret@127.0.0.1:PORT/stalk
"""
import os

from celery import Celery

app = Celery("stalk_couch_tasks")
app.conf.update(
    broker_url=os.environ["STALK_BROKER"],
    result_backend=os.environ["STALK_BACKEND"],
    result_extended=True,
    task_track_started=True,
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    task_routes={"stalk_couch_tasks.report": {"queue": "reports"}},
    worker_hijack_root_logger=False,
    broker_connection_retry_on_startup=True,
)


@app.task
def add(x, y):
    return x + y


@app.task
def echo(text):
    return text


@app.task
def describe(**kwargs):
    return {"keys": sorted(kwargs), "count": len(kwargs)}


@app.task
def nothing():
    return None


@app.task
def fail(message):
    raise ValueError(message)


@app.task(bind=True, max_retries=5)
def flaky(self, name):
    # First run: RETRY, rescheduled far in the future so the RETRY document stays.
    raise self.retry(countdown=3600, exc=RuntimeError(f"{name} is not ready"))


@app.task
def report(title, pages=1):
    return f"{title}: {pages} pages"
