#!/usr/bin/env bash
# The window's catalogues (translations/stalk_<lang>.ts) against the sources' tr() strings.
#   tools/check-translations.sh           fails, listing them, when a catalogue has a message
#                                         not translated yet (new or changed in the sources) or
#                                         one the sources no longer have; changes nothing
#   tools/check-translations.sh --update  rewrites the catalogues from the sources (new strings
#                                         become unfinished, vanished ones are dropped), then
#                                         checks; translate what it lists (Qt Linguist or an
#                                         editor) and run it again
#   tools/check-translations.sh --update LANG  also starts translations/stalk_LANG.ts (e.g. fr)
# lupdate: $LUPDATE, else Qt 6's (qt6-l10n-tools). -locations none keeps diffs to the strings.
set -euo pipefail
cd "$(dirname "$0")/.."

lupdate=${LUPDATE:-}
if [[ -z "$lupdate" ]]; then
    for candidate in /usr/lib/qt6/bin/lupdate "$(command -v lupdate6 || true)" "$(command -v lupdate || true)"; do
        [[ -n "$candidate" && -x "$candidate" ]] && { lupdate=$candidate; break; }
    done
fi
[[ -n "$lupdate" ]] || { echo "check-translations: lupdate not found (install qt6-l10n-tools)" >&2; exit 2; }

# Every directory whose sources may call tr() (app/CMakeLists.txt compiles the same catalogues).
sources=(app backends models views)
update=0
new_language=
case "${1:-}" in
    --update) update=1; new_language=${2:-} ;;
    "") ;;
    *) echo "usage: $0 [--update [LANG]]" >&2; exit 2 ;;
esac
if [[ -n "$new_language" && ! -e "translations/stalk_$new_language.ts" ]]; then
    "$lupdate" -silent -locations none -target-language "$new_language" "${sources[@]}" \
        -ts "translations/stalk_$new_language.ts"
fi

shopt -s nullglob
catalogues=(translations/stalk_*.ts)
[[ ${#catalogues[@]} -gt 0 ]] || { echo "check-translations: no translations/stalk_*.ts" >&2; exit 2; }
# The English plural forms of the messages with %n (app/CMakeLists.txt): only those messages.
catalogues+=(translations/plurals/stalk_en.ts)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
for ts in "${catalogues[@]}"; do
    only=()
    [[ $ts == translations/plurals/* ]] && only=(-pluralonly)
    if [[ $update -eq 1 ]]; then
        "$lupdate" -silent -locations none -no-obsolete "${only[@]}" "${sources[@]}" -ts "$ts"
    fi
    # A copy updated with obsolete messages kept, so the ones the sources lost can be listed.
    copy="$tmp/$(basename "$ts")"
    cp "$ts" "$copy"
    "$lupdate" -silent -locations none "${only[@]}" "${sources[@]}" -ts "$copy"
    problems=$(python3 - "$copy" <<'PY'
import sys
import xml.etree.ElementTree as ET
for context in ET.parse(sys.argv[1]).getroot().iter("context"):
    name = context.findtext("name")
    for message in context.iter("message"):
        kind = message.find("translation").get("type")
        if kind in ("unfinished", "vanished", "obsolete"):
            what = "untranslated" if kind == "unfinished" else "no longer in the sources"
            print(f"  {name}: {message.findtext('source')!r} ({what})")
PY
)
    if [[ -n "$problems" ]]; then
        echo "$ts:" >&2
        echo "$problems" >&2
        status=1
    fi
done
[[ $status -eq 0 ]] || echo "check-translations: translate the messages above (tools/check-translations.sh --update drops the vanished ones)" >&2
exit $status
