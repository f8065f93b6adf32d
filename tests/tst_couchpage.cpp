// CouchPage (the `_all_docs` page reader) and CouchDocument::parseParts(…, Detail::Index)
// read CouchDB answers straight from the text, without Qt's JSON DOM. These tests hold them
// to the DOM path: whatever the fast readers accept must give exactly what Qt gives (rows,
// ids, revisions, decoded `value` texts, every task field, the same reasons), and whatever
// Qt rejects they must decline (the loader then takes Qt's answer, error and all).
//
// Documents: a page of the fixture database as pouchdb-server sent it, written by Celery
// 5.2.6's real CouchBackend (tools/couchdb/make_couch_fixtures.py; copied below byte for
// byte), the live fixture database when run under tools/couchdb/with_couchdb.sh, and metas
// generated here (every field type and status, escapes, duplicates, nesting, numbers).
#include <QByteArrayList>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QJsonValue>
#include <QList>
#include <QStringList>
#include <QTest>
#include <QVector>

#include <random>

#include "couchclient.h"
#include "couchdocument.h"
#include "couchpage.h"
#include "resultstore.h"
#include "storeurl.h"
#include "testsupport.h"

using CouchDocument::Detail;
using CouchDocument::Parsed;
using CouchDocument::ValueKind;
using CouchPage::Row;

/// What CouchPage::parseAllDocs() must do with a body.
enum class Fast {
    Decodes,  ///< accept it (and then give Qt's rows)
    Declines, ///< leave it to Qt (a form the reader is documented to decline)
    Either,   ///< either, as long as an accepted body gives Qt's rows (limits such as nesting)
};
Q_DECLARE_METATYPE(Fast)

