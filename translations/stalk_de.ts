<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de">
<context>
    <name>ColumnsMenu</name>
    <message>
        <source>&amp;Columns</source>
        <translation>&amp;Spalten</translation>
    </message>
    <message>
        <source>This database&apos;s schema (%1) has no %2 column</source>
        <translation>Das Schema dieser Datenbank (%1) hat keine Spalte „%2“</translation>
    </message>
    <message>
        <source>&amp;Reset columns</source>
        <translation>Spalten &amp;zurücksetzen</translation>
    </message>
</context>
<context>
    <name>ConnectionBar</name>
    <message>
        <source>&amp;Database:</source>
        <translation>Datenban&amp;k:</translation>
    </message>
    <message>
        <source>sqlite:////path/to/db.sqlite3, postgresql://user@host/db, couchdb://host:5984/results</source>
        <translation>sqlite:////pfad/zu/db.sqlite3, postgresql://benutzer@host/db, couchdb://host:5984/results</translation>
    </message>
    <message>
        <source>The result store URL, as on the command line. Recent connections complete as you type; passwords are never remembered.</source>
        <translation>Die URL des Ergebnisspeichers, wie auf der Befehlszeile. Zuletzt benutzte Verbindungen werden beim Tippen vervollständigt; Passwörter werden nie gespeichert.</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Öffnen</translation>
    </message>
    <message>
        <source>Open the database (Return)</source>
        <translation>Die Datenbank öffnen (Eingabetaste)</translation>
    </message>
    <message>
        <source>Read-&amp;only</source>
        <translation>Nur &amp;lesen</translation>
    </message>
    <message>
        <source>Browse without any way to delete: remembered per connection</source>
        <translation>Durchsuchen ohne jede Möglichkeit zu löschen; wird pro Verbindung gespeichert</translation>
    </message>
</context>
<context>
    <name>CouchIndexDialog</name>
    <message>
        <source>Stalk Index on the Server</source>
        <translation>Stalk-Index auf dem Server</translation>
    </message>
    <message>
        <source>The document, exactly as Stalk writes it:</source>
        <translation>Das Dokument, genau so, wie Stalk es schreibt:</translation>
    </message>
    <message>
        <source>&amp;Create…</source>
        <translation>&amp;Anlegen …</translation>
    </message>
    <message>
        <source>&amp;Replace…</source>
        <translation>&amp;Ersetzen …</translation>
    </message>
    <message>
        <source>Re&amp;move…</source>
        <translation>Ent&amp;fernen …</translation>
    </message>
    <message>
        <source>Read &amp;Again</source>
        <translation>Erneut &amp;lesen</translation>
    </message>
    <message>
        <source>Reading %1 of database &apos;%2&apos;…</source>
        <translation>%1 der Datenbank „%2“ wird gelesen …</translation>
    </message>
    <message>
        <source>Create the Stalk Index</source>
        <translation>Stalk-Index anlegen</translation>
    </message>
    <message>
        <source>Create</source>
        <translation>Anlegen</translation>
    </message>
    <message>
        <source>Create %1 in database &apos;%2&apos;?</source>
        <translation>%1 in der Datenbank „%2“ anlegen?</translation>
    </message>
    <message>
        <source>Replace the Stalk Index</source>
        <translation>Stalk-Index ersetzen</translation>
    </message>
    <message>
        <source>Replace</source>
        <translation>Ersetzen</translation>
    </message>
    <message>
        <source>Replace %1 (version %2) in database &apos;%3&apos; with version %4?</source>
        <translation>%1 (Version %2) in der Datenbank „%3“ durch Version %4 ersetzen?</translation>
    </message>
    <message>
        <source>The server then builds the four views again over every document, in the background.</source>
        <translation>Der Server baut die vier Views dann im Hintergrund über alle Dokumente neu auf.</translation>
    </message>
    <message>
        <source>Remove the Stalk Index</source>
        <translation>Stalk-Index entfernen</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Entfernen</translation>
    </message>
    <message>
        <source>Remove %1 from database &apos;%2&apos;?</source>
        <translation>%1 aus der Datenbank „%2“ entfernen?</translation>
    </message>
    <message>
        <source>Creating %1 in database &apos;%2&apos;…</source>
        <translation>%1 wird in der Datenbank „%2“ angelegt …</translation>
    </message>
    <message>
        <source>Replacing %1 in database &apos;%2&apos;…</source>
        <translation>%1 wird in der Datenbank „%2“ ersetzt …</translation>
    </message>
    <message>
        <source>Created %1 (version %2). The server builds its views in the background.</source>
        <translation>%1 (Version %2) angelegt. Der Server baut seine Views im Hintergrund auf.</translation>
    </message>
    <message>
        <source>Replaced %1 with version %2. The server builds its views again in the background.</source>
        <translation>%1 durch Version %2 ersetzt. Der Server baut seine Views im Hintergrund neu auf.</translation>
    </message>
    <message>
        <source>Removing %1 from database &apos;%2&apos;…</source>
        <translation>%1 wird aus der Datenbank „%2“ entfernt …</translation>
    </message>
    <message>
        <source>Removed %1.</source>
        <translation>%1 entfernt.</translation>
    </message>
    <message>
        <source>Whether database &apos;%1&apos; holds %2 could not be read.</source>
        <translation>Ob die Datenbank „%1“ %2 enthält, konnte nicht gelesen werden.</translation>
    </message>
    <message>
        <source>Absent: database &apos;%1&apos; holds no %2.</source>
        <translation>Nicht vorhanden: Die Datenbank „%1“ enthält kein %2.</translation>
    </message>
    <message>
        <source>Up to date: database &apos;%1&apos; holds %2 version %3, the one this Stalk writes.</source>
        <translation>Aktuell: Die Datenbank „%1“ enthält %2 in Version %3, der Version, die dieses Stalk schreibt.</translation>
    </message>
    <message>
        <source>Outdated: the %1 in database &apos;%2&apos; (version %3) differs from the version %4 this Stalk writes.</source>
        <translation>Veraltet: %1 in der Datenbank „%2“ (Version %3) weicht von Version %4 ab, die dieses Stalk schreibt.</translation>
    </message>
    <message>
        <source>Foreign: database &apos;%1&apos; holds a %2 that Stalk did not write (it has no stalk_version). Stalk neither replaces nor removes it.</source>
        <translation>Fremd: Die Datenbank „%1“ enthält ein %2, das nicht Stalk geschrieben hat (es hat keine stalk_version). Stalk ersetzt und entfernt es nicht.</translation>
    </message>
    <message>
        <source>Creating the Stalk index writes one design document, %1, into this database: four views whose keys are each Celery result&apos;s date_done, its status, its task name and its worker (the last three followed by date_done, all followed by the document id), each with CouchDB&apos;s built-in _count reduce. The server builds them in the background by reading every document once, keeps them current as results arrive, and stores them on its disk. Writing design documents needs an admin of the database (or of the server).</source>
        <translation>Das Anlegen des Stalk-Index schreibt ein Design-Dokument, %1, in diese Datenbank: vier Views, deren Schlüssel das date_done jedes Celery-Ergebnisses, sein Status, sein Task-Name und sein Worker sind (die letzten drei gefolgt von date_done, alle gefolgt von der Dokument-ID), jeweils mit CouchDBs eingebautem _count-Reduce. Der Server baut sie im Hintergrund, indem er jedes Dokument einmal liest, hält sie aktuell, während Ergebnisse eintreffen, und speichert sie auf seiner Festplatte. Design-Dokumente schreiben darf nur ein Admin der Datenbank (oder des Servers).</translation>
    </message>
    <message>
        <source>What it is for: when the database is opened again, Stalk answers counts, facets, filters, the history, pages sorted by date done, status, task name or worker, and Delete Expired from these views instead of reading every document into memory first. A search, the exception filter, other sort orders and the Failures tab still read every document, the first time they are used.</source>
        <translation>Wozu er dient: Wird die Datenbank erneut geöffnet, beantwortet Stalk Anzahlen, Facetten, Filter, den Verlauf, nach Fertigstellungsdatum, Status, Task-Name oder Worker sortierte Seiten und „Abgelaufene löschen“ aus diesen Views, statt zuerst jedes Dokument in den Speicher zu lesen. Eine Suche, der Ausnahmefilter, andere Sortierungen und der Reiter „Fehler“ lesen weiterhin jedes Dokument, beim ersten Gebrauch.</translation>
    </message>
    <message>
        <source>The server then builds four views over every document in the background, which takes time and disk space on a large database. Stalk reads them once the database is opened again.</source>
        <translation>Der Server baut dann im Hintergrund vier Views über alle Dokumente, was bei einer großen Datenbank Zeit und Plattenplatz kostet. Stalk liest sie, sobald die Datenbank erneut geöffnet wird.</translation>
    </message>
    <message>
        <source>The server stops keeping its four views. Once the database is opened again, Stalk reads every document into memory instead.</source>
        <translation>Der Server pflegt seine vier Views nicht mehr. Wird die Datenbank erneut geöffnet, liest Stalk stattdessen jedes Dokument in den Speicher.</translation>
    </message>
