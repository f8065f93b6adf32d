// FileCacheStore over a Django FileBasedCache directory written by real Celery 5.2.6 workers
// through django-celery-results' CacheBackend (tools/servers/with_filecache.sh: one file
// md5(":1:celery-task-meta-<id>").djcache per result, plus two other Django cache entries). The
// expectations were computed by upstream's own code (AsyncResult(id).state,
// backend.get_task_meta) in tools/fixtures/redis/make_redis_fixtures.py, independently of Stalk;
// after Stalk deletes, Django's own cache.get() says what is left.
//
// Environment: STALK_FILECACHE_DIR (the written directory), STALK_FILECACHE_EXPECTATIONS. Every
// test works on its own copy of the directory.
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QMap>
#include <QProcess>
#include <QStandardPaths>
#include <QStringList>
#include <QTemporaryDir>
#include <QTest>

#include <unistd.h>

#include "filecachestore.h"
#include "storechecks.h"
#include "storeurl.h"
#include "testsupport.h"

namespace {

using TestSupport::jsonOfText;
using TestSupport::sorted;
using TestSupport::stringsOf;

/// Django configured with a FileBasedCache at sys.argv[1]; the snippet's own code follows.
const QString djangoPrelude = QStringLiteral(
    "import sys, json, datetime, hashlib, pickle, zlib, time\n"
    "import django\n"
    "from django.conf import settings\n"
    "settings.configure(CACHES={'default': {'BACKEND': 'django.core.cache.backends.filebased.FileBasedCache',"
    " 'LOCATION': sys.argv[1]}})\n"
    "django.setup()\n"
    "from django.core.cache import cache\n");

/// Runs /usr/bin/python3 with djangoPrelude + code on the directory (and more arguments): stdout.
QByteArray django(const QString &code, const QStringList &args)
{
    QProcess p;
    p.start(QStringLiteral("/usr/bin/python3"), QStringList{QStringLiteral("-c"), djangoPrelude + code} + args);
    if (!p.waitForFinished(60000) || p.exitCode() != 0) {
        qWarning() << p.readAllStandardError();
        return QByteArray("FAILED");
    }
    return p.readAllStandardOutput();
}

/// Runs a program without input: its exit code, stdout and stderr.
std::tuple<int, QString, QString> runProgram(const QString &program, const QStringList &args)
{
    QProcess p;
    p.start(program, args);
    p.closeWriteChannel();
    p.waitForFinished(60000);
    return std::make_tuple(p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError()));
}

QString keyOf(const QString &taskId)
{
    return QStringLiteral(":1:celery-task-meta-") + taskId;
}

} // namespace

class TestFileCacheStore : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void shouldDecodeDjangoCacheFiles();
    void shouldReadTheUrlForms_data();
    void shouldReadTheUrlForms();
    void shouldOpenTheDirectoryAndDescribeIt();
    void shouldReadEveryResultAsUpstreamDoes();
    void shouldListSavedGroupsAsUpstreamReadsThem();
    void shouldCountSearchAndFacetLikeUpstream();
    void shouldListAFilePastItsExpiryAsDjangoLeavesIt();
    void shouldDescribeDamagedAndHostileFilesWithoutRunningThem();
    void shouldSayWhatADirectoryWithoutCacheFilesIs();
    void shouldDeleteSelectedRowsOnly();
    void shouldPreviewAndPurgeExactlyTheExpired();
    void shouldKeepAFileRewrittenBetweenListingAndDeleting();
    void shouldAnswerTheCommandLine();
    void shouldPurgeFilesPastTheirDjangoExpiry();
    void shouldPurgeByCacheExpiryFromTheCommandLine();
    void shouldOpenReadOnlyOrRefuseForAnotherUser();

