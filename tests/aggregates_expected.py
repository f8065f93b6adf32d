#!/usr/bin/python3
"""The expected answers of `stalk stats --by`, `stalk runtimes` and `stalk failures`, computed
from the stored rows alone: it reads every result with the engine's own Python client (sqlite3,
psycopg2, MySQLdb, urllib for CouchDB, redis-py) and aggregates them here, sharing no code with
stalk (pickled results are read by an Unpickler that builds no stored class: stand-ins record
the class name and arguments).

usage: aggregates_expected.py URL stats minute|hour|day [FILTERS]
       aggregates_expected.py URL runtimes [FILTERS]
       aggregates_expected.py URL failures [FILTERS] [--limit N]
       aggregates_expected.py URL ids [FILTERS]
FILTERS: --status S, --task-name N, --exception TYPE (repeatable), --done-after TS,
         --done-before TS (ISO, UTC)
Prints the JSON stalk prints with --format json (keys and values; order of keys aside; the
failures' trend included, its axis computed here from the rule README's `### failures` states); `ids`
prints the sorted task ids of the matching results (every status unless --status says), for
`stalk count` and `stalk list` with --exception.
"""
import base64
import datetime as dt
import io
import json
import math
import pickle
import re
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


def sql_connect(url):
    """(connection, identifier quote, scheme)."""
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
    return conn, quote, scheme


def celery_table(url):
    """(cursor, quote, table, task name column, its columns) of the Celery table at url (the
    URL's ?table=NAME: a django-celery-results table of that name)."""
    conn, quote, scheme = sql_connect(url)
    cur = conn.cursor()
    named = up.parse_qs(up.urlparse(url).query).get('table')
    tables = [(named[0], 'task_name')] if named else \
        [('django_celery_results_taskresult', 'task_name'), ('celery_taskmeta', 'name')]
    for table, name in tables:
        try:
            cur.execute(f'SELECT * FROM {quote}{table}{quote} WHERE 1 = 0')
        except Exception:
            conn.rollback() if scheme != 'sqlite' else None
            continue
        return cur, quote, table, name, [d[0] for d in cur.description]
    raise SystemExit('no Celery table')


def select(url, wanted):
    """Every row's values of the wanted columns (the task name as 'task_name'; None for a
    column the schema lacks), with the table's name and columns."""
    cur, quote, table, name, columns = celery_table(url)
    stored = [name if c == 'task_name' else c for c in wanted]
    cur.execute('SELECT ' + ', '.join(f'{quote}{c}{quote}' if c in columns else 'NULL' for c in stored)
                + f' FROM {quote}{table}{quote}')
    return cur.fetchall(), table, columns


def sql_rows(url):
    """((status, task_name, date_done, date_started, date_created, id) rows, has_started,
    has_created)."""
    rows, _, columns = select(url, ('status', 'task_name', 'date_done', 'date_started', 'date_created', 'id'))
    return [(s, n, utc(d), utc(st), utc(cr), i) for s, n, d, st, cr, i in rows], \
        'date_started' in columns, 'date_created' in columns


def meta_rows(metas):
    rows = []
    for meta in metas:
        rows.append((meta.get('status'), meta.get('name'), utc(meta.get('date_done')), None, None, None))
    return rows, False, False


def couch_metas(url):
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
    return metas


def redis_metas(url):
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
    return metas


def stored_metas(url):
    """The Celery metas of a CouchDB or Redis store; None for a SQL URL."""
    scheme = up.urlparse(url).scheme
    if scheme in ('couchdb', 'couchdbs', 'http', 'https'):
        return couch_metas(url)
    if scheme in ('redis', 'rediss'):
        return redis_metas(url)
    return None


def read_rows(url):
    metas = stored_metas(url)
    return sql_rows(url) if metas is None else meta_rows(metas)


def parse_filters(args):
    f = {'status': [], 'task-name': [], 'done-after': None, 'done-before': None, 'exception': [], 'fingerprint': [],
         'limit': None}
    while args:
        option, value, args = args[0][2:], args[1], args[2:]
        if isinstance(f[option], list):
            f[option].append(value)
        elif option == 'limit':
            f[option] = int(value)
        else:
            f[option] = utc(value)
    return f