namespace {

// A page of `_all_docs?include_docs=true` from the fixture database `stalk`, exactly as
// pouchdb-server 4.2.0 answered (29 rows: a design document, foreign and broken documents,
// 20 task results of every state and a saved group, all written by the real worker).
const QByteArray fixturePage =
    R"json({"total_rows":29,"offset":0,"rows":[{"id":"_design/stalk","key":"_design/stalk","value":{"rev":"1-7212a583723107855cb7c1c38e048e75"},"doc":{"views":{"all":{"map":"function (doc) { emit(doc._id); }"}},"_id":"_design/stalk","_rev":"1-7212a583723107855cb7c1c38e048e75"}},)json"
    R"json({"id":"app-settings","key":"app-settings","value":{"rev":"1-f3429ba4cb022d5d683b5e55cb9001df"},"doc":{"theme":"dark","_id":"app-settings","_rev":"1-f3429ba4cb022d5d683b5e55cb9001df"}},)json"
    R"json({"id":"celery-task-meta-0badc0de-0000-4000-8000-000000000001","key":"celery-task-meta-0badc0de-0000-4000-8000-000000000001","value":{"rev":"2-ab144a7e1a9b657f3ab9d0c05ac4002e"},"doc":{"value":"{\"status\": \"REVOKED\", \"result\": {\"exc_type\": \"TaskRevokedError\", \"exc_message\": [\"revoked\"], \"exc_module\": \"celery.exceptions\"}, \"traceback\": null, \"children\": [], \"date_done\": \"2025-01-01T09:00:00.123456\", \"name\": \"stalk_couch_tasks.add\", \"args\": [100, 200], \"kwargs\": {}, \"worker\": \"alpha@stalk\", \"retries\": 0, \"queue\": \"celery\", \"task_id\": \"0badc0de-0000-4000-8000-000000000001\"}","_id":"celery-task-meta-0badc0de-0000-4000-8000-000000000001","_rev":"2-ab144a7e1a9b657f3ab9d0c05ac4002e"}},)json"
    R"json({"id":"celery-task-meta-0fbaca72-bb4d-473e-9172-641fe0f324eb","key":"celery-task-meta-0fbaca72-bb4d-473e-9172-641fe0f324eb","value":{"rev":"3-cfce1061e3a26f204ba1b5a8d9beae47"},"doc":{"value":"{\"status\": \"SUCCESS\", \"result\": null, \"traceback\": null, \"children\": [], \"date_done\": \"2025-01-04T10:07:00\", \"name\": \"stalk_couch_tasks.nothing\", \"args\": [], \"kwargs\": {}, \"worker\": \"alpha@stalk\", \"retries\": 0, \"queue\": \"celery\", \"task_id\": \"0fbaca72-bb4d-473e-9172-641fe0f324eb\"}","_id":"celery-task-meta-0fbaca72-bb4d-473e-9172-641fe0f324eb","_rev":"3-cfce1061e3a26f204ba1b5a8d9beae47"}},)json"
    R"json({"id":"celery-task-meta-12f1fadc-90fb-4d60-a0cd-0c0aac472f76","key":"celery-task-meta-12f1fadc-90fb-4d60-a0cd-0c0aac472f76","value":{"rev":"3-196e1e2ad4a1050ccfbac48818e9bdac"},"doc":{"value":"{\"status\": \"SUCCESS\", \"result\": 13, \"traceback\": null, \"children\": [], \"date_done\": \"2025-01-07T13:14:00+02:00\", \"parent_id\": \"85e64ee6-ebeb-44b6-9a47-bf561d0144b6\", \"name\": \"stalk_couch_tasks.add\", \"args\": [3, 10], \"kwargs\": {}, \"worker\": \"alpha@stalk\", \"retries\": 0, \"queue\": \"celery\", \"task_id\": \"12f1fadc-90fb-4d60-a0cd-0c0aac472f76\"}","_id":"celery-task-meta-12f1fadc-90fb-4d60-a0cd-0c0aac472f76","_rev":"3-196e1e2ad4a1050ccfbac48818e9bdac"}},)json"
    R"json({"id":"celery-task-meta-1cc9676b-9ce5-4cae-9a74-5a084b5c792a","key":"celery-task-meta-1cc9676b-9ce5-4cae-9a74-5a084b5c792a","value":{"rev":"3-4782254a44e811a4193c45c0e0eabb0e"},"doc":{"value":"{\"status\": \"SUCCESS\", \"result\": 2, \"traceback\": null, \"children\": [], \"date_done\": \"2025-01-10T12:21:00+00:00\", \"group_id\": \"db819660-0a9d-48d4-a71f-f47e664df226\", \"name\": \"stalk_couch_tasks.add\", \"args\": [1, 1], \"kwargs\": {}, \"worker\": \"alpha@stalk\", \"retries\": 0, \"queue\": \"celery\", \"task_id\": \"1cc9676b-9ce5-4cae-9a74-5a084b5c792a\"}","_id":"celery-task-meta-1cc9676b-9ce5-4cae-9a74-5a084b5c792a","_rev":"3-4782254a44e811a4193c45c0e0eabb0e"}},)json"
    R"json({"id":"celery-task-meta-2cd04894-573f-4d7f-b5bc-101a3cf6acd4","key":"celery-task-meta-2cd04894-573f-4d7f-b5bc-101a3cf6acd4","value":{"rev":"3-49c5ac1ddbfcb501121059a925f17a40"},"doc":{"value":"{\"status\": \"SUCCESS\", \"result\": 5, \"traceback\": null, \"children\": [], \"date_done\": \"2025-01-14T13:28:00.123456\", \"name\": \"stalk_couch_tasks.add\", \"args\": [2, 3], \"kwargs\": {}, \"worker\": \"alpha@stalk\", \"retries\": 0, \"queue\": \"celery\", \"task_id\": \"2cd04894-573f-4d7f-b5bc-101a3cf6acd4\"}","_id":"celery-task-meta-2cd04894-573f-4d7f-b5bc-101a3cf6acd4","_rev":"3-49c5ac1ddbfcb501121059a925f17a40"}},)json"
    R"json({"id":"celery-task-meta-48931cc4-e17c-4194-ac90-612fa04daa7c","key":"celery-task-meta-48931cc4-e17c-4194-ac90-612fa04daa7c","value":{"rev":"3-75f3a3c6deb722f3efb31f391d9392cc"},"doc":{"value":"{\"status\": \"FAILURE\", \"result\": {\"exc_type\": \"ValueError\", \"exc_message\": [\"boom\"], \"exc_module\": \"builtins\"}, \"traceback\": \"Traceback (most recent call last):\\n  File \\\"/usr/lib/python3/dist-packages/celery/app/trace.py\\\", line 451, in trace_task\\n    R = retval = fun(*args, **kwargs)\\n                 ^^^^^^^^^^^^^^^^^^^^\\n  File \\\"/usr/lib/python3/dist-packages/celery/app/trace.py\\\", line 734, in __protected_call__\\n    return self.run(*args, **kwargs)\\n           ^^^^^^^^^^^^^^^^^^^^^^^^^\\n  File \\\"/work/main/tools/couchdb/stalk_couch_tasks.py\\\", line 48, in fail\\n    raise ValueError(message)\\nValueError: boom\\n\", \"children\": [], \"date_done\": \"2025-01-17T09:35:00\", \"name\": \"stalk_couch_tasks.fail\", \"args\": [\"boom\"], \"kwargs\": {}, \"worker\": \"alpha@stalk\", \"retries\": 0, \"queue\": \"celery\", \"task_id\": \"48931cc4-e17c-4194-ac90-612fa04daa7c\"}","_id":"celery-task-meta-48931cc4-e17c-4194-ac90-612fa04daa7c","_rev":"3-75f3a3c6deb722f3efb31f391d9392cc"}},)json"
    R"json({"id":"celery-task-meta-5ea7ed00-0000-4000-8000-000000000002","key":"celery-task-meta-5ea7ed00-0000-4000-8000-000000000002","value":{"rev":"1-2243bf9ad1493bf042db7a140363608d"},"doc":{"value":"{\"status\": \"STARTED\", \"result\": {\"pid\": 4242, \"hostname\": \"alpha@stalk\"}, \"traceback\": null, \"children\": null, \"date_done\": null, \"task_id\": \"5ea7ed00-0000-4000-8000-000000000002\"}","_id":"celery-task-meta-5ea7ed00-0000-4000-8000-000000000002","_rev":"1-2243bf9ad1493bf042db7a140363608d"}},)json"
    R"json({"id":"celery-task-meta-667277fd-cd20-497f-8d65-b1f6d7632ea7","key":"celery-task-meta-667277fd-cd20-497f-8d65-b1f6d7632ea7","value":{"rev":"3-49a04112f3f409714ec7e81f83e87ac2"},"doc":{"value":"{\"status\": \"SUCCESS\", \"result\": \"Zo\\u00eb\", \"traceback\": null, \"children\": [], \"date_done\": \"2025-01-20T12:42:00+02:00\", \"name\": \"stalk_couch_tasks.echo\", \"args\": [\"Zo\\u00eb\"], \"kwargs\": {}, \"worker\": \"alpha@stalk\", \"retries\": 0, \"queue\": \"celery\", \"task_id\": \"667277fd-cd20-497f-8d65-b1f6d7632ea7\"}","_id":"celery-task-meta-667277fd-cd20-497f-8d65-b1f6d7632ea7","_rev":"3-49a04112f3f409714ec7e81f83e87ac2"}},)json"
    R"json({"id":"celery-task-meta-673c4906-6464-4a1b-964f-aab7a9e9f5a6","key":"celery-task-meta-673c4906-6464-4a1b-964f-aab7a9e9f5a6","value":{"rev":"3-9c83497ce86d486ae3b6fc0db99bd59a"},"doc":{"value":"{\"status\": \"FAILURE\", \"result\": {\"exc_type\": \"ValueError\", \"exc_message\": [\"Zo\\u00eb failed \\u2639\"], \"exc_module\": \"builtins\"}, \"traceback\": \"Traceback (most recent call last):\\n  File \\\"/usr/lib/python3/dist-packages/celery/app/trace.py\\\", line 451, in trace_task\\n    R = retval = fun(*args, **kwargs)\\n                 ^^^^^^^^^^^^^^^^^^^^\\n  File \\\"/usr/lib/python3/dist-packages/celery/app/trace.py\\\", line 734, in __protected_call__\\n    return self.run(*args, **kwargs)\\n           ^^^^^^^^^^^^^^^^^^^^^^^^^\\n  File \\\"/work/main/tools/couchdb/stalk_couch_tasks.py\\\", line 48, in fail\\n    raise ValueError(message)\\nValueError: Zo\\u00eb failed \\u2639\\n\", \"children\": [], \"date_done\": \"2025-01-23T11:49:00+00:00\", \"name\": \"stalk_couch_tasks.fail\", \"args\": [\"Zo\\u00eb failed \\u2639\"], \"kwargs\": {}, \"worker\": \"alpha@stalk\", \"retries\": 0, \"queue\": \"celery\", \"task_id\": \"673c4906-6464-4a1b-964f-aab7a9e9f5a6\"}","_id":"celery-task-meta-673c4906-6464-4a1b-964f-aab7a9e9f5a6","_rev":"3-9c83497ce86d486ae3b6fc0db99bd59a"}},)json"
    R"json({"id":"celery-task-meta-72af740a-4aff-41b3-994a-017b72481151","key":"celery-task-meta-72af740a-4aff-41b3-994a-017b72481151","value":{"rev":"3-93c858549b19d074e2ab47da7b4cc45b"},"doc":{"value":"{\"status\": \"SUCCESS\", \"result\": \"Annual: 1 pages\", \"traceback\": null, \"children\": [], \"date_done\": \"2025-01-27T12:56:00.123456\", \"name\": \"stalk_couch_tasks.report\", \"args\": [\"Annual\"], \"kwargs\": {}, \"worker\": \"beta@stalk\", \"retries\": 0, \"queue\": \"reports\", \"task_id\": \"72af740a-4aff-41b3-994a-017b72481151\"}","_id":"celery-task-meta-72af740a-4aff-41b3-994a-017b72481151","_rev":"3-93c858549b19d074e2ab47da7b4cc45b"}},)json"
    R"json({"id":"celery-task-meta-78969a86-ca3a-4e00-9c33-64638a986e5e","key":"celery-task-meta-78969a86-ca3a-4e00-9c33-64638a986e5e","value":{"rev":"3-6d83b7a5f4c01c1fc5e062731b01d427"},"doc":{"value":"{\"status\": \"SUCCESS\", \"result\": 0, \"traceback\": null, \"children\": [], \"date_done\": \"2025-01-30T14:03:00\", \"name\": \"stalk_couch_tasks.add\", \"args\": [-1, 1], \"kwargs\": {}, \"worker\": \"alpha@stalk\", \"retries\": 0, \"queue\": \"celery\", \"task_id\": \"78969a86-ca3a-4e00-9c33-64638a986e5e\"}","_id":"celery-task-meta-78969a86-ca3a-4e00-9c33-64638a986e5e","_rev":"3-6d83b7a5f4c01c1fc5e062731b01d427"}},)json"
    R"json({"id":"celery-task-meta-7a5a744b-4e02-41a1-b035-39f23c3ec96b","key":"celery-task-meta-7a5a744b-4e02-41a1-b035-39f23c3ec96b","value":{"rev":"3-ce2c93c9c27f1b6af45aa91d73d0b7d7"},"doc":{"value":"{\"status\": \"SUCCESS\", \"result\": 4, \"traceback\": null, \"children\": [], \"date_done\": \"2025-02-02T12:10:00+02:00\", \"group_id\": \"db819660-0a9d-48d4-a71f-f47e664df226\", \"name\": \"stalk_couch_tasks.add\", \"args\": [2, 2], \"kwargs\": {}, \"worker\": \"alpha@stalk\", \"retries\": 0, \"queue\": \"celery\", \"task_id\": \"7a5a744b-4e02-41a1-b035-39f23c3ec96b\"}","_id":"celery-task-meta-7a5a744b-4e02-41a1-b035-39f23c3ec96b","_rev":"3-ce2c93c9c27f1b6af45aa91d73d0b7d7"}},)json"
    R"json({"id":"celery-task-meta-85e64ee6-ebeb-44b6-9a47-bf561d0144b6","key":"celery-task-meta-85e64ee6-ebeb-44b6-9a47-bf561d0144b6","value":{"rev":"3-f1afdd942b20f82d2dcd5529514cc0a6"},"doc":{"value":"{\"status\": \"SUCCESS\", \"result\": 3, \"traceback\": null, \"children\": [[[\"12f1fadc-90fb-4d60-a0cd-0c0aac472f76\", null], null]], \"date_done\": \"2025-02-06T11:17:00+00:00\", \"name\": \"stalk_couch_tasks.add\", \"args\": [1, 2], \"kwargs\": {}, \"worker\": \"alpha@stalk\", \"retries\": 0, \"queue\": \"celery\", \"task_id\": \"85e64ee6-ebeb-44b6-9a47-bf561d0144b6\"}","_id":"celery-task-meta-85e64ee6-ebeb-44b6-9a47-bf561d0144b6","_rev":"3-f1afdd942b20f82d2dcd5529514cc0a6"}},)json"
    R"json({"id":"celery-task-meta-8a567fb7-edb6-4b98-afce-47d98cfc4bd9","key":"celery-task-meta-8a567fb7-edb6-4b98-afce-47d98cfc4bd9","value":{"rev":"3-cbe59b31957c38326885aef1536222d2"},"doc":{"value":"{\"status\": \"SUCCESS\", \"result\": 42, \"traceback\": null, \"children\": [], \"date_done\": \"2025-02-09T12:24:00.123456\", \"name\": \"stalk_couch_tasks.add\", \"args\": [40, 2], \"kwargs\": {}, \"worker\": \"alpha@stalk\", \"retries\": 0, \"queue\": \"celery\", \"task_id\": \"8a567fb7-edb6-4b98-afce-47d98cfc4bd9\"}","_id":"celery-task-meta-8a567fb7-edb6-4b98-afce-47d98cfc4bd9","_rev":"3-cbe59b31957c38326885aef1536222d2"}},)json"
    R"json({"id":"celery-task-meta-9ae10c8b-3d57-4388-acd8-47b7fff99f1d","key":"celery-task-meta-9ae10c8b-3d57-4388-acd8-47b7fff99f1d","value":{"rev":"3-a148cdbd89a5330440e7ededcbbdb893"},"doc":{"value":"{\"status\": \"SUCCESS\", \"result\": {\"keys\": [\"city\", \"n\"], \"count\": 2}, \"traceback\": null, \"children\": [], \"date_done\": \"2025-02-12T13:31:00\", \"name\": \"stalk_couch_tasks.describe\", \"args\": [], \"kwargs\": {\"city\": \"Z\\u00fcrich\", \"n\": 3}, \"worker\": \"alpha@stalk\", \"retries\": 0, \"queue\": \"celery\", \"task_id\": \"9ae10c8b-3d57-4388-acd8-47b7fff99f1d\"}","_id":"celery-task-meta-9ae10c8b-3d57-4388-acd8-47b7fff99f1d","_rev":"3-a148cdbd89a5330440e7ededcbbdb893"}},)json"
    R"json({"id":"celery-task-meta-array","key":"celery-task-meta-array","value":{"rev":"1-b137ccdd6f00ec81bd5b24328e06aa9e"},"doc":{"value":"[1, 2, 3]","_id":"celery-task-meta-array","_rev":"1-b137ccdd6f00ec81bd5b24328e06aa9e"}},)json"
    R"json({"id":"celery-task-meta-b46f2b0a-c358-437d-996a-d7d6fb2da840","key":"celery-task-meta-b46f2b0a-c358-437d-996a-d7d6fb2da840","value":{"rev":"3-94b09e834fefc4521892d95c71b70918"},"doc":{"value":"{\"status\": \"SUCCESS\", \"result\": \"plain text\", \"traceback\": null, \"children\": [], \"date_done\": \"2025-02-15T16:38:00+02:00\", \"name\": \"stalk_couch_tasks.echo\", \"args\": [\"plain text\"], \"kwargs\": {}, \"worker\": \"alpha@stalk\", \"retries\": 0, \"queue\": \"celery\", \"task_id\": \"b46f2b0a-c358-437d-996a-d7d6fb2da840\"}","_id":"celery-task-meta-b46f2b0a-c358-437d-996a-d7d6fb2da840","_rev":"3-94b09e834fefc4521892d95c71b70918"}},)json"
    R"json({"id":"celery-task-meta-bbe1466a-1b67-4148-9ca2-e7782cb5dc7c","key":"celery-task-meta-bbe1466a-1b67-4148-9ca2-e7782cb5dc7c","value":{"rev":"3-a06e7425228e16472f59607cb0566e89"},"doc":{"value":"{\"status\": \"SUCCESS\", \"result\": 0, \"traceback\": null, \"children\": [], \"date_done\": \"2025-02-19T10:45:00+00:00\", \"group_id\": \"db819660-0a9d-48d4-a71f-f47e664df226\", \"name\": \"stalk_couch_tasks.add\", \"args\": [0, 0], \"kwargs\": {}, \"worker\": \"alpha@stalk\", \"retries\": 0, \"queue\": \"celery\", \"task_id\": \"bbe1466a-1b67-4148-9ca2-e7782cb5dc7c\"}","_id":"celery-task-meta-bbe1466a-1b67-4148-9ca2-e7782cb5dc7c","_rev":"3-a06e7425228e16472f59607cb0566e89"}},)json"
    R"json({"id":"celery-task-meta-c43975ed-07ae-4649-b5d8-b512097ea73f","key":"celery-task-meta-c43975ed-07ae-4649-b5d8-b512097ea73f","value":{"rev":"2-8c2f0c6047ffab19bd460a0a38c7bd32"},"doc":{"value":"{\"status\": \"RETRY\", \"result\": {\"exc_type\": \"RuntimeError\", \"exc_message\": [\"inventory is not ready\"], \"exc_module\": \"builtins\"}, \"traceback\": \"Traceback (most recent call last):\\n  File \\\"/usr/lib/python3/dist-packages/celery/app/trace.py\\\", line 451, in trace_task\\n    R = retval = fun(*args, **kwargs)\\n                 ^^^^^^^^^^^^^^^^^^^^\\n  File \\\"/usr/lib/python3/dist-packages/celery/app/trace.py\\\", line 734, in __protected_call__\\n    return self.run(*args, **kwargs)\\n           ^^^^^^^^^^^^^^^^^^^^^^^^^\\n  File \\\"/work/main/tools/couchdb/stalk_couch_tasks.py\\\", line 54, in flaky\\n    raise self.retry(countdown=3600, exc=RuntimeError(f\\\"{name} is not ready\\\"))\\n          ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\\n  File \\\"/usr/lib/python3/dist-packages/celery/app/task.py\\\", line 738, in retry\\n    raise ret\\ncelery.exceptions.Retry: Retry in 3600s: RuntimeError('inventory is not ready')\\n\", \"children\": [[[\"c43975ed-07ae-4649-b5d8-b512097ea73f\", null], null]], \"date_done\": null, \"name\": \"stalk_couch_tasks.flaky\", \"args\": [\"inventory\"], \"kwargs\": {}, \"worker\": \"alpha@stalk\", \"retries\": 0, \"queue\": \"celery\", \"task_id\": \"c43975ed-07ae-4649-b5d8-b512097ea73f\"}","_id":"celery-task-meta-c43975ed-07ae-4649-b5d8-b512097ea73f","_rev":"2-8c2f0c6047ffab19bd460a0a38c7bd32"}},)json"
    R"json({"id":"celery-task-meta-d1382277-969c-47e5-bdb0-a8736e14364b","key":"celery-task-meta-d1382277-969c-47e5-bdb0-a8736e14364b","value":{"rev":"3-9fda3ac014618ee84d74d533516c3196"},"doc":{"value":"{\"status\": \"SUCCESS\", \"result\": \"\\ud83d\\ude80 launch\", \"traceback\": null, \"children\": [], \"date_done\": \"2025-02-22T11:52:00.123456\", \"name\": \"stalk_couch_tasks.echo\", \"args\": [\"\\ud83d\\ude80 launch\"], \"kwargs\": {}, \"worker\": \"alpha@stalk\", \"retries\": 0, \"queue\": \"celery\", \"task_id\": \"d1382277-969c-47e5-bdb0-a8736e14364b\"}","_id":"celery-task-meta-d1382277-969c-47e5-bdb0-a8736e14364b","_rev":"3-9fda3ac014618ee84d74d533516c3196"}},)json"
    R"json({"id":"celery-task-meta-d3e5bf74-32cd-486b-805e-b6158504b5da","key":"celery-task-meta-d3e5bf74-32cd-486b-805e-b6158504b5da","value":{"rev":"4-73881c03e70358134eba460056f439b8"},"doc":{"value":"{\"status\": \"SUCCESS\", \"result\": \"Quarterly: 12 pages\", \"traceback\": null, \"children\": [], \"date_done\": \"2025-02-01T01:30:00+02:00\", \"name\": \"stalk_couch_tasks.report\", \"args\": [\"Quarterly\"], \"kwargs\": {\"pages\": 12}, \"worker\": \"beta@stalk\", \"retries\": 0, \"queue\": \"reports\", \"task_id\": \"d3e5bf74-32cd-486b-805e-b6158504b5da\"}","_id":"celery-task-meta-d3e5bf74-32cd-486b-805e-b6158504b5da","_rev":"4-73881c03e70358134eba460056f439b8"}},)json"
    R"json({"id":"celery-task-meta-no-status","key":"celery-task-meta-no-status","value":{"rev":"1-2479a87cb660cc3ccd6cd8ef7fa456b3"},"doc":{"value":"{\"result\": 1, \"task_id\": \"x\"}","_id":"celery-task-meta-no-status","_rev":"1-2479a87cb660cc3ccd6cd8ef7fa456b3"}},)json"
    R"json({"id":"celery-task-meta-no-value","key":"celery-task-meta-no-value","value":{"rev":"1-d3cc9dd030788abcf0c35747b07f6854"},"doc":{"other":1,"_id":"celery-task-meta-no-value","_rev":"1-d3cc9dd030788abcf0c35747b07f6854"}},)json"
    R"json({"id":"celery-task-meta-not-json","key":"celery-task-meta-not-json","value":{"rev":"1-c7d0fc382f6e0471bbcca360f8fb5f6d"},"doc":{"value":"this is { not json","_id":"celery-task-meta-not-json","_rev":"1-c7d0fc382f6e0471bbcca360f8fb5f6d"}},)json"
    R"json({"id":"celery-task-meta-number-value","key":"celery-task-meta-number-value","value":{"rev":"1-16d74658faa2040427e242d11f46c61d"},"doc":{"value":12,"_id":"celery-task-meta-number-value","_rev":"1-16d74658faa2040427e242d11f46c61d"}},)json"
    R"json({"id":"celery-taskset-meta-db819660-0a9d-48d4-a71f-f47e664df226","key":"celery-taskset-meta-db819660-0a9d-48d4-a71f-f47e664df226","value":{"rev":"1-2ea6498d6b4f0d9aeb73c6dbfac59067"},"doc":{"value":"{\"result\": [[\"db819660-0a9d-48d4-a71f-f47e664df226\", null], [[[\"bbe1466a-1b67-4148-9ca2-e7782cb5dc7c\", null], null], [[\"1cc9676b-9ce5-4cae-9a74-5a084b5c792a\", null], null], [[\"7a5a744b-4e02-41a1-b035-39f23c3ec96b\", null], null]]]}","_id":"celery-taskset-meta-db819660-0a9d-48d4-a71f-f47e664df226","_rev":"1-2ea6498d6b4f0d9aeb73c6dbfac59067"}},)json"
    R"json({"id":"zzz-after-the-range","key":"zzz-after-the-range","value":{"rev":"1-7f236b69ae44a1fdf957ebd9a04b4767"},"doc":{"value":"{\"status\": \"SUCCESS\"}","_id":"zzz-after-the-range","_rev":"1-7f236b69ae44a1fdf957ebd9a04b4767"}}]})json" "\n";