private:
    /// A fresh copy of the written directory; its file:/// URL.
    QString copy(QTemporaryDir &dir) const
    {
        const QDir from(m_dir);
        for (const QString &name : from.entryList(QDir::Files))
            QFile::copy(from.filePath(name), dir.filePath(name));
        return QStringLiteral("file://") + dir.path();
    }
    std::unique_ptr<ResultStore> openStore(const QString &url) const
    {
        const Outcome<StoreFactory> factory = makeStoreFactory(url);
        if (!factory) {
            qWarning() << factory.error().message;
            return nullptr;
        }
        std::unique_ptr<ResultStore> store = (*factory)();
        if (const StoreError e = store->open()) {
            qWarning() << e.message;
            return nullptr;
        }
        return store;
    }
    /// A store on a fresh copy in dir whose purge preview for criteria is `expired` (3 or more);
    /// null otherwise.
    std::unique_ptr<ResultStore> openToPurge(QTemporaryDir &dir, const PurgeCriteria &criteria, const QStringList &expired) const
    {
        auto store = openStore(copy(dir));
        if (!store || expired.size() < 3)
            return nullptr;
        const Outcome<PurgePreview> preview = store->previewPurge(criteria);
        if (!preview || preview->total != expired.size()) {
            qWarning() << "the preview is not upstream's" << (preview ? preview->total : -1) << expired.size();
            return nullptr;
        }
        return store;
    }
    QJsonArray celery() const { return m_set.value(QLatin1String("celery")).toArray(); }
    int total() const { return m_set.value(QLatin1String("counts")).toObject().value(QLatin1String("total")).toInt(); }
    QStringList expiredBefore(const QString &cutoff) const
    {
        for (const QJsonValue &v : m_set.value(QLatin1String("expired")).toArray()) {
            if (v.toObject().value(QLatin1String("cutoff")).toString() == cutoff)
                return stringsOf(v.toObject().value(QLatin1String("task_ids")).toArray());
        }
        return {};
    }
    /// What Django's own cache.get() finds in dir, per task id: true when it has the result.
    QMap<QString, bool> upstreamHas(const QString &dir) const
    {
        QStringList ids;
        for (const QJsonValue &v : celery())
            ids.append(v.toObject().value(QLatin1String("task_id")).toString());
        const QByteArray out = django(QStringLiteral("print(json.dumps({i: cache.get('celery-task-meta-' + i) is not None "
                                                     "for i in sys.argv[2:]}))"),
                                      QStringList{dir} + ids);
        QMap<QString, bool> has;
        const QJsonObject o = QJsonDocument::fromJson(out).object();
        for (auto it = o.begin(); it != o.end(); ++it)
            has.insert(it.key(), it.value().toBool());
        return has;
    }
    bool fileExists(const QString &dir, const QString &taskId) const
    {
        return QFile::exists(dir + u'/' + DjangoCacheFile::fileNameOf(keyOf(taskId)));
    }
    /// The task ids whose files are in dir, read without Stalk; sorted.
    QStringList storedIds(const QString &dir) const
    {
        QStringList ids;
        for (const QJsonValue &v : celery()) {
            const QString id = v.toObject().value(QLatin1String("task_id")).toString();
            if (fileExists(dir, id))
                ids.append(id);
        }
        return sorted(ids);
    }
    /// Django's own cache code on dir (tests/cacheexpiry_expected.py).
    static TestSupport::DjangoCacheTarget djangoCache(const QString &dir)
    {
        return {QStringLiteral(STALK_CACHEEXPIRY_EXPECTED), QStringLiteral(STALK_REDIS_TASKS_DIR), QStringLiteral("file"), dir,
                QString()};
    }

    QString m_dir;
    QJsonObject m_set;
};

void TestFileCacheStore::initTestCase()
{
    STALK_SERVER_URL(dir, "STALK_FILECACHE_DIR", "tools/servers/with_filecache.sh");
    m_dir = dir;
    m_set = TestSupport::jsonObjectOfFileIn("STALK_FILECACHE_EXPECTATIONS").value(QLatin1String("filecache")).toObject();
    QVERIFY2(total() > 10, "STALK_FILECACHE_EXPECTATIONS must name the fixture writer's JSON");
}

void TestFileCacheStore::shouldDecodeDjangoCacheFiles()
{
    // Django's own bytes: pickle.dumps(expiry, 5) + zlib.compress(pickle.dumps(value, 5)).
    const QByteArray written = django(QStringLiteral(
        "for expiry in (1767225600.5, None):\n"
        "    sys.stdout.write((pickle.dumps(expiry, 5) + zlib.compress(pickle.dumps({'status': 'SUCCESS'}, 5))).hex() + '\\n')\n"
        "print(hashlib.md5(b':1:celery-task-meta-abc').hexdigest())\n"), {m_dir});
    const QList<QByteArray> lines = written.trimmed().split('\n');
    QCOMPARE(lines.size(), 3);
    const QByteArray withExpiry = QByteArray::fromHex(lines.at(0));
    DjangoCacheFile::Decoded d = DjangoCacheFile::decode(withExpiry);
    QVERIFY2(d.ok, qPrintable(d.error));
    QCOMPARE(d.expires, QDateTime::fromMSecsSinceEpoch(1767225600500LL, Qt::UTC));
    QVERIFY(d.value.startsWith("\x80\x05"));
    d = DjangoCacheFile::decode(QByteArray::fromHex(lines.at(1)));
    QVERIFY(d.ok);
    QVERIFY(!d.expires.isValid()); // timeout=None: never
    d = DjangoCacheFile::decode(withExpiry.left(withExpiry.size() - 5));
    QVERIFY(!d.ok);
    QVERIFY2(d.error.contains(QLatin1String("cut short")), qPrintable(d.error));
    QVERIFY(!DjangoCacheFile::decode(QByteArray()).ok);
    QVERIFY(DjangoCacheFile::decode("hello world").error.contains(QLatin1String("expiry")));
    QCOMPARE(DjangoCacheFile::fileNameOf(QStringLiteral(":1:celery-task-meta-abc")), QString::fromLatin1(lines.at(2)) + ".djcache");
}

