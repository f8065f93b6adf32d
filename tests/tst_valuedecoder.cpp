#include <QFile>
#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>
#include <QTemporaryDir>
#include <QTest>

#include "aggregates.h"
#include "jsonescape.h"
#include "valuedecoder.h"

using ValueDecoder::Decoded;
using ValueDecoder::Kind;

Q_DECLARE_METATYPE(ValueDecoder::Kind)

namespace {

const QString kJson = QStringLiteral("application/json");
const QString kUtf8 = QStringLiteral("utf-8");
const QString kPickleType = QStringLiteral("application/x-python-serialize");
const QString kBinary = QStringLiteral("binary");

// Real celery_taskmeta.result pickles (tests/data/pickles.json, celery_db_*).
const char *kPickledFailure = "gAWVTAAAAAAAAAB9lCiMCGV4Y190eXBllIwKVmFsdWVFcnJvcpSMC2V4Y19tZXNzYWdllIwEYm9vbZSFlIwKZXhjX21vZHVsZZSMCGJ1aWx0aW5zlHUu";
const char *kPickledRevoked = "gAWVYQAAAAAAAAB9lCiMCGV4Y190eXBllIwQVGFza1Jldm9rZWRFcnJvcpSMC2V4Y19tZXNzYWdllIwKdGVybWluYXRlZJSFlIwKZXhjX21vZHVsZZSMEWNlbGVyeS5leGNlcHRpb25zlHUu";
const char *kPickledDict = "gAWVIgAAAAAAAAB9lCiMAWGUSwGMAWKUXZQoSwFLAmWMAXWUjARab8OrlHUu";
const char *kPickledSet = "gAWVCwAAAAAAAACPlChLAUsCSwOQLg==";
const char *kPickledDatetime = "gAWVKgAAAAAAAACMCGRhdGV0aW1llIwIZGF0ZXRpbWWUk5RDCgfpAQIDBAUAAACUhZRSlC4=";
const char *kPickledDatetimeCut = "gAWVKgAAAAAAAACMCGRhdGV0aW1llIwIZGF0ZXRpbWWUk5RD";
const char *kPickledPoint = "gAWVKgAAAAAAAACMCF9fbWFpbl9flIwFUG9pbnSUk5QpgZR9lCiMAXiUSwOMAXmUSwR1Yi4=";
const char *kPickledValueError = "gAWVJgAAAAAAAACMCGJ1aWx0aW5zlIwKVmFsdWVFcnJvcpSTlIwEYm9vbZSFlFKULg==";
const char *kPickledPersistentId = "gAVOUS4=";

} // namespace

