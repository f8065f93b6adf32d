#!/usr/bin/env bash
# Installs the Debian 12 packages Stalk needs, and nothing when they are all present.
#   tools/install-deps.sh build    what ./run.sh needs: compiler, CMake, Qt 6 and its SQL drivers,
#                                  QtKeychain (the system keyring), Python and rsvg-convert
#                                  (man page, completion, icons), lupdate/lrelease and their CMake package
#                                  (translations/) and Qt's own translations
#   tools/install-deps.sh test     build + what ./test.sh needs: real Celery, Django,
#                                  django-celery-results, django-redis, Redis, openssl (the TLS redis-server's
#                                  self-signed certificate), memcached (python-memcache, pymemcache, pylibmc), PostgreSQL, MariaDB, Node/npm and
#                                  curl (pouchdb-server), zsh (the completion suite),
#                                  clang with libFuzzer and llvm-symbolizer (tools/run-fuzz.sh),
#                                  ccache (the STALK_GUI=OFF build reuses the normal build's objects),
#                                  Debian's package validators (tools/check-package.sh),
#                                  GNOME Keyring and a D-Bus session bus (tools/servers/with_keyring.sh)
set -euo pipefail

build_packages=(
    build-essential cmake ninja-build pkg-config
    qt6-base-dev qt6-base-dev-tools libqt6opengl6-dev
    libqt6sql6-sqlite libqt6sql6-psql libqt6sql6-mysql libgl-dev libxkbcommon-dev
    libsqlite3-dev zlib1g-dev libqt6svg6 fonts-dejavu-core python3 librsvg2-bin
    qt6-l10n-tools qt6-tools-dev qt6-translations-l10n
    qtkeychain-qt6-dev
)
test_packages=(
    python3-celery python3-django python3-django-celery-results python3-sqlalchemy
    python3-psycopg2 python3-mysqldb python3-redis python3-django-redis redis-server openssl
    memcached python3-memcache python3-pymemcache python3-pylibmc
    postgresql mariadb-server mariadb-client sqlite3
    nodejs npm curl zsh
    clang libclang-rt-14-dev llvm ccache
    lintian desktop-file-utils appstream man-db
    gnome-keyring dbus-daemon dbus-bin libsecret-1-0
)

packages=("${build_packages[@]}")
case "${1:-build}" in
    build) ;;
    test) packages+=("${test_packages[@]}") ;;
    *) echo "usage: $0 [build|test]" >&2; exit 2 ;;
esac

missing=()
for p in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

# node and npm may come from elsewhere (e.g. a preinstalled Node.js); don't fight it.
if command -v npm >/dev/null 2>&1; then
    filtered=()
    for p in "${missing[@]}"; do [[ "$p" == nodejs || "$p" == npm ]] || filtered+=("$p"); done
    missing=("${filtered[@]}")
    [[ ${#missing[@]} -eq 0 ]] && exit 0
fi

echo "Installing: ${missing[*]}" >&2
sudo=()
[[ $(id -u) -eq 0 ]] || sudo=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