</context>
<context>
    <name>DeleteSelectedDialog</name>
    <message>
        <source>The rows are removed from the database; this cannot be undone.</source>
        <translation>Die Zeilen werden aus der Datenbank entfernt; dies kann nicht rückgängig gemacht werden.</translation>
    </message>
    <message>
        <source>Delete 1 result</source>
        <translation>1 Ergebnis löschen</translation>
    </message>
    <message>
        <source>Delete %1 results</source>
        <translation>%1 Ergebnisse löschen</translation>
    </message>
    <message>
        <source>Delete 1 selected result?</source>
        <translation>1 ausgewähltes Ergebnis löschen?</translation>
    </message>
    <message>
        <source>Delete %1 selected results?</source>
        <translation>%1 ausgewählte Ergebnisse löschen?</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Löschen</translation>
    </message>
    <message>
        <source>Delete selected results</source>
        <translation>Ausgewählte Ergebnisse löschen</translation>
    </message>
    <message>
        <source>The %1 selected results cannot be deleted together.</source>
        <translation>Die %1 ausgewählten Ergebnisse können nicht zusammen gelöscht werden.</translation>
    </message>
    <message>
        <source>Selecting all deletes every result matching the filters, and %1. Clear it, or select the rows to delete (the loaded rows are deleted one by one).</source>
        <translation>„Alles auswählen“ löscht jedes Ergebnis, das zu den Filtern passt, und %1. Heben Sie die Auswahl auf oder wählen Sie die zu löschenden Zeilen aus (die geladenen Zeilen werden einzeln gelöscht).</translation>
    </message>
    <message>
        <source>Counting the %1 selected results…</source>
        <translation>Die %1 ausgewählten Ergebnisse werden gezählt …</translation>
    </message>
    <message>
        <source>The selected results could not be counted.</source>
        <translation>Die ausgewählten Ergebnisse konnten nicht gezählt werden.</translation>
    </message>
    <message>
        <source>Delete the 1 result matching the filters?</source>
        <translation>Das 1 Ergebnis löschen, das zu den Filtern passt?</translation>
    </message>
    <message>
        <source>Delete all %1 results matching the filters?</source>
        <translation>Alle %1 Ergebnisse löschen, die zu den Filtern passen?</translation>
    </message>
    <message>
        <source>Delete %1 of the %2 results matching the filters?</source>
        <translation>%1 der %2 Ergebnisse löschen, die zu den Filtern passen?</translation>
    </message>
    <message>
        <source>Every matching result is deleted, not only the loaded rows. Kept: results still running (no date done) and results finished after %1, when you chose Delete, so results written after you confirm are kept. %2</source>
        <translation>Jedes passende Ergebnis wird gelöscht, nicht nur die geladenen Zeilen. Behalten werden: noch laufende Ergebnisse (ohne Fertigstellungsdatum) und Ergebnisse, die nach %1 beendet wurden, dem Zeitpunkt, zu dem Sie „Löschen“ gewählt haben; Ergebnisse, die nach Ihrer Bestätigung geschrieben werden, bleiben also erhalten. %2</translation>
    </message>
    <message>
        <source>This connection is read-only: nothing can be deleted.</source>
        <translation>Diese Verbindung ist schreibgeschützt: Es kann nichts gelöscht werden.</translation>
    </message>
    <message>
        <source>Deleting…</source>
        <translation>Wird gelöscht …</translation>
    </message>
    <message>
        <source>Deleted %1 of %2</source>
        <translation>%1 von %2 gelöscht</translation>
    </message>
    <message>
        <source>Delete results</source>
        <translation>Ergebnisse löschen</translation>
    </message>
    <message>
        <source>The results of “%1” cannot be deleted together.</source>
        <translation>Die Ergebnisse von „%1“ können nicht zusammen gelöscht werden.</translation>
    </message>
    <message>
        <source>Counting the results of “%1”…</source>
        <translation>Die Ergebnisse von „%1“ werden gezählt …</translation>
    </message>
    <message>
        <source>Delete the 1 result of “%1”?</source>
        <translation>Das 1 Ergebnis von „%1“ löschen?</translation>
    </message>
    <message>
        <source>Delete all %1 results of “%2”?</source>
        <translation>Alle %1 Ergebnisse von „%2“ löschen?</translation>
    </message>
    <message>
        <source>Every result of this task name, these statuses and this exception is deleted, whatever its message. Kept: results still running (no date done) and results finished after %1, when you chose Delete, so results written after you confirm are kept. %2</source>
        <translation>Jedes Ergebnis dieses Task-Namens, dieser Status und dieser Ausnahme wird gelöscht, gleich mit welcher Meldung. Behalten werden: noch laufende Ergebnisse (ohne Fertigstellungsdatum) und Ergebnisse, die nach %1 beendet wurden, dem Zeitpunkt, zu dem Sie „Löschen“ gewählt haben; Ergebnisse, die nach Ihrer Bestätigung geschrieben werden, bleiben also erhalten. %2</translation>
    </message>
</context>
<context>
    <name>DetailPane</name>
    <message>
        <source>Show all</source>
        <translation>Alles anzeigen</translation>
    </message>
    <message>
        <source>Open the whole value in a window of its own (it loads piece by piece)</source>
        <translation>Den ganzen Wert in einem eigenen Fenster öffnen (er wird Stück für Stück geladen)</translation>
    </message>
    <message>
        <source>Save to file…</source>
        <translation>In Datei speichern …</translation>
    </message>
    <message>
        <source>Save the whole value to a file</source>
        <translation>Den ganzen Wert in einer Datei speichern</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>Kopieren</translation>
    </message>
    <message>
        <source>Copy the whole value</source>
        <translation>Den ganzen Wert kopieren</translation>
    </message>
    <message>
        <source>Loading… %1 of %2</source>
        <translation>Wird geladen … %1 von %2</translation>
    </message>
    <message>
        <source>All %1 characters (%2).</source>
        <translation>Alle %1 Zeichen (%2).</translation>
    </message>
    <message>
        <source>Lines longer than %1 characters are shown broken here; Save to file… and Copy keep them whole.</source>
        <translation>Zeilen mit mehr als %1 Zeichen werden hier umbrochen angezeigt; „In Datei speichern …“ und „Kopieren“ behalten sie ganz.</translation>
    </message>
    <message>
        <source>Copied</source>
        <translation>Kopiert</translation>
    </message>
    <message>
        <source>Copied to the clipboard</source>
        <translation>In die Zwischenablage kopiert</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Wird geladen …</translation>
    </message>
    <message>
        <source>Loading task %1…</source>
        <translation>Aufgabe %1 wird geladen …</translation>
    </message>
    <message>
        <source>Identity</source>
        <translation>Identität</translation>
    </message>
    <message>
        <source>Copy the task ID</source>
        <translation>Die Aufgaben-ID kopieren</translation>
    </message>
    <message>
        <source>Task ID:</source>
        <translation>Aufgaben-ID:</translation>
    </message>
    <message>
        <source>Task name:</source>
        <translation>Aufgabenname:</translation>
    </message>
    <message>
        <source>Periodic task:</source>
        <translation>Periodische Aufgabe:</translation>
    </message>
    <message>
        <source>Show only results with this status</source>
        <translation>Nur Ergebnisse mit diesem Status anzeigen</translation>
    </message>
    <message>
        <source>Status:</source>
        <translation>Status:</translation>
    </message>
    <message>
        <source>Worker:</source>
        <translation>Worker:</translation>
    </message>
    <message>
        <source>Group ID:</source>
        <translation>Gruppen-ID:</translation>
    </message>
    <message>
        <source>Parent ID:</source>
        <translation>Eltern-ID:</translation>
    </message>
    <message>
        <source>Queue:</source>
        <translation>Warteschlange:</translation>
    </message>
    <message>
        <source>Retries:</source>
        <translation>Wiederholungen:</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>Parameter</translation>
    </message>
    <message>
        <source>Positional:</source>
        <translation>Positionsargumente:</translation>
    </message>
    <message>
        <source>Keyword:</source>
        <translation>Schlüsselwortargumente:</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>Ergebnis</translation>
    </message>
    <message>
        <source>Content:</source>
        <translation>Inhalt:</translation>
    </message>
    <message>
        <source>Copy the result</source>
        <translation>Das Ergebnis kopieren</translation>
    </message>
    <message>
        <source>Result:</source>
        <translation>Ergebnis:</translation>
    </message>
    <message>
        <source>Meta:</source>
        <translation>Meta:</translation>
    </message>
    <message>
        <source>Copy the traceback</source>
        <translation>Den Traceback kopieren</translation>
    </message>
    <message>
        <source>Traceback:</source>
        <translation>Traceback:</translation>
    </message>
    <message>
        <source>Dates</source>
        <translation>Zeitpunkte</translation>
    </message>
    <message>
        <source>Created:</source>
        <translation>Erstellt:</translation>
    </message>
    <message>
        <source>Started:</source>
        <translation>Gestartet:</translation>
    </message>
    <message>
        <source>Done:</source>
        <translation>Beendet:</translation>
    </message>
    <message>
        <source>Runtime:</source>
        <translation>Laufzeit:</translation>
    </message>
    <message>
        <source>Expires:</source>
        <translation>Läuft ab:</translation>
    </message>
    <message>
        <source>Save %1</source>
        <translation>%1 speichern</translation>
    </message>
    <message>
        <source>Could not save %1: %2</source>
        <translation>%1 konnte nicht gespeichert werden: %2</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 von %2</translation>
    </message>
    <message>
        <source>Could not load this result.

%1</source>
        <translation>Dieses Ergebnis konnte nicht geladen werden.

