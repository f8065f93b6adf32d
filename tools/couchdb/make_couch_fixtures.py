#!/usr/bin/python3
"""Writes Stalk's CouchDB fixture database with a REAL Celery 5.2.6 worker.

usage: make_couch_fixtures.py COUCH_URL DATABASE EXPECTATIONS_JSON
  COUCH_URL  http://admin:secret@127.0.0.1:PORT (an admin: the database is (re)created)

1. Starts redis-server on a free loopback port (the broker).
2. Runs two real workers (`/usr/bin/python3 -m celery worker`, --pool=solo) with
   result_backend = couchdb://…/DATABASE and result_extended=True; Celery's own
   CouchBackend writes the documents through the local `pycouchdb` module (HTTP).
   Tasks: successes (int, str, dict, None, unicode), failures with tracebacks, a retry,
   a revoked task, a chain (parent_id), a saved group (celery-taskset-meta-…), and a
   STARTED document (mark_as_started: date_done null).
3. Adds foreign/broken documents by hand.
4. Rewrites date_done of the Celery documents to fixed dates in the formats Celery writes
   (naive UTC with and without fraction; with an offset as Celery >= 5.5), so expiry
   tests use fixed cutoffs.
5. Reads everything back and writes the expectations JSON (computed here, in Python,
   independently of Stalk's C++ parser).
"""
import base64
import datetime as dt
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
PY = "/usr/bin/python3"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Couch:
    def __init__(self, url, db):
        parts = urllib.parse.urlsplit(url)
        self.base = f"http://{parts.hostname}:{parts.port}"
        self.db = db
        token = base64.b64encode(
            f"{urllib.parse.unquote(parts.username)}:{urllib.parse.unquote(parts.password)}".encode()
        ).decode()
        self.auth = "Basic " + token

    def req(self, method, path, body=None, ok404=False):
        data = None if body is None else json.dumps(body).encode()
        r = urllib.request.Request(self.base + path, data=data, method=method)
        r.add_header("Authorization", self.auth)
        r.add_header("Accept", "application/json")
        if data is not None:
            r.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(r, timeout=30) as reply:
                return json.loads(reply.read().decode() or "null")
        except urllib.error.HTTPError as err:
            if ok404 and err.code == 404:
                return None
            raise RuntimeError(f"{method} {path}: {err.code} {err.read().decode()}") from None

    def doc_path(self, docid):
        return f"/{self.db}/" + urllib.parse.quote(docid, safe="")

    def put(self, doc):
        return self.req("PUT", self.doc_path(doc["_id"]), doc)

    def get(self, docid):
        return self.req("GET", self.doc_path(docid))

    def all_docs(self):
        return self.req("GET", f"/{self.db}/_all_docs?include_docs=true")["rows"]


