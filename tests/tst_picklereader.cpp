#include <algorithm>
#include <functional>

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTest>

#include "picklereader.h"
#include "pythonliteral.h"

namespace {

/// Every pickle of tests/data/pickles.json (written by tools/fixtures/make_pickles.py).
QJsonArray fixtureEntries()
{
    static const QJsonArray entries = [] {
        QFile f(QFINDTESTDATA("data/pickles.json"));
        if (!f.open(QIODevice::ReadOnly))
            return QJsonArray();
        return QJsonDocument::fromJson(f.readAll()).object().value(QStringLiteral("entries")).toArray();
    }();
    return entries;
}

QByteArray bytesOf(const QJsonObject &e)
{
    return QByteArray::fromBase64(e.value(QStringLiteral("pickle_b64")).toString().toLatin1());
}

int countNodes(const PyValue &v)
{
    int n = 1;
    for (const PyValue &c : v.items)
        n += countNodes(c);
    for (const auto &a : v.attrs)
        n += countNodes(a.second);
    return n;
}

QByteArray hexBytes(const char *hex)
{
    return QByteArray::fromHex(hex);
}

} // namespace

class TestPickleReader : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QVERIFY2(fixtureEntries().size() > 300, "tests/data/pickles.json is missing or empty");
    }

    void shouldReadEveryFixturePickle_data()
    {
        QTest::addColumn<QJsonObject>("entry");
        for (const QJsonValue &v : fixtureEntries()) {
            const QJsonObject e = v.toObject();
            const QString tag = QStringLiteral("%1/p%2").arg(e.value(QStringLiteral("name")).toString())
                                    .arg(e.value(QStringLiteral("protocol")).toInt());
            QTest::newRow(qPrintable(tag)) << e;
        }
    }

    void shouldReadEveryFixturePickle()
    {
        QFETCH(QJsonObject, entry);
        const PickleReader::Result r = PickleReader::read(bytesOf(entry));
        QVERIFY2(r.ok, qPrintable(r.error));
        QVERIFY(r.error.isEmpty());
        QCOMPARE(r.protocol, entry.value(QStringLiteral("protocol")).toInt());
        QVERIFY(!r.truncated);
        const QString python = PyLiteral::toPython(r.value);
        if (entry.contains(QStringLiteral("expected_python")))
            QCOMPARE(python, entry.value(QStringLiteral("expected_python")).toString());
        if (entry.contains(QStringLiteral("expected_json")))
            QCOMPARE(PyLiteral::toJson(r.value), entry.value(QStringLiteral("expected_json")).toString());
        if (entry.contains(QStringLiteral("expected_class")))
            QCOMPARE(r.firstClass, entry.value(QStringLiteral("expected_class")).toString());
        else
            QVERIFY2(r.firstClass.isEmpty(), qPrintable(r.firstClass));
        if (entry.contains(QStringLiteral("expected_contains"))) {
            const QString part = entry.value(QStringLiteral("expected_contains")).toString();
            QVERIFY2(python.contains(part), qPrintable(python));
        }
    }

    void shouldReportMalformedInput_data()
    {
        QTest::addColumn<QByteArray>("data");
        QTest::addColumn<QString>("error");

        QTest::newRow("empty") << QByteArray() << "pickle ends without STOP at offset 0";
        QTest::newRow("only PROTO") << hexBytes("8005") << "pickle ends without STOP at offset 2";
        QTest::newRow("PROTO without version") << hexBytes("80") << "pickle ends in the middle of an opcode at offset 0";
        QTest::newRow("protocol 6") << hexBytes("80064e2e") << "unsupported pickle protocol 6 at offset 0";
        QTest::newRow("STOP on empty stack") << hexBytes("80052e") << "STOP with an empty stack at offset 2";
        QTest::newRow("string past the end") << hexBytes("80058c0561622e")
                                             << "string length 5 runs past the end at offset 2";
        QTest::newRow("huge BINUNICODE8") << hexBytes("80058dffffffffffffff7f412e")
                                          << "string length 9223372036854775807 runs past the end at offset 2";
        QTest::newRow("huge BINBYTES") << hexBytes("800342ffffffff2e")
                                       << "bytes length 4294967295 runs past the end at offset 2";
        QTest::newRow("negative LONG4") << hexBytes("80058bffffffff2e") << "LONG4 with a negative length at offset 2";
        QTest::newRow("unknown opcode") << hexBytes("8005ff2e") << "unknown opcode 0xff at offset 2";
        QTest::newRow("persistent id") << hexBytes("80054e512e") << "unsupported opcode BINPERSID (0x51) at offset 3";
        QTest::newRow("extension code") << hexBytes("800582012e") << "unsupported opcode EXT1 (0x82) at offset 2";
        QTest::newRow("APPEND on empty stack") << hexBytes("8005612e") << "stack underflow at offset 2";
        QTest::newRow("APPEND onto an int") << hexBytes("80054b014b02612e")
                                            << "APPEND onto something that is not a list at offset 6";
        QTest::newRow("undefined memo key") << hexBytes("800568072e") << "memo key 7 is not defined at offset 2";
        QTest::newRow("odd SETITEMS") << hexBytes("80057d284b01752e")
                                      << "SETITEMS with an odd number of items at offset 6";
        QTest::newRow("SETITEMS without MARK") << hexBytes("80057d4b014b02752e") << "no MARK on the stack at offset 7";
        QTest::newRow("STACK_GLOBAL of ints") << hexBytes("80054b014b02932e")
                                              << "STACK_GLOBAL needs two strings at offset 6";
        QTest::newRow("BUILD on a list") << hexBytes("80055d4e622e")
                                         << "BUILD on something that is not an object at offset 4";
        QTest::newRow("REDUCE with a list") << hexBytes("8002636f730a73797374656d0a5d522e")
                                            << "REDUCE arguments are not a tuple at offset 14";
        QTest::newRow("text INT garbage") << QByteArray("I12x\n.") << "INT is not a number at offset 0";
        QTest::newRow("text line without newline") << QByteArray("I12") << "pickle ends in the middle of a text opcode at offset 0";
        QTest::newRow("FRAME cut") << hexBytes("80049501") << "pickle ends in the middle of an opcode at offset 2";
    }

    void shouldReportMalformedInput()
    {
        QFETCH(QByteArray, data);
        QFETCH(QString, error);
        const PickleReader::Result r = PickleReader::read(data);
        QVERIFY(!r.ok);
        QCOMPARE(r.error, error);
        QVERIFY(r.errorOffset >= 0);
    }

    void shouldNeverRunCode()
    {
        // os.system('echo pwned') as pickled by a hostile writer: shown, never called.
        const QByteArray evil = QByteArray("cos\nsystem\n(S'echo pwned'\ntR.");
        const PickleReader::Result r = PickleReader::read(evil);
        QVERIFY2(r.ok, qPrintable(r.error));
        QCOMPARE(r.firstClass, QStringLiteral("os.system"));
        QCOMPARE(r.value.type, PyValue::Type::Object);
        QCOMPARE(PyLiteral::toPython(r.value), QStringLiteral("os.system('echo pwned')"));
    }

    void shouldReadProtocolZeroAndOneOpcodes()
    {
        // pickle.dumps({'a': [1, 2.5, 'x', u'\u00eb', None, True, 10**20]}, protocol=0)
        const QByteArray p0 = QByteArray("(dp0\nVa\np1\n(lp2\nI1\naF2.5\naVx\np3\naV\\u00eb\np4\naNaI01\naL100000000000000000000L\nas.");
        const PickleReader::Result r = PickleReader::read(p0);
        QVERIFY2(r.ok, qPrintable(r.error));
        QCOMPARE(r.protocol, -1);
        QCOMPARE(PyLiteral::toPython(r.value),
                 QStringLiteral("{'a': [1, 2.5, 'x', '\u00eb', None, True, 100000000000000000000]}"));
        // protocol 1: MARK, BININT1 1, SHORT_BINSTRING 'ab', TUPLE, BINPUT 0, STOP
        const PickleReader::Result r1 = PickleReader::read(hexBytes("284b0155026162747100" "2e"));
        QVERIFY2(r1.ok, qPrintable(r1.error));
        QCOMPARE(PyLiteral::toPython(r1.value), QStringLiteral("(1, 'ab')"));
    }

    void shouldFailOnEveryTruncation()
    {
        // Every strict prefix of a valid pickle lacks its STOP: an error, never a crash.
        int checked = 0;
        for (const QJsonValue &v : fixtureEntries()) {
            const QByteArray data = bytesOf(v.toObject());
            if (data.size() > 1500)
                continue;
            for (qsizetype n = 0; n < data.size(); ++n) {
                const PickleReader::Result r = PickleReader::read(data.left(n));
                QVERIFY2(!r.ok, qPrintable(QStringLiteral("%1 cut at %2").arg(v.toObject().value(QStringLiteral("name")).toString()).arg(n)));
                QVERIFY(!r.error.isEmpty());
                QVERIFY(r.errorOffset >= 0 && r.errorOffset <= n);
                // Leniently, a cut pickle yields what was read, flagged incomplete.
                PickleReader::Limits lenient;
                lenient.lenientEnd = true;
                const PickleReader::Result l = PickleReader::read(data.left(n), lenient);
                QVERIFY(!l.ok || l.incomplete);
                QCOMPARE(l.error, r.error);
                ++checked;
            }
        }
        QVERIFY(checked > 10000);
    }

    void shouldKeepWhatWasReadFromCutInput_data()
    {
        QTest::addColumn<QByteArray>("data");
        QTest::addColumn<QString>("python");
        QTest::addColumn<QString>("error");
        // {'a': 1, 'b': [1, 2], 'u': 'Zoë'} (protocol 5) cut in the list
        const QByteArray dict = QByteArray::fromBase64("gAWVIgAAAAAAAAB9lCiMAWGUSwGMAWKUXZQoSwFLAmWMAXWUjARab8OrlHUu");
        QTest::newRow("dict cut in a list") << dict.left(30) << "{'a': 1, 'b': [1]}"
                                            << "pickle ends in the middle of an opcode at offset 29";
        QTest::newRow("dict cut in a key") << dict.left(22) << "{'a': 1}"
                                           << "string length 1 runs past the end at offset 20";
        QTest::newRow("long string cut") << hexBytes("80058c0a5a6f") << "'Zo'"
                                         << "string length 10 runs past the end at offset 2";
        QTest::newRow("tuple under construction") << hexBytes("8005284b014b02") << "(1, 2)"
                                                  << "pickle ends without STOP at offset 7";
    }

    void shouldKeepWhatWasReadFromCutInput()
    {
        QFETCH(QByteArray, data);
        QFETCH(QString, python);
        QFETCH(QString, error);
        PickleReader::Limits limits;
        limits.lenientEnd = true;
        const PickleReader::Result r = PickleReader::read(data, limits);
        QVERIFY(r.ok);
        QVERIFY(r.incomplete);
        QCOMPARE(PyLiteral::toPython(r.value), python);
        QCOMPARE(r.error, error);
        QVERIFY(!PickleReader::read(data).ok);
    }

    void shouldBoundExponentialSharing()
    {
        // a = []; 60 times: a = [a, a]  -> 2**60 leaves if expanded naively.
        QByteArray data = hexBytes("80045d94");
        for (int i = 0; i < 60; ++i) {
            data += '(';
            data += 'h';
            data += char(i);
            data += 'h';
            data += char(i);
            data += 'l';
            data += char(0x94);
        }
        data += '.';
        PickleReader::Limits limits;
        limits.maxItems = 5000;
        const PickleReader::Result r = PickleReader::read(data, limits);
        QVERIFY2(r.ok, qPrintable(r.error));
        QVERIFY(r.truncated);
        QVERIFY(countNodes(r.value) <= limits.maxItems + 100);
        const QString text = PyLiteral::toPython(r.value, {4, 100, 100000});
        QVERIFY(text.size() <= 100001);
    }

    void shouldShowSelfReferencesLikePython()
    {
        // d = {}; d['me'] = d
        const PickleReader::Result r = PickleReader::read(hexBytes("80057d948c026d659468007" "32e"));
        QVERIFY2(r.ok, qPrintable(r.error));
        QCOMPARE(PyLiteral::toPython(r.value), QStringLiteral("{'me': {...}}"));
    }

    void shouldCutDeepNesting()
    {
        QByteArray data = hexBytes("8005");
        const int depth = 20000;
        data += QByteArray(depth, ']');
        data += QByteArray(depth - 1, 'a');
        data += '.';
        const PickleReader::Result r = PickleReader::read(data);
        QVERIFY2(r.ok, qPrintable(r.error));
        QVERIFY(r.truncated);
        QVERIFY(PyLiteral::toPython(r.value).contains(QChar(0x2026)));
    }

    void shouldShowTheStartOfValuesLargerThanTheItemLimit()
    {
        // [0, 1, …, 99] and {0: 0, …, 99: 99} with room for 50 values: the start, then "…".
        QByteArray list = hexBytes("80055d28");
        QByteArray dict = hexBytes("80057d28");
        for (int i = 0; i < 100; ++i) {
            list += 'K';
            list += char(i);
            dict += 'K';
            dict += char(i);
            dict += 'K';
            dict += char(i);
        }
        list += "e.";
        dict += "u.";
        PickleReader::Limits limits;
        limits.maxItems = 50;
        PickleReader::Result r = PickleReader::read(list, limits);
        QVERIFY2(r.ok, qPrintable(r.error));
        QVERIFY(r.truncated);
        QString expected = QStringLiteral("[");
        for (int i = 0; i < 49; ++i)
            expected += QString::number(i) + QStringLiteral(", ");
        QCOMPARE(PyLiteral::toPython(r.value), expected + QStringLiteral("…]"));

        r = PickleReader::read(dict, limits);
        QVERIFY2(r.ok, qPrintable(r.error));
        QVERIFY(r.truncated);
        expected = QStringLiteral("{");
        for (int i = 0; i < 24; ++i)
            expected += QStringLiteral("%1: %1, ").arg(i);
        QCOMPARE(PyLiteral::toPython(r.value), expected + QStringLiteral("…}"));
    }

    void shouldRefuseInputLargerThanTheLimit()
    {
        PickleReader::Limits limits;
        limits.maxInputBytes = 10;
        const PickleReader::Result r = PickleReader::read(QByteArray(11, 'N'), limits);
        QVERIFY(!r.ok);
        QCOMPARE(r.error, QStringLiteral("pickle of 11 bytes is larger than the 10-byte limit at offset 0"));
    }

    void shouldNotConvertHugeIntegers()
    {
        QByteArray data = hexBytes("80058b");
        const qint32 len = 100000;
        data += QByteArray(reinterpret_cast<const char *>(&len), 4); // little-endian host
        data += QByteArray(len, '\x7f');
        data += '.';
        const PickleReader::Result r = PickleReader::read(data);
        QVERIFY2(r.ok, qPrintable(r.error));
        QCOMPARE(PyLiteral::toPython(r.value), QStringLiteral("<int of 100000 bytes>"));
    }

    // Found by fuzz_valuedecoder: a STACK_GLOBAL name with a newline broke the one-line summary.
    void shouldShowControlCharactersInClassNamesEscaped()
    {
        const QByteArray pickle("\x80\x04\x8c\x01" "a" "\x8c\x03" "b\nc" "\x93.", 13);
        const PickleReader::Result r = PickleReader::read(pickle);
        QVERIFY2(r.ok, qPrintable(r.error));
        QCOMPARE(PyLiteral::toPython(r.value), QStringLiteral("'a.b\\nc'"));
        QCOMPARE(r.firstClass, QStringLiteral("'a.b\\nc'"));
    }

    // Found by fuzz_picklereader: protocol 0's LONG kept leading zeros ("01", not JSON).
    void shouldReadProtocolZeroLongsAsPythonDoes()
    {
        for (const auto &[pickle, python] : {std::pair{"L007L\n.", "7"}, {"L-00L\n.", "0"}, {"L-010\n.", "-10"}}) {
            const PickleReader::Result r = PickleReader::read(QByteArray(pickle));
            QVERIFY2(r.ok, qPrintable(r.error));
            QCOMPARE(PyLiteral::toPython(r.value), QString::fromLatin1(python));
            QCOMPARE(PyLiteral::toJson(r.value), QString::fromLatin1(python));
        }
    }

    void shouldSurviveRandomMutations()
    {
        QVector<QByteArray> seeds;
        for (const QJsonValue &v : fixtureEntries()) {
            const QByteArray b = bytesOf(v.toObject());
            if (b.size() <= 600)
                seeds.push_back(b);
        }
        QVERIFY(seeds.size() > 100);
        QRandomGenerator rng(20250101);
        PickleReader::Limits limits;
        limits.maxItems = 20000;
        int ok = 0, failed = 0;
        QElapsedTimer timer;
        timer.start();
        for (int i = 0; i < 20000; ++i) {
            QByteArray data = seeds[int(rng.bounded(seeds.size()))];
            const int mutations = 1 + int(rng.bounded(4));
            for (int m = 0; m < mutations && !data.isEmpty(); ++m) {
                const int at = int(rng.bounded(data.size()));
                switch (rng.bounded(5)) {
                case 0: data[at] = char(rng.bounded(256)); break;
                case 1: data[at] = char(data[at] ^ (1 << rng.bounded(8))); break;
                case 2: data.insert(at, char(rng.bounded(256))); break;
                case 3: data.remove(at, 1 + int(rng.bounded(4))); break;
                case 4: data.truncate(at); break;
                }
            }
            limits.lenientEnd = i % 2;
            const PickleReader::Result r = PickleReader::read(data, limits);
            if (r.ok) {
                ++ok;
                QVERIFY(countNodes(r.value) <= limits.maxItems + 1000);
                const QString text = PyLiteral::toPython(r.value, {4, 100, 20000});
                QVERIFY(text.size() <= 20001);
                QVERIFY(PyLiteral::toJson(r.value, {2, 100, 20000}).size() <= 20001);
            } else {
                ++failed;
                QVERIFY(!r.error.isEmpty());
                QVERIFY(r.errorOffset >= 0 && r.errorOffset <= data.size());
            }
        }
        QVERIFY(ok > 0);
        QVERIFY(failed > 0);
        qInfo("%d mutated pickles read, %d rejected, in %lld ms", ok, failed, timer.elapsed());
    }

    void shouldRenderPythonFloatsLikePython_data()
    {
        QTest::addColumn<double>("value");
        QTest::addColumn<QString>("repr");
        QTest::newRow("1") << 1.0 << "1.0";
        QTest::newRow("0.1") << 0.1 << "0.1";
        QTest::newRow("1e16") << 1e16 << "1e+16";
        QTest::newRow("1e15") << 1e15 << "1000000000000000.0";
        QTest::newRow("1e-5") << 1e-5 << "1e-05";
        QTest::newRow("0.0001") << 0.0001 << "0.0001";
        QTest::newRow("-1.5e300") << -1.5e300 << "-1.5e+300";
        QTest::newRow("-0") << -0.0 << "-0.0";
        QTest::newRow("123.456") << 123.456 << "123.456";
    }

    void shouldRenderPythonFloatsLikePython()
    {
        QFETCH(double, value);
        QFETCH(QString, repr);
        QCOMPARE(PyLiteral::reprFloat(value), repr);
    }

    void shouldWriteJsonAsPythonAsTheParserDoes_data()
    {
        QTest::addColumn<QString>("json");
        QTest::addColumn<bool>("asTuple");
        QTest::addColumn<QString>("python"); // null: not JSON
        // Celery's args and kwargs, compact, as the index reads them.
        QTest::newRow("args") << "[12,\"customer-7\",true,null]" << true << "(12, 'customer-7', True, None)";
        QTest::newRow("one arg") << "[\"x\"]" << true << "('x',)";
        QTest::newRow("no args") << "[]" << true << "()";
        QTest::newRow("nested one") << "[[1]]" << true << "([1],)";
        QTest::newRow("list kept") << "[1,[2,[3]]]" << false << "[1, [2, [3]]]";
        QTest::newRow("kwargs") << "{\"a\":1,\"b\":{\"c\":[]}}" << false << "{'a': 1, 'b': {'c': []}}";
        QTest::newRow("empty dict") << "{}" << false << "{}";
        QTest::newRow("dict in tuple") << "[{\"k\":[true]}]" << true << "({'k': [True]},)";
        QTest::newRow("quote") << "[\"it's\"]" << true << "(\"it's\",)";
        QTest::newRow("both quotes") << "[\"it's \\\"x\\\"\"]" << true << "('it\\'s \"x\"',)";
        QTest::newRow("escape") << "[\"a\\nb\\\\\"]" << true << "('a\\nb\\\\',)";
        QTest::newRow("non-ASCII") << "[\"Zoë\"]" << true << "('Zoë',)";
        QTest::newRow("DEL") << "[\"\x7f\"]" << true << "('\\x7f',)";
        QTest::newRow("float") << "[1.5,1e16,-0.0]" << true << "(1.5, 1e+16, -0.0)";
        QTest::newRow("big int") << "[123456789012345678901234567890,-0]" << true << "(123456789012345678901234567890, -0)";
        QTest::newRow("scalar") << "\"abc\"" << true << "'abc'";
        QTest::newRow("NaN") << "[NaN,-Infinity]" << true << "(nan, -inf)";
        QTest::newRow("spaces") << "[1, {\"a\" : 2}]" << true << "(1, {'a': 2})";
        QTest::newRow("deep") << QString(40, u'[') + QString(40, u']') << false
                              << QString(40, u'[') + QString(40, u']');
        for (const char *bad : {"{\"a\":}", "[1,]", "{1:2}", "{\"a\",\"b\"}", "[1 2]", "[1]x", "[", "]", "", "tru",
                                "[-]", "[01]", "{\"a\":1,}", "[\"open", "{\"a\"}", "[,1]", "1 2"})
            QTest::newRow(qPrintable(QStringLiteral("not JSON: %1").arg(QLatin1String(bad)))) << QString::fromLatin1(bad) << true << QString();
    }

    void shouldWriteJsonAsPythonAsTheParserDoes()
    {
        QFETCH(QString, json);
        QFETCH(bool, asTuple);
        QFETCH(QString, python);
        QCOMPARE(PyLiteral::jsonAsPython(json, asTuple), python);
        QCOMPARE(PyLiteral::jsonAsPython(json, asTuple).isNull(), python.isNull());
    }

    void shouldWriteRandomJsonAsPythonAsTheParserDoes()
    {
        // jsonAsPython() rewrites plain compact JSON in one pass; whatever it is given, it must
        // answer what toPython() of parseJson() does.
        QRandomGenerator random(20261206);
        const QString alphabet = QStringLiteral("ab'\"\\ \n\x7f" "é€Z0{}[],:");
        std::function<QJsonValue(int)> value = [&](int depth) -> QJsonValue {
            switch (random.bounded(depth > 3 ? 5 : 7)) {
            case 0: return QJsonValue(qint64(random.bounded(2000)) - 1000);
            case 1: return random.bounded(2) ? QJsonValue(random.bounded(2) == 1) : QJsonValue(QJsonValue::Null);
            case 2: return QJsonValue(random.bounded(1000.0) - 500);
            case 3:
            case 4: {
                QString text;
                const int n = random.bounded(6);
                const bool plain = random.bounded(3) > 0;
                for (int k = 0; k < n; ++k)
                    text += plain ? QChar(u'a' + random.bounded(26)) : alphabet.at(random.bounded(alphabet.size()));
                return text;
            }
            case 5: {
                QJsonArray a;
                for (int k = random.bounded(4); k > 0; --k)
                    a.append(value(depth + 1));
                return a;
            }
            default: {
                QJsonObject o;
                for (int k = random.bounded(4); k > 0; --k)
                    o.insert(QStringLiteral("k%1").arg(random.bounded(5)), value(depth + 1));
                return o;
            }
            }
        };
        int quick = 0;
        for (int i = 0; i < 20000; ++i) {
            const QJsonValue v = value(0);
            const QByteArray wrapped = QJsonDocument(QJsonArray{v}).toJson(QJsonDocument::Compact);
            QString json = QString::fromUtf8(wrapped.mid(1, wrapped.size() - 2));
            if (i % 7 == 0 && json.size() > 1)
                json.remove(random.bounded(json.size()), 1); // often no longer JSON
            const bool asTuple = i % 2 == 0;
            PyLiteral::ParseResult parsed = PyLiteral::parseJson(json);
            if (asTuple && parsed.ok && parsed.value.type == PyValue::Type::List)
                parsed.value.type = PyValue::Type::Tuple;
            const QString expected = parsed.ok ? PyLiteral::toPython(parsed.value) : QString();
            const QString python = PyLiteral::jsonAsPython(json, asTuple);
            if (python != expected || python.isNull() != expected.isNull())
                QFAIL(qPrintable(QStringLiteral("%1 (as tuple: %2): %3, expected %4").arg(json).arg(asTuple).arg(python, expected)));
            quick += std::all_of(json.cbegin(), json.cend(), [](QChar c) { return c.unicode() >= 0x20 && c.unicode() < 0x7f && c != u'\\' && c != u'.'; });
        }
        QVERIFY(quick > 5000); // plenty of texts the one-pass rewrite takes
    }
};

QTEST_APPLESS_MAIN(TestPickleReader)
#include "tst_picklereader.moc"