constexpr int prefixChars = ResultStore::previewChars + 1;

QString show(const QByteArray &bytes)
{
    const QByteArray cut = bytes.size() > 160 ? bytes.left(160) + "…" : bytes;
    return QString::fromLatin1(cut.toPercentEncoding(" !\"#$&'()*+,/:;<=>?@[\\]^`{|}~"));
}

// "" differs from null for the stores (NULL vs empty text): compare both.
QString textDiff(const char *what, const QString &fast, const QString &qt)
{
    if (fast == qt && fast.isNull() == qt.isNull())
        return QString();
    auto form = [](const QString &s) {
        return s.isNull() ? QStringLiteral("null") : QLatin1Char('\'') + s.left(200) + QLatin1Char('\'');
    };
    return QStringLiteral("%1: fast %2, Qt %3").arg(QLatin1String(what), form(fast), form(qt));
}

// Empty when the fast row equals Qt's; its value text is decoded from body (fast) or held
// by the row (Qt).
QString rowDiff(const QByteArray &body, const Row &fast, const Row &qt)
{
    QStringList out;
    out << textDiff("id", fast.id, qt.id) << textDiff("_id", fast.docId, qt.docId) << textDiff("_rev", fast.rev, qt.rev);
    if (fast.hasDoc != qt.hasDoc)
        out << QStringLiteral("hasDoc: fast %1, Qt %2").arg(fast.hasDoc).arg(qt.hasDoc);
    if (fast.valueKind != qt.valueKind)
        out << QStringLiteral("value kind: fast %1, Qt %2").arg(int(fast.valueKind)).arg(int(qt.valueKind));
    QByteArray s1, s2;
    const QByteArray a = fast.valueKind == ValueKind::String ? CouchPage::valueText(body, fast, s1) : QByteArray();
    const QByteArray b = qt.valueKind == ValueKind::String ? CouchPage::valueText(QByteArray(), qt, s2) : QByteArray();
    if (a != b)
        out << QStringLiteral("value: fast %1, Qt %2").arg(show(a), show(b));
    out.removeAll(QString());
    return out.join(QLatin1String("; "));
}

struct PageCheck
{
    bool fastOk = false;
    bool qtOk = false;
    QString qtError;
    QVector<Row> fastRows;
    QVector<Row> qtRows;
    QString diff; ///< empty: no disagreement
};

// Both readers on one body. A declined body is no disagreement (the loader asks Qt then);
// an accepted one must be JSON for Qt too, with the same rows.
PageCheck checkPage(const QByteArray &body)
{
    PageCheck c;
    c.fastOk = CouchPage::parseAllDocs(body, &c.fastRows);
    QJsonParseError error;
    const QJsonDocument dom = QJsonDocument::fromJson(body, &error);
    c.qtOk = error.error == QJsonParseError::NoError;
    c.qtError = error.errorString();
    if (c.qtOk)
        c.qtRows = CouchPage::rowsFromJson(dom.object());
    if (!c.fastOk)
        return c;
    if (!c.qtOk) {
        c.diff = QStringLiteral("accepted a body Qt rejects (%1 at %2)").arg(c.qtError).arg(error.offset);
        return c;
    }
    if (c.fastRows.size() != c.qtRows.size()) {
        c.diff = QStringLiteral("%1 rows, Qt %2").arg(c.fastRows.size()).arg(c.qtRows.size());
        return c;
    }
    for (qsizetype i = 0; i < c.qtRows.size() && c.diff.isEmpty(); ++i) {
        const QString d = rowDiff(body, c.fastRows.at(i), c.qtRows.at(i));
        if (!d.isEmpty())
            c.diff = QStringLiteral("row %1 (%2): %3").arg(i).arg(c.qtRows.at(i).id, d);
    }
    return c;
}