%1</translation>
    </message>
    <message>
        <source>Select a task result to see its details.</source>
        <translation>Wählen Sie ein Aufgabenergebnis aus, um seine Details zu sehen.</translation>
    </message>
    <message>
        <source>unavailable in this schema</source>
        <translation>in diesem Schema nicht verfügbar</translation>
    </message>
    <message>
        <source>not recorded (result_extended is off)</source>
        <translation>nicht aufgezeichnet (result_extended ist aus)</translation>
    </message>
    <message>
        <source>None</source>
        <translation>None</translation>
    </message>
    <message>
        <source>Decoding…</source>
        <translation>Wird dekodiert …</translation>
    </message>
    <message>
        <source>(empty)</source>
        <translation>(leer)</translation>
    </message>
    <message>
        <source>Click to show only results with this %1</source>
        <translation>Klicken, um nur Ergebnisse mit diesem Wert für „%1“ anzuzeigen</translation>
    </message>
    <message>
        <source>%1: showing the first %2 of %3 (%4 of %5 characters).</source>
        <translation>%1: Die ersten %2 von %3 werden angezeigt (%4 von %5 Zeichen).</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>This field does not exist in %1.</source>
        <translation>Dieses Feld gibt es in %1 nicht.</translation>
    </message>
    <message>
        <source>This field does not exist in this database&apos;s schema.</source>
        <translation>Dieses Feld gibt es im Schema dieser Datenbank nicht.</translation>
    </message>
    <message>
        <source>Only a preview of this row is loaded; values may be cut short.</source>
        <translation>Von dieser Zeile ist nur eine Vorschau geladen; Werte können abgeschnitten sein.</translation>
    </message>
    <message>
        <source>This result was stored by a Celery app running without &lt;b&gt;result_extended&lt;/b&gt;, so its task name, arguments, worker and periodic task were not recorded. Set &lt;tt&gt;result_extended&amp;nbsp;=&amp;nbsp;True&lt;/tt&gt; in the Celery configuration to see them for new tasks.</source>
        <translation>Dieses Ergebnis wurde von einer Celery-Anwendung ohne &lt;b&gt;result_extended&lt;/b&gt; gespeichert, daher wurden Aufgabenname, Argumente, Worker und periodische Aufgabe nicht aufgezeichnet. Setzen Sie &lt;tt&gt;result_extended&amp;nbsp;=&amp;nbsp;True&lt;/tt&gt; in der Celery-Konfiguration, um sie für neue Aufgaben zu sehen.</translation>
    </message>
    <message>
        <source>(no status)</source>
        <translation>(kein Status)</translation>
    </message>
    <message>
        <source>Copy copies all of it.</source>
        <translation>„Kopieren“ kopiert alles.</translation>
    </message>
    <message>
        <source>Binary content (%1), shown as bytes</source>
        <translation>Binärer Inhalt (%1), als Bytes angezeigt</translation>
    </message>
    <message>
        <source>%1: shown the last %2 of %3 characters. Copy copies all of it.</source>
        <translation>%1: Die letzten %2 von %3 Zeichen werden angezeigt. „Kopieren“ kopiert alles.</translation>
    </message>
    <message>
        <source>never (the key has no TTL)</source>
        <translation>nie (der Schlüssel hat keine TTL)</translation>
    </message>
    <message>
        <source> (in %1)</source>
        <translation> (in %1)</translation>
    </message>
    <message>
        <source>Date done − date started</source>
        <translation>Beendet − gestartet</translation>
    </message>
    <message>
        <source>Date done − date created</source>
        <translation>Beendet − erstellt</translation>
    </message>
    <message>
        <source>Only finished tasks have a run time</source>
        <translation>Nur beendete Aufgaben haben eine Laufzeit</translation>
    </message>
    <message>
        <source>Some values could not be read:</source>
        <translation>Einige Werte konnten nicht gelesen werden:</translation>
    </message>
    <message>
        <source>The tasks this task started (stored in its meta); click one to show it</source>
        <translation>Die Aufgaben, die diese Aufgabe gestartet hat (in ihrem meta gespeichert); klicken Sie eine an, um sie zu zeigen</translation>
    </message>
    <message>
        <source>Children:</source>
        <translation>Kinder:</translation>
    </message>
    <message>
        <source>The saved group that lists this task; click it to show its members</source>
        <translation>Die gespeicherte Gruppe, die diese Aufgabe enthält; klicken Sie darauf, um ihre Mitglieder zu zeigen</translation>
    </message>
    <message>
        <source>Group:</source>
        <translation>Gruppe:</translation>
    </message>
    <message>
        <source> (%1 ago: past its expiry, read as missing)</source>
        <translation> (vor %1: abgelaufen, wird als fehlend gelesen)</translation>
    </message>
</context>
<context>
    <name>ErrorBanner</name>
    <message>
        <source>&amp;Retry</source>
        <translation>E&amp;rneut versuchen</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <source>Dismiss message</source>
        <translation>Meldung schließen</translation>
    </message>
</context>
<context>
    <name>ExportDialog</name>
    <message>
        <source>CSV (*.csv)</source>
        <translation>CSV (*.csv)</translation>
    </message>
    <message>
        <source>JSON (*.json)</source>
        <translation>JSON (*.json)</translation>
    </message>
    <message>
        <source>JSON Lines (*.jsonl)</source>
        <translation>JSON Lines (*.jsonl)</translation>
    </message>
    <message>
        <source>Export cancelled; nothing was saved.</source>
        <translation>Export abgebrochen; es wurde nichts gespeichert.</translation>
    </message>
    <message>
        <source>Exported %1 to %2 in %3 s.</source>
        <translation>%1 in %3 s nach %2 exportiert.</translation>
    </message>
    <message>
        <source>Export results</source>
        <translation>Ergebnisse exportieren</translation>
    </message>
    <message>
        <source>All %1 matching the filters and search</source>
        <translation>Alle, die zu Filtern und Suche passen: %1</translation>
    </message>
    <message>
        <source>Every result matching the filters and search</source>
        <translation>Jedes Ergebnis, das zu Filtern und Suche passt</translation>
    </message>
    <message>
        <source> (everything is selected)</source>
        <translation> (alles ist ausgewählt)</translation>
    </message>
    <message>
        <source>The %1 selected</source>
        <translation>Nur die Auswahl: %1</translation>
    </message>
    <message>
        <source>The selected results (none)</source>
        <translation>Nur die Auswahl (keine)</translation>
    </message>
    <message>
        <source>The %1 loaded of the %2 selected</source>
        <translation>Die %1 geladenen der %2 in der Auswahl</translation>
    </message>
    <message>
        <source>&amp;Format:</source>
        <translation>&amp;Format:</translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation>&amp;Durchsuchen …</translation>
    </message>
    <message>
        <source>F&amp;ile:</source>
        <translation>Da&amp;tei:</translation>
    </message>
    <message>
        <source>Written exactly as `stalk list --format %1` prints it, in the table&apos;s order.</source>
        <translation>Genau so geschrieben, wie `stalk list --format %1` es ausgibt, in der Reihenfolge der Tabelle.</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>&amp;Export</source>
        <translation>&amp;Exportieren</translation>
    </message>
    <message>
        <source>Exporting…</source>
        <translation>Wird exportiert …</translation>
    </message>
    <message>
        <source>Exported %1…</source>
        <translation>%1 exportiert …</translation>
    </message>
    <message>
        <source>Exported %1 of %2</source>
        <translation>%1 von %2 exportiert</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Abgebrochen</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Fertig</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Fehlgeschlagen</translation>
    </message>
</context>
<context>
    <name>ExportJob</name>
    <message>
        <source>Cannot write %1: %2.</source>
        <translation>%1 kann nicht geschrieben werden: %2.</translation>
    </message>
    <message>
        <source>Cannot write %1: %2; nothing was saved.</source>
        <translation>%1 kann nicht geschrieben werden: %2; es wurde nichts gespeichert.</translation>
    </message>
    <message>
        <source>Cannot read the results: %1; nothing was saved.</source>
        <translation>Die Ergebnisse können nicht gelesen werden: %1; es wurde nichts gespeichert.</translation>
    </message>
    <message>
        <source>No database is open.</source>
        <translation>Es ist keine Datenbank geöffnet.</translation>
    </message>
