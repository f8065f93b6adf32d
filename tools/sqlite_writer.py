#!/usr/bin/python3
"""A Celery worker storing results in a SQLite file, as django-celery-results does it.

    sqlite_writer.py DB|URL [--timeout 5] [--interval-ms 50] [--prefix live-]

Opens DB with Python's sqlite3 and Django's default busy timeout (`sqlite3.connect(db,
timeout=5)`: SQLite's own busy handler, which retries a lock in sleeps of 1, 2, 5, … up to
100 ms until the timeout's sleeps add up), and stores a result every --interval-ms the way
django-celery-results' `get_or_create` does: a SELECT by task_id, then BEGIN, INSERT, COMMIT
in autocommit mode. A write that fails ("database is locked") is a lost result: it is counted
and the writer goes on.

Prints READY once its first row is stored, then writes until a line STOP (or the end of
standard input), then prints one JSON line:
    {"written": N, "failed": N, "errors": [...], "longest_wait_ms": X, "waits_over_1s": N,
     "median_wait_ms": X}
where a wait is how long one write took from its SELECT to its COMMIT. The task ids it wrote
all start with --prefix, so a test can count them afterwards. Used by tests/tst_purgewriter
and stalk-bench's purge_writer case.

With a server URL (postgresql://… or mysql://…, as Stalk takes them) it writes through
Django's own drivers there (psycopg2, MySQLdb) in the same steps, on its own connection in
autocommit mode; a write is failed when it is not done within --timeout (PostgreSQL's
statement_timeout, MariaDB's max_statement_time and innodb_lock_wait_timeout), where Django
would wait without a bound. stalk-bench's server purge cases use it.
"""

import argparse
import datetime
import json
import sqlite3
import sys
import threading
import time
import urllib.parse
import uuid

TABLE = "django_celery_results_taskresult"


def utc_text():
    # Django's SQLite adapter: str() of a naive UTC datetime.
    return str(datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None))


class Target:
    """The database written to: a SQLite file, or a PostgreSQL/MariaDB server by URL."""

    def __init__(self, db, timeout):
        url = urllib.parse.urlsplit(db)
        self.kind = url.scheme if url.scheme in ("postgresql", "mysql") else "sqlite"
        if self.kind == "sqlite":
            # Autocommit, with explicit BEGIN/COMMIT around the insert, as Django runs SQLite.
            self.conn = sqlite3.connect(db, timeout=timeout, isolation_level=None)
            self.errors = (sqlite3.Error,)
            self.mark = "?"
            return
        login = dict(host=url.hostname, port=url.port, user=urllib.parse.unquote(url.username or ""),
                     password=urllib.parse.unquote(url.password or ""))
        name = url.path.lstrip("/")
        if self.kind == "postgresql":
            import psycopg2
            self.conn = psycopg2.connect(dbname=name, **login)
            self.conn.autocommit = True
            self.conn.cursor().execute("SET statement_timeout = %s", (int(timeout * 1000),))
            self.errors = (psycopg2.Error,)
        else:
            import MySQLdb
            self.conn = MySQLdb.connect(database=name, charset="utf8mb4", **login)
            self.conn.autocommit(True)
            cur = self.conn.cursor()
            cur.execute("SET SESSION max_statement_time = %s", (timeout,))
            cur.execute("SET SESSION innodb_lock_wait_timeout = %s", (max(1, int(timeout)),))
            self.errors = (MySQLdb.Error,)
        self.mark = "%s"

    def execute(self, sql, values=()):
        if self.kind == "sqlite":
            return self.conn.execute(sql.replace("%s", self.mark), values)
        cur = self.conn.cursor()
        cur.execute(sql, values)
        return cur

    def now(self):
        # Django's SQLite adapter stores str() of a naive UTC datetime; the server drivers take
        # the datetime itself (aware on PostgreSQL's timestamptz, naive UTC on MariaDB).
        if self.kind == "sqlite":
            return utc_text()
        now = datetime.datetime.now(datetime.timezone.utc)
        return now if self.kind == "postgresql" else now.replace(tzinfo=None)


def store_result(target, task_id):
    """One result, as TaskResult.objects.store_result() writes a new one."""
    if target.execute(f"SELECT id FROM {TABLE} WHERE task_id = %s", (task_id,)).fetchone():
        return
    now = target.now()
    target.execute("BEGIN")
    try:
        target.execute(
            f"INSERT INTO {TABLE} (task_id, status, content_type, content_encoding, result, date_done,"
            " traceback, meta, task_args, task_kwargs, task_name, worker, date_created, periodic_task_name)"
            " VALUES (%s, 'SUCCESS', 'application/json', 'utf-8', %s, %s, NULL, %s, %s, %s, %s, %s, %s, NULL)",
            (task_id, json.dumps({"ok": True, "id": task_id}), now, json.dumps({"children": []}),
             json.dumps("(1, 2)"), json.dumps("{}"), "proj.live.store", "celery@live", now))
        target.execute("COMMIT")
    except BaseException:
        try:
            target.execute("ROLLBACK")
        except target.errors:
            pass
        raise


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("db")
    parser.add_argument("--timeout", type=float, default=5.0)
    parser.add_argument("--interval-ms", type=float, default=50.0)
    parser.add_argument("--prefix", default="live-")
    args = parser.parse_args()

    stop = threading.Event()

    def watch_stdin():
        for line in sys.stdin:
            if line.strip() == "STOP":
                break
        stop.set()

    threading.Thread(target=watch_stdin, daemon=True).start()

    target = Target(args.db, args.timeout)
    written = failed = over_1s = 0
    waits = []
    errors = []
    first = True
    while first or not stop.is_set():
        task_id = f"{args.prefix}{uuid.uuid4()}"
        began = time.monotonic()
        try:
            store_result(target, task_id)
            written += 1
        except target.errors as e:
            failed += 1
            if len(errors) < 10:
                errors.append(f"{type(e).__name__}: {e}")
        wait = (time.monotonic() - began) * 1000.0
        waits.append(wait)
        over_1s += wait > 1000.0
        if first:
            first = False
            print("READY", flush=True)
        stop.wait(args.interval_ms / 1000.0)
    target.conn.close()
    waits.sort()
    print(json.dumps({
        "written": written,
        "failed": failed,
        "errors": errors,
        "longest_wait_ms": round(waits[-1], 1),
        "median_wait_ms": round(waits[len(waits) // 2], 1),
        "waits_over_1s": over_1s,
    }), flush=True)


if __name__ == "__main__":
    main()