// Empty when the index decoding (fast) says what Qt's full decoding says: every field the
// same, the result a prefix of Qt's compact JSON long enough for the same preview.
QString parsedDiff(const Parsed &fast, const Parsed &qt)
{
    QStringList out;
    if (fast.kind != qt.kind)
        out << QStringLiteral("kind: fast %1, Qt %2").arg(int(fast.kind)).arg(int(qt.kind));
    out << textDiff("reason", fast.reason, qt.reason) << textDiff("docId", fast.docId, qt.docId)
        << textDiff("rev", fast.rev, qt.rev) << textDiff("groupId", fast.groupId, qt.groupId);
    if (fast.extended != qt.extended)
        out << QStringLiteral("extended: fast %1, Qt %2").arg(fast.extended).arg(qt.extended);
    if (fast.groupDateDone != qt.groupDateDone)
        out << QStringLiteral("group date_done differs");
    const TaskResult &a = fast.task;
    const TaskResult &b = qt.task;
    out << textDiff("task_id", a.taskId, b.taskId) << textDiff("status", a.status, b.status)
        << textDiff("name", a.taskName, b.taskName) << textDiff("periodic", a.periodicTaskName, b.periodicTaskName)
        << textDiff("worker", a.worker, b.worker) << textDiff("args", a.args, b.args)
        << textDiff("kwargs", a.kwargs, b.kwargs) << textDiff("traceback", a.traceback, b.traceback)
        << textDiff("content type", a.contentType, b.contentType)
        << textDiff("content encoding", a.contentEncoding, b.contentEncoding)
        << textDiff("group_id", a.groupId, b.groupId) << textDiff("parent_id", a.parentId, b.parentId)
        << textDiff("queue", a.queue, b.queue);
    if (a.dateDone != b.dateDone || a.dateDone.isValid() != b.dateDone.isValid())
        out << QStringLiteral("date_done: fast %1, Qt %2")
                   .arg(a.dateDone.toString(Qt::ISODateWithMs), b.dateDone.toString(Qt::ISODateWithMs));
    if (a.dateCreated != b.dateCreated || a.dateStarted != b.dateStarted)
        out << QStringLiteral("date_created/date_started differ");
    if (a.retries != b.retries)
        out << QStringLiteral("retries: fast %1, Qt %2").arg(a.retries).arg(b.retries);
    if (a.hidden != b.hidden || a.rowId != b.rowId)
        out << QStringLiteral("hidden/rowId differ");
    if (a.problems != b.problems)
        out << QStringLiteral("problems: fast [%1], Qt [%2]")
                   .arg(a.problems.join(QLatin1String(" | ")), b.problems.join(QLatin1String(" | ")));
    if (qt.kind == Parsed::Kind::Task) {
        if (a.complete)
            out << QStringLiteral("an index row claims to be complete");
        const bool same = b.result.size() < prefixChars ? a.result == b.result
                                                          : a.result.size() >= prefixChars && b.result.startsWith(a.result);
        if (!same || a.result.isNull())
            out << QStringLiteral("result: fast '%1', Qt '%2'").arg(a.result.left(300), b.result.left(300));
    }
    out.removeAll(QString());
    return out.join(QLatin1String("; "));
}

// One document the way the loader reads it (from a page row, Detail::Index) against Qt's
// full decoding of the same document object.
QString docDiff(const QByteArray &body, const Row &row, const QJsonObject &doc)
{
    QByteArray scratch;
    const Parsed fast = CouchDocument::parseParts(
        row.docId, row.rev, row.valueKind,
        row.valueKind == ValueKind::String ? CouchPage::valueText(body, row, scratch) : QByteArray(), QString(),
        Detail::Index);
    return parsedDiff(fast, CouchDocument::parse(doc));
}

// A meta text given directly: Detail::Index against Detail::Full (the DOM).
QString metaDiff(const QByteArray &meta, const QString &docId = QStringLiteral("celery-task-meta-t"))
{
    const QString rev = QStringLiteral("1-a");
    return parsedDiff(CouchDocument::parseParts(docId, rev, ValueKind::String, meta, QString(), Detail::Index),
                      CouchDocument::parseParts(docId, rev, ValueKind::String, meta, QString(), Detail::Full));
}

// A JSON string as Python's json.dumps writes it (ASCII only, \uXXXX for the rest).
QByteArray asciiJsonString(const QString &text)
{
    QByteArray out = "\"";
    for (const QChar c : text) {
        const char16_t u = c.unicode();
        if (u == u'"' || u == u'\\') {
            out += '\\';
            out += char(u);
        } else if (u >= 0x20 && u < 0x7f) {
            out += char(u);
        } else {
            out += "\\u" + QByteArray::number(u, 16).rightJustified(4, '0');
        }
    }
    return out + '"';
}

QByteArray celeryDoc(const QByteArray &meta, const QString &id = QStringLiteral("celery-task-meta-t"))
{
    return "{\"_id\": " + asciiJsonString(id) + ", \"_rev\": \"1-a\", \"value\": "
        + asciiJsonString(QString::fromUtf8(meta)) + '}';
}

// The page forms a meta travels in: Qt's compact and indented writing (raw UTF-8) and
// Python's ASCII-escaped one.
QList<QByteArray> pagesOfMeta(const QByteArray &meta)
{
    const QJsonObject doc{{QStringLiteral("_id"), QStringLiteral("celery-task-meta-t")},
                          {QStringLiteral("_rev"), QStringLiteral("1-a")},
                          {QStringLiteral("value"), QString::fromUtf8(meta)}};
    const QJsonObject page{
        {QStringLiteral("total_rows"), 1},
        {QStringLiteral("rows"),
         QJsonArray{QJsonObject{{QStringLiteral("id"), QStringLiteral("celery-task-meta-t")}, {QStringLiteral("doc"), doc}}}}};
    return {QJsonDocument(page).toJson(QJsonDocument::Compact), QJsonDocument(page).toJson(QJsonDocument::Indented),
            "{\"total_rows\": 1, \"offset\": 0, \"rows\": [{\"id\": \"celery-task-meta-t\", \"doc\": " + celeryDoc(meta)
                + "}]}"};
}

// Every check one meta gets: directly, and in each page form as the loader reads it.
QString metaEverywhereDiff(const QByteArray &meta)
{
    QString d = metaDiff(meta);
    if (!d.isEmpty())
        return QStringLiteral("meta: ") + d;
    for (const QByteArray &body : pagesOfMeta(meta)) {
        const PageCheck page = checkPage(body);
        if (!page.diff.isEmpty())
            return QStringLiteral("page %1: %2").arg(show(body), page.diff);
        if (!page.fastOk)
            return QStringLiteral("page declined: %1").arg(show(body));
        const QJsonObject doc = QJsonDocument::fromJson(body)
                                    .object()
                                    .value(QLatin1String("rows"))
                                    .toArray()
                                    .at(0)
                                    .toObject()
                                    .value(QLatin1String("doc"))
                                    .toObject();
        d = docDiff(body, page.fastRows.at(0), doc);
        if (!d.isEmpty())
            return QStringLiteral("document in page %1: %2").arg(show(body), d);
    }
    return QString();
}

// Every document of a page the loader's way (fast rows when accepted, else Qt's) against
// Qt's full decoding. Returns the number of documents compared.
int compareDocuments(const QByteArray &body, QString *diff)
{
    QVector<Row> rows;
    const bool fast = CouchPage::parseAllDocs(body, &rows);
    const QJsonArray qtRows = QJsonDocument::fromJson(body).object().value(QLatin1String("rows")).toArray();
    if (!fast)
        rows = CouchPage::rowsFromJson(QJsonDocument::fromJson(body).object());
    int compared = 0;
    for (qsizetype i = 0; i < rows.size(); ++i) {
        if (!rows.at(i).hasDoc)
            continue;
        const QString d = docDiff(fast ? body : QByteArray(), rows.at(i),
                                  qtRows.at(i).toObject().value(QLatin1String("doc")).toObject());
        ++compared;
        if (!d.isEmpty()) {
            *diff = rows.at(i).docId + QLatin1String(": ") + d;
            return compared;
        }
    }
    return compared;
}

// The page and its documents (whichever reader gave the rows) against Qt, and the fast
// reader's verdict against the expected one.
QString pageAndDocumentsDiff(const QByteArray &body, Fast fast)
{
    const PageCheck page = checkPage(body);
    if (!page.diff.isEmpty())
        return page.diff;
    if (fast == Fast::Decodes && !page.fastOk)
        return QStringLiteral("declined a page it reads");
    if (fast == Fast::Declines && page.fastOk)
        return QStringLiteral("accepted a page it must leave to Qt");
    QString diff;
    compareDocuments(body, &diff); // a body Qt rejects has none: Qt's error is reported
    return diff;
}

QByteArray nested(int depth, const QByteArray &inner = "1")
{
    return QByteArray(depth, '[') + inner + QByteArray(depth, ']');
}

QByteArray taskMeta(const QByteArray &result)
{
    return R"({"status": "SUCCESS", "result": )" + result + R"(, "task_id": "t"})";
}

} // namespace

class TestCouchPage : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void shouldReadRealCeleryPagesLikeQt_data();
    void shouldReadRealCeleryPagesLikeQt();
    void shouldDecodeRealCeleryDocumentsLikeQt();
    void shouldReadTheLiveFixtureDatabaseLikeQt();
    void shouldDecodeEveryFieldTypeAndStatusLikeQt_data();
    void shouldDecodeEveryFieldTypeAndStatusLikeQt();
    void shouldCutLongResultsWhereQtDoes_data();
    void shouldCutLongResultsWhereQtDoes();
    void shouldReadStringsInPagesLikeQt_data();
    void shouldReadStringsInPagesLikeQt();
    void shouldDecodeEscapesInMetasLikeQt_data();
    void shouldDecodeEscapesInMetasLikeQt();
    void shouldKeepTheLastOfDuplicateKeysLikeQt_data();
    void shouldKeepTheLastOfDuplicateKeysLikeQt();
    void shouldHandleDeepNestingLikeQt_data();
    void shouldHandleDeepNestingLikeQt();
    void shouldKeepLongArgumentsWholeWhereQtOrdersTheKeys_data();
    void shouldKeepLongArgumentsWholeWhereQtOrdersTheKeys();
    void shouldWriteNumbersLikeQt_data();
    void shouldWriteNumbersLikeQt();
    void shouldTreatOddAndBrokenPagesLikeQt_data();
    void shouldTreatOddAndBrokenPagesLikeQt();
    void shouldDeclineEveryTruncationQtRejects_data();
    void shouldDeclineEveryTruncationQtRejects();
    void shouldReportEveryTruncatedMetaLikeQt();
};

// --- Real documents -----------------------------------------------------------------------

