#!/usr/bin/python3
"""The saved groups of a SQL result store, computed from the stored rows alone: it reads the
group table (django_celery_results_groupresult or celery_tasksetmeta) with the engine's own
Python client and reads each group's members from its stored value here, sharing no code with
stalk (pickled groups are read by aggregates_expected's Unpickler, which builds no stored
class: stand-ins record the class name and arguments).

usage: groups_expected.py URL
Prints {"groups": null} when the schema has no group table, else {"groups": [{"group_id", "date_done" (ISO UTC, milliseconds, Z), "members": [task ids
in stored order]}, …] newest first (then by group id), "task_groups": {task id: [group ids]},
"statuses": {member task id: its status, for the members with a stored result}}.
"""
import base64
import json
import io
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from aggregates_expected import StandInUnpickler, celery_table, sql_connect, utc  # noqa: E402


def ref(value):
    """(id, children or None) of a stored reference: as_tuple(), a GroupResult/AsyncResult
    stand-in (directly or through _unpickle_appattr), or {"result": …}."""
    if isinstance(value, dict):
        return ref(value['result'])
    if isinstance(value, (list, tuple)):
        (rid, _parent), children = value
        return rid, children
    name = type(value).__name__
    args = value.args
    if name == '_unpickle_appattr':
        name, args = args[0], args[1]
    if name.endswith('GroupResult'):
        return args[0], args[1]
    return args[0], None


def members(stored, encoding, binary_column):
    if stored is None:
        return []
    if binary_column:
        value = StandInUnpickler(io.BytesIO(bytes(stored))).load()
    elif encoding == 'binary':
        value = StandInUnpickler(io.BytesIO(base64.b64decode(stored))).load()
    else:
        value = json.loads(stored)
    _gid, children = ref(value)
    return [ref(child)[0] for child in children]


def main():
    url = sys.argv[1]
    cur, quote, table, _name, _columns = celery_table(url)
    django = table != 'celery_taskmeta'
    groups_table = 'django_celery_results_groupresult' if django else 'celery_tasksetmeta'
    key = 'group_id' if django else 'taskset_id'
    encoding = f'{quote}content_encoding{quote}' if django else 'NULL'
    try:
        cur.execute(f'SELECT {quote}{key}{quote}, {quote}date_done{quote}, {quote}result{quote}, {encoding} '
                    f'FROM {quote}{groups_table}{quote}')
    except Exception:  # the schema has no group table
        print(json.dumps({'groups': None}))
        return
    groups = []
    for gid, done, stored, enc in cur.fetchall():
        moment = utc(done)
        groups.append({'group_id': gid,
                       'date_done': moment.strftime('%Y-%m-%dT%H:%M:%S.') + '%03dZ' % (moment.microsecond // 1000),
                       'members': members(stored, enc, not django)})
    groups.sort(key=lambda g: g['group_id'])
    groups.sort(key=lambda g: g['date_done'], reverse=True)
    task_groups = {}
    for g in groups:
        for member in g['members']:
            task_groups.setdefault(member, []).append(g['group_id'])
    statuses = {}
    ids = sorted(task_groups)
    if ids:
        cur.execute(f'SELECT {quote}task_id{quote}, {quote}status{quote} FROM {quote}{table}{quote}')
        statuses = {tid: status for tid, status in cur.fetchall() if tid in task_groups}
    print(json.dumps({'groups': groups, 'task_groups': task_groups, 'statuses': statuses}))


if __name__ == '__main__':
    main()
