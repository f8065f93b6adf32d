<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>GroupsPanel</name>
    <message numerus="yes">
        <source>%n saved group(s) in the date range, newest first. Select a group to see its members; double-click a member to see its details.</source>
        <translation>
            <numerusform>%n saved group in the date range. Select it to see its members; double-click a member to see its details.</numerusform>
            <numerusform>%n saved groups in the date range, newest first. Select a group to see its members; double-click a member to see its details.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message numerus="yes">
        <source>Copied %n row(s) as JSON</source>
        <translation>
            <numerusform>Copied %n row as JSON</numerusform>
            <numerusform>Copied %n rows as JSON</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>PurgeDialog</name>
    <message numerus="yes">
        <source>Also delete the %n result(s) past their Django cache expiry</source>
        <translation>
            <numerusform>Also delete the %n result past its Django cache expiry</numerusform>
            <numerusform>Also delete the %n results past their Django cache expiry</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n of them past their Django cache expiry.</source>
        <translation>
            <numerusform>%n of them past its Django cache expiry.</numerusform>
            <numerusform>%n of them past their Django cache expiry.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n result(s) past their Django cache expiry, not included: tick below to delete them too.</source>
        <translation>
            <numerusform>%n result past its Django cache expiry, not included: tick below to delete it too.</numerusform>
            <numerusform>%n results past their Django cache expiry, not included: tick below to delete them too.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>RuntimesPanel</name>
    <message numerus="yes">
        <source>The p95 grew in none of the %n task(s) compared (by %1 or more, newer half against older half).</source>
        <translation>
            <numerusform>The p95 did not grow in the one task compared (by %1 or more, newer half against older half).</numerusform>
            <numerusform>The p95 grew in none of the %n tasks compared (by %1 or more, newer half against older half).</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>The p95 grew in %1 of the %n task(s) compared (by %2 or more, newer half against older half).</source>
        <translation>
            <numerusform>The p95 grew in the task compared (%1 of %n; by %2 or more, newer half against older half).</numerusform>
            <numerusform>The p95 grew in %1 of the %n tasks compared (by %2 or more, newer half against older half).</numerusform>
        </translation>
    </message>
</context>
</TS>