void TestCouchPage::shouldReadRealCeleryPagesLikeQt_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("rows");
    const QJsonObject page = QJsonDocument::fromJson(fixturePage).object();
    QTest::newRow("fixture page as the server sent it") << fixturePage << 29;
    QTest::newRow("fixture page indented") << QJsonDocument(page).toJson(QJsonDocument::Indented) << 29;
    // keys only (the loader's listing outside Celery's key ranges): rows without "doc".
    QJsonArray keysOnly;
    for (const QJsonValue &v : page.value(QLatin1String("rows")).toArray()) {
        QJsonObject row = v.toObject();
        row.remove(QLatin1String("doc"));
        keysOnly.append(row);
    }
    QJsonObject keys = page;
    keys.insert(QLatin1String("rows"), keysOnly);
    QTest::newRow("fixture page keys only") << QJsonDocument(keys).toJson(QJsonDocument::Compact) << 29;
    // The last page of a range: fewer rows, then none.
    QJsonObject last = page;
    last.insert(QLatin1String("rows"), QJsonArray{page.value(QLatin1String("rows")).toArray().last()});
    QTest::newRow("one row") << QJsonDocument(last).toJson(QJsonDocument::Compact) << 1;
    QTest::newRow("no rows") << QByteArray(R"({"total_rows":29,"offset":29,"rows":[]})") << 0;
}

void TestCouchPage::shouldReadRealCeleryPagesLikeQt()
{
    QFETCH(QByteArray, body);
    QFETCH(int, rows);
    const PageCheck page = checkPage(body);
    QVERIFY2(page.fastOk, "the fast reader declined a page of real documents");
    QVERIFY2(page.diff.isEmpty(), qPrintable(page.diff));
    QCOMPARE(page.fastRows.size(), rows);
}

void TestCouchPage::shouldDecodeRealCeleryDocumentsLikeQt()
{
    QString diff;
    QCOMPARE(compareDocuments(fixturePage, &diff), 29);
    QVERIFY2(diff.isEmpty(), qPrintable(diff));
    // The metas themselves in every page form (Qt's raw UTF-8 and Python's escapes), and
    // with the page reader out of the way.
    const QJsonArray rows = QJsonDocument::fromJson(fixturePage).object().value(QLatin1String("rows")).toArray();
    int tasks = 0;
    for (const QJsonValue &row : rows) {
        const QJsonObject doc = row.toObject().value(QLatin1String("doc")).toObject();
        if (!doc.value(QLatin1String("value")).isString())
            continue;
        const QByteArray meta = doc.value(QLatin1String("value")).toString().toUtf8();
        const QString d = metaEverywhereDiff(meta);
        QVERIFY2(d.isEmpty(), qPrintable(doc.value(QLatin1String("_id")).toString() + QLatin1String(": ") + d));
        tasks += CouchDocument::parse(doc).kind == Parsed::Kind::Task ? 1 : 0;
    }
    QCOMPARE(tasks, 20); // make_couch_fixtures.py: 20 Celery results
}

void TestCouchPage::shouldReadTheLiveFixtureDatabaseLikeQt()
{
    // Without a server, the copied page above is still checked.
    STALK_SERVER_URL(url, "STALK_COUCH_URL", "tools/couchdb/with_couchdb.sh");
    const Outcome<CouchConfig> config = CouchConfig::fromUrl(StoreUrl::parse(url).value());
    QVERIFY2(config.ok(), qPrintable(config.error().message));
    const QString db = qEnvironmentVariable("STALK_COUCH_DB", QStringLiteral("stalk"));
    CouchClient client(*config);
    QEventLoop loop;
    CouchReply reply;
    bool decoded = false;
    client.get(
        QLatin1Char('/') + db + QStringLiteral("/_all_docs"), {{QStringLiteral("include_docs"), QStringLiteral("true")}},
        [&decoded](const QByteArray &body) {
            QVector<Row> rows;
            return decoded = CouchPage::parseAllDocs(body, &rows);
        },
        [&](const CouchReply &r) {
            reply = r;
            loop.quit();
        });
    loop.exec();
    QVERIFY2(reply.ok(), qPrintable(reply.error.message));
    QVERIFY2(decoded, "the fast reader declined the live page");
    const PageCheck page = checkPage(reply.body);
    QVERIFY2(page.diff.isEmpty(), qPrintable(page.diff));
    QVERIFY(page.fastRows.size() > 20);
    QString diff;
    QCOMPARE(compareDocuments(reply.body, &diff), page.fastRows.size());
    QVERIFY2(diff.isEmpty(), qPrintable(diff));
}

// --- Generated metas ------------------------------------------------------------------------

void TestCouchPage::shouldDecodeEveryFieldTypeAndStatusLikeQt_data()
{
    QTest::addColumn<QByteArray>("meta");
    // A Celery 5.2 extended meta; each field in turn missing or of every JSON type.
    const QList<QPair<QByteArray, QByteArray>> base = {
        {"status", R"("SUCCESS")"},
        {"result", R"({"sum": 3, "items": ["a", "b"]})"},
        {"traceback", "null"},
        {"children", "[]"},
        {"date_done", R"("2025-01-04T10:07:00.123456")"},
        {"group_id", R"("db819660-0a9d-48d4-a71f-f47e664df226")"},
        {"parent_id", R"("85e64ee6-ebeb-44b6-9a47-bf561d0144b6")"},
        {"name", R"("stalk_couch_tasks.add")"},
        {"args", "[1, 2]"},
        {"kwargs", R"({"z": 1, "a": "x"})"},
        {"worker", R"("alpha@stalk")"},
        {"retries", "0"},
        {"queue", R"("celery")"},
        {"task_id", R"("t")"},
    };
    auto metaWith = [&base](const QByteArray &field, const QByteArray *value) {
        QByteArrayList members;
        for (const auto &m : base) {
            if (m.first != field)
                members << '"' + m.first + "\": " + m.second;
            else if (value)
                members << '"' + m.first + "\": " + *value;
        }
        return '{' + members.join(", ") + '}';
    };
    const QByteArrayList values = {"null", "true", "false", "0", "7", "-3", "2.5", "1e3", R"("")", R"("text")",
                                   R"("Zo\u00eb \ud83d\ude00")", "[]", R"([1, "a", null])", "{}",
                                   R"({"b": 1, "a": [2]})"};
    for (const auto &m : base) {
        QTest::addRow("%s missing", m.first.constData()) << metaWith(m.first, nullptr);
        for (const QByteArray &v : values)
            QTest::addRow("%s = %s", m.first.constData(), v.constData()) << metaWith(m.first, &v);
    }
    for (const char *status : {"PENDING", "RECEIVED", "STARTED", "SUCCESS", "FAILURE", "RETRY", "REVOKED", "PROGRESS",
                               "custom state", "\\u00e9tat", ""}) {
        const QByteArray v = '"' + QByteArray(status) + '"';
        QTest::addRow("status '%s'", status) << metaWith("status", &v);
    }
    const QStringList dates = {
        "2025-01-01T10:00:00", "2025-01-01T10:00:00.1", "2025-01-01T10:00:00.12", "2025-01-01T10:00:00.123",
        "2025-01-01T10:00:00.1239", "2025-01-01T10:00:00.123456789", "2025-01-01T10:00:00.1234567890",
        "2025-01-01T10:00:00.", "2025-02-30T10:00:00", "2025-01-01T24:00:00", "2025-01-01T23:60:00",
        "2025-01-01T23:59:60", "2025-01-01 10:00:00", "2025-01-01t10:00:00", "2025-01-01T10:00:00Z",
        "2025-01-01T10:00:00+01:00", "2025-01-20T12:42:00+02:00", "2025-01-01T10:00", "2025-01-01",
        "0000-01-01T00:00:00", "9999-12-31T23:59:59.999999", "2024-02-29T12:00:00.5", "2025-1-01T10:00:00",
        "x025-01-01T10:00:00", " 2025-01-01T10:00:00", "2025-01-01T10:00:00 ", "",
    };
    for (const QString &d : dates) {
        const QByteArray v = '"' + d.toUtf8() + '"';
        QTest::addRow("date_done '%s'", qPrintable(d)) << metaWith("date_done", &v);
    }
    for (const char *r : {"1", "12", "123456789", "1234567890", "12345678901", "-1", "1.5", "1e2", "0.0", "\"3\""}) {
        const QByteArray v(r);
        QTest::addRow("retries %s", r) << metaWith("retries", &v);
    }
    // As Celery writes them (tst_couchdocument's samples and the fixture writer's forms).
    QTest::newRow("failure with traceback")
        << QByteArray(R"({"status": "FAILURE", "result": {"exc_type": "ValueError", "exc_message": ["Zo\u00eb failed \u2639"], "exc_module": "builtins"}, "traceback": "Traceback (most recent call last):\n  File \"/usr/lib/python3/dist-packages/celery/app/trace.py\", line 451, in trace_task\n    R = retval = fun(*args, **kwargs)\nValueError: Zo\u00eb failed \u2639\n", "children": [], "date_done": "2025-01-20T12:42:00+02:00", "name": "stalk_couch_tasks.fail", "args": ["Zo\u00eb failed \u2639"], "kwargs": {}, "worker": "alpha@stalk", "retries": 0, "queue": "celery", "task_id": "78a71a3b-d2a0-495e-9f31-eeb6088360c7"})");
    QTest::newRow("plain started") << QByteArray(R"({"status": "STARTED", "result": {"pid": 4242, "hostname": "alpha@stalk"}, "traceback": null, "children": [], "date_done": null, "task_id": "t"})");
    QTest::newRow("task id differs from the key") << QByteArray(R"({"status": "SUCCESS", "task_id": "other"})");
    QTest::newRow("empty task id") << QByteArray(R"({"status": "SUCCESS", "task_id": ""})");
    QTest::newRow("only a status") << QByteArray(R"({"status": "SUCCESS"})");
    QTest::newRow("empty object") << QByteArray("{}");
    QTest::newRow("no status") << QByteArray(R"({"result": 1})");
    QTest::newRow("status a number") << QByteArray(R"({"status": 5})");
    QTest::newRow("an array") << QByteArray("[1]");
    QTest::newRow("a number") << QByteArray("5");
    QTest::newRow("a string") << QByteArray(R"("x")");
    QTest::newRow("empty text") << QByteArray("");
    QTest::newRow("trailing text") << QByteArray(R"({"status": "SUCCESS"} x)");
    QTest::newRow("two objects") << QByteArray(R"({"status": "SUCCESS"} {})");
    QTest::newRow("spaces everywhere") << QByteArray(" \n{ \"status\" :\t\"SUCCESS\" , \"result\" : [ 1 , { } , [ ] ] }\r\n ");
    QTest::newRow("not JSON") << QByteArray("{status: SUCCESS}");
    QTest::newRow("python repr") << QByteArray("{'status': 'SUCCESS'}");
}

void TestCouchPage::shouldDecodeEveryFieldTypeAndStatusLikeQt()
{
    QFETCH(QByteArray, meta);
    const QString d = metaEverywhereDiff(meta);
    QVERIFY2(d.isEmpty(), qPrintable(d));
}