</context>
<context>
    <name>FailuresPanel</name>
    <message>
        <source>(none)</source>
        <translation>(keine)</translation>
    </message>
    <message>
        <source>(unknown)</source>
        <translation>(unbekannt)</translation>
    </message>
    <message>
        <source>### %1 in %2</source>
        <translation>### %1 in %2</translation>
    </message>
    <message>
        <source>- **Count:** %1 (%2)</source>
        <translation>- **Anzahl:** %1 (%2)</translation>
    </message>
    <message>
        <source>- **First seen:** %1</source>
        <translation>- **Zuerst gesehen:** %1</translation>
    </message>
    <message>
        <source>- **Last seen:** %1</source>
        <translation>- **Zuletzt gesehen:** %1</translation>
    </message>
    <message>
        <source>- **Workers:** %1</source>
        <translation>- **Worker:** %1</translation>
    </message>
    <message>
        <source>(none recorded)</source>
        <translation>(keine erfasst)</translation>
    </message>
    <message>
        <source>Traceback of task %1 (%2):</source>
        <translation>Traceback des Tasks %1 (%2):</translation>
    </message>
    <message>
        <source>Task</source>
        <translation>Task</translation>
    </message>
    <message>
        <source>Exception</source>
        <translation>Ausnahme</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Meldung</translation>
    </message>
    <message>
        <source>Count</source>
        <translation>Anzahl</translation>
    </message>
    <message>
        <source>First seen</source>
        <translation>Zuerst gesehen</translation>
    </message>
    <message>
        <source>Last seen</source>
        <translation>Zuletzt gesehen</translation>
    </message>
    <message>
        <source>Workers</source>
        <translation>Worker</translation>
    </message>
    <message>
        <source>Statuses</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Failure groups</source>
        <translation>Fehlergruppen</translation>
    </message>
    <message>
        <source>Show in &amp;Table</source>
        <translation>In der &amp;Tabelle zeigen</translation>
    </message>
    <message>
        <source>Copy &amp;Summary (Markdown)</source>
        <translation>&amp;Zusammenfassung kopieren (Markdown)</translation>
    </message>
    <message>
        <source>Copy the group for a bug report: task, exception, message, count, first and last seen, workers and the traceback</source>
        <translation>Die Gruppe für einen Fehlerbericht kopieren: Task, Ausnahme, Meldung, Anzahl, zuerst und zuletzt gesehen, Worker und den Traceback</translation>
    </message>
    <message>
        <source>Grouping %1 results by task, exception and message…</source>
        <translation>Gruppiere %1-Ergebnisse nach Task, Ausnahme und Meldung…</translation>
    </message>
    <message>
        <source>1 result</source>
        <translation>1 Ergebnis</translation>
    </message>
    <message>
        <source>%1 results</source>
        <translation>%1 Ergebnisse</translation>
    </message>
    <message>
        <source>1 group</source>
        <translation>1 Gruppe</translation>
    </message>
    <message>
        <source>%1 groups</source>
        <translation>%1 Gruppen</translation>
    </message>
    <message>
        <source>%1 (%2) under the current filters and date range, in %3 by task, exception and message. Double-click a group to show its results in the table.</source>
        <translation>%1 (%2) unter den aktuellen Filtern und dem Zeitraum, in %3 nach Task, Ausnahme und Meldung. Doppelklick auf eine Gruppe zeigt ihre Ergebnisse in der Tabelle.</translation>
    </message>
    <message>
        <source>Reading the latest result of this group…</source>
        <translation>Lese das neueste Ergebnis dieser Gruppe…</translation>
    </message>
    <message>
        <source>None of the newest %L1 results of this task holds this exception; Show in Table lists them.</source>
        <translation>Keines der neuesten %L1 Ergebnisse dieses Tasks enthält diese Ausnahme; „In der Tabelle zeigen“ listet sie.</translation>
    </message>
    <message>
        <source>No failures under the current filters.</source>
        <translation>Keine Fehler unter den aktuellen Filtern.</translation>
    </message>
    <message>
        <source>The latest result of this group, task %1 (%2), has no traceback stored (the app runs without result_extended, or Celery kept none).</source>
        <translation>Das neueste Ergebnis dieser Gruppe, Task %1 (%2), hat keinen gespeicherten Traceback (die App läuft ohne result_extended, oder Celery hat keinen behalten).</translation>
    </message>
    <message>
        <source>Traceback of the latest result of this group: task %1, done %2</source>
        <translation>Traceback des neuesten Ergebnisses dieser Gruppe: Task %1, fertig %2</translation>
    </message>
    <message>
        <source>Trend</source>
        <translation>Verlauf</translation>
    </message>
    <message>
        <source>Results over time, on one axis for all groups from the first failure to the last; sorts by the last point&apos;s count</source>
        <translation>Ergebnisse im Zeitverlauf, auf einer Achse für alle Gruppen vom ersten Fehler bis zum letzten; sortiert nach der Anzahl des letzten Punkts</translation>
    </message>
    <message>
        <source>minute</source>
        <translation>Minute</translation>
    </message>
    <message>
        <source>%1 minutes</source>
        <translation>%1 Minuten</translation>
    </message>
    <message>
        <source>hour</source>
        <translation>Stunde</translation>
    </message>
    <message>
        <source>%1 hours</source>
        <translation>%1 Stunden</translation>
    </message>
    <message>
        <source>day</source>
        <translation>Tag</translation>
    </message>
    <message>
        <source>%1 days</source>
        <translation>%1 Tage</translation>
    </message>
    <message>
        <source>Results per %1 (UTC):</source>
        <translation>Ergebnisse pro %1 (UTC):</translation>
    </message>
    <message>
        <source>Results per %1 (local time):</source>
        <translation>Ergebnisse pro %1 (Ortszeit):</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>(no result has a date done)</source>
        <translation>(kein Ergebnis hat ein Abschlussdatum)</translation>
    </message>
    <message>
        <source>%1 in %2 (%3)</source>
        <translation>%1 in %2 (%3)</translation>
    </message>
    <message>
        <source>Filter the results table to this group&apos;s task name, statuses and exception</source>
        <translation>Die Ergebnistabelle auf Task-Namen, Status und Ausnahme dieser Gruppe filtern</translation>
    </message>
    <message>
        <source>&amp;Delete…</source>
        <translation>&amp;Löschen …</translation>
    </message>
    <message>
        <source>Delete the results Show in Table lists (this task name, these statuses and this exception type), after a count and a confirmation</source>
        <translation>Die Ergebnisse löschen, die „In der Tabelle zeigen“ auflistet (dieser Task-Name, diese Status und dieser Ausnahmetyp), nach einer Zählung und einer Bestätigung</translation>
    </message>
    <message>
        <source>E&amp;xport…</source>
        <translation>E&amp;xportieren …</translation>
    </message>
    <message>
        <source>Export the results Show in Table lists to CSV, JSON or JSONL</source>
        <translation>Die Ergebnisse, die „In der Tabelle zeigen“ auflistet, als CSV, JSON oder JSONL exportieren</translation>
    </message>
    <message>
        <source>%1 “%2” in %3 (%4)</source>
        <translation>%1 „%2“ in %3 (%4)</translation>
    </message>
    <message>
        <source>No filter selects only the results without a readable exception: Show in Table, Export… and Delete… cover the %1 groups of this task, %2 results.</source>
        <translation>Kein Filter wählt nur die Ergebnisse ohne lesbare Ausnahme aus: „In der Tabelle zeigen“, „Exportieren…“ und „Löschen…“ umfassen die %1 Gruppen dieser Aufgabe, %2 Ergebnisse.</translation>
    </message>
</context>
<context>
    <name>FilterPanel</name>
    <message>
        <source>(none)</source>
        <translation>(keine)</translation>
    </message>
    <message>
        <source>Date done</source>
        <translation>Beendet am</translation>
    </message>
    <message>
        <source>Date done range</source>
        <translation>Zeitraum für „Beendet am“</translation>
    </message>
    <message>
        <source>Any time</source>
        <translation>Beliebig</translation>
    </message>
    <message>
        <source>Last hour</source>
        <translation>Letzte Stunde</translation>
    </message>
    <message>
        <source>Last 24 hours</source>
        <translation>Letzte 24 Stunden</translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation>Letzte 7 Tage</translation>
    </message>
    <message>
        <source>Custom range…</source>
        <translation>Eigener Zeitraum …</translation>
    </message>
    <message>
        <source>&amp;From:</source>
        <translation>&amp;Von:</translation>
    </message>
    <message>
        <source>&amp;To:</source>
        <translation>B&amp;is:</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Status filter</source>
        <translation>Statusfilter</translation>
    </message>
    <message>
        <source>Task name</source>
        <translation>Aufgabenname</translation>
    </message>
    <message>
        <source>Type to narrow…</source>
        <translation>Zum Eingrenzen tippen …</translation>
    </message>
    <message>
        <source>Task name filter</source>
        <translation>Filter für Aufgabennamen</translation>
    </message>
    <message>
        <source>Worker</source>
        <translation>Worker</translation>
    </message>
    <message>
        <source>Worker filter</source>
        <translation>Worker-Filter</translation>
    </message>
    <message>
        <source>Periodic task</source>
        <translation>Periodische Aufgabe</translation>
    </message>
    <message>
        <source>Periodic task filter</source>
        <translation>Filter für periodische Aufgaben</translation>
    </message>
    <message>
        <source>C&amp;lear filters</source>
        <translation>Filter &amp;zurücksetzen</translation>
    </message>
    <message>
        <source>(empty)</source>
        <translation>(leer)</translation>
    </message>
    <message>
        <source>No value stored (NULL)</source>
        <translation>Kein Wert gespeichert (NULL)</translation>
    </message>
    <message>
        <source>%1 · %2 selected</source>
        <translation>%1 · %2 ausgewählt</translation>
    </message>
    <message>
        <source>%1 · counting…</source>
        <translation>%1 · wird gezählt …</translation>
    </message>
    <message>
        <source>These counts are for the previous filters and search; the new ones are being counted.</source>
        <translation>Diese Zahlen gelten für die vorigen Filter und die vorige Suche; die neuen werden gezählt.</translation>
    </message>
</context>
<context>
    <name>GroupsPanel</name>
    <message>
        <source>Show All Groups</source>
        <translation>Alle Gruppen zeigen</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>Gruppe</translation>
    </message>
    <message>
        <source>Date Done</source>
        <translation>Beendet</translation>
    </message>
    <message>
        <source>Members</source>
        <translation>Mitglieder</translation>
    </message>
    <message>
        <source>Statuses</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Saved groups</source>
        <translation>Gespeicherte Gruppen</translation>
    </message>
    <message>
        <source>Task ID</source>
        <translation>Aufgaben-ID</translation>
    </message>
    <message>
        <source>Task Name</source>
        <translation>Aufgabenname</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Members of the selected group</source>
        <translation>Mitglieder der ausgewählten Gruppe</translation>
    </message>
    <message>
        <source>Reading saved groups…</source>
        <translation>Gespeicherte Gruppen werden gelesen …</translation>
    </message>
    <message>
        <source>No saved group lists task %1.</source>
        <translation>Keine gespeicherte Gruppe enthält die Aufgabe %1.</translation>
    </message>
    <message>
        <source>The saved groups that list task %1.</source>
        <translation>Die gespeicherten Gruppen, die den Task %1 enthalten.</translation>
    </message>
    <message>
        <source>The newest %1 saved groups in the date range. Select a group to see its members.</source>
        <translation>Die neuesten %1 gespeicherten Gruppen im Zeitraum. Wählen Sie eine Gruppe, um ihre Mitglieder zu sehen.</translation>
    </message>
    <message numerus="yes">
        <source>%n saved group(s) in the date range, newest first. Select a group to see its members; double-click a member to see its details.</source>
        <translation>
            <numerusform>%n gespeicherte Gruppe im Zeitraum, neueste zuerst. Wählen Sie eine Gruppe, um ihre Mitglieder zu sehen; Doppelklick auf ein Mitglied zeigt seine Details.</numerusform>
            <numerusform>%n gespeicherte Gruppen im Zeitraum, neueste zuerst. Wählen Sie eine Gruppe, um ihre Mitglieder zu sehen; Doppelklick auf ein Mitglied zeigt seine Details.</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 not stored</source>
        <translation>%1 nicht gespeichert</translation>
    </message>
    <message>
        <source>not stored</source>
        <translation>nicht gespeichert</translation>
    </message>
    <message>
        <source>No result of this task is in the store (expired or deleted).</source>
        <translation>Von dieser Aufgabe ist kein Ergebnis gespeichert (abgelaufen oder gelöscht).</translation>
    </message>
