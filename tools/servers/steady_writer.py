#!/usr/bin/python3
"""Insert one django-celery-results row every 50 ms and report the longest wait.

  steady_writer.py postgresql://…|mysql://… [--interval-ms 50]

What a Celery worker storing results does to the table, without Celery: one INSERT of a fresh
row (date_done = now) per interval, each in its own transaction, as Django's autocommit does.
Prints "READY" once connected; on SIGTERM or SIGINT prints
"rows N longest_ms X median_ms Y" (the INSERT + COMMIT round trip) and exits 0.
Used by purge_floor.sh to see whether a purge makes writers wait.
"""
import argparse
import signal
import statistics
import sys
import time
import urllib.parse
import uuid

p = argparse.ArgumentParser()
p.add_argument('url')
p.add_argument('--interval-ms', type=int, default=50)
ARGS = p.parse_args()

u = urllib.parse.urlsplit(ARGS.url)
db = u.path.lstrip('/')
password = urllib.parse.unquote(u.password or '')
if u.scheme.startswith('postgres'):
    import psycopg2
    conn = psycopg2.connect(host=u.hostname, port=u.port, user=u.username, password=password, dbname=db)
    now = 'now()'
else:
    import MySQLdb
    conn = MySQLdb.connect(host=u.hostname, port=u.port, user=u.username, password=password, database=db)
    conn.autocommit(False)
    now = 'UTC_TIMESTAMP(6)'

SQL = ('INSERT INTO django_celery_results_taskresult (task_id, status, content_type, content_encoding, result, '
       'date_done, meta, task_args, task_kwargs, task_name, worker, date_created) VALUES '
       "(%%s, 'SUCCESS', 'application/json', 'utf-8', '42', %s, '{\"children\": []}', '[1, 2]', '{}', "
       "'proj.tasks.add', 'celery@steady', %s)" % (now, now))

waits = []
stop = False


def on_signal(*_):
    global stop
    stop = True


signal.signal(signal.SIGTERM, on_signal)
signal.signal(signal.SIGINT, on_signal)
print('READY', flush=True)
cur = conn.cursor()
run = uuid.uuid4().hex[:8]
n = 0
next_at = time.monotonic()
while not stop:
    start = time.monotonic()
    cur.execute(SQL, ('steady-%s-%d' % (run, n),))
    conn.commit()
    waits.append((time.monotonic() - start) * 1000.0)
    n += 1
    next_at += ARGS.interval_ms / 1000.0
    delay = next_at - time.monotonic()
    if delay > 0:
        time.sleep(delay)
    else:
        next_at = time.monotonic()
conn.close()
print('rows %d longest_ms %.1f median_ms %.1f' % (len(waits), max(waits or [0]), statistics.median(waits or [0])),
      flush=True)
sys.exit(0)
