#!/usr/bin/python3
"""Ages and reads django-celery-results' CacheBackend entries with upstream Django's own cache
code, for the tests of `purge --cache-expired` (Delete Expired's "past their Django cache expiry").

usage: cacheexpiry_expected.py KIND TARGET TABLE COMMAND ID…
  KIND    file: a FileBasedCache directory (TARGET); db: a DatabaseCache table TABLE in TARGET,
          a SQLite file or a postgresql:// / mysql:// URL (as tools/fixtures/redis/stalk_redis_tasks.py)
  age SECONDS ID…   Django's own cache.touch(key, SECONDS) of each result: a negative timeout
                    puts its expiry SECONDS in the past (the age injection; the meta is untouched)
  rewrite ID…       stores each result's meta again with cache.set(key, meta, 86400), as a worker
                    storing a state does (read raw, since Django's get() misses an expired entry)
  missing ID…       prints the JSON list of the ids Django's cache reads as missing: has_key() on a
                    DatabaseCache (it changes nothing); get() on a scratch copy of a FileBasedCache
                    directory (Django's get() and has_key() delete the expired files they find)
Needs PYTHONPATH to hold tools/fixtures/redis (stalk_redis_tasks configures Django).
"""
import base64
import json
import os
import pickle
import shutil
import sys
import tempfile
import zlib

kind, target, table, command = sys.argv[1:5]
ids = sys.argv[5:]
os.environ.setdefault('STALK_BROKER', 'memory://')
os.environ.setdefault('STALK_BACKEND', 'unused')  # the CacheBackend replaces it
if kind == 'file':
    os.environ['STALK_DJANGO_FILECACHE'] = target
else:
    os.environ['STALK_DJANGO_DBCACHE'] = target
    os.environ['STALK_DJANGO_DBCACHE_TABLE'] = table
import stalk_redis_tasks  # noqa: E402,F401  (settings.configure + django.setup)
from django.core.cache import cache  # noqa: E402


def key(task_id):
    return 'celery-task-meta-' + task_id


def stored_meta(task_id):
    """The meta as stored, expired or not, without Django's get() (which would delete it)."""
    if kind == 'file':
        with open(cache._key_to_file(key(task_id)), 'rb') as f:
            pickle.load(f)  # the expiry
            return pickle.loads(zlib.decompress(f.read()))
    from django.db import connection
    with connection.cursor() as cursor:
        cursor.execute('SELECT value FROM %s WHERE cache_key = %%s' % connection.ops.quote_name(table),
                       [cache.make_key(key(task_id))])
        return pickle.loads(base64.b64decode(cursor.fetchone()[0].encode()))


if command == 'age':
    seconds = int(ids.pop(0))
    print(json.dumps({i: cache.touch(key(i), seconds) for i in ids}))
elif command == 'rewrite':
    for i in ids:
        cache.set(key(i), stored_meta(i), 86400)
    print(json.dumps(ids))
elif command == 'missing':
    if kind == 'file':
        from django.core.cache.backends.filebased import FileBasedCache
        scratch = tempfile.mkdtemp()
        try:
            copy = os.path.join(scratch, 'cache')
            shutil.copytree(target, copy)
            probe = FileBasedCache(copy, {})
            print(json.dumps(sorted(i for i in ids if probe.get(key(i)) is None)))
        finally:
            shutil.rmtree(scratch)
    else:
        print(json.dumps(sorted(i for i in ids if not cache.has_key(key(i)))))
else:
    sys.exit('unknown command ' + command)
