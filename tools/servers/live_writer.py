#!/usr/bin/python3
"""Keep a REAL Celery worker writing results into a server database while a test purges it.

  live_writer.py --server-url postgresql://…|mysql://… --broker redis://127.0.0.1:PORT/N
                 --workdir DIR [--waves 15] [--per-wave 20]
                 [--cache-table TABLE [--old N --old-date 2025-01-01T00:00:00]]

Uses tools/fixtures/project (django-db backend, result_extended, track_started) in server
mode; with --cache-table, django-celery-results' CacheBackend over Django's DatabaseCache in
that table of the same database instead (no cull: MAX_ENTRIES is out of reach). --old first
stores N results "old-<run>-<n>" through that backend (mark_as_done) with date_done then
rewritten to --old-date (naive UTC, as Celery < 5.5 writes it) through the backend's own
get/set, and prints "OLD <json list of task ids>".

Starts one worker (prefork pool, Celery's default, 4 processes), prints "READY" once it answers
a ping, then sends waves of proj.tasks.add with ids "live-<run>-<n>", waiting for each wave; prints
"WRITING" after the first wave and, at the end, "DONE <json list of task ids>". Always stops
its worker (warm shutdown, so every task seen done stays done) (own process group; its pid is also appended to DIR/pids for the wrapper's trap). Exit status 0 only if every task succeeded.

Not the thread pool: with Redis as the broker, a threads worker here left delivered messages
unread for 8-40 s between waves (300 tasks took 2.5-5 min); prefork writes them in ~20 s.
"""
import argparse
import json
import os
import subprocess
import sys
import time
import uuid

PROJECT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures', 'project')

p = argparse.ArgumentParser()
p.add_argument('--server-url', required=True)
p.add_argument('--broker', required=True)
p.add_argument('--workdir', required=True)
p.add_argument('--waves', type=int, default=15)
p.add_argument('--per-wave', type=int, default=20)
p.add_argument('--cache-table')
p.add_argument('--old', type=int, default=0)
p.add_argument('--old-date', default='2025-01-01T00:00:00')
ARGS = p.parse_args()
if ARGS.old and not ARGS.cache_table:
    p.error('--old needs --cache-table')

os.makedirs(ARGS.workdir, exist_ok=True)
os.environ.update({
    'STALK_FIX_SERVER_URL': ARGS.server_url,
    'STALK_FIX_DB': os.path.join(os.path.abspath(ARGS.workdir), 'unused.sqlite3'),
    'STALK_FIX_BACKEND': ('django_celery_results.backends.cache:CacheBackend' if ARGS.cache_table
                          else 'django-db'),
    'STALK_FIX_BROKER': ARGS.broker,
    'STALK_FIX_EXTENDED': '1',
    'DJANGO_SETTINGS_MODULE': 'stalkfix.settings',
})
if ARGS.cache_table:
    os.environ['STALK_FIX_CACHE_TABLE'] = ARGS.cache_table
sys.path.insert(0, PROJECT)

import django  # noqa: E402

django.setup()
from stalkfix.celery import app  # noqa: E402
from proj import tasks  # noqa: E402
from workerstop import stop_worker_process  # noqa: E402


def say(line):
    print(line, flush=True)


def write_old(run):
    """--old: results stored through the backend, then dated --old-date through it."""
    backend = app.backend
    ids = ['old-%s-%d' % (run, n) for n in range(ARGS.old)]
    for task_id in ids:
        backend.mark_as_done(task_id, 42)
        key = backend.get_key_for_task(task_id)
        meta = backend.decode(backend.get(key))
        meta['date_done'] = ARGS.old_date
        backend.set(key, backend.encode(meta))
    say('OLD ' + json.dumps(ids))


def main():
    node = 'live-%d@stalk-servers' % os.getpid()
    queue = 'live-%d' % os.getpid()
    log = open(os.path.join(ARGS.workdir, 'live-worker-%d.log' % os.getpid()), 'wb')
    worker = subprocess.Popen(
        [sys.executable, '-m', 'celery', '-A', 'stalkfix', 'worker', '-n', node, '-P', 'prefork', '-c', '4',
         '-Q', queue, '--without-gossip', '--without-mingle', '--without-heartbeat', '-l', 'WARNING'],
        cwd=PROJECT, env=os.environ.copy(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    # Listed like the fixture workers, so the calling wrapper's trap kills it if we die.
    with open(os.path.join(ARGS.workdir, 'pids'), 'a') as f:
        f.write('%d\n' % worker.pid)
    ok = False
    run = uuid.uuid4().hex[:8]
    try:
        if ARGS.old:
            write_old(run)
        deadline = time.monotonic() + 120
        while not app.control.ping(destination=[node], timeout=0.3):
            if worker.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError('live worker did not start')
        say('READY')
        ids = []
        for w in range(ARGS.waves):
            wave = [tasks.add.apply_async((w, i), task_id='live-%s-%d-%d' % (run, w, i), queue=queue)
                    for i in range(ARGS.per_wave)]
            for r in wave:
                if r.get(timeout=60, interval=0.02) != w + int(r.id.rsplit('-', 1)[1]):
                    raise RuntimeError('wrong result for %s' % r.id)
            ids += [r.id for r in wave]
            if w == 0:
                say('WRITING')
        say('DONE ' + json.dumps(ids))
        ok = True
        # A task's result is stored by its pool child before the main process hears that the
        # job is done; a shutdown in between makes the main process store FAILURE
        # (WorkerLostError, "exited prematurely: exitcode 0") over the SUCCESS seen above.
        # Stop only once the worker reports nothing active.
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            active = app.control.inspect(destination=[node], timeout=1).active() or {}
            if active.get(node) == []:
                break
            time.sleep(0.1)
    finally:
        stop_worker_process(worker)  # warm, so every task seen done stays done
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