</context>
<context>
    <name>HistoryChart</name>
    <message>
        <source>History chart</source>
        <translation>Verlaufsdiagramm</translation>
    </message>
    <message>
        <source>%1 – %2%3</source>
        <translation>%1 – %2%3</translation>
    </message>
    <message>
        <source>(no status)</source>
        <translation>(kein Status)</translation>
    </message>
    <message>
        <source>, failure rate %1%</source>
        <translation>, Fehlerquote %1 %</translation>
    </message>
    <message>
        <source>No result of this view has a date done.</source>
        <translation>Kein Ergebnis dieser Ansicht hat ein Datum „Beendet am“.</translation>
    </message>
    <message>
        <source>1 result</source>
        <translation>1 Ergebnis</translation>
    </message>
    <message>
        <source>%1 results</source>
        <translation>%1 Ergebnisse</translation>
    </message>
</context>
<context>
    <name>HistoryPanel</name>
    <message>
        <source>Counting results by time…</source>
        <translation>Ergebnisse werden nach Zeit gezählt …</translation>
    </message>
    <message>
        <source>Drag across the bars to filter by date done.</source>
        <translation>Über die Balken ziehen, um nach „Beendet am“ zu filtern.</translation>
    </message>
    <message>
        <source>Results per minute by status; the line is the failure rate (right axis).</source>
        <translation>Ergebnisse pro Minute nach Status; die Linie ist die Fehlerquote (rechte Achse).</translation>
    </message>
    <message>
        <source>Results per hour by status; the line is the failure rate (right axis).</source>
        <translation>Ergebnisse pro Stunde nach Status; die Linie ist die Fehlerquote (rechte Achse).</translation>
    </message>
    <message>
        <source>Results per day by status; the line is the failure rate (right axis).</source>
        <translation>Ergebnisse pro Tag nach Status; die Linie ist die Fehlerquote (rechte Achse).</translation>
    </message>
    <message>
        <source>No result matches this view.</source>
        <translation>Kein Ergebnis passt zu dieser Ansicht.</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>&amp;New Window</source>
        <translation>&amp;Neues Fenster</translation>
    </message>
    <message>
        <source>Open another database in a window of its own (Ctrl+N)</source>
        <translation>Eine weitere Datenbank in einem eigenen Fenster öffnen (Strg+N)</translation>
    </message>
    <message>
        <source>&amp;Export…</source>
        <translation>&amp;Exportieren …</translation>
    </message>
    <message>
        <source>Write the matching or the selected results to a CSV, JSON or JSON Lines file (Ctrl+E)</source>
        <translation>Die passenden oder die ausgewählten Ergebnisse in eine CSV-, JSON- oder JSON-Lines-Datei schreiben (Strg+E)</translation>
    </message>
    <message>
        <source>&amp;Open Database…</source>
        <translation>Datenbank ö&amp;ffnen …</translation>
    </message>
    <message>
        <source>Type a database URL to open (Ctrl+L)</source>
        <translation>Eine Datenbank-URL zum Öffnen eingeben (Strg+L)</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>&amp;Close Window</source>
        <translation>Fenster &amp;schließen</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>&amp;Aktualisieren</translation>
    </message>
    <message>
        <source>Read the results again (F5)</source>
        <translation>Die Ergebnisse neu lesen (F5)</translation>
    </message>
    <message>
        <source>&amp;Auto-refresh</source>
        <translation>Au&amp;to-Aktualisierung</translation>
    </message>
    <message>
        <source>Show new results every %1 seconds without moving the selection (Shift+F5)</source>
        <translation>Neue Ergebnisse alle %1 Sekunden anzeigen, ohne die Auswahl zu verschieben (Umschalt+F5)</translation>
    </message>
    <message>
        <source>Auto-refresh every %1 s</source>
        <translation>Auto-Aktualisierung alle %1 s</translation>
    </message>
    <message>
        <source>Auto-refresh off</source>
        <translation>Auto-Aktualisierung aus</translation>
    </message>
    <message>
        <source>Delete &amp;Expired…</source>
        <translation>&amp;Abgelaufene löschen …</translation>
    </message>
    <message>
        <source>&amp;Delete Selected…</source>
        <translation>Ausgewählte &amp;löschen …</translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation>&amp;Kopieren</translation>
    </message>
    <message>
        <source>Copy the current cell</source>
        <translation>Die aktuelle Zelle kopieren</translation>
    </message>
    <message>
        <source>Copy Task &amp;ID</source>
        <translation>Aufgaben-&amp;ID kopieren</translation>
    </message>
    <message>
        <source>Copy Row as &amp;JSON</source>
        <translation>Zeile als &amp;JSON kopieren</translation>
    </message>
    <message>
        <source>Select &amp;All</source>
        <translation>&amp;Alles auswählen</translation>
    </message>
    <message>
        <source>Copy as Co&amp;mmand</source>
        <translation>Als &amp;Befehl kopieren</translation>
    </message>
    <message>
        <source>Copy the stalk list command line that prints these results: the filters, the search and the shown columns</source>
        <translation>Die Befehlszeile „stalk list“ kopieren, die diese Ergebnisse ausgibt: die Filter, die Suche und die angezeigten Spalten</translation>
    </message>
    <message>
        <source>&amp;Save Current View…</source>
        <translation>Aktuelle Ansicht &amp;speichern …</translation>
    </message>
    <message>
        <source>Name the search, filters, date range, sort and columns, to recall them from View → Saved Views</source>
        <translation>Suche, Filter, Zeitraum, Sortierung und Spalten benennen, um sie über Ansicht → Gespeicherte Ansichten wieder aufzurufen</translation>
    </message>
    <message>
        <source>&amp;Find</source>
        <translation>&amp;Suchen</translation>
    </message>
    <message>
        <source>Show Dates in &amp;UTC</source>
        <translation>Zeitpunkte in &amp;UTC anzeigen</translation>
    </message>
    <message>
        <source>Dates are shown in local time; tick to show UTC</source>
        <translation>Zeitpunkte werden in Ortszeit angezeigt; ankreuzen, um UTC anzuzeigen</translation>
    </message>
    <message>
        <source>C&amp;lear Filters and Search</source>
        <translation>&amp;Filter und Suche zurücksetzen</translation>
    </message>
    <message>
        <source>&amp;About Stalk</source>
        <translation>Über &amp;Stalk</translation>
    </message>
    <message>
        <source>About Stalk</source>
        <translation>Über Stalk</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Stalk %1&lt;/h3&gt;&lt;p&gt;Browse, search and clean up Celery task results (django-celery-results, Celery&apos;s database backend, CouchDB).&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Stalk %1&lt;/h3&gt;&lt;p&gt;Celery-Aufgabenergebnisse durchsuchen, finden und aufräumen (django-celery-results, das Datenbank-Backend von Celery, CouchDB).&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Filters</source>
        <translation>Filter</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>Details</translation>
    </message>
    <message>
        <source>Connection</source>
        <translation>Verbindung</translation>
    </message>
    <message>
        <source>Actions</source>
        <translation>Aktionen</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>Suche</translation>
    </message>
    <message>
        <source>Search task id, name, status, args, kwargs  (Ctrl+F)</source>
        <translation>Aufgaben-ID, Name, Status, args, kwargs</translation>
    </message>
    <message>
        <source>As the Django admin searches: every word must appear in the task id, name, status, args or kwargs; &quot;quoted phrases&quot; stay whole.</source>
        <translation>Suchen wie der Django-Admin (Strg+F): Jedes Wort muss in Aufgaben-ID, Name, Status, args oder kwargs vorkommen; &quot;Phrasen in Anführungszeichen&quot; bleiben ganz.</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>&amp;Bearbeiten</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>Saved &amp;Views</source>
        <translation>&amp;Gespeicherte Ansichten</translation>
    </message>
    <message>
        <source>&amp;Results</source>
        <translation>&amp;Ergebnisse</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>About &amp;Qt</source>
        <translation>Über &amp;Qt</translation>
    </message>
    <message>
        <source>Working</source>
        <translation>In Arbeit</translation>
    </message>
    <message>
        <source>Opening %1…</source>
        <translation>%1 wird geöffnet …</translation>
    </message>
    <message>
        <source>Read-only: deleting is disabled for this connection</source>
        <translation>Schreibgeschützt: Löschen ist für diese Verbindung deaktiviert</translation>
    </message>
    <message>
        <source>Deleting is enabled for this connection</source>
        <translation>Löschen ist für diese Verbindung aktiviert</translation>
    </message>
    <message>
        <source>No database</source>
        <translation>Keine Datenbank</translation>
    </message>
    <message>
        <source> (opening…)</source>
        <translation> (wird geöffnet …)</translation>
    </message>
    <message>
        <source> (not connected)</source>
        <translation> (nicht verbunden)</translation>
    </message>
    <message>
        <source> [read-only]</source>
        <translation> [schreibgeschützt]</translation>
    </message>
    <message>
        <source>%1 — Stalk</source>
        <translation>%1 — Stalk</translation>
    </message>
    <message>
        <source>read-only</source>
        <translation>schreibgeschützt</translation>
    </message>
    <message>
        <source>Database: %1
Table: %2
Schema: %3</source>
        <translation>Datenbank: %1