void TestCouchPage::shouldCutLongResultsWhereQtDoes_data()
{
    QTest::addColumn<uint>("seed");
    for (uint seed = 1; seed <= 8; ++seed)
        QTest::addRow("seed %u", seed) << seed;
}

void TestCouchPage::shouldCutLongResultsWhereQtDoes()
{
    // Results around the preview's 200 characters, multi-byte characters and escapes at
    // every place, nested members to cut between: the index keeps a prefix of Qt's compact
    // JSON long enough for the same preview.
    QFETCH(uint, seed);
    std::mt19937 rng(seed);
    const QByteArrayList pieces = {R"("a")", "12", R"("\u00e9\u00e9")", R"("\ud83d\ude00")", R"({"k": "v", "a": [1, 2]})",
                                   R"("\u4e2d\u6587")", "1.25", R"(["x", {"z": 1, "y": 2}])", R"("tab\t")", "-7", "true",
                                   R"("caf)" "\xc3\xa9" R"(")", "null", R"({"\u00e9": 1, "e": 2})"};
    int longOnes = 0;
    for (int n = 0; n < 400; ++n) {
        QByteArrayList items;
        const int count = 1 + int(rng() % 80);
        for (int k = 0; k < count; ++k)
            items << pieces.at(int(rng() % pieces.size()));
        const QByteArray array = '[' + items.join(", ") + ']';
        const QByteArray result = rng() % 2 ? array : R"({"items": )" + array + R"(, "ok": true, "aa": )" + array + '}';
        QByteArray text;
        const int length = 150 + int(rng() % 120);
        for (int k = 0; k < length; ++k)
            text += rng() % 7 == 0 ? "\\u00e9" : rng() % 11 == 0 ? "\\ud83d\\ude00" : rng() % 13 == 0 ? "\\\"" : "x";
        for (const QByteArray &meta : {taskMeta(result), taskMeta("[\"" + text + "\"]"), taskMeta('"' + text + '"')}) {
            const QString d = metaEverywhereDiff(meta);
            QVERIFY2(d.isEmpty(), qPrintable(QStringLiteral("%1\n  in %2").arg(d, show(meta))));
            longOnes += CouchDocument::parse(celeryDoc(meta)).task.result.size() >= prefixChars ? 1 : 0;
        }
    }
    QVERIFY2(longOnes > 400, "the generator should mostly write results longer than the preview");
}

// --- Strings, escapes, Unicode ------------------------------------------------------------------

void TestCouchPage::shouldReadStringsInPagesLikeQt_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<Fast>("fast");
    // The inside of a JSON string (between the quotes), as bytes on the wire.
    const QList<std::tuple<const char *, QByteArray, Fast>> strings = {
        {"plain", "celery-task-meta-a", Fast::Decodes},
        {"empty", "", Fast::Decodes},
        {"escaped e-acute", "caf\\u00e9", Fast::Decodes},
        {"upper-case hex", "caf\\u00E9 \\u00C9", Fast::Decodes},
        {"surrogate pair", "\\ud83d\\ude00", Fast::Decodes},
        {"upper-case surrogate pair", "\\uD83D\\uDE00", Fast::Decodes},
        {"every short escape", "\\\" \\\\ \\/ \\b \\f \\n \\r \\t", Fast::Decodes},
        {"escaped NUL", "a\\u0000b", Fast::Decodes},
        {"escaped controls", "\\u0001\\u001f\\u007f", Fast::Decodes},
        {"raw DEL", "a\x7f" "b", Fast::Decodes},
        {"raw two-byte UTF-8", "caf\xc3\xa9", Fast::Decodes},
        {"raw three-byte UTF-8", "\xe4\xb8\xad\xe6\x96\x87 \xe2\x80\xa8", Fast::Decodes},
        {"raw four-byte UTF-8", "\xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf", Fast::Decodes},
        {"escaped U+2028 and U+FFFF", "\\u2028\\uffff", Fast::Decodes},
        {"backslash runs before a quote", "a\\\\\\\\\\\"b\\\\", Fast::Decodes},
        {"long plain run", QByteArray(300, 'x') + "\\n" + QByteArray(13, 'y'), Fast::Decodes},
        {"lone high surrogate", "\\ud800", Fast::Declines},
        {"lone high surrogate then text", "\\ud83dx", Fast::Declines},
        {"lone low surrogate", "\\ude00", Fast::Declines},
        {"reversed pair", "\\ude00\\ud83d", Fast::Declines},
        {"high surrogate then a non-surrogate escape", "\\ud83d\\u0041", Fast::Declines},
        {"two high surrogates", "\\ud83d\\ud83d", Fast::Declines},
        {"raw control character", "a\x01" "b", Fast::Declines},
        {"raw tab", "a\tb", Fast::Declines},
        {"raw newline", "a\nb", Fast::Declines},
        {"unknown escape", "a\\qb", Fast::Declines},
        {"short unicode escape", "\\u12", Fast::Declines},
        {"bad hex digits", "\\uzzzz", Fast::Declines},
        {"backslash at the end", "a\\", Fast::Declines},
        {"overlong NUL", "\xc0\x80", Fast::Declines},
        {"overlong slash", "\xe0\x80\xaf", Fast::Declines},
        {"encoded surrogate", "\xed\xa0\x80", Fast::Declines},
        {"beyond U+10FFFF", "\xf4\x90\x80\x80", Fast::Declines},
        {"byte F5", "\xf5\x80\x80\x80", Fast::Declines},
        {"stray continuation byte", "a\x80" "b", Fast::Declines},
        {"cut two-byte sequence", "caf\xc3", Fast::Declines},
        {"cut four-byte sequence", "\xf0\x9f\x98", Fast::Declines},
        {"byte FF", "\xff", Fast::Declines},
    };
    const QByteArray meta = asciiJsonString(QStringLiteral(R"({"status": "SUCCESS", "task_id": "a"})"));
    for (const auto &[name, s, fast] : strings) {
        const QByteArray q = '"' + s + '"';
        QTest::addRow("%s in id", name) << R"({"rows":[{"id":)" + q + "}]}" << fast;
        QTest::addRow("%s in _id", name) << R"({"rows":[{"id":"a","doc":{"_id":)" + q + R"(,"value":)" + meta + "}}]}" << fast;
        QTest::addRow("%s in _rev", name) << R"({"rows":[{"id":"a","doc":{"_id":"celery-task-meta-a","_rev":)" + q + "}}]}" << fast;
        QTest::addRow("%s in value", name) << R"({"rows":[{"id":"a","doc":{"_id":"celery-task-meta-a","value":)" + q + "}}]}" << fast;
        QTest::addRow("%s in a skipped key", name) << R"({"rows":[{"id":"a",)" + q + R"(:1,"doc":{)" + q + ":2}}]," + q + ":3}" << fast;
        QTest::addRow("%s in a skipped value", name) << R"({"rows":[{"id":"a","key":[)" + q + R"(],"doc":{"x":)" + q + "}}]}" << fast;
    }
}

void TestCouchPage::shouldReadStringsInPagesLikeQt()
{
    QFETCH(QByteArray, body);
    QFETCH(Fast, fast);
    const QString d = pageAndDocumentsDiff(body, fast);
    QVERIFY2(d.isEmpty(), qPrintable(d));
}

void TestCouchPage::shouldDecodeEscapesInMetasLikeQt_data()
{
    QTest::addColumn<QByteArray>("meta");
    QTest::newRow("every escape in a result")
        << taskMeta(R"("Zo\u00eb \ud83d\ude00 tab\t nl\n quote\" bs\\ ctl\u0001 del\u007f slash\/ nul\u0000 \u2028")");
    QTest::newRow("escapes in args and kwargs")
        << QByteArray(R"({"status": "SUCCESS", "args": ["a\"b", "\u00e9"], "kwargs": {"k\u00e9y": "v\\", "\u0061": 1}})");
    QTest::newRow("raw UTF-8") << QByteArray(R"({"status": "SUCCESS", "result": ")" "caf\xc3\xa9 \xf0\x9f\x98\x80" R"(", "name": ")" "t\xc3\xa2" "che\"}");
    QTest::newRow("escaped status") << QByteArray(R"({"status": "SUC\u0043ESS", "task_id": "t"})");
    QTest::newRow("escaped task id matching the key") << QByteArray(R"({"status": "SUCCESS", "task_id": "\u0074"})");
    QTest::newRow("escaped keys") << QByteArray(R"({"st\u0061tus": "SUCCESS", "\u0072esult": 5, "t\u0061sk_id": "t"})");
    QTest::newRow("escaped key equal to a plain one") << taskMeta(R"({"\u0061": 1, "b": 2, "a": 3})");
    QTest::newRow("non-ASCII keys") << taskMeta(R"({"\u00e9": 1, "e": 2, "f": 3, "\ud83d\ude00": 4})");
    QTest::newRow("keys Qt orders") << taskMeta(R"({"B": 1, "a": 2, "_": 3, "A": 4, "aa": 5, "": 6, "~": 7})");
    QTest::newRow("control characters Qt escapes") << taskMeta(R"(["\u0000", "\u001f", "\u007f", "\b\f", "\u0080"])");
    QTest::newRow("escaped traceback and worker")
        << QByteArray(R"({"status": "FAILURE", "traceback": "line\n\t\"x\"", "worker": "w\u00e9@h", "queue": "q\/1"})");
    QTest::newRow("lone surrogate in a result") << taskMeta(R"("\ud800")");
    QTest::newRow("lone surrogate in the status") << QByteArray(R"({"status": "\udc00"})");
    QTest::newRow("lone surrogate in a key") << taskMeta(R"({"\ud800": 1})");
    QTest::newRow("raw control character in a result") << taskMeta("\"a\x01" "b\"");
    QTest::newRow("raw newline in the traceback") << QByteArray("{\"status\": \"FAILURE\", \"traceback\": \"a\nb\"}");
    QTest::newRow("bad escape") << taskMeta(R"("\q")");
    QTest::newRow("escaped date") << QByteArray(R"({"status": "SUCCESS", "date_done": "2025\u002d01-01T10:00:00"})");
}

void TestCouchPage::shouldDecodeEscapesInMetasLikeQt()
{
    QFETCH(QByteArray, meta);
    QString d = metaDiff(meta);
    QVERIFY2(d.isEmpty(), qPrintable(d));
    // In a page too, unless it cannot travel in one (invalid UTF-8 does not survive QString).
    if (QString::fromUtf8(meta).toUtf8() == meta) {
        d = metaEverywhereDiff(meta);
        QVERIFY2(d.isEmpty(), qPrintable(d));
    }
}

// --- Duplicates, nesting, numbers ------------------------------------------------------------