void TestFileCacheStore::shouldReadTheUrlForms_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("error"); // empty: it opens
    QTest::newRow("file:///dir") << QStringLiteral("file://DIR") << QString();
    QTest::newRow("a trailing slash") << QStringLiteral("file://DIR/") << QString();
    QTest::newRow("localhost") << QStringLiteral("file://localhostDIR") << QString();
    QTest::newRow("Django's prefix") << QStringLiteral("file://DIR?keyprefix=:1:") << QString();
    QTest::newRow("another host") << QStringLiteral("file://example.orgDIR") << QStringLiteral("name a local directory");
    QTest::newRow("no directory") << QStringLiteral("file:///") << QStringLiteral("names no directory");
    QTest::newRow("a prefix that is not Django's") << QStringLiteral("file://DIR?keyprefix=stalk:")
                                                   << QStringLiteral("KEY_PREFIX:VERSION:");
    QTest::newRow("a missing directory") << QStringLiteral("file://DIR/missing") << QStringLiteral("no such directory");
    QTest::newRow("a file: SQLite") << QStringLiteral("file://FILE") << QStringLiteral("SQLite");
}

void TestFileCacheStore::shouldReadTheUrlForms()
{
    QFETCH(QString, url);
    QFETCH(QString, error);
    QTemporaryDir dir;
    const QString base = copy(dir).mid(qstrlen("file://"));
    url.replace(QLatin1String("DIR"), base);
    if (url.contains(QLatin1String("FILE"))) {
        // A regular file opens as SQLite (as its bare path would: a desktop launcher's %u).
        QTemporaryDir other;
        if (!TestSupport::haveFixtures())
            QSKIP("STALK_FIXTURES does not point at the fixture databases");
        url.replace(QLatin1String("FILE"), TestSupport::copyFixture(other, QStringLiteral("django.sqlite3")));
        auto store = (*makeStoreFactory(url))();
        QVERIFY2(!store->open(), qPrintable(url));
        QCOMPARE(store->info().engine, error);
        QVERIFY(*store->count(TaskQuery()) > 0);
        return;
    }
    const Outcome<StoreFactory> factory = makeStoreFactory(url);
    StoreError e = factory ? StoreError() : factory.error();
    std::unique_ptr<ResultStore> store;
    if (factory) {
        store = (*factory)();
        e = store->open();
    }
    if (!error.isEmpty()) {
        QVERIFY(e.isError());
        QVERIFY2(e.message.contains(error) && !e.message.contains(u'\n'), qPrintable(e.message));
        return;
    }
    QVERIFY2(!e.isError(), qPrintable(e.message));
    QCOMPARE(*store->count(TaskQuery()), qint64(total()));
}

void TestFileCacheStore::shouldOpenTheDirectoryAndDescribeIt()
{
    QTemporaryDir dir;
    auto store = openStore(copy(dir));
    QVERIFY(store);
    const StoreInfo info = store->info();
    QCOMPARE(info.engine, QStringLiteral("FileBasedCache"));
    QCOMPARE(info.layout, StoreInfo::Layout::Redis); // the key-value layout
    QCOMPARE(info.tableName, dir.path());
    QVERIFY2(info.schema.startsWith(QLatin1String("django-celery-results CacheBackend keys (Django's cache) under \":1:\" "
                                                  "(Django FileBasedCache in ")),
             qPrintable(info.schema));
    QVERIFY2(info.schema.contains(QLatin1String("values: pickle")), qPrintable(info.schema));
    for (Field f : {Field::TaskName, Field::Args, Field::Kwargs, Field::Worker, Field::Queue, Field::Expires})
        QVERIFY(info.fields.contains(f));
    QVERIFY(info.hasGroups);
    QVERIFY(!info.readOnly);
    QCOMPARE(store->loadedCount(), qint64(total()));
    // The other Django cache entries: listed by file name, never results.
    auto *files = dynamic_cast<FileCacheStore *>(store.get());
    QVERIFY(files);
    const QMap<QString, QString> foreign = files->foreignKeys();
    QCOMPARE(foreign.keys(), stringsOf(m_set.value(QLatin1String("foreign")).toArray()));
    for (const QString &reason : foreign)
        QCOMPARE(reason, QStringLiteral("a Django cache entry that is not a Celery result"));
    QVERIFY2(info.note.contains(QLatin1String("2 files are not Celery results: ")), qPrintable(info.note));
}