Tabelle: %2
Schema: %3</translation>
    </message>
    <message>
        <source>No database open</source>
        <translation>Keine Datenbank geöffnet</translation>
    </message>
    <message>
        <source>Not connected: %1</source>
        <translation>Nicht verbunden: %1</translation>
    </message>
    <message>
        <source>1 task id starts with the search</source>
        <translation>1 Aufgaben-ID beginnt mit dem Suchtext</translation>
    </message>
    <message>
        <source>%1 task ids start with the search</source>
        <translation>%1 Aufgaben-IDs beginnen mit dem Suchtext</translation>
    </message>
    <message>
        <source> · searching every result…</source>
        <translation> · alle Ergebnisse werden durchsucht …</translation>
    </message>
    <message>
        <source>counting results…</source>
        <translation>Ergebnisse werden gezählt …</translation>
    </message>
    <message>
        <source>about %1 results (counting…)</source>
        <translation>etwa %1 Ergebnisse (wird gezählt …)</translation>
    </message>
    <message>
        <source>%1 of %2 results</source>
        <translation>%1 von %2 Ergebnissen</translation>
    </message>
    <message>
        <source> · loading… %1 read</source>
        <translation> · wird geladen … %1 gelesen</translation>
    </message>
    <message>
        <source> · %1 selected</source>
        <translation> · %1 ausgewählt</translation>
    </message>
    <message>
        <source>No database is open</source>
        <translation>Es ist keine Datenbank geöffnet</translation>
    </message>
    <message>
        <source>This connection is read-only</source>
        <translation>Diese Verbindung ist schreibgeschützt</translation>
    </message>
    <message>
        <source>Delete results older than a cutoff, as Celery&apos;s result_expires does (Ctrl+Shift+Del)</source>
        <translation>Ergebnisse löschen, die älter als ein Stichtag sind, wie es result_expires von Celery tut (Strg+Umschalt+Entf)</translation>
    </message>
    <message>
        <source>Delete the selected results (Del)</source>
        <translation>Die ausgewählten Ergebnisse löschen (Entf)</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>(keine)</translation>
    </message>
    <message>
        <source>Filter by Task Name “%1”</source>
        <translation>Nach Aufgabenname „%1“ filtern</translation>
    </message>
    <message>
        <source>Filter by Worker “%1”</source>
        <translation>Nach Worker „%1“ filtern</translation>
    </message>
    <message>
        <source>Filter by Status “%1”</source>
        <translation>Nach Status „%1“ filtern</translation>
    </message>
    <message>
        <source>Filter by Periodic Task “%1”</source>
        <translation>Nach periodischer Aufgabe „%1“ filtern</translation>
    </message>
    <message>
        <source>Filtered by %1 “%2”</source>
        <translation>Gefiltert nach %1 „%2“</translation>
    </message>
    <message>
        <source>Copied %1</source>
        <translation>%1 kopiert</translation>
    </message>
    <message>
        <source>Copied task id %1</source>
        <translation>Aufgaben-ID %1 kopiert</translation>
    </message>
    <message>
        <source>Copied %1 task ids</source>
        <translation>%1 Aufgaben-IDs kopiert</translation>
    </message>
    <message>
        <source>only a preview of this row was loaded: task_args, task_kwargs and result may be cut short; traceback and meta were not read (select the row alone to copy all of it)</source>
        <translation>von dieser Zeile wurde nur eine Vorschau geladen: task_args, task_kwargs und result können abgeschnitten sein; traceback und meta wurden nicht gelesen (wählen Sie die Zeile allein aus, um alles zu kopieren)</translation>
    </message>
    <message numerus="yes">
        <source>Copied %n row(s) as JSON</source>
        <translation>
            <numerusform>%n Zeile als JSON kopiert</numerusform>
            <numerusform>%n Zeilen als JSON kopiert</numerusform>
        </translation>
    </message>
    <message>
        <source>Saved the view “%1”</source>
        <translation>Ansicht „%1“ gespeichert</translation>
    </message>
    <message>
        <source>View “%1”</source>
        <translation>Ansicht „%1“</translation>
    </message>
    <message>
        <source>Save Current View</source>
        <translation>Aktuelle Ansicht speichern</translation>
    </message>
    <message>
        <source>Name for the current search, filters, date range, sort and columns of this connection:</source>
        <translation>Name für die aktuelle Suche, Filter, Zeitraum, Sortierung und Spalten dieser Verbindung:</translation>
    </message>
    <message>
        <source>No saved views for this connection</source>
        <translation>Keine gespeicherten Ansichten für diese Verbindung</translation>
    </message>
    <message>
        <source>&amp;Delete Saved View</source>
        <translation>Gespeicherte Ansicht &amp;löschen</translation>
    </message>
    <message>
        <source>Copied the stalk list command line</source>
        <translation>Die Befehlszeile „stalk list“ wurde kopiert</translation>
    </message>
    <message>
        <source>Select the results to delete first</source>
        <translation>Wählen Sie zuerst die zu löschenden Ergebnisse aus</translation>
    </message>
    <message>
        <source>Only the %1 loaded of the %2 selected results can be deleted by selection; use Delete Expired… to delete by date</source>
        <translation>Nur die %1 geladenen der %2 ausgewählten Ergebnisse können per Auswahl gelöscht werden; verwenden Sie „Abgelaufene löschen …“, um nach Datum zu löschen</translation>
    </message>
    <message>
        <source>&amp;Forget Stored Password</source>
        <translation>Gespeichertes Passwort &amp;vergessen</translation>
    </message>
    <message>
        <source>Remove this connection&apos;s password from the system keyring</source>
        <translation>Das Passwort dieser Verbindung aus dem Schlüsselbund des Systems entfernen</translation>
    </message>
    <message>
        <source>&amp;History Chart</source>
        <translation>&amp;Verlaufsdiagramm</translation>
    </message>
    <message>
        <source>Results per hour or day by status, with the failure rate, above the table (Ctrl+3)</source>
        <translation>Ergebnisse pro Stunde oder Tag nach Status, mit der Fehlerquote, über der Tabelle (Strg+3)</translation>
    </message>
    <message>
        <source>The password stored in the system keyring was rejected.</source>
        <translation>Das im Schlüsselbund des Systems gespeicherte Passwort wurde abgelehnt.</translation>
    </message>
    <message>
        <source>Passwords cannot be stored: %1; this one is kept in memory only.</source>
        <translation>Passwörter können nicht gespeichert werden: %1; dieses wird nur im Arbeitsspeicher gehalten.</translation>
    </message>
    <message>
        <source>The password for %1 is stored in the system keyring.</source>
        <translation>Das Passwort für %1 ist im Schlüsselbund des Systems gespeichert.</translation>
    </message>
    <message>
        <source>Not stored: %1; the password is kept in memory only.</source>
        <translation>Nicht gespeichert: %1; das Passwort wird nur im Arbeitsspeicher gehalten.</translation>
    </message>
    <message>
        <source>The system keyring holds no password for %1.</source>
        <translation>Der Schlüsselbund des Systems enthält kein Passwort für %1.</translation>
    </message>
    <message>
        <source>Nothing removed: %1.</source>
        <translation>Nichts entfernt: %1.</translation>
    </message>
    <message>
        <source>The password for %1 was removed from the system keyring.</source>
        <translation>Das Passwort für %1 wurde aus dem Schlüsselbund des Systems entfernt.</translation>
    </message>
    <message>
        <source>Searching…</source>
        <translation>Suche läuft …</translation>
    </message>
    <message>
        <source>Searching… 1 match so far</source>
        <translation>Suche läuft … bisher 1 Treffer</translation>
    </message>
    <message>
        <source>Searching… %1 matches so far</source>
        <translation>Suche läuft … bisher %1 Treffer</translation>
    </message>
    <message>
        <source>All %1 on this page are selected. &lt;a href=&quot;all&quot;&gt;Select all %2 matching&lt;/a&gt;</source>
        <translation>Alle %1 auf dieser Seite sind ausgewählt. &lt;a href=&quot;all&quot;&gt;Alle %2 Treffer auswählen&lt;/a&gt;</translation>
    </message>
    <message>
        <source>Results</source>
        <translation>Ergebnisse</translation>
    </message>
    <message>
        <source>Failures</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <source>Runtimes</source>
        <translation>Laufzeiten</translation>
    </message>
    <message>
        <source>&amp;Failures</source>
        <translation>F&amp;ehler</translation>
    </message>
    <message>
        <source>Failures grouped by task, exception and message, under the current filters (Ctrl+4)</source>
        <translation>Fehler nach Task, Ausnahme und Meldung gruppiert, unter den aktuellen Filtern (Strg+4)</translation>
    </message>
    <message>
        <source>Ru&amp;ntimes</source>
        <translation>&amp;Laufzeiten</translation>
    </message>
    <message>
        <source>Runtime percentiles per task name, under the current filters (Ctrl+5)</source>
        <translation>Laufzeit-Perzentile je Task-Name, unter den aktuellen Filtern (Strg+5)</translation>
    </message>
    <message>
        <source>Filtered by task name “%1” and the group&apos;s statuses</source>
        <translation>Gefiltert nach Task-Name „%1“ und den Status der Gruppe</translation>
    </message>
    <message>
        <source>The table shows only results with this exception; click to remove the filter</source>
        <translation>Die Tabelle zeigt nur Ergebnisse mit dieser Ausnahme; klicken, um den Filter zu entfernen</translation>
    </message>
    <message>
        <source>Exception: %1</source>
        <translation>Ausnahme: %1</translation>
    </message>
    <message>
        <source>Select a failure group to see its latest result.</source>
        <translation>Wählen Sie eine Fehlergruppe, um ihr neuestes Ergebnis zu sehen.</translation>
    </message>
    <message>
        <source>Runtimes are per task name: select a result in the Results tab to see its details.</source>
        <translation>Laufzeiten gelten je Task-Name: Wählen Sie ein Ergebnis im Reiter Ergebnisse, um seine Details zu sehen.</translation>
    </message>
    <message>
        <source>Stalk &amp;Index on the Server…</source>
        <translation>Stalk-&amp;Index auf dem Server …</translation>
    </message>
    <message>
        <source>Show, create or remove the Stalk index (_design/stalk) of this CouchDB database</source>
        <translation>Den Stalk-Index (_design/stalk) dieser CouchDB-Datenbank anzeigen, anlegen oder entfernen</translation>
    </message>
    <message>
        <source>This connection is read-only (?readonly=1 in its URL): Stalk sends nothing that writes, so the index can be neither created nor removed from here.</source>
        <translation>Diese Verbindung ist schreibgeschützt (?readonly=1 in ihrer URL): Stalk sendet nichts, was schreibt, daher kann der Index von hier aus weder angelegt noch entfernt werden.</translation>
    </message>
    <message>
        <source>This connection is read-only: Stalk sends nothing that writes, so the index can be neither created nor removed from here. Untick Read-only in the Database bar to change it.</source>
        <translation>Diese Verbindung ist schreibgeschützt: Stalk sendet nichts, was schreibt, daher kann der Index von hier aus weder angelegt noch entfernt werden. Entfernen Sie das Häkchen bei „Nur lesen“ in der Datenbankleiste, um ihn zu ändern.</translation>
    </message>
    <message>
        <source>Groups</source>
        <translation>Gruppen</translation>
    </message>
    <message>
        <source>&amp;Groups</source>
        <translation>Gru&amp;ppen</translation>
    </message>
    <message>
        <source>Saved groups and their members&apos; statuses, in the date range (Ctrl+6)</source>
        <translation>Gespeicherte Gruppen und der Status ihrer Mitglieder im Zeitraum (Strg+6)</translation>
    </message>
    <message>
        <source>Select a member of a group to see its details.</source>
        <translation>Wählen Sie ein Mitglied einer Gruppe, um seine Details zu sehen.</translation>
    </message>
    <message>
        <source>Task %1 has no result in the store (expired or deleted).</source>
        <translation>Die Aufgabe %1 hat kein gespeichertes Ergebnis (abgelaufen oder gelöscht).</translation>
    </message>
    <message>
        <source>no message</source>
        <translation>keine Meldung</translation>
    </message>
    <message>
        <source>“%1”</source>
        <translation>„%1“</translation>
    </message>
    <message>
        <source>%1, %2</source>
        <translation>%1, %2</translation>
    </message>
    <message>
        <source>The table shows only results with this exception: %1. Click to remove the filter.</source>
        <translation>Die Tabelle zeigt nur Ergebnisse mit dieser Ausnahme: %1. Klicken, um den Filter zu entfernen.</translation>
    </message>
    <message>
        <source>Filtered by task name “%1”, the group&apos;s statuses, its exception and message</source>
        <translation>Gefiltert nach Aufgabenname „%1“, den Status der Gruppe, ihrer Ausnahme und Meldung</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation>%1 – %2</translation>
    </message>