class TestValueDecoder : public QObject
{
    Q_OBJECT

private slots:
    void jsonEscapeShouldMatchPythonsJsonDumps_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("controlOnly"); // json.dumps(text, ensure_ascii=False)[1:-1]
        QTest::addColumn<QString>("ascii");       // json.dumps(text)[1:-1]
        QTest::newRow("plain") << QStringLiteral("abc") << QStringLiteral("abc") << QStringLiteral("abc");
        QTest::newRow("quote and backslash") << QStringLiteral("a\"b\\c") << QStringLiteral("a\\\"b\\\\c")
                                             << QStringLiteral("a\\\"b\\\\c");
        QTest::newRow("controls") << QStringLiteral("\n\r\t\b\f\x01") << QStringLiteral("\\n\\r\\t\\b\\f\\u0001")
                                  << QStringLiteral("\\n\\r\\t\\b\\f\\u0001");
        QTest::newRow("non-ascii") << QStringLiteral("Zo\u00eb \U0001F680\u007f") << QStringLiteral("Zo\u00eb \U0001F680\u007f")
                                   << QStringLiteral("Zo\\u00eb \\ud83d\\ude80\\u007f");
    }

    void jsonEscapeShouldMatchPythonsJsonDumps()
    {
        QFETCH(QString, text);
        QFETCH(QString, controlOnly);
        QFETCH(QString, ascii);
        QCOMPARE(JsonEscape::escaped(text, JsonEscape::Mode::ControlOnly), controlOnly);
        QCOMPARE(JsonEscape::escaped(text, JsonEscape::Mode::Ascii), ascii);
        QString out = QStringLiteral("x");
        JsonEscape::append(out, text, JsonEscape::Mode::Ascii);
        QCOMPARE(out, QLatin1Char('x') + ascii);
    }

    void shouldDecodeResults_data()
    {
        QTest::addColumn<QString>("stored");
        QTest::addColumn<QString>("contentType");
        QTest::addColumn<QString>("encoding");
        QTest::addColumn<Kind>("kind");
        QTest::addColumn<QString>("summary");
        QTest::addColumn<QString>("text");    // exact, or "~part" for "contains"
        QTest::addColumn<QString>("problem"); // exact

        QTest::newRow("NULL") << QString() << kJson << kUtf8 << Kind::Null << "NULL" << "NULL" << "";
        QTest::newRow("int") << "42" << kJson << kUtf8 << Kind::Json << "42" << "42" << "";
        QTest::newRow("JSON null") << "null" << kJson << kUtf8 << Kind::Json << "null" << "null" << "";
        QTest::newRow("string") << "\"text\"" << kJson << kUtf8 << Kind::Json << "\"text\"" << "\"text\"" << "";
        QTest::newRow("ASCII-escaped unicode and surrogate pair")
            << "\"Zo\\u00eb \\ud83d\\ude00\"" << kJson << kUtf8 << Kind::Json
            << QString::fromUtf8("\"Zoë 😀\"") << QString::fromUtf8("\"Zoë 😀\"") << "";
        QTest::newRow("key order kept")
            << "{\"b\": 1, \"a\": [true, false, null], \"c\": {}}" << kJson << kUtf8 << Kind::Json
            << "{\"b\": 1, \"a\": [true, false, null], \"c\": {}}"
            << "{\n  \"b\": 1,\n  \"a\": [\n    true,\n    false,\n    null\n  ],\n  \"c\": {}\n}" << "";
        QTest::newRow("huge int and float text kept")
            << "[123456789012345678901234567890, 1.50, 1e400]" << kJson << kUtf8 << Kind::Json
            << "[123456789012345678901234567890, 1.50, 1e400]"
            << "[\n  123456789012345678901234567890,\n  1.50,\n  1e400\n]" << "";
        QTest::newRow("duplicate keys kept")
            << "{\"a\":1,\"a\":2}" << kJson << kUtf8 << Kind::Json << "{\"a\": 1, \"a\": 2}"
            << "{\n  \"a\": 1,\n  \"a\": 2\n}" << "";
        QTest::newRow("NaN and Infinity from json.dumps")
            << "[NaN, Infinity, -Infinity]" << kJson << kUtf8 << Kind::Json << "[NaN, Infinity, -Infinity]"
            << "~Infinity" << "";
        QTest::newRow("exception, args list")
            << "{\"exc_type\": \"ValueError\", \"exc_message\": [\"boom\"], \"exc_module\": \"builtins\"}" << kJson
            << kUtf8 << Kind::Exception << "ValueError: boom"
            << "ValueError: boom\n\n{\n  \"exc_type\": \"ValueError\",\n  \"exc_message\": [\n    \"boom\"\n  ],\n  \"exc_module\": \"builtins\"\n}"
            << "";
        QTest::newRow("exception, Celery 4.1 string message")
            << "{\"exc_type\": \"KeyError\", \"exc_message\": \"missing\"}" << kJson << kUtf8 << Kind::Exception
            << "KeyError: missing" << "~KeyError: missing\n\n{" << "";
        QTest::newRow("exception, module shown")
            << "{\"exc_type\": \"PaymentDeclined\", \"exc_message\": [\"card expired\"], \"exc_module\": \"proj.errors\"}"
            << kJson << kUtf8 << Kind::Exception << "proj.errors.PaymentDeclined: card expired"
            << "~proj.errors.PaymentDeclined: card expired" << "";
        QTest::newRow("KeyError shows the key's repr, as in the traceback")
            << "{\"exc_type\": \"KeyError\", \"exc_message\": [\"c-999\"], \"exc_module\": \"builtins\"}" << kJson
            << kUtf8 << Kind::Exception << "KeyError: 'c-999'" << "~KeyError: 'c-999'" << "";
        QTest::newRow("exception, no args")
            << "{\"exc_type\": \"ValueError\", \"exc_message\": [], \"exc_module\": \"builtins\"}" << kJson << kUtf8
            << Kind::Exception << "ValueError" << "~ValueError\n" << "";
        QTest::newRow("exception, several args")
            << "{\"exc_type\": \"OSError\", \"exc_message\": [2, \"No such file\"], \"exc_module\": \"builtins\"}"
            << kJson << kUtf8 << Kind::Exception << "OSError: (2, 'No such file')" << "~OSError" << "";
        QTest::newRow("exception, unicode escaped message")
            << "{\"exc_type\": \"ValueError\", \"exc_message\": [\"caf\\u00e9 \\ud83d\\ude00\"], \"exc_module\": \"builtins\"}"
            << kJson << kUtf8 << Kind::Exception << QString::fromUtf8("ValueError: café 😀") << "~café" << "";
        QTest::newRow("revoked, terminated")
            << "{\"exc_type\": \"TaskRevokedError\", \"exc_message\": [\"terminated\"], \"exc_module\": \"celery.exceptions\"}"
            << kJson << kUtf8 << Kind::Exception << "celery.exceptions.TaskRevokedError: terminated" << "~terminated" << "";
        QTest::newRow("revoked, expired")
            << "{\"exc_type\": \"TaskRevokedError\", \"exc_message\": [\"expired\"], \"exc_module\": \"celery.exceptions\"}"
            << kJson << kUtf8 << Kind::Exception << "celery.exceptions.TaskRevokedError: expired" << "~expired" << "";
        QTest::newRow("started")
            << "{\"pid\": 4242, \"hostname\": \"celery@w1\"}" << kJson << kUtf8 << Kind::Json
            << "pid 4242 on celery@w1" << "{\n  \"pid\": 4242,\n  \"hostname\": \"celery@w1\"\n}" << "";
        QTest::newRow("kombu datetime")
            << "{\"__type__\": \"datetime\", \"__value__\": \"2025-01-01T10:00:00+00:00\"}" << kJson << kUtf8
            << Kind::Json << "2025-01-01T10:00:00+00:00" << "2025-01-01T10:00:00+00:00" << "";
        QTest::newRow("kombu decimal")
            << "{\"__type__\": \"decimal\", \"__value__\": \"1.10\"}" << kJson << kUtf8 << Kind::Json << "1.10" << "1.10" << "";
        QTest::newRow("kombu uuid")
            << "{\"__type__\": \"uuid\", \"__value__\": {\"hex\": \"12345678123456789abcdef012345678\"}}" << kJson
            << kUtf8 << Kind::Json << "12345678-1234-5678-9abc-def012345678" << "12345678-1234-5678-9abc-def012345678" << "";
        QTest::newRow("kombu nested")
            << "{\"when\": {\"__type__\": \"datetime\", \"__value__\": \"2025-01-01T10:00:00\"}, \"n\": [{\"__type__\": \"bytes\", \"__value__\": \"abc\"}]}"
            << kJson << kUtf8 << Kind::Json << "{\"when\": \"2025-01-01T10:00:00\", \"n\": [\"abc\"]}"
            << "{\n  \"when\": \"2025-01-01T10:00:00\",\n  \"n\": [\n    \"abc\"\n  ]\n}" << "";
        QTest::newRow("invalid JSON, cut")
            << "{\"a\": 1" << kJson << kUtf8 << Kind::Text << "{\"a\": 1}…" << "{\"a\": 1"
            << "result is not valid JSON: unexpected end of text at offset 7";
        QTest::newRow("invalid JSON, Python dict")
            << "{'a': 1}" << kJson << kUtf8 << Kind::Text << "{'a': 1}" << "{'a': 1}"
            << "result is not valid JSON: expected a key string but found ''' at offset 1";
        QTest::newRow("invalid JSON, garbage after")
            << "1 2" << kJson << kUtf8 << Kind::Text << "1 2" << "1 2"
            << "result is not valid JSON: unexpected '2' after the value at offset 2";
        QTest::newRow("invalid JSON, bad escape")
            << "\"a\\qb\"" << kJson << kUtf8 << Kind::Text << "\"a\\qb\"" << "\"a\\qb\""
            << "result is not valid JSON: bad escape \\q at offset 2";
        QTest::newRow("empty result text")
            << "" << kJson << kUtf8 << Kind::Text << "" << ""
            << "result is not valid JSON: unexpected end of text at offset 0";
        QTest::newRow("YAML stays text")
            << "a: 1\nb: 2" << "application/x-yaml" << kUtf8 << Kind::Text << "a: 1 b: 2" << "a: 1\nb: 2" << "";
        QTest::newRow("pickled exception dict")
            << kPickledFailure << kPickleType << kBinary << Kind::Exception << "ValueError: boom"
            << "~ValueError: boom\n\nPython pickle (protocol 5, 87 bytes), read without unpickling:\n{'exc_type': 'ValueError', 'exc_message': ('boom',), 'exc_module': 'builtins'}"
            << "";
        QTest::newRow("pickled revoked")
            << kPickledRevoked << kPickleType << kBinary << Kind::Exception
            << "celery.exceptions.TaskRevokedError: terminated" << "~TaskRevokedError" << "";
        QTest::newRow("pickled exception object")
            << kPickledValueError << kPickleType << kBinary << Kind::Exception << "ValueError: boom"
            << "~builtins.ValueError('boom')" << "";
        QTest::newRow("pickled dict")
            << kPickledDict << kPickleType << kBinary << Kind::Pickle
            << QString::fromUtf8("{'a': 1, 'b': [1, 2], 'u': 'Zoë'}") << QString::fromUtf8("~{'a': 1, 'b': [1, 2], 'u': 'Zoë'}") << "";
        QTest::newRow("pickled STARTED")
            << "gAWVJQAAAAAAAAB9lCiMA3BpZJRNkhCMCGhvc3RuYW1llIwJY2VsZXJ5QHcxlHUu" << kPickleType << kBinary << Kind::Pickle
            << "pid 4242 on celery@w1" << "~{'pid': 4242, 'hostname': 'celery@w1'}" << "";
        QTest::newRow("pickled set")
            << kPickledSet << kPickleType << kBinary << Kind::Pickle << "{1, 2, 3}" << "~{1, 2, 3}" << "";
        QTest::newRow("pickled datetime")
            << kPickledDatetime << kPickleType << kBinary << Kind::Pickle << "datetime.datetime(2025, 1, 2, 3, 4, 5)"
            << "~pickled object of class datetime.datetime\n\ndatetime.datetime(2025, 1, 2, 3, 4, 5)" << "";
        QTest::newRow("pickled custom class")
            << kPickledPoint << kPickleType << kBinary << Kind::Pickle << "__main__.Point(state={'x': 3, 'y': 4})"
            << "~pickled object of class __main__.Point" << "";
        QTest::newRow("pickle without content type")
            << kPickledSet << "" << kBinary << Kind::Pickle << "{1, 2, 3}" << "~{1, 2, 3}" << "";
        QTest::newRow("cut pickle")
            << kPickledDatetimeCut << kPickleType << kBinary << Kind::Pickle
            << "pickled object of class datetime.datetime" << "~00000000  80 05 95 2a"
            << "cannot read this pickle: pickle ends in the middle of an opcode at offset 35";
        QTest::newRow("cut pickle preview of a dict")
            << QString::fromLatin1(QByteArray::fromBase64(kPickledDict).left(30).toBase64()) << kPickleType << kBinary
            << Kind::Pickle << "{'a': 1, 'b': [1]}…" << "~What could be read:\n{'a': 1, 'b': [1]}"
            << "cannot read this pickle: pickle ends in the middle of an opcode at offset 29";
        QTest::newRow("cut pickle preview of a long string")
            << QString::fromLatin1(QByteArray::fromHex("80058c0a5a6f").toBase64()) << kPickleType << kBinary
            << Kind::Pickle << "pickle, 6 bytes" << "~80 05 8c 0a 5a 6f"
            << "cannot read this pickle: string length 10 runs past the end at offset 2";
        QTest::newRow("huge class name")
            << QString::fromLatin1((QByteArray("\x80\x02" "c") + QByteArray(5000, 'm') + "\nX\n").toBase64()) << kPickleType
            << kBinary << Kind::Pickle << QStringLiteral("pickled object of class ") + QString(176, QLatin1Char('m')) + QChar(0x2026)
            << "~pickled object of class mmm" << "cannot read this pickle: pickle ends without STOP at offset 5006";
        QTest::newRow("pickle with persistent id")
            << kPickledPersistentId << kPickleType << kBinary << Kind::Pickle << "pickle, 5 bytes" << "~80 05 4e 51 2e"
            << "cannot read this pickle: unsupported opcode BINPERSID (0x51) at offset 3";
        QTest::newRow("msgpack")
            << QString::fromLatin1(QByteArray("\x81\xa1\x61\x01").toBase64()) << "application/x-msgpack" << kBinary
            << Kind::Binary << "application/x-msgpack, 4 bytes: 81 a1 61 01  |..a.|"
            << "application/x-msgpack, 4 bytes\n\n00000000  81 a1 61 01                                       |..a.|\n" << "";
        QTest::newRow("not base64")
            << "%%%not base64%%%" << kPickleType << kBinary << Kind::Text << "%%%not base64%%%" << "%%%not base64%%%"
            << "binary result is not valid base64";
    }

    void shouldDecodeResults()
    {
        QFETCH(QString, stored);
        QFETCH(QString, contentType);
        QFETCH(QString, encoding);
        QFETCH(Kind, kind);
        QFETCH(QString, summary);
        QFETCH(QString, text);
        QFETCH(QString, problem);

        const Decoded d = ValueDecoder::decodeResult(stored, contentType, encoding);
        QCOMPARE(d.kind, kind);
        QCOMPARE(d.summary, summary);
        if (text.startsWith(QLatin1Char('~')))
            QVERIFY2(d.text.contains(text.mid(1)), qPrintable(d.text));
        else
            QCOMPARE(d.text, text);
        QCOMPARE(d.problem, problem);
        // The cheap path for table cells agrees with the full decode.
        QCOMPARE(ValueDecoder::resultSummary(stored, contentType, encoding), summary);
    }

    void shouldSummarizeHugeResultsFromTheirStart()
    {
        QString big = QStringLiteral("[");
        for (int i = 0; i < 700000; ++i)
            big += QString::number(i) + QStringLiteral(", ");
        big += QStringLiteral("0]");
        QVERIFY(big.size() > 5 * 1000 * 1000);
        const QString summary = ValueDecoder::resultSummary(big, kJson, kUtf8);
        QVERIFY(summary.startsWith(QStringLiteral("[0, 1, 2, 3, ")));
        QVERIFY(summary.endsWith(QChar(0x2026)));
        QVERIFY(summary.size() <= 201);

        // A huge exception message: the cell shows its start.
        const QString exc = QStringLiteral("{\"exc_type\": \"ValueError\", \"exc_message\": [\"")
            + QString(100000, QLatin1Char('x')) + QStringLiteral("\"], \"exc_module\": \"builtins\"}");
        const QString excSummary = ValueDecoder::resultSummary(exc, kJson, kUtf8);
        QVERIFY2(excSummary.startsWith(QStringLiteral("ValueError: xxxx")), qPrintable(excSummary));
        QVERIFY(excSummary.size() <= 201);
        QCOMPARE(ValueDecoder::decodeResult(exc, kJson, kUtf8).kind, Kind::Exception);
    }

    void shouldSummarizeHugeBinaryResultsFromTheirStart()
    {
        // pickle.dumps(list(range(100000)), 5)-like: PROTO 5, EMPTY_LIST, MARK, BININT ×100000, APPENDS, STOP
        QByteArray pickle = QByteArray::fromHex("80055d28");
        for (int i = 0; i < 100000; ++i) {
            pickle += 'J';
            const qint32 v = i;
            pickle += QByteArray(reinterpret_cast<const char *>(&v), 4); // little-endian host
        }
        pickle += "e.";
        const QString b64 = QString::fromLatin1(pickle.toBase64());
        const Decoded full = ValueDecoder::decodeResult(b64, kPickleType, kBinary);
        QCOMPARE(full.kind, Kind::Pickle);
        QVERIFY(full.problem.isEmpty());
        QVERIFY(full.summary.startsWith(QStringLiteral("[0, 1, 2, 3, ")));
        QCOMPARE(full.summary.size(), 201);
        QCOMPARE(ValueDecoder::resultSummary(b64, kPickleType, kBinary), full.summary);

        const QByteArray msgpack = QByteArray(100000, '\xcc');
        QCOMPARE(ValueDecoder::resultSummary(QString::fromLatin1(msgpack.toBase64()), QStringLiteral("application/x-msgpack"), kBinary),
                 QStringLiteral("application/x-msgpack, 100000 bytes: cc cc cc cc cc cc cc cc cc cc cc cc cc cc cc cc cc cc cc cc cc cc cc cc …  |........................|"));
        for (int n : {1, 2, 3, 4, 5, 30001, 30002}) {
            const QString text = QString::fromLatin1(QByteArray(n, 'x').toBase64());
            QVERIFY(ValueDecoder::resultSummary(text, QString(), kBinary).startsWith(QStringLiteral("binary, %1 bytes: 78").arg(n)));
        }
    }

    void shouldBoundTheTextOfDeeplyNestedValues()
    {
        // 200 arrays nested 500 deep: indenting all of it would take ~100 MB of text.
        const QString nest = QString(500, QLatin1Char('[')) + QString(500, QLatin1Char(']'));
        QStringList nests;
        for (int i = 0; i < 200; ++i)
            nests << nest;
        const QString stored = QLatin1Char('[') + nests.join(QLatin1Char(',')) + QLatin1Char(']');
        const Decoded d = ValueDecoder::decodeResult(stored, kJson, kUtf8);
        QCOMPARE(d.kind, Kind::Json);
        QVERIFY(d.problem.isEmpty());
        QVERIFY2(d.text.size() < 16 * stored.size() + 1024 * 1024 + 200, qPrintable(QString::number(d.text.size())));
        QVERIFY(d.text.endsWith(QStringLiteral("(the rest is not shown: the readable form is much longer than the stored value)")));
        QCOMPARE(ValueDecoder::prettyJson(stored.toUtf8()).size(), d.text.size());
    }

    void shouldNeverCutACharacterInHalf()
    {
        // 199 ASCII characters, then emoji: the 200-character cut falls inside a surrogate pair.
        const QString emoji = QString::fromUtf8("😀");
        const QString stored = QLatin1Char('"') + QString(198, QLatin1Char('a')) + emoji.repeated(10) + QLatin1Char('"');
        const QString summary = ValueDecoder::resultSummary(stored, kJson, kUtf8);
        QCOMPARE(summary, QLatin1Char('"') + QString(198, QLatin1Char('a')) + QChar(0x2026));
        const QString args = ValueDecoder::argumentsSummary(QStringLiteral("\"") + QString(199, QLatin1Char('b'))
                                                            + QStringLiteral("\\ud83d\\ude00\""));
        QCOMPARE(args, QString(199, QLatin1Char('b')) + QChar(0x2026));
    }

    void shouldSummarizeCutPreviews()
    {
        // Page rows may hold the first N characters only: the summary still reads them.
        const QString preview = QStringLiteral("{\"items\": [1, 2, 3], \"name\": \"Zo\\u00eb an");
        QCOMPARE(ValueDecoder::resultSummary(preview, kJson, kUtf8),
                 QString::fromUtf8("{\"items\": [1, 2, 3], \"name\": \"Zoë an\"}…"));
    }

    void shouldDecodeArguments_data()
    {
        QTest::addColumn<QString>("stored");
        QTest::addColumn<Kind>("kind");
        QTest::addColumn<QString>("summary");
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("problem");

        QTest::newRow("NULL") << QString() << Kind::Null << "NULL" << "NULL" << "";
        QTest::newRow("tuple with escaped unicode")
            << "\"(1, 'Zo\\u00eb')\"" << Kind::PythonRepr << QString::fromUtf8("(1, 'Zoë')")
            << QString::fromUtf8("(1, 'Zoë')") << "";
        QTest::newRow("kwargs") << "\"{'c': 6}\"" << Kind::PythonRepr << "{'c': 6}" << "{'c': 6}" << "";
        QTest::newRow("empty tuple") << "\"()\"" << Kind::PythonRepr << "()" << "()" << "";
        QTest::newRow("emoji surrogate pair")
            << "\"('\\ud83d\\ude00',)\"" << Kind::PythonRepr << QString::fromUtf8("('😀',)")
            << QString::fromUtf8("('😀',)") << "";
        QTest::newRow("quotes and backslashes")
            << "\"(\\\"it's\\\", 'a\\\\\\\\b')\"" << Kind::PythonRepr << "(\"it's\", 'a\\\\b')"
            << "(\"it's\", 'a\\\\b')" << "";
        QTest::newRow("long args laid out on lines")
            << "\"({'alpha': 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'beta': [1, 2, 3], 'gamma': 'gggggggggggggggggggggggggggggggggggggggg'},)\""
            << Kind::PythonRepr
            << "({'alpha': 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'beta': [1, 2, 3], 'gamma': 'gggggggggggggggggggggggggggggggggggggggg'},)"
            << "(\n    {\n        'alpha': 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',\n        'beta': [1, 2, 3],\n        'gamma': 'gggggggggggggggggggggggggggggggggggggggg',\n    },\n)"
            << "";
        QTest::newRow("objects in the repr")
            << "\"(datetime.datetime(2025, 1, 1, 0, 0), <object object at 0x7f00>, Decimal('1.5'), b'\\\\x00', 'more text')\""
            << Kind::PythonRepr
            << "(datetime.datetime(2025, 1, 1, 0, 0), <object object at 0x7f00>, Decimal('1.5'), b'\\x00', 'more text')"
            << "(\n    datetime.datetime(2025, 1, 1, 0, 0),\n    <object object at 0x7f00>,\n    Decimal('1.5'),\n    b'\\x00',\n    'more text',\n)"
            << "";
        QTest::newRow("real JSON array (CouchDB)")
            << "[1, \"Zo\\u00eb\", null, true, {\"k\": 1.5, \"e\": 1e5}]" << Kind::PythonRepr
            << QString::fromUtf8("[1, 'Zoë', None, True, {'k': 1.5, 'e': 100000.0}]")
            << QString::fromUtf8("[1, 'Zoë', None, True, {'k': 1.5, 'e': 100000.0}]") << "";
        // CouchDB's args as CouchDocument keeps them: Python's json tokens and long integers
        // as stored (Python prints a float NaN as nan).
        QTest::newRow("real JSON with NaN, infinities and long integers (CouchDB)")
            << "[NaN,1000000000000000000000000000000,{\"n\":-Infinity,\"p\":Infinity}]" << Kind::PythonRepr
            << "[nan, 1000000000000000000000000000000, {'n': -inf, 'p': inf}]"
            << "[nan, 1000000000000000000000000000000, {'n': -inf, 'p': inf}]" << "";
        QTest::newRow("real JSON object") << "{\"c\": 6, \"s\": \"it's\"}" << Kind::PythonRepr
                                          << "{'c': 6, 's': \"it's\"}" << "{'c': 6, 's': \"it's\"}" << "";
        QTest::newRow("bare repr (older rows)") << "(1, 2)" << Kind::PythonRepr << "(1, 2)" << "(1, 2)" << "";
        QTest::newRow("empty") << "" << Kind::Text << "" << "" << "";
        QTest::newRow("garbage") << "{{{" << Kind::Text << "{{{" << "{{{"
                                 << "arguments are not valid JSON: expected a key string but found '{' at offset 1";
    }

    void shouldDecodeArguments()
    {
        QFETCH(QString, stored);
        QFETCH(Kind, kind);
        QFETCH(QString, summary);
        QFETCH(QString, text);
        QFETCH(QString, problem);
        const Decoded d = ValueDecoder::decodeArguments(stored);
        QCOMPARE(d.kind, kind);
        QCOMPARE(d.summary, summary);
        QCOMPARE(d.text, text);
        QCOMPARE(d.problem, problem);
        QCOMPARE(ValueDecoder::argumentsSummary(stored), summary);
    }

    void shouldNoteArgumentsTruncatedByCelery()
    {
        // What Celery's saferepr(args, 1024) leaves of (1, 'Zoë' * 400), as django-celery-results stores it.
        QString repr = QStringLiteral("(1, '") + QString::fromUtf8("Zoë").repeated(340) + QStringLiteral("...', ...");
        QString stored = QLatin1Char('"') + QString(repr).replace(QString::fromUtf8("ë"), QStringLiteral("\\u00eb"))
            + QLatin1Char('"');
        const Decoded d = ValueDecoder::decodeArguments(stored);
        QCOMPARE(d.kind, Kind::PythonRepr);
        QCOMPARE(d.problem, QStringLiteral("truncated by Celery at 1024 characters"));
        QVERIFY2(d.text.contains(QString::fromUtf8("'ZoëZoë")), qPrintable(d.text));
        QVERIFY(d.text.endsWith(QStringLiteral("(truncated by Celery at 1024 characters)")));
        QVERIFY(d.summary.startsWith(QString::fromUtf8("(1, 'ZoëZoë")));
        QCOMPARE(d.summary.size(), 201);
        QVERIFY(d.summary.endsWith(QChar(0x2026)));

        // A number cut in the middle of a long tuple: "…, 226..., ...)"
        QString numbers = QStringLiteral("(");
        for (int i = 0; i < 226; ++i)
            numbers += QString::number(i) + QStringLiteral(", ");
        numbers += QStringLiteral("226..., ...)");
        const Decoded n = ValueDecoder::decodeArguments(QLatin1Char('"') + numbers + QLatin1Char('"'));
        QCOMPARE(n.problem, QStringLiteral("truncated by Celery at 1024 characters"));
        QVERIFY(n.text.contains(QStringLiteral("\n    226...,\n")));
    }

    void shouldLayOutDictsCutByCelery()
    {
        // saferepr cuts a dict with a bare "..." entry: "{'row': 20, 'sku': 'SKU...', ...}".
        QString repr = QStringLiteral("([");
        for (int i = 0; i < 20; ++i)
            repr += QStringLiteral("{'row': %1, 'sku': 'SKU-%2', 'name': 'item %1'}, ").arg(i).arg(i, 4, 10, QLatin1Char('0'));
        repr += QStringLiteral("{'row': 20, 'sku': 'SKU...', ...}],)");
        QVERIFY(repr.size() > 1000);
        const Decoded d = ValueDecoder::decodeArguments(QLatin1Char('"') + repr + QLatin1Char('"'));
        QCOMPARE(d.kind, Kind::PythonRepr);
        QCOMPARE(d.problem, QStringLiteral("truncated by Celery at 1024 characters"));
        QVERIFY2(d.text.startsWith(QStringLiteral("(\n    [\n        {'row': 0, 'sku': 'SKU-0000', 'name': 'item 0'},\n")),
                 qPrintable(d.text));
        QVERIFY2(d.text.contains(QStringLiteral("\n        {'row': 20, 'sku': 'SKU...', ...},\n    ],\n)\n")), qPrintable(d.text));
    }

    void shouldSurviveRandomMutations()
    {
        const QStringList seeds = {
            QStringLiteral("{\"exc_type\": \"ValueError\", \"exc_message\": [\"boom\"], \"exc_module\": \"builtins\"}"),
            QStringLiteral("{\"a\": [1, 2.5e10, -0, true, null, \"Zo\\u00eb \\ud83d\\ude00\"], \"b\": {}}"),
            QStringLiteral("\"(1, 'Zo\\u00eb', {'k': [1, (2,), {3}]}, datetime.datetime(2025, 1, 1, 0, 0), <obj at 0x1>)\""),
            QStringLiteral("\"{'c': b'\\\\x00', 'd': frozenset({1}), 'e': ...}\""),
            QStringLiteral("{\"__type__\": \"uuid\", \"__value__\": {\"hex\": \"12345678123456789abcdef012345678\"}}"),
            QStringLiteral("[NaN, -Infinity, 1e400, \"\\n\\t\\\"\"]"),
        };
        const QString alphabet = QStringLiteral("{}[]()<>\"'\\:,.-+0123456789eEuU xbnNtTfF") + QChar(0xd83d) + QChar(0xe9);
        QRandomGenerator rng(4242);
        for (int i = 0; i < 20000; ++i) {
            QString s = seeds[int(rng.bounded(seeds.size()))];
            const int mutations = 1 + int(rng.bounded(4));
            for (int m = 0; m < mutations && !s.isEmpty(); ++m) {
                const int at = int(rng.bounded(s.size()));
                const QChar c = alphabet[int(rng.bounded(alphabet.size()))];
                switch (rng.bounded(4)) {
                case 0: s[at] = c; break;
                case 1: s.insert(at, c); break;
                case 2: s.remove(at, 1 + int(rng.bounded(3))); break;
                case 3: s.truncate(at); break;
                }
            }
            const Decoded r = ValueDecoder::decodeResult(s, kJson, kUtf8);
            QVERIFY(r.summary.size() <= 201);
            QVERIFY(ValueDecoder::resultSummary(s, kJson, kUtf8).size() <= 201);
            const Decoded a = ValueDecoder::decodeArguments(s);
            QVERIFY(a.summary.size() <= 201);
            QVERIFY(ValueDecoder::argumentsSummary(s).size() <= 201);
            QVERIFY(a.kind != Kind::Null);
            ValueDecoder::unescapeJsonText(s);
            ValueDecoder::tracebackExceptionLine(s);
        }
    }

    void shouldNoteArgumentsCutInStorage()
    {
        const Decoded d = ValueDecoder::decodeArguments(QStringLiteral("\"(1, 'abc"));
        QCOMPARE(d.kind, Kind::PythonRepr);
        QCOMPARE(d.text, QStringLiteral("(1, 'abc\n… (the stored text ends in the middle of the arguments)"));
        QCOMPARE(d.problem, QStringLiteral("the stored text ends in the middle of the arguments"));
    }

    void shouldDecodeMeta_data()
    {
        QTest::addColumn<QString>("stored");
        QTest::addColumn<Kind>("kind");
        QTest::addColumn<QString>("summary");
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("problem");
        QTest::newRow("children") << "{\"children\": []}" << Kind::Json << "{\"children\": []}"
                                  << "{\n  \"children\": []\n}" << "";
        QTest::newRow("NULL") << QString() << Kind::Null << "NULL" << "NULL" << "";
        QTest::newRow("children with NaN and a long integer (CouchDB)")
            << "{\"children\":[NaN,123456789012345678901]}" << Kind::Json
            << "{\"children\": [NaN, 123456789012345678901]}"
            << "{\n  \"children\": [\n    NaN,\n    123456789012345678901\n  ]\n}" << "";
        QTest::newRow("invalid") << "{children}" << Kind::Text << "{children}" << "{children}"
                                 << "meta is not valid JSON: expected a key string but found 'c' at offset 1";
    }

    void shouldDecodeMeta()
    {
        QFETCH(QString, stored);
        QFETCH(Kind, kind);
        QFETCH(QString, summary);
        QFETCH(QString, text);
        QFETCH(QString, problem);
        const Decoded d = ValueDecoder::decodeMeta(stored);
        QCOMPARE(d.kind, kind);
        QCOMPARE(d.summary, summary);
        QCOMPARE(d.text, text);
        QCOMPARE(d.problem, problem);
    }

    void shouldUnescapeJsonText_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected");
        QTest::newRow("plain") << "(1, 2)" << "(1, 2)";
        QTest::newRow("latin") << "\"(1, 'Zo\\u00eb')\"" << QString::fromUtf8("\"(1, 'Zoë')\"");
        QTest::newRow("upper hex") << "\\u00EB" << QString::fromUtf8("ë");
        QTest::newRow("surrogate pair") << "\\ud83d\\ude00!" << QString::fromUtf8("😀!");
        QTest::newRow("simple escapes") << "a\\nb\\tc\\\"d\\\\e\\/f\\bg\\fh\\ri"
                                        << "a\nb\tc\"d\\e/f\bg\fh\ri";
        QTest::newRow("escaped backslash before u") << "\\\\u00eb" << "\\u00eb";
        QTest::newRow("bad escape kept") << "\\q \\u12" << "\\q \\u12";
        QTest::newRow("trailing backslash") << "abc\\" << "abc\\";
    }

    void shouldUnescapeJsonText()
    {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        QCOMPARE(ValueDecoder::unescapeJsonText(text), expected);
    }

    void shouldPrettyPrintJson_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("expected");
        QTest::addColumn<QString>("problem");
        QTest::newRow("order kept") << QByteArray("{\"z\":1,\"a\":{\"y\":[],\"b\":{}}}")
                                    << "{\n  \"z\": 1,\n  \"a\": {\n    \"y\": [],\n    \"b\": {}\n  }\n}" << "";
        QTest::newRow("utf-8 and escapes")
            << QByteArray("[\"Zo\xc3\xab\", \"\\u00eb\", \"a\\\"b\\n\", \"\\u0001\"]")
            << QString::fromUtf8("[\n  \"Zoë\",\n  \"ë\",\n  \"a\\\"b\\n\",\n  \"\\u0001\"\n]") << "";
        QTest::newRow("scalar") << QByteArray(" true ") << "true" << "";
        QTest::newRow("invalid") << QByteArray("[1,]") << "[1,]" << "unexpected ']' at offset 3";
        QTest::newRow("deep nesting refused")
            << QByteArray(600, '[') + QByteArray(600, ']') << QString(QByteArray(600, '[') + QByteArray(600, ']'))
            << "nesting deeper than 512 levels at offset 513";
    }

    void shouldPrettyPrintJson()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, expected);
        QFETCH(QString, problem);
        QString actualProblem = QStringLiteral("unset");
        QCOMPARE(ValueDecoder::prettyJson(json, &actualProblem), expected);
        QCOMPARE(actualProblem, problem);
        QCOMPARE(ValueDecoder::prettyJson(json), expected);
    }

    void shouldFindTheExceptionLine_data()
    {
        QTest::addColumn<QString>("traceback");
        QTest::addColumn<QString>("line");
        QTest::newRow("simple")
            << "Traceback (most recent call last):\n  File \"/app/tasks.py\", line 10, in fail\n    raise ValueError('boom')\nValueError: boom\n"
            << "ValueError: boom";
        QTest::newRow("chained")
            << "Traceback (most recent call last):\n  File \"t.py\", line 3, in f\n    d['x']\nKeyError: 'x'\n\n"
               "During handling of the above exception, another exception occurred:\n\n"
               "Traceback (most recent call last):\n  File \"t.py\", line 5, in f\n    raise RuntimeError('wrapped')\nRuntimeError: wrapped\n"
            << "RuntimeError: wrapped";
        QTest::newRow("multi-line message")
            << "Traceback (most recent call last):\n  File \"t.py\", line 1, in <module>\nValueError: first line\nsecond line\n"
            << "ValueError: first line";
        QTest::newRow("syntax error carets")
            << "Traceback (most recent call last):\n  File \"t.py\", line 1\n    x = (\n        ^\nSyntaxError: '(' was never closed"
            << "SyntaxError: '(' was never closed";
        QTest::newRow("CRLF") << "Traceback (most recent call last):\r\n  File \"t.py\"\r\nOSError: disk\r\n" << "OSError: disk";
        QTest::newRow("no header") << "something\n  indented\nlast words\n" << "last words";
        QTest::newRow("empty") << "" << "";
        QTest::newRow("only indented") << "   a\n   b" << "";
    }

    void shouldFindTheExceptionLine()
    {
        QFETCH(QString, traceback);
        QFETCH(QString, line);
        QCOMPARE(ValueDecoder::tracebackExceptionLine(traceback), line);
    }

    void shouldReadTheStoredException_data()
    {
        QTest::addColumn<QString>("stored");
        QTest::addColumn<QString>("contentType");
        QTest::addColumn<QString>("encoding");
        QTest::addColumn<QString>("traceback");
        QTest::addColumn<QStringList>("expected"); // type, module, message; empty = none
        const QString tb = QStringLiteral("Traceback (most recent call last):\n  File \"t.py\", line 1, in f\n"
                                          "proj.mail.SmtpError: greylisted: 'a@b'\n");
        QTest::newRow("JSON dict")
            << R"j({"exc_type": "PaymentDeclined", "exc_message": ["card declined (-5 EUR)"], "exc_module": "proj.billing"})j"
            << kJson << kUtf8 << tb << QStringList{"PaymentDeclined", "proj.billing", "card declined (-5 EUR)"};
        QTest::newRow("JSON KeyError shows its key's repr")
            << R"j({"exc_type": "KeyError", "exc_message": ["c-999"], "exc_module": "builtins"})j" << kJson << kUtf8
            << "" << QStringList{"KeyError", "builtins", "'c-999'"};
        QTest::newRow("JSON two args")
            << R"j({"exc_type": "OSError", "exc_message": [2, "No such file"], "exc_module": "builtins"})j" << kJson
            << kUtf8 << "" << QStringList{"OSError", "builtins", "(2, 'No such file')"};
        QTest::newRow("JSON None message, no module")
            << R"j({"exc_type": "TimeLimitExceeded", "exc_message": null})j" << kJson << kUtf8 << ""
            << QStringList{"TimeLimitExceeded", "", ""};
        QTest::newRow("JSON non-ASCII message")
            << QString::fromUtf8(R"j({"exc_type": "ValueError", "exc_message": ["Zoë \u2603"], "exc_module": "builtins"})j")
            << kJson << kUtf8 << "" << QStringList{"ValueError", "builtins", QString::fromUtf8("Zoë ☃")};
        QTest::newRow("pickled dict") << kPickledFailure << kPickleType << kBinary << ""
                                      << QStringList{"ValueError", "builtins", "boom"};
        QTest::newRow("pickled revoked") << kPickledRevoked << kPickleType << kBinary << ""
                                         << QStringList{"TaskRevokedError", "celery.exceptions", "terminated"};
        QTest::newRow("pickled exception object") << kPickledValueError << kPickleType << kBinary << ""
                                                  << QStringList{"ValueError", "builtins", "boom"};
        QTest::newRow("pickled non-exception, traceback")
            << kPickledDict << kPickleType << kBinary << tb << QStringList{"SmtpError", "proj.mail", "greylisted: 'a@b'"};
        QTest::newRow("NULL result, traceback") << QString() << kJson << kUtf8 << tb
                                                << QStringList{"SmtpError", "proj.mail", "greylisted: 'a@b'"};
        QTest::newRow("broken JSON, builtin in traceback")
            << "{\"exc_type\": " << kJson << kUtf8 << "Traceback (most recent call last):\n  x\nValueError\n"
            << QStringList{"ValueError", "", ""};
        QTest::newRow("a JSON value that is no exception") << "42" << kJson << kUtf8 << "" << QStringList{};
        // The parse is skipped only where no "exc_type" key can be: an escape may spell it.
        QTest::newRow("JSON key spelled with an escape")
            << R"j({"\u0065xc_type": "ValueError", "exc_message": ["x"]})j" << kJson << kUtf8 << ""
            << QStringList{"ValueError", "", "x"};
        QTest::newRow("JSON without the key, traceback")
            << R"j({"note": "exc-type"})j" << kJson << kUtf8 << tb << QStringList{"SmtpError", "proj.mail", "greylisted: 'a@b'"};
        QTest::newRow("prose is no exception line") << QString() << kJson << kUtf8 << "worker lost: signal 9"
                                                    << QStringList{};
    }

    void shouldReadTheStoredException()
    {
        QFETCH(QString, stored);
        QFETCH(QString, contentType);
        QFETCH(QString, encoding);
        QFETCH(QString, traceback);
        QFETCH(QStringList, expected);
        const ValueDecoder::ExceptionInfo e = ValueDecoder::exceptionOf(stored, contentType, encoding, traceback);
        QCOMPARE(e.isValid(), !expected.isEmpty());
        if (expected.isEmpty())
            return;
        QCOMPARE((QStringList{e.type, e.module, e.message}), expected);
        // The detail pane's line is made of the same parts.
        if (!stored.isNull() && stored != QStringLiteral("{\"exc_type\": ")) {
            const QString line = e.message.isEmpty() ? e.qualifiedType() : e.qualifiedType() + QStringLiteral(": ") + e.message;
            if (ValueDecoder::decodeResult(stored, contentType, encoding).kind == Kind::Exception)
                QCOMPARE(ValueDecoder::decodeResult(stored, contentType, encoding).summary, line);
        }
    }

    void shouldNameAnExceptionByClassOrByModuleAndClass_data()
    {
        QTest::addColumn<QString>("type");
        QTest::addColumn<QString>("module");
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("named");
        const QString builtins = QStringLiteral("builtins");
        const QString billing = QStringLiteral("proj.billing");
        QTest::newRow("class") << "ValueError" << builtins << "ValueError" << true;
        QTest::newRow("builtins.class") << "ValueError" << builtins << "builtins.ValueError" << true;
        QTest::newRow("no module is builtins") << "ValueError" << QString() << "builtins.ValueError" << true;
        QTest::newRow("python 2 builtins") << "ValueError" << "exceptions" << "builtins.ValueError" << true;
        QTest::newRow("stored builtin module name") << "ValueError" << "exceptions" << "exceptions.ValueError" << false;
        QTest::newRow("custom class alone") << "PaymentDeclined" << billing << "PaymentDeclined" << true;
        QTest::newRow("custom qualified") << "PaymentDeclined" << billing << "proj.billing.PaymentDeclined" << true;
        QTest::newRow("another module") << "PaymentDeclined" << billing << "proj.PaymentDeclined" << false;
        QTest::newRow("builtins prefix on custom") << "PaymentDeclined" << billing << "builtins.PaymentDeclined"
                                                   << false;
        QTest::newRow("case") << "ValueError" << builtins << "valueerror" << false;
        QTest::newRow("prefix") << "ValueError" << builtins << "Value" << false;
        QTest::newRow("like wildcard") << "ValueError" << builtins << "Value%" << false;
        QTest::newRow("dot alone") << "ValueError" << QString() << ".ValueError" << false;
        QTest::newRow("empty") << "ValueError" << builtins << "" << false;
        QTest::newRow("no exception") << "" << "" << "" << false;
    }

    void shouldNameAnExceptionByClassOrByModuleAndClass()
    {
        QFETCH(QString, type);
        QFETCH(QString, module);
        QFETCH(QString, name);
        QFETCH(bool, named);
        const ValueDecoder::ExceptionInfo e{type, module, QStringLiteral("boom")};
        QCOMPARE(e.isNamed(name), named);
        QCOMPARE(e.isNamedAnyOf({QStringLiteral("Other"), name}), named);
        // `stalk failures`' groups answer alike.
        FailureGroup group;
        group.exception = type.isEmpty() ? QString() : type;
        group.exceptionModule = module;
        QCOMPARE(group.hasException(name), named);
    }

    void shouldFingerprintMessages_data()
    {
        // The same cases as tests/aggregates_expected.py's fingerprint(), which tst_cli compares
        // on the fixtures' failures.
        QTest::addColumn<QString>("message");
        QTest::addColumn<QString>("fingerprint");
        QTest::newRow("quoted literal") << "invalid literal for int() with base 10: 'twelve'"
                                        << "invalid literal for int() with base <num>: <str>";
        QTest::newRow("numbers in words") << "card declined for invoice INV-2025-0002 (-5 EUR)"
                                          << "card declined for invoice INV-<num>-<num> (-<num> EUR)";
        QTest::newRow("apostrophe is no quote") << "can't connect to 'db-3' at 10.0.0.7:5432"
                                                << "can't connect to <str> at <num>.<num>:<num>";
        QTest::newRow("uuid and fraction") << "task 0b7e8a52-3c1d-4f6e-9a2b-1c2d3e4f5a6b timed out after 30.5 s"
                                           << "task <uuid> timed out after <num> s";
        QTest::newRow("hex") << "object at 0x7f3a2b1c is gone, digest deadbeef1234 / cafebabe"
                             << "object at <hex> is gone, digest <hex> / cafebabe";
        QTest::newRow("non-ASCII kept, ASCII digits masked")
            << QString::fromUtf8("Zoë’s order №42 failed: «ünïcødé» \"naïve ☃\" ٣ items")
            << QString::fromUtf8("Zoë’s order №<num> failed: «ünïcødé» <str> ٣ items");
        QTest::newRow("unterminated quotes") << "unterminated 'quote and \"another" << "unterminated 'quote and \"another";
        QTest::newRow("control characters") << "tab\tand\nnewline 7" << "tab\tand\nnewline <num>";
        QTest::newRow("astral") << QString::fromUtf8("ééé😀 12") << QString::fromUtf8("ééé😀 <num>");
        QTest::newRow("empty") << "" << "";
        QTest::newRow("null") << QString() << QString();
    }

    void shouldFingerprintMessages()
    {
        QFETCH(QString, message);
        QFETCH(QString, fingerprint);
        QCOMPARE(messageFingerprint(message), fingerprint);
        QCOMPARE(messageFingerprint(message).isNull(), message.isNull());
    }

    void shouldFingerprintHostileMessagesInLinearTime()
    {
        // A megabyte of unbalanced quotes, digits and hex: each mask is one linear pass.
        QString hostile;
        for (int i = 0; i < 65536; ++i)
            hostile += QStringLiteral("'a\"9f");
        hostile += QStringLiteral("\n") + QString(200000, u'7') + QString(200000, u'e');
        const QString fp = messageFingerprint(hostile);
        QVERIFY(!fp.isEmpty());
        QVERIFY(!fp.contains(u'7'));
    }

    void shouldPreviewBytes_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<int>("max");
        QTest::addColumn<QString>("preview");
        QTest::newRow("empty") << QByteArray() << 64 << "  ||";
        QTest::newRow("pickle head") << QByteArray("\x80\x05\x95\x0b", 4) << 64 << "80 05 95 0b  |....|";
        QTest::newRow("ascii") << QByteArray("ab c") << 64 << "61 62 20 63  |ab c|";
        QTest::newRow("cut") << QByteArray("abcdef") << 2 << "61 62 …  |ab|";
        QTest::newRow("nothing shown") << QByteArray("abc") << 0 << "…  ||";
    }

    void shouldPreviewBytes()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(int, max);
        QFETCH(QString, preview);
        QCOMPARE(ValueDecoder::hexPreview(bytes, max), preview);
    }

    void shouldDecodeEveryRowOfTheDjangoFixture()
    {
        const QString dir = qEnvironmentVariable("STALK_FIXTURES");
        if (dir.isEmpty() || !QFile::exists(dir + QStringLiteral("/django.sqlite3")))
            QFAIL("STALK_FIXTURES is not set or the fixtures are not ready (tools/fixtures/make_fixtures.sh)");
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const QString copy = tmp.filePath(QStringLiteral("django.sqlite3"));
        QVERIFY(QFile::copy(dir + QStringLiteral("/django.sqlite3"), copy));
        int rows = 0, exceptions = 0;
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("decoder-django"));
            db.setDatabaseName(copy);
            QVERIFY2(db.open(), qPrintable(db.lastError().text()));
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("SELECT task_id, status, result, content_type, content_encoding, "
                                          "task_args, task_kwargs, meta, traceback FROM django_celery_results_taskresult")));
            while (q.next()) {
                ++rows;
                const QString id = q.value(0).toString();
                const QString status = q.value(1).toString();
                const QString result = q.value(2).toString();
                const Decoded r = ValueDecoder::decodeResult(result, q.value(3).toString(), q.value(4).toString());
                QVERIFY2(r.problem.isEmpty(), qPrintable(id + QLatin1Char(' ') + r.problem));
                QVERIFY2(r.kind == Kind::Json || r.kind == Kind::Exception, qPrintable(id));
                QCOMPARE(ValueDecoder::resultSummary(result, q.value(3).toString(), q.value(4).toString()), r.summary);
                QVERIFY2(!r.text.contains(QLatin1String("\\u00")), qPrintable(r.text)); // shown unescaped
                if (status == QLatin1String("FAILURE") || status == QLatin1String("REVOKED")
                    || status == QLatin1String("RETRY")) {
                    QCOMPARE(r.kind, Kind::Exception);
                    ++exceptions;
                }
                if (status == QLatin1String("FAILURE") && !q.value(8).isNull())
                    QCOMPARE(r.summary, ValueDecoder::tracebackExceptionLine(q.value(8).toString()));
                if (status == QLatin1String("STARTED"))
                    QVERIFY2(r.summary.startsWith(QLatin1String("pid ")), qPrintable(r.summary));
                for (int col : {5, 6}) {
                    const QString stored = q.value(col).toString();
                    const Decoded a = ValueDecoder::decodeArguments(stored);
                    QVERIFY2(a.kind == Kind::PythonRepr, qPrintable(id + QLatin1Char(' ') + stored));
                    QVERIFY2(a.problem.isEmpty() || a.problem == QLatin1String("truncated by Celery at 1024 characters"),
                             qPrintable(a.problem));
                    QVERIFY2(!a.summary.contains(QLatin1String("\\u")), qPrintable(a.summary));
                    QCOMPARE(ValueDecoder::argumentsSummary(stored), a.summary);
                }
                const Decoded m = ValueDecoder::decodeMeta(q.value(7).toString());
                QVERIFY2(m.problem.isEmpty(), qPrintable(m.problem));
            }
        }
        QSqlDatabase::removeDatabase(QStringLiteral("decoder-django"));
        QVERIFY(rows >= 20);
        QVERIFY(exceptions >= 3);
    }

    void shouldDecodeEveryPickleOfTheTaskmetaFixture()
    {
        const QString dir = qEnvironmentVariable("STALK_FIXTURES");
        if (dir.isEmpty() || !QFile::exists(dir + QStringLiteral("/taskmeta.sqlite3")))
            QFAIL("STALK_FIXTURES is not set or the fixtures are not ready (tools/fixtures/make_fixtures.sh)");
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const QString copy = tmp.filePath(QStringLiteral("taskmeta.sqlite3"));
        QVERIFY(QFile::copy(dir + QStringLiteral("/taskmeta.sqlite3"), copy));
        int pickles = 0, failures = 0;
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("decoder-taskmeta"));
            db.setDatabaseName(copy);
            QVERIFY2(db.open(), qPrintable(db.lastError().text()));
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("SELECT task_id, status, result, traceback, args, kwargs FROM celery_taskmeta")));
            while (q.next()) {
                const QString id = q.value(0).toString();
                const QString status = q.value(1).toString();
                if (!q.value(2).isNull()) {
                    ++pickles;
                    const QString b64 = QString::fromLatin1(q.value(2).toByteArray().toBase64());
                    const Decoded r = ValueDecoder::decodeResult(b64, kPickleType, kBinary);
                    QVERIFY2(r.problem.isEmpty(), qPrintable(id + QLatin1Char(' ') + r.problem));
                    QVERIFY2(r.kind == Kind::Pickle || r.kind == Kind::Exception, qPrintable(id));
                    if (status == QLatin1String("FAILURE")) {
                        ++failures;
                        QCOMPARE(r.kind, Kind::Exception);
                        if (!q.value(3).isNull())
                            QCOMPARE(r.summary, ValueDecoder::tracebackExceptionLine(q.value(3).toString()));
                    }
                }
                for (int col : {4, 5}) {
                    if (q.value(col).isNull())
                        continue;
                    const Decoded a = ValueDecoder::decodeArguments(QString::fromUtf8(q.value(col).toByteArray()));
                    QVERIFY2(a.kind == Kind::PythonRepr && a.problem.isEmpty(), qPrintable(id + QLatin1Char(' ') + a.problem));
                }
            }
        }
        QSqlDatabase::removeDatabase(QStringLiteral("decoder-taskmeta"));
        QVERIFY(pickles >= 10);
        QVERIFY(failures >= 1);
    }

    void shouldDumpBytes()
    {
        const QByteArray bytes = QByteArray("0123456789abcdefXYZ\x01");
        QCOMPARE(ValueDecoder::hexDump(bytes),
                 QStringLiteral("00000000  30 31 32 33 34 35 36 37  38 39 61 62 63 64 65 66  |0123456789abcdef|\n"
                                "00000010  58 59 5a 01                                       |XYZ.|\n"));
        QCOMPARE(ValueDecoder::hexDump(bytes, 4),
                 QStringLiteral("00000000  30 31 32 33                                       |0123|\n… 16 more bytes\n"));
    }
};

QTEST_APPLESS_MAIN(TestValueDecoder)
#include "tst_valuedecoder.moc"