void TestFileCacheStore::shouldListSavedGroupsAsUpstreamReadsThem()
{
    // GroupResult.save() through django-celery-results' CacheBackend into FileBasedCache.
    QTemporaryDir dir;
    auto store = openStore(copy(dir));
    QVERIFY(store);
    TestSupport::verifyGroupsAsUpstreamReadThem(*store, m_set.value(QLatin1String("saved_groups")).toArray());
}

void TestFileCacheStore::shouldReadEveryResultAsUpstreamDoes()
{
    QTemporaryDir dir;
    auto store = openStore(copy(dir));
    QVERIFY(store);
    for (const QJsonValue &v : celery()) {
        const QJsonObject e = v.toObject();
        const QString id = e.value(QLatin1String("task_id")).toString();
        const Outcome<TaskResult> row = store->fetchByTaskId(id);
        QVERIFY2(row.ok(), qPrintable(id + QStringLiteral(": ") + row.error().message));
        // The file's leading pickle is its expiry: time.time() + result_expires (one day).
        TestSupport::verifyRowAsUpstreamReadIt(*row, e, qEnvironmentVariable("STALK_FILECACHE_EXPECTATIONS"));
        if (QTest::currentTestFailed())
            return;
    }
}

void TestFileCacheStore::shouldCountSearchAndFacetLikeUpstream()
{
    QTemporaryDir dir;
    auto store = openStore(copy(dir));
    QVERIFY(store);
    TestSupport::verifyCountsAndSearchesAsUpstream(*store, m_set);
    if (QTest::currentTestFailed())
        return;
    const QJsonObject counts = m_set.value(QLatin1String("counts")).toObject();
    const Outcome<Facets> facets = store->facets(TaskQuery());
    QVERIFY(facets.ok());
    QCOMPARE(TestSupport::countsOf(facets->statuses), TestSupport::countsOf(counts.value(QLatin1String("status")).toObject()));
    const QJsonObject byWorker = counts.value(QLatin1String("worker")).toObject();
    for (auto it = byWorker.begin(); it != byWorker.end(); ++it) {
        if (it.key().isEmpty())
            continue;
        TaskQuery q;
        q.workers = QStringList{it.key()};
        QCOMPARE(*store->count(q), qint64(it.value().toInt()));
    }
}

void TestFileCacheStore::shouldListAFilePastItsExpiryAsDjangoLeavesIt()
{
    // Django reads a file past its expiry as a miss (and deletes it then); until something reads
    // that key it stays on disk. Stalk lists it, with its past expiry, so it can be deleted.
    QTemporaryDir dir;
    const QString url = copy(dir);
    const QString id = celery().at(1).toObject().value(QLatin1String("task_id")).toString();
    QFile file(dir.filePath(DjangoCacheFile::fileNameOf(keyOf(id))));
    QVERIFY(file.open(QIODevice::ReadWrite));
    QByteArray bytes = file.readAll();
    QCOMPARE(bytes.left(3), QByteArray("\x80\x05\x95")); // protocol 5, a frame: "G" + 8 bytes at 11
    const QByteArray past = QByteArray::fromHex("41d6800000000000"); // 1509949440.0: November 2017
    bytes.replace(12, 8, past);
    QVERIFY(file.seek(0));
    QCOMPARE(file.write(bytes), bytes.size());
    file.close();
    auto store = openStore(url);
    QVERIFY(store);
    QCOMPARE(*store->count(TaskQuery()), qint64(total()));
    const Outcome<TaskResult> t = store->fetchByTaskId(id);
    QVERIFY2(t.ok(), qPrintable(t.error().message));
    QCOMPARE(t->expires, QDateTime(QDate(2017, 11, 6), QTime(6, 24), Qt::UTC));
    // Upstream's own reading: a miss (Celery: PENDING).
    QCOMPARE(upstreamHas(dir.path()).value(id, true), false);
}