</context>
<context>
    <name>PasswordDialog</name>
    <message>
        <source>Password</source>
        <translation>Passwort</translation>
    </message>
    <message>
        <source>Password for %1:</source>
        <translation>Passwort für %1:</translation>
    </message>
    <message>
        <source>Remember for this session</source>
        <translation>Für diese Sitzung merken</translation>
    </message>
    <message>
        <source>Kept in memory until Stalk quits; never written to disk</source>
        <translation>Bleibt im Speicher, bis Stalk beendet wird; wird nie auf die Festplatte geschrieben</translation>
    </message>
    <message>
        <source>Connect</source>
        <translation>Verbinden</translation>
    </message>
    <message>
        <source>Remember in the system keyring</source>
        <translation>Im Schlüsselbund des Systems speichern</translation>
    </message>
    <message>
        <source>Stored in the desktop&apos;s keyring (Secret Service) once the server accepts it, never in Stalk&apos;s settings; stalk --keyring can read it too</source>
        <translation>Wird im Schlüsselbund des Desktops (Secret Service) gespeichert, sobald der Server es annimmt, nie in den Einstellungen von Stalk; auch stalk --keyring kann es lesen</translation>
    </message>
</context>
<context>
    <name>PurgeDialog</name>
    <message>
        <source>1 result</source>
        <translation>1 Ergebnis</translation>
    </message>
    <message>
        <source>%1 results</source>
        <translation>%1 Ergebnisse</translation>
    </message>
    <message>
        <source>1 group</source>
        <translation>1 Gruppe</translation>
    </message>
    <message>
        <source>%1 groups</source>
        <translation>%1 Gruppen</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>Wird abgebrochen …</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Abgebrochen</translation>
    </message>
    <message>
        <source>Stopped by an error</source>
        <translation>Durch einen Fehler angehalten</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Fertig</translation>
    </message>
    <message>
        <source> and %1</source>
        <translation> und %1</translation>
    </message>
    <message>
        <source>%1 Nothing was deleted.</source>
        <translation>%1 Es wurde nichts gelöscht.</translation>
    </message>
    <message>
        <source>%1 %2 of %3%4 had been deleted before the error; the rest are untouched.</source>
        <translation>%1 Vor dem Fehler wurden %2 der %3%4 gelöscht; der Rest bleibt unverändert.</translation>
    </message>
    <message>
        <source>%1 %2%3 had been deleted before the error; the rest are untouched.</source>
        <translation>%1 Vor dem Fehler wurden %2%3 gelöscht; der Rest bleibt unverändert.</translation>
    </message>
    <message>
        <source>Cancelled before anything was deleted.</source>
        <translation>Abgebrochen, bevor etwas gelöscht wurde.</translation>
    </message>
    <message>
        <source>Cancelled after deleting %1 of %2%3.</source>
        <translation>Abgebrochen, nachdem %1 der %2%3 gelöscht wurden.</translation>
    </message>
    <message>
        <source>Cancelled after deleting %1%2.</source>
        <translation>Abgebrochen, nachdem %1%2 gelöscht wurden.</translation>
    </message>
    <message>
        <source>Nothing was deleted: no result matched any more.</source>
        <translation>Es wurde nichts gelöscht: Kein Ergebnis passte mehr.</translation>
    </message>
    <message>
        <source>Deleted %1%2 in %3 s.</source>
        <translation>%1%2 in %3 s gelöscht.</translation>
    </message>
    <message>
        <source>minutes</source>
        <translation>Minuten</translation>
    </message>
    <message>
        <source>hours</source>
        <translation>Stunden</translation>
    </message>
    <message>
        <source>days</source>
        <translation>Tagen</translation>
    </message>
    <message>
        <source>weeks</source>
        <translation>Wochen</translation>
    </message>
    <message>
        <source>Delete expired results</source>
        <translation>Abgelaufene Ergebnisse löschen</translation>
    </message>
    <message>
        <source>Deletes task results whose &lt;i&gt;date done&lt;/i&gt; is before the cutoff — what Celery&apos;s &lt;tt&gt;result_expires&lt;/tt&gt; cleanup does — in short batches, so workers can keep writing meanwhile.</source>
        <translation>Löscht Aufgabenergebnisse, deren &lt;i&gt;Fertigstellungsdatum&lt;/i&gt; vor dem Stichtag liegt – wie die Bereinigung durch &lt;tt&gt;result_expires&lt;/tt&gt; von Celery –, in kurzen Stapeln, damit Worker währenddessen weiterschreiben können.</translation>
    </message>
    <message>
        <source>older than</source>
        <translation>vor mehr als</translation>
    </message>
    <message>
        <source>done before</source>
        <translation>vor dem</translation>
    </message>
    <message>
        <source>Delete results &amp;finished:</source>
        <translation>Ergebnisse löschen, &amp;beendet:</translation>
    </message>
    <message>
        <source>Tick statuses to delete only those; none ticked deletes every status</source>
        <translation>Status ankreuzen, um nur diese zu löschen; ist keiner angekreuzt, wird jeder Status gelöscht</translation>
    </message>
    <message>
        <source>Only &amp;statuses:</source>
        <translation>Nur &amp;Status:</translation>
    </message>
    <message>
        <source>Any task</source>
        <translation>Jede Aufgabe</translation>
    </message>
    <message>
        <source>Only &amp;task:</source>
        <translation>Nur &amp;Aufgabe:</translation>
    </message>
    <message>
        <source>This connection is read-only: nothing can be deleted. Turn read-only off for this connection to delete.</source>
        <translation>Diese Verbindung ist schreibgeschützt: Es kann nichts gelöscht werden. Schalten Sie „Nur lesen“ für diese Verbindung aus, um zu löschen.</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Löschen</translation>
    </message>
    <message>
        <source>(empty)</source>
        <translation>(leer)</translation>
    </message>
    <message>
        <source>Counting expired results…</source>
        <translation>Abgelaufene Ergebnisse werden gezählt …</translation>
    </message>
    <message>
        <source>Cutoff: %1</source>
        <translation>Stichtag: %1</translation>
    </message>
    <message>
        <source> — fixed when you confirm. Celery&apos;s default result_expires is 1 day.</source>
        <translation> – wird beim Bestätigen festgelegt. Celerys Vorgabe für result_expires ist 1 Tag.</translation>
    </message>
    <message>
        <source>No database is open.</source>
        <translation>Es ist keine Datenbank geöffnet.</translation>
    </message>
    <message>
        <source>Could not count the expired results: %1</source>
        <translation>Die abgelaufenen Ergebnisse konnten nicht gezählt werden: %1</translation>
    </message>
    <message>
        <source>No result matching these choices finished before the cutoff.</source>
        <translation>Kein Ergebnis, das zu dieser Auswahl passt, wurde vor dem Stichtag beendet.</translation>
    </message>
    <message>
        <source>No result finished before the cutoff: nothing to delete.</source>
        <translation>Kein Ergebnis wurde vor dem Stichtag beendet: Es gibt nichts zu löschen.</translation>
    </message>
    <message>
        <source>&lt;b&gt;1 result&lt;/b&gt; would be deleted</source>
        <translation>&lt;b&gt;1 Ergebnis&lt;/b&gt; würde gelöscht</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1 results&lt;/b&gt; would be deleted</source>
        <translation>&lt;b&gt;%1 Ergebnisse&lt;/b&gt; würden gelöscht</translation>
    </message>
    <message>
        <source> (and %1)</source>
        <translation> (und %1)</translation>
    </message>
    <message>
        <source>1 expired group</source>
        <translation>1 abgelaufene Gruppe</translation>
    </message>
    <message>
        <source>%1 expired groups</source>
        <translation>%1 abgelaufene Gruppen</translation>
    </message>
    <message>
        <source>Delete 1 result</source>
        <translation>1 Ergebnis löschen</translation>
    </message>
    <message>
        <source>Delete %1 results</source>
        <translation>%1 Ergebnisse löschen</translation>
    </message>
    <message>
        <source>Delete %1</source>
        <translation>%1 löschen</translation>
    </message>
    <message>
        <source>This connection is read-only</source>
        <translation>Diese Verbindung ist schreibgeschützt</translation>
    </message>
    <message>
        <source>Deleting…</source>
        <translation>Wird gelöscht …</translation>
    </message>
    <message>
        <source>Deleted %1 of %2</source>
        <translation>%1 von %2 gelöscht</translation>
    </message>
    <message>
        <source>Stop after the batch being deleted now; what is deleted stays deleted</source>
        <translation>Nach dem gerade gelöschten Stapel anhalten; was gelöscht ist, bleibt gelöscht</translation>
    </message>
    <message>
        <source>Whatever their date done: Django&apos;s cache already reads these as missing (Celery says PENDING); they stay stored until something reads their key. The statuses and task chosen above narrow them too.</source>
        <translation>Unabhängig vom Fertigstellungsdatum: Djangos Cache liest diese bereits als fehlend (Celery meldet PENDING); sie bleiben gespeichert, bis etwas ihren Schlüssel liest. Die oben gewählten Status und der Task schränken auch sie ein.</translation>
    </message>
    <message>
        <source>Cache expiry:</source>
        <translation>Cache-Ablauf:</translation>
    </message>
    <message>
        <source>Also delete the results past their Django cache expiry</source>
        <translation>Auch die Ergebnisse löschen, deren Django-Cache-Ablauf vorbei ist</translation>
    </message>
    <message numerus="yes">
        <source>Also delete the %n result(s) past their Django cache expiry</source>
        <translation>
            <numerusform>Auch das %n Ergebnis löschen, dessen Django-Cache-Ablauf vorbei ist</numerusform>
            <numerusform>Auch die %n Ergebnisse löschen, deren Django-Cache-Ablauf vorbei ist</numerusform>
        </translation>
    </message>
    <message>
        <source>None is past its Django cache expiry.</source>
        <translation>Keines hat seinen Django-Cache-Ablauf überschritten.</translation>
    </message>
    <message numerus="yes">
        <source>%n of them past their Django cache expiry.</source>
        <translation>
            <numerusform>%n davon hat seinen Django-Cache-Ablauf überschritten.</numerusform>
            <numerusform>%n davon haben ihren Django-Cache-Ablauf überschritten.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n result(s) past their Django cache expiry, not included: tick below to delete them too.</source>
        <translation>
            <numerusform>%n Ergebnis hat seinen Django-Cache-Ablauf überschritten, nicht enthalten: unten ankreuzen, um es mitzulöschen.</numerusform>
            <numerusform>%n Ergebnisse haben ihren Django-Cache-Ablauf überschritten, nicht enthalten: unten ankreuzen, um sie mitzulöschen.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>PurgeJob</name>
    <message>
        <source>No database is open</source>
        <translation>Es ist keine Datenbank geöffnet</translation>
    </message>
