#!/usr/bin/python3
"""The expected answers of `stalk stats --by` and `stalk runtimes`, computed from the stored
rows alone: it reads every result with the engine's own Python client (sqlite3, psycopg2,
MySQLdb, urllib for CouchDB, redis-py) and aggregates them here, sharing no code with stalk.

usage: aggregates_expected.py URL stats minute|hour|day [FILTERS]
       aggregates_expected.py URL runtimes [FILTERS]
FILTERS: --status S, --task-name N (repeatable), --done-after TS, --done-before TS (ISO, UTC)
Prints the JSON stalk prints with --format json (keys and values; order of keys aside).
"""
import base64
import datetime as dt
import json
import math
import sys
import urllib.parse as up
import urllib.request

UTC = dt.timezone.utc


def utc(value):
    """A stored date as an aware UTC datetime (naive values are UTC, as Django/Celery store them)."""
    if value is None:
        return None
    if isinstance(value, (bytes, str)):
        text = value.decode() if isinstance(value, bytes) else value
        value = dt.datetime.fromisoformat(text.replace('Z', '+00:00'))
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def sql_rows(url):
    """(status, task_name, date_done, date_started, date_created, has_started, has_created)."""
    p = up.urlparse(url)
    scheme = p.scheme.replace('db+', '')
    if scheme == 'sqlite':
        import sqlite3
        conn = sqlite3.connect(p.path[1:] if p.path.startswith('//') else p.path)
        quote = '"'
    elif scheme in ('postgresql', 'postgres'):
        import psycopg2
        conn = psycopg2.connect(host=p.hostname, port=p.port, user=up.unquote(p.username or ''),
                                password=up.unquote(p.password or ''), dbname=p.path.lstrip('/'))
        conn.cursor().execute("SET TIME ZONE 'UTC'")
        quote = '"'
    else:
        import MySQLdb
        conn = MySQLdb.connect(host=p.hostname, port=p.port, user=up.unquote(p.username or ''),
                               password=up.unquote(p.password or ''), database=p.path.lstrip('/'))
        quote = '`'
    cur = conn.cursor()
    for table, name in (('django_celery_results_taskresult', 'task_name'), ('celery_taskmeta', 'name')):
        try:
            cur.execute(f'SELECT * FROM {quote}{table}{quote} WHERE 1 = 0')
        except Exception:
            conn.rollback() if scheme != 'sqlite' else None
            continue
        columns = [d[0] for d in cur.description]
        pick = [c if c in columns else 'NULL' for c in ('status', name, 'date_done', 'date_started', 'date_created')]
        cur.execute('SELECT ' + ', '.join(f'{quote}{c}{quote}' if c != 'NULL' else c for c in pick)
                    + f' FROM {quote}{table}{quote}')
        return [(s, n, utc(d), utc(st), utc(cr)) for s, n, d, st, cr in cur.fetchall()], \
            'date_started' in columns, 'date_created' in columns
    raise SystemExit('no Celery table')


def meta_rows(metas):
    rows = []
    for meta in metas:
        rows.append((meta.get('status'), meta.get('name'), utc(meta.get('date_done')), None, None))
    return rows, False, False


def couch_rows(url):
    p = up.urlparse(url)
    headers = {}
    if p.username:
        headers['Authorization'] = 'Basic ' + base64.b64encode(
            (up.unquote(p.username) + ':' + up.unquote(p.password or '')).encode()).decode()
    base = '%s://%s:%d%s' % ('https' if p.scheme in ('https', 'couchdbs') else 'http', p.hostname, p.port,
                             p.path.rstrip('/'))
    query = up.urlencode({'include_docs': 'true', 'startkey': '"celery-task-meta-"',
                          'endkey': '"celery-task-meta-\ufff0"'})
    body = urllib.request.urlopen(urllib.request.Request(base + '/_all_docs?' + query, headers=headers)).read()
    metas = []
    for row in json.loads(body)['rows']:
        try:
            meta = json.loads(row['doc']['value'])
        except Exception:
            continue
        if isinstance(meta, dict) and 'status' in meta:
            metas.append(meta)
    return meta_rows(metas)


def redis_rows(url):
    import redis
    client = redis.Redis.from_url(url)
    metas = []
    for key in client.scan_iter(match=b'celery-task-meta-*', count=1000):
        try:
            meta = json.loads(client.get(key))
        except Exception:
            continue
        if isinstance(meta, dict) and 'status' in meta:
            metas.append(meta)
    return meta_rows(metas)


def read_rows(url):
    scheme = up.urlparse(url).scheme
    if scheme in ('couchdb', 'couchdbs', 'http', 'https'):
        return couch_rows(url)
    if scheme in ('redis', 'rediss'):
        return redis_rows(url)
    return sql_rows(url)


def parse_filters(args):
    f = {'status': [], 'task-name': [], 'done-after': None, 'done-before': None}
    while args:
        option, value, args = args[0][2:], args[1], args[2:]
        if isinstance(f[option], list):
            f[option].append(value)
        else:
            f[option] = utc(value)
    return f


def matches(row, f):
    status, name, done, _, _ = row
    if f['status'] and status not in f['status']:
        return False
    if f['task-name'] and name not in f['task-name']:
        return False
    if f['done-after'] and (done is None or done < f['done-after']):
        return False
    if f['done-before'] and (done is None or done >= f['done-before']):
        return False
    return True


def iso(moment):
    return moment.strftime('%Y-%m-%dT%H:%M:%SZ')


def stats(rows, bucket):
    width = {'minute': 60, 'hour': 3600, 'day': 86400}[bucket]
    counts = {}
    for status, _, done, _, _ in rows:
        if done is None:
            continue
        start = math.floor(done.timestamp() / width) * width
        per = counts.setdefault(start, {})
        per[status or ''] = per.get(status or '', 0) + 1
    if not counts:
        return []
    statuses = sorted({s for per in counts.values() for s in per})
    out = []
    for start in range(min(counts), max(counts) + 1, width):
        per = counts.get(start, {})
        record = {'start': iso(dt.datetime.fromtimestamp(start, UTC))}
        record.update({s: per.get(s, 0) for s in statuses})
        record['total'] = sum(per.values())
        out.append(record)
    return out


def nearest_rank(values, percent):
    return values[max(1, math.ceil(percent * len(values) / 100)) - 1]


def runtimes(rows, has_started, has_created):
    if not has_started and not has_created:
        return None
    per = {}
    for status, name, done, started, created in rows:
        start = (started or created) if has_started else created
        if status not in ('SUCCESS', 'FAILURE') or done is None or start is None or start > done:
            continue
        per.setdefault(name, []).append((done - start).total_seconds())
    out = []
    for name in sorted(per, key=lambda n: (n is not None, n or '')):
        values = sorted(per[name])
        out.append({'task_name': name, 'count': len(values), 'p50': nearest_rank(values, 50),
                    'p95': nearest_rank(values, 95), 'p99': nearest_rank(values, 99), 'max': values[-1],
                    'basis': 'started' if has_started else 'created'})
    return out


def main():
    url, what = sys.argv[1], sys.argv[2]
    rows, has_started, has_created = read_rows(url)
    if what == 'stats':
        f = parse_filters(sys.argv[4:])
        result = stats([r for r in rows if matches(r, f)], sys.argv[3])
    else:
        f = parse_filters(sys.argv[3:])
        result = runtimes([r for r in rows if matches(r, f)], has_started, has_created)
    json.dump(result, sys.stdout, ensure_ascii=False)


if __name__ == '__main__':
    main()