void TestFileCacheStore::shouldDescribeDamagedAndHostileFilesWithoutRunningThem()
{
    QTemporaryDir dir;
    const QString url = copy(dir);
    const QString marker = dir.filePath(QStringLiteral("ran"));
    // A result's file cut in its zlib stream, an empty file, and a file under a Celery key whose
    // value is a pickle that REDUCEs os.system (a "result" that would run a command when unpickled).
    const QString victim = celery().at(0).toObject().value(QLatin1String("task_id")).toString();
    QFile cut(dir.filePath(DjangoCacheFile::fileNameOf(keyOf(victim))));
    QVERIFY(cut.open(QIODevice::ReadWrite));
    QVERIFY(cut.resize(cut.size() - 7));
    cut.close();
    QFile empty(dir.filePath(DjangoCacheFile::fileNameOf(keyOf(QStringLiteral("empty")))));
    QVERIFY(empty.open(QIODevice::WriteOnly));
    empty.close();
    const QByteArray evil = QByteArray("cos\nsystem\n(S'touch ") + marker.toUtf8() + "'\ntR.";
    QFile hostile(dir.filePath(DjangoCacheFile::fileNameOf(keyOf(QStringLiteral("evil")))));
    QVERIFY(hostile.open(QIODevice::WriteOnly));
    hostile.write(QByteArray::fromHex("8005950a000000000000004741da6c4b7e000000") + "." + qCompress(evil).mid(4));
    hostile.close();

    auto store = openStore(url);
    QVERIFY(store);
    QCOMPARE(*store->count(TaskQuery()), qint64(total() - 1));
    const QMap<QString, QString> foreign = dynamic_cast<FileCacheStore *>(store.get())->foreignKeys();
    QCOMPARE(foreign.size(), 2 + 3);
    QVERIFY2(foreign.value(QFileInfo(cut).fileName()).contains(QLatin1String("cut short")),
             qPrintable(foreign.value(QFileInfo(cut).fileName())));
    QVERIFY2(foreign.value(QFileInfo(empty).fileName()).contains(QLatin1String("empty")), qPrintable(foreign.value(QFileInfo(empty).fileName())));
    QCOMPARE(foreign.value(QFileInfo(hostile).fileName()), QStringLiteral("a Django cache entry that is not a Celery result"));
    // By its key: described, never run.
    const Outcome<TaskResult> t = store->fetchByTaskId(QStringLiteral("evil"));
    QVERIFY(!t.ok());
    QVERIFY2(t.error().message.contains(QLatin1String("is not a Celery result")), qPrintable(t.error().message));
    QVERIFY(!store->fetchByTaskId(victim).ok());
    QVERIFY(!QFile::exists(marker));
    // Nothing of it is deleted by a purge of everything.
    PurgeCriteria all;
    all.cutoff = QDateTime(QDate(2030, 1, 1), QTime(0, 0), Qt::UTC);
    QVERIFY(TestSupport::purgeAll(*store, all, 100) >= 0);
    for (const QFile *f : {&cut, &empty, &hostile})
        QVERIFY(f->exists());
    QVERIFY(!QFile::exists(marker));
}

void TestFileCacheStore::shouldSayWhatADirectoryWithoutCacheFilesIs()
{
    QTemporaryDir dir;
    // Empty: Django's cache before its first write, or after clear(): it opens, and says so.
    auto store = openStore(QStringLiteral("file://") + dir.path());
    QVERIFY(store);
    QCOMPARE(*store->count(TaskQuery()), qint64(0));
    QVERIFY2(store->info().note.contains(QLatin1String("holds no cache file yet")), qPrintable(store->info().note));
    // Other files and no .djcache: not a cache directory, in one sentence.
    QFile other(dir.filePath(QStringLiteral("notes.txt")));
    QVERIFY(other.open(QIODevice::WriteOnly));
    other.close();
    auto wrong = (*makeStoreFactory(QStringLiteral("file://") + dir.path()))();
    const StoreError e = wrong->open();
    QCOMPARE(e.code, StoreError::Code::NotCelery);
    QVERIFY2(e.message.contains(QLatin1String("holds no Django cache file (*.djcache) among its 1 entries")), qPrintable(e.message));
}

void TestFileCacheStore::shouldDeleteSelectedRowsOnly()
{
    QTemporaryDir dir;
    auto store = openStore(copy(dir));
    QVERIFY(store);
    TaskQuery q;
    q.sortField = Field::RowId;
    const auto rows = store->fetchPage(q, 0, 2);
    QVERIFY(rows.ok() && rows->size() == 2);
    const Outcome<DeleteBatch> batch = store->deleteRows({rows->at(0).rowId, rows->at(1).rowId});
    QVERIFY2(batch.ok(), qPrintable(batch.error().message));
    QCOMPARE(batch->tasks, qint64(2));
    QCOMPARE(*store->count(TaskQuery()), qint64(total() - 2));
    const QMap<QString, bool> has = upstreamHas(dir.path());
    QCOMPARE(has.size(), total());
    for (auto it = has.begin(); it != has.end(); ++it)
        QCOMPARE(it.value(), it.key() != rows->at(0).taskId && it.key() != rows->at(1).taskId);
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files).size(), total() + 1 + 2 - 2); // the group and the others stay
    auto reopened = openStore(QStringLiteral("file://") + dir.path());
    QCOMPARE(*reopened->count(TaskQuery()), qint64(total() - 2));
}

