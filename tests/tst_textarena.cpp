#include <QStringList>
#include <QTest>
#include <QVector>

#include "textarena.h"

/// TextArena gives back exactly what was stored: null and empty apart, Latin-1, other
/// scripts, lone surrogates, references to earlier fields, 10 MB texts, after compaction.
class TestTextArena : public QObject
{
    Q_OBJECT

private:
    static QStringList sample()
    {
        const QString big = QString(10 * 1024 * 1024, QLatin1Char('x')) + QStringLiteral("end");
        QString lone(3, QLatin1Char('a'));
        lone[1] = QChar(0xd800); // a lone high surrogate, as JSON "\ud800" gives
        return {QString(),
                QString(QLatin1String("")),
                QStringLiteral("celery-task-meta-0f6e1f0a-5f2c-4a4e-9a53-1c7c1a2b3c4d"),
                QStringLiteral("0f6e1f0a-5f2c-4a4e-9a53-1c7c1a2b3c4d"), // the end of the field before
                QStringLiteral("celery-task"), // the start of an earlier field
                QStringLiteral("Zoë café ÿ"), // Latin-1, not ASCII
                QStringLiteral("\u0080Zoë café ÿ, Zoë café ÿ, Zoë café ÿ, Zoë café ÿ"), // longer: 16 at a time
                QStringLiteral("Zoë → 東京 🦘"), // beyond Latin-1, with a surrogate pair
                lone,
                QStringLiteral("a"),
                big,
                QString(QLatin1String("")),
                QString()};
    }

private slots:
    void shouldReturnExactlyTheStoredStrings()
    {
        const QStringList fields = sample();
        TextArena arena;
        QVector<TextArena::Handle> handles;
        for (int i = 0; i < 3; ++i)
            handles.append(arena.append(fields.constData(), int(fields.size())));
        for (TextArena::Handle h : handles) {
            for (int k = 0; k < fields.size(); ++k) {
                const QString got = arena.text(h, k);
                QCOMPARE(got.isNull(), fields.at(k).isNull());
                QCOMPARE(got.size(), fields.at(k).size());
                QVERIFY2(got == fields.at(k), qPrintable(QStringLiteral("field %1").arg(k)));
                QVERIFY(arena.field(h, k).equals(fields.at(k)));
            }
        }
    }

    void shouldReadBackARecordEncodedWithoutAnArena()
    {
        // A loader encodes records on other threads (encode()), and CouchIndex reads one back
        // to make it again (decode()); appended, it is the record append() of the fields makes.
        const QStringList fields = sample();
        const QByteArray record = TextArena::encode(fields.constData(), int(fields.size()));
        QVector<QString> back(fields.size());
        TextArena::decode(record, int(fields.size()), back.data());
        for (int k = 0; k < fields.size(); ++k) {
            QCOMPARE(back.at(k), fields.at(k));
            QCOMPARE(back.at(k).isNull(), fields.at(k).isNull());
        }
        TextArena arena;
        arena.append(QStringList{QStringLiteral("ab")}.constData(), 1); // 3 bytes: the next record is moved to an even place
        const TextArena::Handle h = arena.append(record);
        for (int k = 0; k < fields.size(); ++k) {
            QCOMPARE(arena.text(h, k), fields.at(k));
            QCOMPARE(arena.text(h, k).isNull(), fields.at(k).isNull());
        }
        QCOMPARE(arena.liveBytes(), qint64(record.size()) + 3);
    }

    void shouldKeepRecordsAcrossBlocksAndCompaction()
    {
        TextArena arena;
        std::vector<TextArena::Handle> handles;
        QVector<QStringList> stored;
        for (int i = 0; i < 20000; ++i) {
            const QStringList fields{QStringLiteral("doc-%1").arg(i), QString(i % 7 == 0 ? 300 : 20, QChar(0x4e00 + i % 50)),
                                     QStringLiteral("value %1 Zoë").arg(i * 31)};
            handles.push_back(arena.append(fields.constData(), 3));
            stored.append(fields);
        }
        // Release two thirds, replace some: then compaction must move the rest intact.
        for (size_t i = 0; i < handles.size(); ++i) {
            if (i % 3 != 0) {
                arena.release(handles[i], 3);
                handles[i] = TextArena::none;
            }
        }
        QVERIFY(arena.garbageBytes() > arena.liveBytes());
        QVERIFY(arena.wantsCompaction());
        const qint64 live = arena.liveBytes();
        arena.compact(handles, 3);
        QCOMPARE(arena.garbageBytes(), qint64(0));
        QCOMPARE(arena.liveBytes(), live);
        for (size_t i = 0; i < handles.size(); ++i) {
            if (i % 3 != 0) {
                QCOMPARE(handles[i], TextArena::none);
                continue;
            }
            for (int k = 0; k < 3; ++k)
                QCOMPARE(arena.text(handles[i], k), stored.at(int(i)).at(k));
        }
    }

