#!/usr/bin/env bash
# completion.sh DOCS_DIR STALK — the generated bash completion (packaging/gen-docs.py) offers
# what `stalk --help` and `stalk COMMAND --help` list, and the fixed values of --format and
# --status; the zsh completion parses. Run by CTest as the `completion` suite.
set -uo pipefail
export LC_ALL=C
docs=$1 stalk=$2
failures=0 checks=0
# shellcheck source=/dev/null
source "$docs/stalk.bash"

offered() { # offered WORDS… : what completing the last word offers, sorted, on one line
    COMP_WORDS=("$@") COMP_CWORD=$(($# - 1)) COMPREPLY=()
    _stalk
    printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | sort | paste -sd' '
}
expect() { # expect "WANTED" WORDS…
    local wanted=$1 got; shift
    got=$(offered "$@")
    checks=$((checks + 1))
    if [[ "$got" != "$wanted" ]]; then
        echo "FAIL: completing '$*' offered '$got', expected '$wanted'"
        failures=$((failures + 1))
    fi
}

expect "couch-index count failures groups help list purge runtimes show stats" stalk ""
expect "list" stalk li
expect "--help --keyring --read-only --verbose --version -h -v" stalk -
expect "csv json jsonl table" stalk list db.sqlite3 --format ""
expect "csv json table" stalk stats db.sqlite3 --format ""
expect "day hour minute" stalk stats db.sqlite3 --by ""
expect "csv json table" stalk runtimes db.sqlite3 --format ""
expect "csv json table" stalk failures db.sqlite3 --format ""
expect "csv json table" stalk groups db.sqlite3 --format ""
expect "--task" stalk groups db.sqlite3 --ta
expect "FAILURE" stalk purge db.sqlite3 --status F
expect "" stalk count db.sqlite3 --search ""
expect "--status" stalk count db.sqlite3 --sta
for command in count list stats runtimes failures purge; do expect "--exception" stalk "$command" db.sqlite3 --exc; done
expect "" stalk purge db.sqlite3 --done-bef
expect "" stalk show db.sqlite3 --sta
expect "--keyring" stalk list db.sqlite3 --key
# Every option each command's --help lists is offered after `stalk COMMAND -`.
for command in $("$stalk" --help | sed -n 's/^  stalk \([a-z]*\) .*/\1/p'); do
    listed=$("$stalk" "$command" --help | sed -n '/^Options:/,/^$/p' \
        | grep -oE '^ +(-[a-z], )?--[a-z-]+' | tr -d ' ' | tr ',' '\n' | sort | paste -sd' ')
    expect "$listed" stalk "$command" -
done

if command -v zsh >/dev/null; then
    checks=$((checks + 1))
    zsh -n "$docs/_stalk" || { echo "FAIL: zsh cannot parse _stalk"; failures=$((failures + 1)); }
fi
echo "$((checks - failures)) passed, $failures failed"
[[ $failures -eq 0 ]]