void TestFileCacheStore::shouldPreviewAndPurgeExactlyTheExpired()
{
    QTemporaryDir dir;
    const QString cutoff = QStringLiteral("2025-02-01T00:00:00Z");
    const QStringList expired = expiredBefore(cutoff);
    const PurgeCriteria criteria = TestSupport::criteriaFor(cutoff);
    auto store = openToPurge(dir, criteria, expired);
    QVERIFY(store);
    const qint64 deleted = TestSupport::purgeAll(*store, criteria, 3);
    QCOMPARE(deleted, qint64(expired.size()));
    const QMap<QString, bool> has = upstreamHas(dir.path());
    QCOMPARE(has.size(), total());
    for (auto it = has.begin(); it != has.end(); ++it)
        QCOMPARE(it.value(), !expired.contains(it.key()));
    for (const QJsonValue &f : m_set.value(QLatin1String("foreign")).toArray())
        QVERIFY(QFile::exists(dir.filePath(f.toString())));
    QCOMPARE(store->previewPurge(criteria)->total, qint64(0));
    // Nothing was left aside.
    QCOMPARE(QDir(dir.path()).entryList({QStringLiteral("*stalk-deleting*")}, QDir::Files).size(), 0);
}

void TestFileCacheStore::shouldKeepAFileRewrittenBetweenListingAndDeleting()
{
    QTemporaryDir dir;
    const QString cutoff = QStringLiteral("2025-01-15T00:00:00Z");
    const QStringList expired = expiredBefore(cutoff);
    const PurgeCriteria criteria = TestSupport::criteriaFor(cutoff);
    auto store = openToPurge(dir, criteria, expired);
    QVERIFY(store);
    // After the listing, a worker stores a new state of two results through Django's own cache:
    // the first with today's date_done (it no longer qualifies), the second as it was (same
    // meta, a new file): neither is the file Stalk listed, so neither goes.
    const QByteArray out = django(QStringLiteral(
        "k = 'celery-task-meta-' + sys.argv[2]\n"
        "m = cache.get(k); m['date_done'] = datetime.datetime.utcnow(); cache.set(k, m, 86400)\n"
        "k = 'celery-task-meta-' + sys.argv[3]\n"
        "cache.set(k, cache.get(k), 86400)\n"
        "print('ok')\n"), {dir.path(), expired.at(0), expired.at(1)});
    QCOMPARE(out.trimmed(), QByteArray("ok"));
    // Delete Selected of the second (confirmed on what the window showed): kept, then re-read.
    TaskQuery q;
    q.search = expired.at(1);
    const auto rows = store->fetchPage(q, 0, 10);
    QVERIFY(rows.ok() && rows->size() == 1);
    const Outcome<DeleteBatch> batch = store->deleteRows({rows->at(0).rowId});
    QVERIFY2(batch.ok(), qPrintable(batch.error().message));
    QCOMPARE(batch->tasks, qint64(0));
    QVERIFY(fileExists(dir.path(), expired.at(1)));
    // The purge: the first is no longer expired and stays; the second, read again, is deleted
    // with the others on its new contents (still expired).
    const qint64 deleted = TestSupport::purgeAll(*store, criteria, 1000);
    QCOMPARE(deleted, qint64(expired.size() - 1));
    QVERIFY(fileExists(dir.path(), expired.at(0)));
    for (const QString &id : expired.mid(1))
        QVERIFY2(!fileExists(dir.path(), id), qPrintable(id));
    const QMap<QString, bool> has = upstreamHas(dir.path());
    QVERIFY(has.value(expired.at(0)));
    // The index learned the rewrite: today's date_done.
    const Outcome<TaskResult> kept = store->fetchByTaskId(expired.at(0));
    QVERIFY(kept.ok());
    QVERIFY(kept->dateDone.date().year() >= 2026);
}

