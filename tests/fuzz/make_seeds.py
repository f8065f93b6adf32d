#!/usr/bin/python3
"""Writes the fuzz targets' seed corpus (tests/fuzz/corpus/<target>/) from what real Celery
wrote: the fixture databases of tools/fixtures/make_fixtures.sh, the pickles of
tools/fixtures/make_pickles.py (tests/data/pickles.json) and, when given, an `_all_docs`
answer of the CouchDB fixture database (tools/couchdb/make_couch_fixtures.py):

    tools/couchdb/with_couchdb.sh sh -c \
        'curl -s "$STALK_COUCH_URL/$STALK_COUCH_DB/_all_docs?include_docs=true" > /tmp/all_docs.json'
    tests/fuzz/make_seeds.py FIXTURES_DIR [/tmp/all_docs.json]

With STALK_REDIS_URL set (tools/servers/with_redis.sh, whose real Celery workers wrote its
data sets), the replies of that redis-server to the commands Stalk sends are seeds too.

Seeds are small (at most MAX_SEED bytes) and named after their source and content, so a run
adds what is new and keeps what is there (libFuzzer's own finds are not kept in the repo).
"""
import base64
import hashlib
import json
import os
import sqlite3
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(ROOT, "tests", "fuzz", "corpus")
MAX_SEED = 4096
PER_SOURCE = 12  # seeds kept from one column: enough shapes, a corpus that stays small