void TestCouchPage::shouldKeepTheLastOfDuplicateKeysLikeQt_data()
{
    QTest::addColumn<QByteArray>("body");
    const QByteArray meta = asciiJsonString(QStringLiteral(R"({"status": "SUCCESS", "task_id": "a"})"));
    const QByteArray meta2 = asciiJsonString(QStringLiteral(R"({"status": "FAILURE", "task_id": "b"})"));
    QTest::newRow("rows twice") << QByteArray(R"({"rows":[{"id":"a"}],"rows":[{"id":"b"},{"id":"c"}]})");
    QTest::newRow("rows then not rows") << QByteArray(R"({"rows":[{"id":"a"}],"rows":5})");
    QTest::newRow("rows then empty rows") << QByteArray(R"({"rows":[{"id":"a"}],"rows":[]})");
    QTest::newRow("id twice") << QByteArray(R"({"rows":[{"id":"a","id":"b"}]})");
    QTest::newRow("id then not a string") << QByteArray(R"({"rows":[{"id":"a","id":5}]})");
    QTest::newRow("doc twice") << R"({"rows":[{"id":"a","doc":{"_id":"celery-task-meta-a","_rev":"1-x","value":)" + meta
            + R"(},"doc":{"_id":"celery-task-meta-b","value":)" + meta2 + "}}]}";
    QTest::newRow("doc then null") << R"({"rows":[{"id":"a","doc":{"_id":"celery-task-meta-a","value":)" + meta
            + R"(},"doc":null}]})";
    QTest::newRow("doc then empty") << R"({"rows":[{"id":"a","doc":{"_id":"celery-task-meta-a","value":)" + meta
            + R"(},"doc":{}}]})";
    QTest::newRow("null then doc") << R"({"rows":[{"id":"a","doc":null,"doc":{"_id":"celery-task-meta-a","value":)" + meta
            + "}}]}";
    QTest::newRow("_id and _rev twice") << R"({"rows":[{"id":"a","doc":{"_id":"x","_rev":"1","_id":"celery-task-meta-a","_rev":"2","value":)"
            + meta + "}}]}";
    QTest::newRow("_id then not a string") << R"({"rows":[{"id":"a","doc":{"_id":"celery-task-meta-a","_id":[1],"value":)"
            + meta + "}}]}";
    QTest::newRow("value twice") << R"({"rows":[{"id":"a","doc":{"_id":"celery-task-meta-a","value":)" + meta + R"(,"value":)"
            + meta2 + "}}]}";
    QTest::newRow("value then not a string") << R"({"rows":[{"id":"a","doc":{"_id":"celery-task-meta-a","value":)" + meta
            + R"(,"value":{"status":"SUCCESS"}}}]})";
    QTest::newRow("not a string then value") << R"({"rows":[{"id":"a","doc":{"_id":"celery-task-meta-a","value":7,"value":)"
            + meta + "}}]}";
    // In the meta (the inner JSON).
    for (const char *m : {R"({"status": "SUCCESS", "status": "FAILURE"})",
                          R"({"status": "SUCCESS", "result": 1, "result": {"b": 2}})",
                          R"({"status": "SUCCESS", "task_id": "x", "task_id": "a"})",
                          R"({"status": "SUCCESS", "result": {"a": 1, "a": 2}, "args": {"k": 1, "k": [2]}})",
                          R"({"status": "SUCCESS", "kwargs": {"z": {"y": 1, "y": 2}, "z": {"x": 3}}})",
                          R"({"status": "SUCCESS", "name": "a", "name": null, "worker": null, "worker": "w"})",
                          R"({"status": "SUCCESS", "date_done": "2025-01-01T00:00:00", "date_done": null})",
                          R"({"status": "SUCCESS", "retries": 3, "retries": "x"})",
                          R"({"status": "SUCCESS", "args": [1], "args": null})"}) {
        QTest::addRow("meta %s", m) << R"({"rows":[{"id":"a","doc":{"_id":"celery-task-meta-a","value":)"
                + asciiJsonString(QString::fromUtf8(m)) + "}}]}";
    }
}

void TestCouchPage::shouldKeepTheLastOfDuplicateKeysLikeQt()
{
    QFETCH(QByteArray, body);
    const PageCheck page = checkPage(body);
    QVERIFY2(page.fastOk, "declined duplicate keys");
    QVERIFY2(page.diff.isEmpty(), qPrintable(page.diff));
    QString diff;
    compareDocuments(body, &diff);
    QVERIFY2(diff.isEmpty(), qPrintable(diff));
    const QJsonArray rows = QJsonDocument::fromJson(body).object().value(QLatin1String("rows")).toArray();
    for (const QJsonValue &row : rows) {
        const QString meta = row.toObject().value(QLatin1String("doc")).toObject().value(QLatin1String("value")).toString();
        const QString d = metaDiff(meta.toUtf8(), QStringLiteral("celery-task-meta-a"));
        QVERIFY2(d.isEmpty(), qPrintable(d));
    }
}

void TestCouchPage::shouldHandleDeepNestingLikeQt_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<Fast>("fast");
    // Qt refuses more than 1024 levels; the fast reader leaves anything beyond 512 to Qt.
    for (int depth : {1, 100, 500, 509, 510, 511, 512, 513, 514, 600, 1022, 1023, 1024, 1025, 3000}) {
        const Fast fast = depth <= 500 ? Fast::Decodes : depth >= 600 ? Fast::Declines : Fast::Either;
        QTest::addRow("%d levels in a top member", depth) << R"({"x":)" + nested(depth) + R"(,"rows":[]})" << fast;
        QTest::addRow("%d levels in a row", depth) << R"({"rows":[{"id":"a","key":)" + nested(depth) + "}]}" << fast;
        QTest::addRow("%d levels as a row", depth) << R"({"rows":[)" + nested(depth) + "]}" << fast;
        QTest::addRow("%d levels in a doc", depth) << R"({"rows":[{"id":"a","doc":{"x":)" + nested(depth) + "}}]}" << fast;
        // In the meta, a page that itself is shallow: the page reader accepts it.
        QTest::addRow("%d levels in a result", depth)
            << R"({"rows":[{"id":"a","doc":{"_id":"celery-task-meta-a","value":)"
                   + asciiJsonString(QString::fromLatin1(taskMeta(nested(depth)))) + "}}]}"
            << Fast::Decodes;
        QTest::addRow("%d levels of objects in args", depth)
            << R"({"rows":[{"id":"a","doc":{"_id":"celery-task-meta-a","value":)"
                   + asciiJsonString(QString::fromLatin1(R"({"status": "SUCCESS", "args": )"
                                                         + nested(depth, R"({"a": {"b": 1}})") + '}'))
                   + "}}]}"
            << Fast::Decodes;
    }
}

void TestCouchPage::shouldHandleDeepNestingLikeQt()
{
    QFETCH(QByteArray, body);
    QFETCH(Fast, fast);
    const QString d = pageAndDocumentsDiff(body, fast);
    QVERIFY2(d.isEmpty(), qPrintable(d));
}

// Found by fuzz_couchdocument: an object the raw writer leaves to Qt (a non-ASCII or a
// duplicate key) was written only up to the result's preview length, in args/kwargs too.
void TestCouchPage::shouldKeepLongArgumentsWholeWhereQtOrdersTheKeys_data()
{
    QTest::addColumn<QByteArray>("meta");
    const QByteArray longText = '"' + QByteArray(300, 'x') + '"';
    QTest::newRow("kwargs with a non-ASCII key") << R"({"status": "SUCCESS", "kwargs": {"caf\u00e9": 1, "note": )" + longText + "}}";
    QTest::newRow("kwargs with a duplicate key") << R"({"status": "SUCCESS", "kwargs": {"a": 1, "a": 2, "note": )" + longText + "}}";
    QTest::newRow("args holding such an object") << R"({"status": "SUCCESS", "args": [1, {"\u00fc": )" + longText + "}, 2]}";
}

void TestCouchPage::shouldKeepLongArgumentsWholeWhereQtOrdersTheKeys()
{
    QFETCH(QByteArray, meta);
    const QString diff = metaDiff(meta);
    QVERIFY2(diff.isEmpty(), qPrintable(diff));
}

void TestCouchPage::shouldWriteNumbersLikeQt_data()
{
    QTest::addColumn<QByteArray>("meta");
    const QByteArrayList numbers = {
        "0", "-0", "1", "-5", "1.0", "-0.0", "100000.0", "1e5", "1E+2", "1e-2", "2.5e300", "1e400", "-1e400", "1.5e-7",
        "0.1", "3.141592653589793", "0.30000000000000004", "123456789012345678", "-123456789012345678",
        "999999999999999999", "1234567890123456789", "9007199254740993", "9223372036854775807",
        "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
        "123456789012345678901234567890", "4.9e-324", "2e-324", "1e-320", "1e-400", "1e99", "1e100", "1e308",
        "1.7976931348623157e308", "1.7976931348623159e308", "2e308", "1e0400", "1e0000000000000000000001",
        '1' + QByteArray(99, '0'), '1' + QByteArray(400, '0'), "0." + QByteArray(400, '0') + '1'};
    for (const QByteArray &n : numbers) {
        const QByteArray name = n.size() > 30 ? n.left(12) + "…(" + QByteArray::number(n.size()) + " chars)" : n;
        QTest::addRow("result %s", name.constData()) << taskMeta(n);
        QTest::addRow("in a list %s", name.constData()) << taskMeta("[" + n + ", {\"n\": " + n + "}]");
        QTest::addRow("args and kwargs %s", name.constData())
            << QByteArray(R"({"status": "SUCCESS", "args": [)" + n + R"(], "kwargs": {"n": )" + n + "}}");
        QTest::addRow("retries %s", name.constData()) << QByteArray(R"({"status": "SUCCESS", "retries": )" + n + "}");
        QTest::addRow("date_done %s", name.constData()) << QByteArray(R"({"status": "SUCCESS", "date_done": )" + n + "}");
        QTest::addRow("task_id %s", name.constData()) << QByteArray(R"({"status": "SUCCESS", "task_id": )" + n + "}");
    }
    for (const char *bad : {"01", "1.", ".5", "+1", "1e", "-", "0x10", "NaN", "Infinity", "1.5.2"})
        QTest::addRow("not a JSON number %s", bad) << taskMeta(bad);
}

void TestCouchPage::shouldWriteNumbersLikeQt()
{
    QFETCH(QByteArray, meta);
    const QString d = metaEverywhereDiff(meta);
    QVERIFY2(d.isEmpty(), qPrintable(d));
}

// --- Odd, broken and truncated pages -------------------------------------------------------