void TestFileCacheStore::shouldAnswerTheCommandLine()
{
    if (qEnvironmentVariable("STALK_BIN").isEmpty())
        QSKIP("STALK_BIN is not set (CTest sets it)");
    auto run = [](const QStringList &args) { return runProgram(qEnvironmentVariable("STALK_BIN"), args); };
    QTemporaryDir dir;
    const QString url = copy(dir);
    auto [code, out, err] = run({QStringLiteral("count"), url});
    QCOMPARE(code, 0);
    QCOMPARE(out.trimmed().toLongLong(), qint64(total()));
    std::tie(code, out, err) = run({QStringLiteral("count"), url, QStringLiteral("--status"), QStringLiteral("FAILURE")});
    QCOMPARE(out.trimmed().toLongLong(),
             qint64(m_set.value(QLatin1String("counts")).toObject().value(QLatin1String("status")).toObject().value(QLatin1String("FAILURE")).toInt()));
    std::tie(code, out, err) = run({QStringLiteral("list"), url, QStringLiteral("--limit"), QStringLiteral("0"), QStringLiteral("--format"),
                                    QStringLiteral("jsonl")});
    QCOMPARE(code, 0);
    QCOMPARE(out.split(u'\n', Qt::SkipEmptyParts).size(), total());
    const QString id = celery().at(0).toObject().value(QLatin1String("task_id")).toString();
    std::tie(code, out, err) = run({QStringLiteral("show"), url, id});
    QCOMPARE(code, 0);
    QVERIFY2(out.contains(id), qPrintable(out));
    const QStringList expired = expiredBefore(QStringLiteral("2025-02-01T00:00:00Z"));
    std::tie(code, out, err) = run({QStringLiteral("purge"), url, QStringLiteral("--before"), QStringLiteral("2025-02-01"), QStringLiteral("--yes")});
    QCOMPARE(code, 0);
    QCOMPARE(out.trimmed(), QStringLiteral("deleted %1 results (and 0 groups)").arg(expired.size()));
    std::tie(code, out, err) = run({QStringLiteral("count"), url});
    QCOMPARE(out.trimmed().toLongLong(), qint64(total() - expired.size()));
    // A directory that is no cache: one sentence, no crash.
    std::tie(code, out, err) = run({QStringLiteral("count"), QStringLiteral("file:///nonexistent/stalk-cache")});
    QVERIFY(code != 0);
    QCOMPARE(err.trimmed().count(u'\n'), 0);
    QVERIFY2(err.contains(QLatin1String("no such directory")), qPrintable(err));
}

void TestFileCacheStore::shouldPurgeFilesPastTheirDjangoExpiry()
{
    QTemporaryDir dir;
    const QString url = copy(dir);
    const QString cutoff = QStringLiteral("2025-02-01T00:00:00Z");
    TestSupport::verifyCacheExpiredPurge([&] { return openStore(url); }, djangoCache(dir.path()), celery(), cutoff,
                                         expiredBefore(cutoff), [&] { return storedIds(dir.path()); });
}

void TestFileCacheStore::shouldPurgeByCacheExpiryFromTheCommandLine()
{
    if (qEnvironmentVariable("STALK_BIN").isEmpty())
        QSKIP("STALK_BIN is not set (CTest sets it)");
    auto run = [](const QStringList &args) { return runProgram(qEnvironmentVariable("STALK_BIN"), args); };
    QTemporaryDir dir;
    const QString url = copy(dir);
    QStringList ids = storedIds(dir.path());
    QVERIFY(ids.size() > 4);
    const QStringList aged = ids.mid(0, 3);
    const QJsonObject touched =
        TestSupport::runDjangoCacheHelper(djangoCache(dir.path()), QStringLiteral("age"), QStringList{QStringLiteral("-3600")} + aged)
            .toObject();
    QCOMPARE(touched.size(), aged.size());
    const QStringList missing = stringsOf(
        TestSupport::runDjangoCacheHelper(djangoCache(dir.path()), QStringLiteral("missing"), ids).toArray());
    QCOMPARE(sorted(missing), aged);
    QMap<QString, qint64> byStatus;
    for (const QJsonValue &v : celery()) {
        if (aged.contains(v.toObject().value(QLatin1String("task_id")).toString()))
            ++byStatus[v.toObject().value(QLatin1String("status")).toString()];
    }
    QStringList breakdown;
    for (auto it = byStatus.cbegin(); it != byStatus.cend(); ++it)
        breakdown.append(QStringLiteral("%1 %2").arg(it.value()).arg(it.key()));

    // No cutoff: only those Django reads as missing; the lines end with their count.
    auto [code, out, err] = run({QStringLiteral("purge"), url, QStringLiteral("--cache-expired"), QStringLiteral("--dry-run")});
    QCOMPARE(code, 0);
    QVERIFY2(out.startsWith(QStringLiteral("3 results would be deleted (")), qPrintable(out));
    QVERIFY2(out.trimmed().endsWith(QStringLiteral(") (+ 0 groups) (3 past their cache expiry)")), qPrintable(out));
    for (const QString &b : std::as_const(breakdown))
        QVERIFY2(out.contains(b), qPrintable(out));
    // Still no cutoff without --cache-expired.
    std::tie(code, out, err) = run({QStringLiteral("purge"), url, QStringLiteral("--dry-run")});
    QCOMPARE(code, 2);
    QVERIFY2(err.contains(QLatin1String("missing the cutoff")), qPrintable(err));
    // Read-only: nothing goes.
    std::tie(code, out, err) = run({QStringLiteral("purge"), url, QStringLiteral("--cache-expired"), QStringLiteral("--yes"),
                                    QStringLiteral("--read-only")});
    QCOMPARE(code, 1);
    QCOMPARE(storedIds(dir.path()), ids);
    // Narrowed to a status none of them has: none goes.
    std::tie(code, out, err) = run({QStringLiteral("purge"), url, QStringLiteral("--cache-expired"), QStringLiteral("--status"),
                                    QStringLiteral("NO-SUCH-STATE"), QStringLiteral("--yes")});
    QCOMPARE(code, 0);
    QCOMPARE(out.trimmed(), QStringLiteral("deleted 0 results (and 0 groups) (0 past their cache expiry)"));
    std::tie(code, out, err) = run({QStringLiteral("purge"), url, QStringLiteral("--cache-expired"), QStringLiteral("--yes")});
    QCOMPARE(code, 0);
    QCOMPARE(out.trimmed(), QStringLiteral("deleted 3 results (and 0 groups) (3 past their cache expiry)"));
    QCOMPARE(storedIds(dir.path()), QStringList(ids.mid(3)));
    // With a cutoff: both rules, the count among them.
    const QStringList expired = expiredBefore(QStringLiteral("2025-02-01T00:00:00Z"));
    qint64 byDate = 0;
    for (const QString &id : ids.mid(3))
        byDate += expired.contains(id) ? 1 : 0;
    std::tie(code, out, err) = run({QStringLiteral("purge"), url, QStringLiteral("--before"), QStringLiteral("2025-02-01"),
                                    QStringLiteral("--cache-expired"), QStringLiteral("--yes")});
    QCOMPARE(code, 0);
    QCOMPARE(out.trimmed(), QStringLiteral("deleted %1 results (and 0 groups) (0 past their cache expiry)").arg(byDate));
}