</context>
<context>
    <name>QObject</name>
    <message>
        <source>the system keyring is unavailable (%1)</source>
        <translation>der Schlüsselbund des Systems ist nicht verfügbar (%1)</translation>
    </message>
</context>
<context>
    <name>ResultTableView</name>
    <message>
        <source>Task results</source>
        <translation>Aufgabenergebnisse</translation>
    </message>
    <message>
        <source>Hidden, not in this database: %1</source>
        <translation>Ausgeblendet, nicht in dieser Datenbank: %1</translation>
    </message>
    <message>
        <source>Hidden, not stored by %1: %2</source>
        <translation>Ausgeblendet, von %1 nicht gespeichert: %2</translation>
    </message>
</context>
<context>
    <name>RuntimesPanel</name>
    <message>
        <source>Task</source>
        <translation>Task</translation>
    </message>
    <message>
        <source>Count</source>
        <translation>Anzahl</translation>
    </message>
    <message>
        <source>p50</source>
        <translation>p50</translation>
    </message>
    <message>
        <source>p95</source>
        <translation>p95</translation>
    </message>
    <message>
        <source>p99</source>
        <translation>p99</translation>
    </message>
    <message>
        <source>Max</source>
        <translation>Max</translation>
    </message>
    <message>
        <source>Runtimes per task</source>
        <translation>Laufzeiten je Task</translation>
    </message>
    <message>
        <source>Computing runtimes…</source>
        <translation>Berechne Laufzeiten…</translation>
    </message>
    <message>
        <source>Runtimes of SUCCESS and FAILURE results under the current filters, from date_started to date_done, per task name.</source>
        <translation>Laufzeiten der SUCCESS- und FAILURE-Ergebnisse unter den aktuellen Filtern, von date_started bis date_done, je Task-Name.</translation>
    </message>
    <message>
        <source>Runtimes of SUCCESS and FAILURE results under the current filters, from date_created to date_done (this schema records no date_started: queue time is included), per task name.</source>
        <translation>Laufzeiten der SUCCESS- und FAILURE-Ergebnisse unter den aktuellen Filtern, von date_created bis date_done (dieses Schema erfasst kein date_started: die Wartezeit in der Queue ist enthalten), je Task-Name.</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>(keine)</translation>
    </message>
    <message>
        <source>p95 trend</source>
        <translation>p95-Trend</translation>
    </message>
    <message>
        <source>The p95 of the newer half of each task&apos;s runtimes (by date done) against the older half&apos;s, marked %1 when it is at least %2 as long. Each half needs %3 results.</source>
        <translation>Das p95 der neueren Hälfte der Laufzeiten jedes Tasks (nach date_done) gegenüber dem der älteren Hälfte, mit %1 markiert, wenn es mindestens %2 so lang ist. Jede Hälfte braucht %3 Ergebnisse.</translation>
    </message>
    <message>
        <source>No task has the %1 results per half it takes to compare its newer runtimes with its older ones.</source>
        <translation>Kein Task hat die %1 Ergebnisse pro Hälfte, die ein Vergleich seiner neueren Laufzeiten mit den älteren braucht.</translation>
    </message>
    <message numerus="yes">
        <source>The p95 grew in none of the %n task(s) compared (by %1 or more, newer half against older half).</source>
        <translation>
            <numerusform>Das p95 ist im verglichenen Task nicht gewachsen (um %1 oder mehr, neuere Hälfte gegenüber älterer).</numerusform>
            <numerusform>Das p95 ist in keinem der %n verglichenen Tasks gewachsen (um %1 oder mehr, neuere Hälfte gegenüber älterer).</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>The p95 grew in %1 of the %n task(s) compared (by %2 or more, newer half against older half).</source>
        <translation>
            <numerusform>Das p95 ist im verglichenen Task gewachsen (%1 von %n; um %2 oder mehr, neuere Hälfte gegenüber älterer).</numerusform>
            <numerusform>Das p95 ist in %1 von %n verglichenen Tasks gewachsen (um %2 oder mehr, neuere Hälfte gegenüber älterer).</numerusform>
        </translation>
    </message>
    <message>
        <source>p95 of the newer half (%1 results): %2; of the older half (%3 results): %4</source>
        <translation>p95 der neueren Hälfte (%1 Ergebnisse): %2; der älteren Hälfte (%3 Ergebnisse): %4</translation>
    </message>
    <message>
        <source>Too few results to compare the newer half with the older: each half needs %1, the newer has %2.</source>
        <translation>Zu wenige Ergebnisse, um die neuere Hälfte mit der älteren zu vergleichen: Jede Hälfte braucht %1, die neuere hat %2.</translation>
    </message>
</context>
<context>
    <name>StoreWorker</name>
    <message>
        <source>No store could be made for this location</source>
        <translation>Für diesen Ort konnte kein Speicher angelegt werden</translation>
    </message>
    <message>
        <source>No database is open</source>
        <translation>Es ist keine Datenbank geöffnet</translation>
    </message>
</context>
<context>
    <name>TaskResultModel</name>
    <message>
        <source>No database is open</source>
        <translation>Es ist keine Datenbank geöffnet</translation>
    </message>
    <message>
        <source>(preview; the detail pane shows everything)</source>
        <translation>(Vorschau; der Detailbereich zeigt alles)</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Task name</source>
        <translation>Aufgabenname</translation>
    </message>
    <message>
        <source>Task ID</source>
        <translation>Aufgaben-ID</translation>
    </message>
    <message>
        <source>Worker</source>
        <translation>Worker</translation>
    </message>
    <message>
        <source>Periodic task</source>
        <translation>Periodische Aufgabe</translation>
    </message>
    <message>
        <source>Date done</source>
        <translation>Beendet am</translation>
    </message>
    <message>
        <source>Date created</source>
        <translation>Erstellt am</translation>
    </message>
    <message>
        <source>Date started</source>
        <translation>Gestartet am</translation>
    </message>
    <message>
        <source>Runtime</source>
        <translation>Laufzeit</translation>
    </message>
    <message>
        <source>Args</source>
        <translation>Argumente</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>Ergebnis</translation>
    </message>
    <message>
        <source>This database&apos;s schema does not store this column</source>
        <translation>Das Schema dieser Datenbank speichert diese Spalte nicht</translation>
    </message>
    <message>
        <source>Date done minus date started (or date created), for tasks that finished (SUCCESS, FAILURE)</source>
        <translation>„Beendet am“ minus „Gestartet am“ (oder „Erstellt am“), für beendete Aufgaben (SUCCESS, FAILURE)</translation>
    </message>
</context>
<context>
    <name>TimeParse</name>
    <message>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation>%1 min %2 s</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 h %2 min</translation>
    </message>
    <message>
        <source>%1 d %2 h</source>
        <translation>%1 d %2 h</translation>
    </message>
</context>
</TS>
