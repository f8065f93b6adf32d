#!/usr/bin/env bash
# check-package.sh BUILD_DIR — builds the .deb in BUILD_DIR (`cpack -G DEB`), checks it with
# Debian's validators (desktop-file-validate, appstreamcli validate --no-net, lintian: no
# error), installs it with apt-get (as root; it is removed again afterwards unless stalk was
# installed before) or, without root, unpacks it into a temporary root, and runs the installed
# `stalk --version` and `stalk count` on the demo database with a clean environment.
# test.sh runs it as its package stage. Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=$(cd "$1" && pwd)
step() { echo "check-package: $*"; }
fail() { echo "check-package: FAILED: $*" >&2; exit 1; }

rm -f "$build"/stalk_*.deb
(cd "$build" && cpack -G DEB >cpack.log 2>&1) || { cat "$build/cpack.log"; fail "cpack -G DEB"; }
debs=("$build"/stalk_*.deb)
deb=${debs[0]}
step "built $(basename "$deb") ($(du -k "$deb" | cut -f1) kB)"
dpkg-deb -f "$deb" Depends Recommends | sed 's/^/    /'

tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT
dpkg-deb -x "$deb" "$tree"
desktop-file-validate "$tree/usr/share/applications/stalk.desktop" || fail "desktop-file-validate"
step "desktop-file-validate: no error"
appstreamcli validate --no-net "$tree"/usr/share/metainfo/*.metainfo.xml || fail "appstreamcli validate"
lintian_status=0
lintian_out=$(lintian --fail-on error --tag-display-limit 0 "$deb" 2>&1) || lintian_status=$?
grep -v 'running with root privileges' <<<"$lintian_out" || true
[[ $lintian_status -eq 0 ]] || fail "lintian found errors"
step "lintian: no error"

# The version is written in three places a release updates together.
version=$(dpkg-deb -f "$deb" Version)
grep -q "<release version=\"$version\"" "$tree"/usr/share/metainfo/*.metainfo.xml \
    || fail "the metainfo's <releases> has no release $version"
zcat "$tree/usr/share/doc/stalk/changelog.gz" | head -1 | grep -qF "stalk ($version)" \
    || fail "packaging/changelog does not start with version $version"

demo=$tree/demo.sqlite3
cp resources/demo.sqlite3 "$demo"
expected=$("$build/app/stalk" count --read-only "sqlite:///$demo")
run_installed() { # run_installed PREFIX ARGS… : the installed stalk with a clean environment
    local prefix=$1; shift
    env -i PATH=/usr/bin:/bin HOME="$tree" LC_ALL=C.UTF-8 "$prefix/usr/bin/stalk" "$@"
}
if [[ $(id -u) -eq 0 ]]; then
    installed_before=$(dpkg-query -W -f='${Status}' stalk 2>/dev/null || true)
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=120 "$deb" >/dev/null \
        || fail "apt-get install $deb"
    step "apt-get install: installed $(dpkg-query -W -f='${Package} ${Version}' stalk)"
    [[ "$installed_before" == "install ok installed" ]] \
        || trap 'apt-get purge -y -qq -o DPkg::Lock::Timeout=120 stalk >/dev/null; rm -rf "$tree"' EXIT
    prefix=
    bash -c 'source /usr/share/bash-completion/completions/stalk && complete -p stalk' >/dev/null \
        || fail "the installed bash completion does not load"
    man -w stalk >/dev/null || fail "man stalk finds no page"
else
    # Without root: the package's files in a temporary root; apt-get checks its Depends resolve.
    apt-get install --simulate -qq "$deb" >/dev/null || fail "the package's dependencies do not resolve"
    prefix=$tree
    step "not root: unpacked into $tree, dependencies resolve (apt-get --simulate)"
fi
version_line=$(run_installed "$prefix" --version) || fail "installed stalk --version"
step "installed stalk --version: $version_line"
count=$(run_installed "$prefix" count --read-only "sqlite:///$demo") || fail "installed stalk count"
[[ "$count" == "$expected" ]] || fail "installed stalk count printed '$count', the build's stalk '$expected'"
step "installed stalk count on the demo database: $count"
step "all checks passed"