def wait_for(predicate, what, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise RuntimeError(f"timed out waiting for {what}")


def run_worker_phase(couch_url, db, workdir):
    redis_port = free_port()
    redis = subprocess.Popen(
        ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", workdir],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    parts = urllib.parse.urlsplit(couch_url)
    env = dict(os.environ)
    env["STALK_BROKER"] = f"redis://127.0.0.1:{redis_port}/0"
    env["STALK_BACKEND"] = (f"couchdb://{parts.username}:{parts.password}@"
                            f"{parts.hostname}:{parts.port}/{db}")
    env["PYTHONPATH"] = HERE + os.pathsep + env.get("PYTHONPATH", "")
    os.environ.update({k: env[k] for k in ("STALK_BROKER", "STALK_BACKEND")})
    sys.path.insert(0, HERE)

    def redis_up():
        try:
            with socket.create_connection(("127.0.0.1", redis_port), timeout=0.5):
                return True
        except OSError:
            return False
    wait_for(redis_up, "redis")

    workers = []
    try:
        for name, queue in (("alpha@stalk", "celery"), ("beta@stalk", "reports")):
            workers.append(subprocess.Popen(
                [PY, "-m", "celery", "-A", "stalk_couch_tasks", "worker", "-n", name, "-Q", queue,
                 "--pool=solo", "-l", "warning", "--without-gossip", "--without-mingle"],
                cwd=workdir, env=env,
                stdout=open(os.path.join(workdir, name + ".log"), "w"), stderr=subprocess.STDOUT))

        import stalk_couch_tasks as t
        from celery import chain, group

        app = t.app
        wait_for(lambda: len(app.control.ping(timeout=0.5) or []) >= 2, "two workers", 90)

        results = []
        # Revoke first, then send: the worker stores REVOKED when the message arrives.
        revoked_id = "0badc0de-0000-4000-8000-000000000001"
        app.control.revoke(revoked_id)
        time.sleep(0.5)  # the broadcast must reach both workers before the task does
        results.append(t.add.apply_async((100, 200), task_id=revoked_id))

        results += [t.add.delay(2, 3), t.add.delay(40, 2), t.add.delay(-1, 1)]
        results += [t.echo.delay("Zoë"), t.echo.delay("🚀 launch"), t.echo.delay("plain text")]
        results += [t.describe.delay(city="Zürich", n=3), t.nothing.delay()]
        results += [t.fail.delay("boom"), t.fail.delay("Zoë failed ☹")]
        results += [t.report.delay("Quarterly", pages=12), t.report.delay("Annual")]
        flaky = t.flaky.delay("inventory")
        chained = chain(t.add.s(1, 2), t.add.s(10)).apply_async()
        grouped = group(t.add.s(i, i) for i in range(3)).apply_async()

        for r in results + [chained]:
            try:
                r.get(timeout=60, propagate=False)
            except Exception as exc:  # revoked raises even without propagate
                print("note:", r.id, type(exc).__name__, file=sys.stderr)
        grouped.get(timeout=60, propagate=False)
        grouped.save()
        wait_for(lambda: flaky.state == "RETRY", "the RETRY state", 60)

        # A STARTED document (date_done null), written by Celery's backend code.
        app.backend.mark_as_started("5ea7ed00-0000-4000-8000-000000000002",
                                    pid=4242, hostname="alpha@stalk")
        # The saved group as upstream reads it back from CouchDB (GroupResult members in order).
        saved = app.backend.get_group_meta(grouped.id, cache=False)
        return grouped.id, {"group_id": grouped.id, "members": [r.id for r in saved["result"].results],
                            "date_done": saved.get("date_done")}
    except BaseException:
        for name in ("alpha@stalk", "beta@stalk"):
            log = os.path.join(workdir, name + ".log")
            if os.path.exists(log):
                print(f"--- worker {name} log ---\n" + open(log).read(), file=sys.stderr)
        raise
    finally:
        for w in workers:
            w.send_signal(signal.SIGTERM)
        for w in workers:
            try:
                w.wait(timeout=30)
            except subprocess.TimeoutExpired:
                w.kill()
        redis.terminate()
        redis.wait()


FOREIGN = [
    ({"_id": "_design/stalk", "views": {"all": {"map": "function (doc) { emit(doc._id); }"}}},
     "design document"),
    ({"_id": "app-settings", "theme": "dark"}, "not a Celery key"),
    ({"_id": "zzz-after-the-range", "value": "{\"status\": \"SUCCESS\"}"}, "not a Celery key"),
    ({"_id": "celery-task-meta-no-value", "other": 1}, "no 'value' field"),
    ({"_id": "celery-task-meta-not-json", "value": "this is { not json"}, "'value' is not JSON"),
    ({"_id": "celery-task-meta-no-status", "value": "{\"result\": 1, \"task_id\": \"x\"}"},
     "'value' has no 'status'"),
    ({"_id": "celery-task-meta-array", "value": "[1, 2, 3]"}, "'value' is not a JSON object"),
    ({"_id": "celery-task-meta-number-value", "value": 12}, "'value' is not a string"),
]


def parse_date(text):
    if text is None:
        return None
    d = dt.datetime.fromisoformat(text)
    if d.tzinfo is None:
        d = d.replace(tzinfo=dt.timezone.utc)
    return d.astimezone(dt.timezone.utc)


def iso_z(d):
    return d.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z" if d.microsecond else d.strftime("%Y-%m-%dT%H:%M:%SZ")


def rewrite_dates(couch):
    """Fixed dates over 2025-01-01..2025-03-01 in every format Celery writes."""
    docs = [r["doc"] for r in couch.all_docs() if r["id"].startswith("celery-task-meta-")]
    celery_docs = []
    for doc in docs:
        try:
            meta = json.loads(doc["value"])
        except Exception:
            continue
        if isinstance(meta, dict) and "status" in meta and meta.get("date_done") is not None:
            celery_docs.append((doc, meta))
    celery_docs.sort(key=lambda dm: dm[1]["task_id"])
    start = dt.datetime(2025, 1, 1, 9, 0, 0)
    n = len(celery_docs)
    for i, (doc, meta) in enumerate(celery_docs):
        naive = start + dt.timedelta(days=(59 * i) // max(n, 1), hours=i % 5, minutes=7 * i)
        kind = i % 4
        if kind == 0:    # Celery < 5.5: naive UTC with microseconds
            text = (naive + dt.timedelta(microseconds=123456)).isoformat()
        elif kind == 1:  # Celery < 5.5 when the fraction is zero: no fraction
            text = naive.isoformat()
        elif kind == 2:  # Celery >= 5.5: an offset (the same instant, written as +02:00)
            text = (naive.replace(tzinfo=dt.timezone.utc)
                    .astimezone(dt.timezone(dt.timedelta(hours=2))).isoformat())
        else:            # Celery >= 5.5 in UTC
            text = naive.replace(tzinfo=dt.timezone.utc).isoformat()
        meta["date_done"] = text
        doc["value"] = json.dumps(meta)
        couch.put(doc)
    # One instant just before the 2025-02-01 cutoff that reads as after it if the offset is
    # ignored: 01:30+02:00 is 23:30Z the day before.
    if celery_docs:
        doc, meta = celery_docs[-1]
        doc = couch.get(doc["_id"])
        meta = json.loads(doc["value"])
        meta["date_done"] = "2025-02-01T01:30:00+02:00"
        doc["value"] = json.dumps(meta)
        couch.put(doc)


def expectations(couch, group_id, saved_group):
    celery, foreign, groups = [], [], []
    for row in couch.all_docs():
        docid, doc = row["id"], row["doc"]
        reason = None
        meta = None
        if docid.startswith("_design/"):
            reason = "design document"
        elif docid.startswith("celery-taskset-meta-"):
            groups.append({"group_id": docid[len("celery-taskset-meta-"):], "id": docid})
            continue
        elif not docid.startswith("celery-task-meta-"):
            reason = "not a Celery key"
        elif "value" not in doc:
            reason = "no 'value' field"
        elif not isinstance(doc["value"], str):
            reason = "'value' is not a string"
        else:
            try:
                meta = json.loads(doc["value"])
            except ValueError:
                reason = "'value' is not JSON"
            else:
                if not isinstance(meta, dict):
                    reason = "'value' is not a JSON object"
                elif "status" not in meta:
                    reason = "'value' has no 'status'"
        if reason:
            foreign.append({"id": docid, "reason": reason})
            continue
        celery.append({
            "id": docid,
            "task_id": meta.get("task_id"),
            "status": meta.get("status"),
            "task_name": meta.get("name"),
            "worker": meta.get("worker"),
            "args": meta.get("args"),
            "kwargs": meta.get("kwargs"),
            "result": meta.get("result"),
            "has_traceback": bool(meta.get("traceback")),
            "group_id": meta.get("group_id"),
            "parent_id": meta.get("parent_id"),
            "retries": meta.get("retries"),
            "queue": meta.get("queue"),
            "date_done_raw": meta.get("date_done"),
            "date_done": iso_z(parse_date(meta["date_done"])) if meta.get("date_done") else None,
        })

    def count(key):
        out = {}
        for c in celery:
            k = c[key] if c[key] is not None else ""
            out[k] = out.get(k, 0) + 1
        return out

    expired = []
    for cutoff in ("2025-01-15T00:00:00Z", "2025-02-01T00:00:00Z", "2025-03-01T00:00:00Z",
                   "2030-01-01T00:00:00Z"):
        c = parse_date(cutoff.replace("Z", "+00:00"))
        ids = sorted(x["task_id"] for x in celery
                     if x["date_done"] and parse_date(x["date_done_raw"]) < c)
        expired.append({"cutoff": cutoff, "task_ids": ids})

    def haystack(c):
        parts = [c["task_id"] or "", c["task_name"] or "", c["status"] or "",
                 json.dumps(c["args"], ensure_ascii=False) if c["args"] is not None else "",
                 json.dumps(c["kwargs"], ensure_ascii=False) if c["kwargs"] is not None else ""]
        return "\x1f".join(parts).casefold()

    search = []
    for term in ("zoë", "ZOË", "Zürich", "🚀", "add", "FAILURE", "stalk_couch_tasks.report",
                 "Quarterly", "nothing-matches-this"):
        ids = sorted(c["task_id"] for c in celery if term.casefold() in haystack(c))
        search.append({"term": term, "task_ids": ids})

    ids = {c["task_id"]: c["status"] for c in celery}
    saved_group = dict(saved_group, id="celery-taskset-meta-" + group_id,
                       statuses={m: ids[m] for m in saved_group["members"] if m in ids})
    return {
        "database": couch.db,
        "saved_groups": [saved_group],
        "group_id": group_id,
        "celery": sorted(celery, key=lambda c: c["task_id"]),
        "foreign": sorted(foreign, key=lambda f: f["id"]),
        "groups": groups,
        "counts": {"total": len(celery), "status": count("status"),
                   "task_name": count("task_name"), "worker": count("worker")},
        "expired": expired,
        "search": search,
    }


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    couch_url, db, out = sys.argv[1:]
    couch = Couch(couch_url, db)
    if couch.req("GET", f"/{db}", ok404=True) is not None:
        couch.req("DELETE", f"/{db}")
    couch.req("PUT", f"/{db}")
    with tempfile.TemporaryDirectory(prefix="stalk-couch-fixtures-") as workdir:
        group_id, saved_group = run_worker_phase(couch_url, db, workdir)
    for doc, _reason in FOREIGN:
        couch.put(doc)
    rewrite_dates(couch)
    data = expectations(couch, group_id, saved_group)
    tmp = out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1, ensure_ascii=False, sort_keys=True)
    os.replace(tmp, out)
    print(f"couch fixtures: {data['counts']['total']} Celery results, "
          f"{len(data['foreign'])} foreign documents, {len(data['groups'])} groups -> {out}")


if __name__ == "__main__":
    main()