void TestFileCacheStore::shouldOpenReadOnlyOrRefuseForAnotherUser()
{
    // Permissions are checked as another user (root reads and writes everywhere): the real
    // `stalk` run as nobody through setpriv.
    if (qEnvironmentVariable("STALK_BIN").isEmpty())
        QSKIP("STALK_BIN is not set (CTest sets it)");
    const QString setpriv = QStandardPaths::findExecutable(QStringLiteral("setpriv"));
    if (setpriv.isEmpty() || ::geteuid() != 0)
        QSKIP("needs root and setpriv to run stalk as another user");
    auto runAsNobody = [&](const QStringList &args) {
        return runProgram(setpriv, QStringList{QStringLiteral("--reuid=65534"), QStringLiteral("--regid=65534"),
                                               QStringLiteral("--clear-groups"), qEnvironmentVariable("STALK_BIN")} + args);
    };
    QTemporaryDir dir;
    const QString url = copy(dir);
    QVERIFY(QFile::setPermissions(dir.path(), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner | QFile::ReadOther | QFile::ExeOther));
    for (const QString &name : QDir(dir.path()).entryList(QDir::Files))
        QFile::setPermissions(dir.filePath(name), QFile::ReadOwner | QFile::WriteOwner | QFile::ReadOther);
    // Readable, not writable: it reads, and a purge says why it cannot delete.
    auto [code, out, err] = runAsNobody({QStringLiteral("count"), url});
    if (code != 0 && err.contains(QLatin1String("Permission denied")) && !err.contains(dir.path()))
        QSKIP("nobody cannot run the stalk binary here");
    QCOMPARE(code, 0);
    QCOMPARE(out.trimmed().toLongLong(), qint64(total()));
    std::tie(code, out, err) = runAsNobody({QStringLiteral("purge"), url, QStringLiteral("--before"), QStringLiteral("2030-01-01"),
                                            QStringLiteral("--yes")});
    QVERIFY(code != 0);
    QVERIFY2(err.contains(QLatin1String("read-only")), qPrintable(err));
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files).size(), total() + 1 + 2);
    // Not readable: one sentence.
    QVERIFY(QFile::setPermissions(dir.path(), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
    std::tie(code, out, err) = runAsNobody({QStringLiteral("count"), url});
    QVERIFY(code != 0);
    QVERIFY2(err.contains(QLatin1String("permission denied")) && err.trimmed().count(u'\n') == 0, qPrintable(err));
}

QTEST_GUILESS_MAIN(TestFileCacheStore)
#include "tst_filecachestore.moc"