void TestCouchPage::shouldTreatOddAndBrokenPagesLikeQt_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("valid"); // for Qt
    QTest::addColumn<Fast>("fast");
    const QList<QPair<const char *, QByteArray>> valid = {
        {"empty rows", R"({"rows":[]})"},
        {"an array", "[]"},
        {"an array of rows", R"([{"id":"a"}])"},
        {"empty object", "{}"},
        {"rows not an array", R"({"rows":5})"},
        {"rows an object", R"({"rows":{"id":"a"}})"},
        {"rows of every kind", R"({"rows":[1, null, "x", [], {}, {"id": 5}, {"id":"x","doc":null}, {"id":"y","doc":{}}, {"id":"z","doc":[1]}]})"},
        {"value an object", R"({"rows":[{"id":"a","doc":{"_id":"celery-task-meta-a","value":{"x":1}}}]})"},
        {"value null", R"({"rows":[{"id":"a","doc":{"_id":"celery-task-meta-a","value":null}}]})"},
        {"no value", R"({"rows":[{"id":"a","doc":{"_id":"celery-task-meta-a"}}]})"},
        {"deleted document", R"({"rows":[{"id":"a","key":"a","value":{"rev":"2-x","deleted":true},"doc":null}]})"},
        {"numbers around", R"({"total_rows": 1.5e3, "offset": -0, "rows":[{"id":"a", "key": [true, false, null, 0.5, -1E-2]}]})"},
        {"spaces everywhere", " \r\n\t{ \"rows\" : [ { \"id\" : \"a\" , \"doc\" : { \"_id\" : \"b\" , \"value\" : \"{}\" } } ] } \n"},
        {"error answer", R"({"error":"not_found","reason":"missing"})"},
        {"large and small numbers", R"({"rows":[{"id":"a","key":[1e99, 4.5E-99, -1e+99, 0.5, 1e0000000001]}]})"},
    };
    for (const auto &[name, body] : valid)
        QTest::newRow(name) << body << true << Fast::Decodes;
    // Qt reads these; the fast reader is stricter and leaves them to it.
    QTest::newRow("number ending in a dot") << QByteArray(R"({"rows":[1.]})") << true << Fast::Declines;
    QTest::newRow("number with 101 digits") << QByteArray(R"({"rows":[{"id":"a","key":1)" + QByteArray(100, '0') + "}]}")
                                            << true << Fast::Declines;
    QTest::newRow("exponent of 100") << QByteArray(R"({"rows":[{"id":"a","key":1e100}]})") << true << Fast::Declines;
    QTest::newRow("lone surrogate") << QByteArray(R"({"rows":[{"id":"\ud800"}]})") << true << Fast::Declines;
    const QList<QPair<const char *, QByteArray>> broken = {
        {"empty", ""}, {"spaces", "   "}, {"a number", "5"}, {"a string", "\"s\""}, {"null", "null"},
        {"unclosed rows", R"({"rows":[{"id":"a"}])"}, {"unclosed row", R"({"rows":[{"id":"a"})"},
        {"trailing text", R"({"rows":[{"id":"a"}]} x)"}, {"two objects", "{}{}"},
        {"trailing comma in a row", R"({"rows":[{"id":"a",}]})"}, {"trailing comma in rows", R"({"rows":[{"id":"a"},]})"},
        {"lone comma", R"({"rows":[,]})"}, {"comma object", "{,}"}, {"missing colon", R"({"a" 1})"},
        {"missing comma", R"({"rows":[1 2]})"}, {"leading zero", R"({"rows":[01]})"},
        {"bare minus", R"({"rows":[-]})"}, {"bare exponent", R"({"rows":[1e]})"}, {"plus sign", R"({"rows":[+1]})"},
        {"cut literal", R"({"rows":[tru]})"}, {"wrong literal", R"({"rows":[nul]})"}, {"capital literal", R"({"rows":[True]})"},
        {"unquoted key", R"({rows:[]})"}, {"single quotes", R"({'rows':[]})"}, {"key not a string", R"({1:[]})"},
        {"unclosed string", R"({"rows":[{"id":"a}]})"}, {"NUL byte", QByteArray("{\"rows\":[]}\0", 12)},
        {"NUL in the middle", QByteArray("{\"rows\":\0[]}", 12)}, {"comment", R"({"rows":[] /* x */})"},
        {"letters after a number", R"({"rows":[1x]})"}, {"mismatched brackets", R"({"rows":[}])"},
        {"number beyond a double", R"({"rows":[{"id":"a","key":1e400}]})"},
        {"number below a double", R"({"total_rows":1e-400,"rows":[]})"},
        {"integer beyond a double", R"({"rows":[{"id":"a","key":1)" + QByteArray(400, '0') + "}]}"},
        {"just beyond the largest double", R"({"rows":[1.7976931348623159e308]})"},
    };
    for (const auto &[name, body] : broken)
        QTest::newRow(name) << body << false << Fast::Declines;
}

void TestCouchPage::shouldTreatOddAndBrokenPagesLikeQt()
{
    QFETCH(QByteArray, body);
    QFETCH(bool, valid);
    QFETCH(Fast, fast);
    const PageCheck page = checkPage(body);
    QVERIFY2(page.diff.isEmpty(), qPrintable(page.diff));
    QCOMPARE(page.qtOk, valid); // the row says what it is
    QCOMPARE(page.fastOk, fast == Fast::Decodes);
}

void TestCouchPage::shouldDeclineEveryTruncationQtRejects_data()
{
    QTest::addColumn<QByteArray>("body");
    // Some real rows (a design document, a failure with escapes, a group, a broken
    // document) and a generated one with every kind of string and number.
    const QJsonArray real = QJsonDocument::fromJson(fixturePage).object().value(QLatin1String("rows")).toArray();
    QJsonArray rows;
    for (const QJsonValue &row : real) {
        const QString id = row.toObject().value(QLatin1String("id")).toString();
        if (id == QLatin1String("_design/stalk") || id.startsWith(QLatin1String("celery-taskset-meta-"))
            || id == QLatin1String("celery-task-meta-number-value")
            || id == QLatin1String("celery-task-meta-673c4906-6464-4a1b-964f-aab7a9e9f5a6"))
            rows.append(row);
    }
    QVERIFY(rows.size() == 4);
    rows.append(QJsonObject{
        {QStringLiteral("id"), QStringLiteral("celery-task-meta-\u00e9\U0001F600")},
        {QStringLiteral("key"), QJsonArray{1.5e-7, -0.0, 123456789, true, false, QJsonValue()}},
        {QStringLiteral("doc"),
         QJsonObject{{QStringLiteral("_id"), QStringLiteral("celery-task-meta-\u00e9\U0001F600")},
                     {QStringLiteral("_rev"), QStringLiteral("1-\"q\"\\")},
                     {QStringLiteral("value"), QString::fromUtf8(taskMeta(R"(["tab\t", "\u00e9", 2.5, {"k": null}])"))}}}});
    const QJsonObject page{{QStringLiteral("total_rows"), 5}, {QStringLiteral("offset"), 0}, {QStringLiteral("rows"), rows}};
    QTest::newRow("compact") << QJsonDocument(page).toJson(QJsonDocument::Compact);
    QTest::newRow("indented") << QJsonDocument(page).toJson(QJsonDocument::Indented);
    QByteArray ascii = "{\"total_rows\": 1, \"rows\": [{\"id\": " + asciiJsonString(QStringLiteral("celery-task-meta-\u00e9\U0001F600"))
        + ", \"doc\": " + celeryDoc(taskMeta(R"(["\u00e9\ud83d\ude00", "a\"b"])"), QStringLiteral("celery-task-meta-\u00e9\U0001F600")) + "}]}";
    QTest::newRow("ascii-escaped") << ascii;
}

void TestCouchPage::shouldDeclineEveryTruncationQtRejects()
{
    // A body cut anywhere (a dropped connection the server did not report) must never be
    // read as a smaller page: declined wherever Qt rejects it, and the same rows where Qt
    // accepts it (the indented page stays JSON without its final newline).
    QFETCH(QByteArray, body);
    int accepted = 0;
    for (qsizetype n = 0; n <= body.size(); ++n) {
        const QByteArray cut = body.left(n);
        const PageCheck page = checkPage(cut);
        QVERIFY2(page.diff.isEmpty(), qPrintable(QStringLiteral("cut at %1: %2").arg(n).arg(page.diff)));
        QVERIFY2(page.fastOk == page.qtOk,
                 qPrintable(QStringLiteral("cut at %1 of %2: fast %3, Qt %4 (%5)")
                                .arg(n).arg(body.size()).arg(page.fastOk).arg(page.qtOk).arg(page.qtError)));
        accepted += page.fastOk ? 1 : 0;
    }
    QVERIFY(accepted >= 1); // at least the whole body
    QVERIFY(accepted <= 2);
    QString diff;
    QCOMPARE(compareDocuments(body, &diff), 5 - (body.startsWith("{\"total_rows\": 1,") ? 4 : 0));
    QVERIFY2(diff.isEmpty(), qPrintable(diff));
}

void TestCouchPage::shouldReportEveryTruncatedMetaLikeQt()
{
    // A meta cut anywhere: the index decoding declines it and words Qt's reason.
    const QByteArray meta = QJsonDocument::fromJson(fixturePage)
                                .object()
                                .value(QLatin1String("rows"))
                                .toArray()
                                .at(10)
                                .toObject()
                                .value(QLatin1String("doc"))
                                .toObject()
                                .value(QLatin1String("value"))
                                .toString()
                                .toUtf8();
    QVERIFY(meta.size() > 500);
    const QByteArray generated = R"({"status": "SUCCESS", "result": ["Zo)" "\xc3\xab" R"(", "\u00e9\ud83d\ude00", 1.5, -7, {"b": true, "a": null}], "retries": 2, "date_done": "2025-01-01T10:00:00.5", "args": [[]], "kwargs": {"k": "v"}, "task_id": "t"})";
    int tasks = 0;
    for (const QByteArray &whole : {meta, generated}) {
        const QString docId = whole == meta ? QJsonDocument::fromJson(fixturePage)
                                                  .object()
                                                  .value(QLatin1String("rows"))
                                                  .toArray()
                                                  .at(10)
                                                  .toObject()
                                                  .value(QLatin1String("id"))
                                                  .toString()
                                            : QStringLiteral("celery-task-meta-t");
        for (qsizetype n = 0; n <= whole.size(); ++n) {
            const QString d = metaDiff(whole.left(n), docId);
            QVERIFY2(d.isEmpty(), qPrintable(QStringLiteral("cut at %1: %2").arg(n).arg(d)));
        }
        tasks += CouchDocument::parse(celeryDoc(whole, docId)).kind == Parsed::Kind::Task ? 1 : 0;
    }
    QCOMPARE(tasks, 2);
}

QTEST_GUILESS_MAIN(TestCouchPage)
#include "tst_couchpage.moc"