def matches(row, f):
    status, name, done = row[:3]
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


def iso_ms(moment):
    """As stalk prints a date: milliseconds (cut, not rounded) when there are any."""
    if moment is None:
        return None
    ms = moment.microsecond // 1000
    return moment.strftime('%Y-%m-%dT%H:%M:%S') + ('.%03dZ' % ms if ms else 'Z')


def stats(rows, bucket):
    width = {'minute': 60, 'hour': 3600, 'day': 86400}[bucket]
    counts = {}
    for status, _, done, *_ in rows:
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


# The trend: each half (by date_done, then id; the older half takes the middle one) needs this
# many runtimes, and the newer half's p95 at least this times the older half's.
MIN_HALF = 20
GROWTH = 1.5


def halves_p95(runs):
    """(p95 of the older half, p95 of the newer half), or (None, None) when a half is too small.
    runs: (date_done, id, seconds) of one task."""
    ordered = [seconds for _, _, seconds in sorted(runs, key=lambda r: (r[0], r[1]))]
    older, newer = ordered[:(len(ordered) + 1) // 2], ordered[(len(ordered) + 1) // 2:]
    if len(newer) < MIN_HALF:
        return None, None
    return nearest_rank(sorted(older), 95), nearest_rank(sorted(newer), 95)


def grew(earlier, recent):
    if earlier is None:
        return False
    if earlier <= 0:
        return recent > 0
    return recent / earlier >= GROWTH


def runtimes(rows, has_started, has_created):
    if not has_started and not has_created:
        return None
    per = {}
    for status, name, done, started, created, row_id in rows:
        start = (started or created) if has_started else created
        if status not in ('SUCCESS', 'FAILURE') or done is None or start is None or start > done:
            continue
        per.setdefault(name, []).append((done, row_id, (done - start).total_seconds()))
    out = []
    for name in sorted(per, key=lambda n: (n is not None, n or '')):
        values = sorted(seconds for _, _, seconds in per[name])
        earlier, recent = halves_p95(per[name])
        out.append({'task_name': name, 'count': len(values), 'p50': nearest_rank(values, 50),
                    'p95': nearest_rank(values, 95), 'p99': nearest_rank(values, 99), 'max': values[-1],
                    'basis': 'started' if has_started else 'created',
                    'p95_earlier': earlier, 'p95_recent': recent, 'p95_grew': grew(earlier, recent)})
    return out


# --- failures --------------------------------------------------------------------------------

def sql_failure_rows(url):
    """Every stored row as a dict: status, task_name, worker, date_done, result, traceback,
    content_type, content_encoding (None for columns the schema lacks); a celery_taskmeta
    result as its pickle's bytes in 'pickled'."""
    keys = ('task_id', 'status', 'task_name', 'worker', 'date_done', 'result', 'traceback', 'content_type',
            'content_encoding')
    values, table, _ = select(url, keys)
    rows = []
    for row in (dict(zip(keys, v)) for v in values):
        row['date_done'] = utc(row['date_done'])
        if table == 'celery_taskmeta':
            row['pickled'] = bytes(row['result']) if row['result'] is not None else None
        for key in keys[:-5] + keys[-3:]:  # texts a client may hand over as bytes
            if isinstance(row[key], (bytes, bytearray, memoryview)):
                row[key] = bytes(row[key]).decode()
        rows.append(row)
    return rows


class Stand:
    """What a pickle builds instead of a stored class: its name and arguments."""

    def __new__(cls, *args):
        obj = object.__new__(cls)
        obj.args = args
        return obj

    def __setstate__(self, state):
        self.state = state


class StandInUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        return type(name, (Stand,), {'module': module})


BUILTIN_MODULES = ('', None, 'builtins', '__builtin__', 'exceptions')


def exception_text(args, key_error):
    """str(exception) from its args, as Python builds it (a KeyError shows its key's repr)."""
    if not args:
        return ''
    if len(args) == 1:
        return args[0] if isinstance(args[0], str) and not key_error else repr(args[0])
    return repr(tuple(args))


def exception_of_value(value):
    if isinstance(value, dict) and isinstance(value.get('exc_type'), str) and 'exc_message' in value:
        etype, module, message = value['exc_type'], value.get('exc_module'), value['exc_message']
        module = module if isinstance(module, str) else ''
        if message is None:
            text = ''
        elif isinstance(message, str):
            text = message
        elif isinstance(message, (list, tuple)):
            text = exception_text(list(message), etype == 'KeyError' and module in BUILTIN_MODULES)
        else:
            text = repr(message)
        return etype, module, text
    if isinstance(value, Stand):
        etype, module = type(value).__name__, type(value).module
        if etype.endswith(('Error', 'Exception', 'Warning')) or etype in ('Retry', 'Reject', 'Ignore'):
            return etype, module, exception_text(list(value.args), etype == 'KeyError' and module in BUILTIN_MODULES)
    return None


def traceback_exception(traceback):
    """The exception line: the first unindented line after the last Traceback header."""
    lines = [l[:-1] if l.endswith('\r') else l for l in (traceback or '').split('\n')]
    headers = [i for i, l in enumerate(lines) if l.strip().startswith('Traceback (most recent call last)')]
    candidates = lines[headers[-1] + 1:] if headers else []
    line = next((l for l in candidates if l.strip() and not l.startswith((' ', '\t'))), None)
    if line is None:
        line = next((l for l in reversed(lines) if l.strip() and not l.startswith((' ', '\t'))), '')
    name, colon, message = line.partition(': ')
    name = name if colon else line.strip()
    if not name or ' ' in name:
        return None
    module, _, etype = name.rpartition('.')
    return etype, module, message if colon else ''


def meta_failure_rows(metas):
    """sql_failure_rows()'s dicts from Celery metas: the result already a JSON value."""
    return [{'task_id': m.get('task_id'), 'status': m.get('status'), 'task_name': m.get('name'), 'worker': m.get('worker'),
             'date_done': utc(m.get('date_done')), 'value': m.get('result'), 'traceback': m.get('traceback')}
            for m in metas]


def exception_of(row):
    found = None
    if 'value' in row:
        found = exception_of_value(row['value'])
    elif row.get('pickled') is not None:
        try:
            found = exception_of_value(StandInUnpickler(io.BytesIO(row['pickled'])).load())
        except Exception:
            found = None
    elif row['result'] is not None and (not row['content_type'] or 'json' in row['content_type'].lower()):
        try:
            found = exception_of_value(json.loads(row['result']))
        except ValueError:
            found = None
    return found or traceback_exception(row['traceback'])


QUOTED = re.compile(r"""(?<![0-9A-Za-z_])(?:'[^'\n]*'|"[^"\n]*")""")
UUID = re.compile(r'[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}')
HEX = re.compile(r'\b(?:0[xX][0-9A-Fa-f]+|(?=[0-9A-Fa-f]*[0-9])[0-9A-Fa-f]{8,})\b', re.ASCII)
NUMBER = re.compile(r'[0-9]+(?:\.[0-9]+)?')


def fingerprint(message):
    for pattern, mask in ((QUOTED, '<str>'), (UUID, '<uuid>'), (HEX, '<hex>'), (NUMBER, '<num>')):
        message = pattern.sub(mask, message)
    return message


def qualified(etype, module):
    return etype if module in BUILTIN_MODULES else module + '.' + etype


def named(exc, name):
    """`--exception NAME`: the class name, or the class with its module ('builtins.' for builtins,
    whatever module name they were stored with)."""
    if not exc:
        return False
    etype, module, _ = exc
    return name in (etype, ('builtins' if module in BUILTIN_MODULES else module) + '.' + etype)


def exception_filtered(exc, f):
    """--exception and --fingerprint: the exception is named by one of the names given, and its
    message has one of the fingerprints given; an empty list passes all."""
    if f['exception'] and not any(named(exc, w) for w in f['exception']):
        return False
    return not f['fingerprint'] or (exc is not None and fingerprint(exc[2]) in f['fingerprint'])


def failures(rows, f):
    groups = {}
    for row in rows:
        exc = exception_of(row)
        if not exception_filtered(exc, f):
            continue
        etype, module, message = exc if exc else (None, None, None)
        fp = fingerprint(message) if exc else None
        key = (row['task_name'], qualified(etype, module) if exc else None, fp)
        g = groups.setdefault(key, {'task_name': row['task_name'], 'exception': etype, 'modules': set(),
                                    'messages': {}, 'fingerprint': fp, 'count': 0, 'dates': [],
                                    'workers': set(), 'statuses': {}})
        if module:
            g['modules'].add(module)
        if exc:
            g['messages'][message] = g['messages'].get(message, 0) + 1
        g['count'] += 1
        if row['date_done'] is not None:
            g['dates'].append(row['date_done'])
        if row['worker'] is not None:
            g['workers'].add(row['worker'])
        status = row['status'] or ''
        g['statuses'][status] = g['statuses'].get(status, 0) + 1
    axis = trend_axis([d for g in groups.values() for d in g['dates']])
    def order(item):
        (name, qual, fp), g = item
        return (-g['count'], name is not None, name or '', qual is not None, qual or '', fp is not None, fp or '')
    out = []
    for (name, qual, fp), g in sorted(groups.items(), key=order):
        message = min(g['messages'].items(), key=lambda kv: (-kv[1], kv[0]))[0] if g['messages'] else None
        out.append({'task_name': name, 'exception': g['exception'], 'exception_module': max(g['modules'], default=None),
                    'message': message, 'fingerprint': fp, 'count': g['count'],
                    'first_seen': iso_ms(min(g['dates'], default=None)),
                    'last_seen': iso_ms(max(g['dates'], default=None)),
                    'workers': sorted(g['workers']), 'statuses': g['statuses'],
                    'trend': trend(axis, g['dates'])})
    return out[:f['limit']] if f['limit'] else out


WIDTH_US = {'minute': 60 * 10**6, 'hour': 3600 * 10**6, 'day': 86400 * 10**6}


def micros(moment):
    return (moment - dt.datetime(1970, 1, 1, tzinfo=UTC)) // dt.timedelta(microseconds=1)


def trend_axis(dates):
    """The axis every group's trend shares: from the bucket of the earliest date of all groups
    to that of the latest; the bucket the history chart picks for that span (minutes up to 2
    hours, hours up to 3 days, then days), finer while it makes fewer than 12 buckets; adjacent
    buckets merged `step` at a time when there are more than 60. (bucket, step, start us, points)."""
    if not dates:
        return 'minute', 1, None, 0
    first, last = micros(min(dates)), micros(max(dates))
    span = last - first
    bucket = 'minute' if span <= 2 * WIDTH_US['hour'] else 'hour' if span <= 3 * WIDTH_US['day'] else 'day'
    def buckets(b):
        return last // WIDTH_US[b] - first // WIDTH_US[b] + 1
    while bucket != 'minute' and buckets(bucket) < 12:
        bucket = 'hour' if bucket == 'day' else 'minute'
    n = buckets(bucket)
    step = -(-n // 60)
    return bucket, step, first // WIDTH_US[bucket] * WIDTH_US[bucket], -(-n // step)


def trend(axis, dates):
    bucket, step, start, points = axis
    counts = [0] * points
    for d in dates:
        counts[(micros(d) - start) // (WIDTH_US[bucket] * step)] += 1
    return {'bucket': bucket, 'step': step, 'counts': counts,
            'start': None if start is None else iso(dt.datetime.fromtimestamp(start / 10**6, UTC))}


def main():
    url, what = sys.argv[1], sys.argv[2]
    if what in ('failures', 'ids'):
        f = parse_filters(sys.argv[3:])
        if what == 'failures':
            f['status'] = f['status'] or ['FAILURE']
        metas = stored_metas(url)
        rows = [r for r in (sql_failure_rows(url) if metas is None else meta_failure_rows(metas))
                if matches((r['status'], r['task_name'], r['date_done']), f)]
        if what == 'failures':
            json.dump(failures(rows, f), sys.stdout, ensure_ascii=False)
        else:
            exc = [r['task_id'] for r in rows
                   if (not f['exception'] and not f['fingerprint']) or exception_filtered(exception_of(r), f)]
            json.dump(sorted(exc), sys.stdout, ensure_ascii=False)
        return
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
