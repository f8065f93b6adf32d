#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QVector>

#include "couchdocument.h"

/// Reading an `_all_docs` answer without building a JSON DOM of the whole page.
///
/// The index loader reads 100k documents in pages of about 1.8 MB; Qt's JSON DOM of such a
/// page (every `value` string decoded into a QString, then freed) cost about a quarter of
/// the loader's time. parseAllDocs() walks the body once, validates it as JSON and keeps
/// only what the loader uses: each row's id and its document's _id and _rev, and where its
/// `value` string is (validated; valueText() decodes it later, on the thread that parses
/// it, ready for CouchDocument's second parse).
/// Pure functions: no I/O, any thread.
namespace CouchPage {

/// One row of `_all_docs` (include_docs or not).
struct Row
{
    /// The row's "id" (a null QString when missing or not a string; never skip such a row
    /// when counting, the loader's page size check counts every row).
    QString id;
    /// "doc" is an object with at least one member (a deleted document's row has null).
    bool hasDoc = false;
    QString docId;  ///< doc._id (null when missing or not a string)
    QString rev;    ///< doc._rev (null when missing or not a string)
    CouchDocument::ValueKind valueKind = CouchDocument::ValueKind::Missing;
    /// ValueKind::String read by parseAllDocs(): where the string starts in the body (its
    /// opening quote), decoded later by valueText(); -1: the text is in value.
    qsizetype valueAt = -1;
    QByteArray value; ///< ValueKind::String with valueAt -1: the string's decoded text, UTF-8
};

/// The UTF-8 text of a row's ValueKind::String value: decoded from body into scratch, or
/// the row's own value (the DOM path). The result refers to scratch or to the row.
const QByteArray &valueText(const QByteArray &body, const Row &row, QByteArray &scratch);

/// Reads an `_all_docs` body into rows (the members of "rows"; a body that is an array, or
/// without "rows", gives none, as the DOM would). False when the body is not JSON this
/// reader is sure about (invalid, truncated, or a form it leaves to Qt, e.g. a lone
/// surrogate escape): then *rows is unspecified and the caller parses the DOM instead.
/// Duplicate keys: the last one counts, as in Qt's DOM.
bool parseAllDocs(const QByteArray &body, QVector<Row> *rows);

/// The same rows from an already parsed DOM (the fallback path).
QVector<Row> rowsFromJson(const QJsonObject &answer);

} // namespace CouchPage