    void shouldCompareAndSearchLikeQString_data()
    {
        QTest::addColumn<QString>("a");
        QTest::addColumn<QString>("b");
        QTest::newRow("ascii") << QStringLiteral("abc") << QStringLiteral("abd");
        QTest::newRow("prefix") << QStringLiteral("ab") << QStringLiteral("abc");
        QTest::newRow("empty") << QString(QLatin1String("")) << QStringLiteral("a");
        QTest::newRow("latin1 vs utf16") << QStringLiteral("ÿz") << QStringLiteral("ĀA");
        QTest::newRow("utf16 vs latin1") << QStringLiteral("東") << QStringLiteral("zz");
        QTest::newRow("equal") << QStringLiteral("Zoë") << QStringLiteral("Zoë");
        QTest::newRow("surrogates") << QStringLiteral("🦘") << QStringLiteral("\uffff");
    }

    void shouldCompareAndSearchLikeQString()
    {
        QFETCH(QString, a);
        QFETCH(QString, b);
        TextArena arena;
        const QString fields[2] = {a, b};
        const TextArena::Handle h = arena.append(fields, 2);
        const int expected = a.compare(b);
        const int got = arena.field(h, 0).compare(arena.field(h, 1));
        QCOMPARE(got < 0, expected < 0);
        QCOMPARE(got > 0, expected > 0);
        for (const QString &term : {a, b, a.left(1), b.right(1), QStringLiteral("z"), QStringLiteral("東")}) {
            const bool latin1 = std::all_of(term.cbegin(), term.cend(), [](QChar c) { return c.unicode() <= 0xff; });
            const QByteArray bytes = latin1 ? term.toLatin1() : QByteArray();
            QCOMPARE(arena.field(h, 0).contains(term, bytes), a.contains(term));
            QCOMPARE(arena.field(h, 1).contains(term, bytes), b.contains(term));
        }
    }

    /// The search compares 16 places at once and the last few one by one: a needle at every
    /// place of haystacks of every length up to 80 is found, and near misses (first and last
    /// characters right, one in between wrong; the needle cut by the end) are not.
    void shouldFindATermAtEveryPlace()
    {
        TextArena arena;
        for (int length = 0; length <= 80; ++length) {
            for (const QString &needle : {QStringLiteral("q"), QStringLiteral("qk"), QStringLiteral("quokka"),
                                          QStringLiteral("sku-quokka-123456789")}) {
                const QByteArray bytes = needle.toLatin1();
                QString missed = needle;
                if (missed.size() > 2)
                    missed[1] = QLatin1Char('#');
                for (int at = 0; at + needle.size() <= length; ++at) {
                    QString hay(length, QLatin1Char('.'));
                    hay.replace(at, needle.size(), needle);
                    const QString fields[1] = {hay};
                    QVERIFY2(arena.field(arena.append(fields, 1), 0).contains(needle, bytes),
                             qPrintable(QStringLiteral("%1 in %2").arg(needle, hay)));
                    if (missed != needle) {
                        hay = QString(length, QLatin1Char('.')).replace(at, needle.size(), missed);
                        const QString near[1] = {hay};
                        QVERIFY(!arena.field(arena.append(near, 1), 0).contains(needle, bytes));
                    }
                }
                if (length >= 1 && needle.size() > 1) {
                    const QString cut = QString(length - 1, QLatin1Char('.')) + needle.left(1); // begins at the end
                    const QString fields[1] = {cut};
                    QVERIFY(!arena.field(arena.append(fields, 1), 0).contains(needle, bytes));
                }
            }
        }
    }

    /// mayContain() says no only when none of the first fields holds the term: a term in any
    /// of them, in a referenced one, or a record with a UTF-16 field among them is a maybe;
    /// a term only in a later field, or beyond Latin-1 with only Latin-1 fields, is a no.
    void shouldRuleOutOnlyRecordsWithoutTheTerm()
    {
        TextArena arena;
        const QByteArray quokka = "quokka";
        auto record = [&arena](const QStringList &texts) {
            return arena.append(texts.constData(), int(texts.size()));
        };
        const QString id = QStringLiteral("celery-task-meta-quokka-0001");
        QVERIFY(arena.mayContain(record({QStringLiteral("a"), QStringLiteral("[1, \"quokka\"]"), QString()}), 2, quokka));
        QVERIFY(arena.mayContain(record({QStringLiteral("a"), QString(), QStringLiteral("quokka")}), 2, quokka));
        QVERIFY(arena.mayContain(record({id, QStringLiteral("quokka-0001")}), 1, quokka)); // a reference
        QVERIFY(!arena.mayContain(record({QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("quokka")}), 1, quokka));
        QVERIFY(!arena.mayContain(record({QStringLiteral("a"), QString(QLatin1String(""))}), 1, quokka));
        QVERIFY(arena.mayContain(record({QStringLiteral("東京"), QStringLiteral("a")}), 1, quokka)); // UTF-16: searched apart
        QVERIFY(arena.mayContain(record({QStringLiteral("東京"), QStringLiteral("a")}), 1, QByteArray()));
        QVERIFY(!arena.mayContain(record({QStringLiteral("Zoë"), QStringLiteral("a")}), 1, QByteArray()));
    }
};

QTEST_APPLESS_MAIN(TestTextArena)
#include "tst_textarena.moc"
