#!/usr/bin/env bash
# check-package.sh BUILD_DIR… — in each build directory builds the .deb (`cpack -G DEB`: the
# package `stalk`, or `stalk-cli` from a -DSTALK_GUI=OFF build), checks it with Debian's
# validators (desktop-file-validate and appstreamcli validate --no-net for the window's files,
# lintian: no error), installs it with apt-get (as root; removed again afterwards unless it
# was installed before) or, without root, unpacks it into a temporary root, and runs the
# installed `stalk --version` and `stalk count` on the demo database with a clean environment.
# test.sh runs it as its package stage. Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { echo "check-package: $*"; }
fail() { echo "check-package: FAILED: $*" >&2; exit 1; }
apt_get() { DEBIAN_FRONTEND=noninteractive apt-get -y -qq -o DPkg::Lock::Timeout=120 "$@" >/dev/null 2>&1; }

tree=
remove=
cleanup() {
    [[ -z "$remove" ]] || apt_get purge "$remove" || true
    [[ -z "$tree" ]] || rm -rf "$tree"
    remove= tree=
}
trap cleanup EXIT

check() { # check BUILD_DIR
    local build deb name version prefix= tree_files
    build=$(cd "$1" && pwd)
    rm -f "$build"/*.deb
    # cpack installs what the build made: all of it, not only the targets a caller built
    # (test.sh builds the STALK_GUI=OFF tree's stalk alone; the man page and completions
    # are targets of their own).
    cmake --build "$build" -j"$(nproc)" >"$build/package-build.log" 2>&1 \
        || { tail -n 40 "$build/package-build.log"; fail "cmake --build $build"; }
    (cd "$build" && cpack -G DEB >cpack.log 2>&1) || { cat "$build/cpack.log"; fail "cpack -G DEB in $build"; }
    deb=$(ls "$build"/*.deb)
    name=$(dpkg-deb -f "$deb" Package)
    version=$(dpkg-deb -f "$deb" Version)
    step "built $(basename "$deb") ($(du -k "$deb" | cut -f1) kB)"
    dpkg-deb -f "$deb" Depends Recommends Conflicts | sed 's/^/    /'

    tree=$(mktemp -d)
    dpkg-deb -x "$deb" "$tree"
    tree_files=$tree/usr/share
    if [[ -d "$tree_files/applications" ]]; then
        desktop-file-validate "$tree_files/applications/stalk.desktop" || fail "desktop-file-validate"
        step "desktop-file-validate: no error"
        appstreamcli validate --no-net "$tree_files"/metainfo/*.metainfo.xml || fail "appstreamcli validate"
        # The version is written where a release updates it by hand: metainfo and changelog.
        grep -q "<release version=\"$version\"" "$tree_files"/metainfo/*.metainfo.xml \
            || fail "the metainfo's <releases> has no release $version"
    fi
    zcat "$tree_files/doc/$name/changelog.gz" | head -1 | grep -qF "$name ($version)" \
        || fail "packaging/changelog.in does not start with version $version"
    local lintian_status=0 lintian_out
    lintian_out=$(lintian --fail-on error --tag-display-limit 0 "$deb" 2>&1) || lintian_status=$?
    grep -v 'running with root privileges' <<<"$lintian_out" || true
    [[ $lintian_status -eq 0 ]] || fail "lintian found errors in $name"
    step "lintian: no error"

    cp resources/demo.sqlite3 "$tree/demo.sqlite3"
    if [[ $(id -u) -eq 0 ]]; then
        [[ "$(dpkg-query -W -f='${Status}' "$name" 2>/dev/null)" == "install ok installed" ]] || remove=$name
        apt_get install "$deb" || fail "apt-get install $deb"
        step "apt-get install: installed $name $(dpkg-query -W -f='${Version}' "$name")"
        bash -c 'source /usr/share/bash-completion/completions/stalk && complete -p stalk' >/dev/null \
            || fail "the installed bash completion does not load"
        man -w stalk >/dev/null || fail "man stalk finds no page"
    else
        # Without root: the package's files in a temporary root; apt-get checks its Depends resolve.
        apt-get install --simulate -qq "$deb" >/dev/null || fail "the dependencies of $name do not resolve"
        prefix=$tree
        step "not root: unpacked into $tree, dependencies resolve (apt-get --simulate)"
    fi
    installed() { env -i PATH=/usr/bin:/bin HOME="$tree" LC_ALL=C.UTF-8 "$prefix/usr/bin/stalk" "$@"; }
    local output expected
    output=$(installed --version) || fail "installed stalk --version"
    step "installed stalk --version: $output"
    output=$(installed count --read-only "sqlite:///$tree/demo.sqlite3") || fail "installed stalk count"
    expected=$("$build/app/stalk" count --read-only "sqlite:///$tree/demo.sqlite3")
    [[ "$output" == "$expected" ]] || fail "installed stalk count printed '$output', the build's '$expected'"
    step "installed stalk count on the demo database: $output"
    cleanup
}

for build in "$@"; do
    check "$build"
done
step "all checks passed"