def write(target, source, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    if data is None or len(data) > MAX_SEED:
        return
    folder = os.path.join(CORPUS, target)
    os.makedirs(folder, exist_ok=True)
    name = "%s-%s" % (source, hashlib.sha1(data).hexdigest()[:12])
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def column(db, sql):
    """Distinct values of one column, shortest and longest first (the odd ones)."""
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    values = sorted({row[0] for row in con.execute(sql) if row[0] is not None}, key=lambda v: (len(v), v))
    con.close()
    if len(values) <= PER_SOURCE:
        return values
    half = PER_SOURCE // 2
    return values[:half] + values[-half:]


def from_sqlite(fixtures):
    django = os.path.join(fixtures, "django.sqlite3")
    table = "django_celery_results_taskresult"
    for col in ("result", "task_args", "task_kwargs", "meta", "traceback"):
        for text in column(django, "SELECT %s FROM %s" % (col, table)):
            write("valuedecoder", "django-" + col, text)
            if col in ("task_args", "task_kwargs"):
                # The stored JSON string holds the Python repr the literal reader reads.
                write("pythonliteral", "django-" + col, json.loads(text))
            elif col in ("result", "meta"):
                write("pythonliteral", "django-" + col, text)
    for text in column(django, "SELECT date_done FROM %s" % table):
        write("timeparse", "django-date_done", text)
    for text in column(django, "SELECT date_done FROM django_celery_results_groupresult"):
        write("timeparse", "django-group-date_done", text)
    # Celery's SQLAlchemy backend pickles result, args and kwargs.
    taskmeta = os.path.join(fixtures, "taskmeta.sqlite3")
    for text in column(taskmeta, "SELECT date_done FROM celery_taskmeta"):
        write("timeparse", "taskmeta-date_done", text)
    for col in ("result", "args", "kwargs"):
        for blob in column(taskmeta, "SELECT %s FROM celery_taskmeta" % col):
            write("picklereader", "taskmeta-" + col, bytes(blob))
            write("valuedecoder", "taskmeta-" + col, bytes(blob))


def from_pickles():
    with open(os.path.join(ROOT, "tests", "data", "pickles.json")) as f:
        entries = json.load(f)["entries"]
    # The lowest and the highest protocol of each value: the opcodes differ most between them.
    protocols = {}
    for e in entries:
        protocols.setdefault(e["name"], []).append(e)
    for same in protocols.values():
        for e in (min(same, key=lambda e: e["protocol"]), max(same, key=lambda e: e["protocol"])):
            write("picklereader", "python%s-%s" % (e["protocol"], e["name"]), base64.b64decode(e["pickle_b64"]))


def from_couch(path):
    with open(path, "rb") as f:
        answer = json.load(f)
    rows = answer["rows"]
    for i in range(0, len(rows), 4):  # pages of four rows: small seeds, every kind of row
        page = {"total_rows": answer.get("total_rows", len(rows)), "offset": i, "rows": rows[i:i + 4]}
        write("couchpage", "couch-all_docs", json.dumps(page))
    keys = {"total_rows": len(rows), "offset": 0,
            "rows": [{k: r[k] for k in ("id", "key", "value") if k in r} for r in rows[:6]]}
    write("couchpage", "couch-all_docs-keys", json.dumps(keys))
    for r in rows:
        doc = r.get("doc")
        if not isinstance(doc, dict):
            continue
        write("couchdocument", "couch-doc", json.dumps(doc))
        value = doc.get("value")
        if isinstance(value, str):
            write("couchdocument", "couch-meta", value)
            write("valuedecoder", "couch-meta", value)
            try:
                meta = json.loads(value)
            except ValueError:
                continue
            if isinstance(meta, dict) and isinstance(meta.get("date_done"), str):
                write("timeparse", "couch-date_done", meta["date_done"])
            if isinstance(meta, dict):
                write("pythonliteral", "couch-meta", value)


# What operators type: the forms timeparse.h and storeurl.h document (a URL's second line is
# the password typed into the prompt, as fuzz_storeurl reads it).
TYPED = {
    "timeparse": ["3600", "90m", "12h", "1d", "2w", "2025-02-01", "2025-02-01T10:00",
                  "2025-02-01 10:00:00.123456789", "2025-02-01T10:00:00-0530", "2025-02-01T10:00:00+02"],
    "storeurl": ["sqlite:///relative/path.sqlite3", "sqlite:////absolute/path?readonly=1", "results.sqlite3",
                 "db+sqlite:///results.sqlite3?table=celery_taskmeta",
                 "postgresql://user:pw@host:5432/db?sslmode=require", "postgresql+psycopg2://u@[::1]:5433/db\nS3cret",
                 "mysql://user:p%40ss@127.0.0.1:3306/db?timezone=Europe/Paris", "mariadb://h/db",
                 "couchdb://admin:secret@127.0.0.1:5984/stalk", "couchdbs://:pw@couch.example/",
                 "https://user@couch.example:6984/celery\n"],
}


def resp(*args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out


def from_redis(url):
    """The raw replies of a real redis-server to Stalk's commands, over each data set."""
    import socket
    from urllib.parse import urlparse
    u = urlparse(url)
    sock = socket.create_connection((u.hostname, u.port or 6379), timeout=5)
    sock.settimeout(0.3)

    def ask(*args):
        sock.sendall(resp(*args))
        data = b""
        while True:
            try:
                more = sock.recv(65536)
            except socket.timeout:
                return data
            if not more:
                return data
            data += more

    write("resp", "redis-ping", ask("PING"))
    write("resp", "redis-noauth", ask("DBSIZE"))
    write("resp", "redis-wrongpass", ask("AUTH", "not-the-password"))
    write("resp", "redis-auth", ask("AUTH", u.password or ""))
    write("resp", "redis-config", ask("CONFIG", "GET", "notify-keyspace-events"))
    write("resp", "redis-unknown", ask("NOSUCHCOMMAND"))
    for db in range(1, 7):
        ask("SELECT", db)
        scan = ask("SCAN", 0, "MATCH", "*celery-task-meta-*", "COUNT", 3)
        write("resp", "redis-scan", scan)
        keys = [k for k in scan.split(b"\r\n")[5::2] if k]
        if keys:
            write("resp", "redis-mget", ask("MGET", *keys[:3]))
            write("resp", "redis-pttl", ask("PTTL", keys[0]))
        write("resp", "redis-mget-nil", ask("MGET", "celery-task-meta-none", *keys[:1]))
    sock.close()


def from_docs():
    for target, texts in TYPED.items():
        for text in texts:
            write(target, "typed", text)


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    from_sqlite(sys.argv[1])
    from_pickles()
    from_docs()
    if len(sys.argv) == 3:
        from_couch(sys.argv[2])
    if os.environ.get("STALK_REDIS_URL"):
        from_redis(os.environ["STALK_REDIS_URL"])


if __name__ == "__main__":
    main()
