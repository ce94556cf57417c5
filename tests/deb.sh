#!/bin/sh
# The Debian package (issue 15), as an operator meets it: built from the
# committed tree with `dpkg-buildpackage -us -uc` (its build runs the unit
# tests), lintian clean (no error, no warning), installed with apt. Then the
# installed binary, run as _madoguchi with the packaged configuration on
# free loopback ports, answers /healthz and /metrics; the installed unit
# passes `systemd-analyze verify` and rates 3.0 or less; `man madoguchi`
# works; backup -> change -> restore gives the same `madoguchi check`
# output; and a purge removes the user, the database and the configuration.
#
# It installs a package system-wide, so it runs as root or with `sudo -n`,
# and only on a machine where madoguchi is not installed (package, user or
# /var/lib/madoguchi): their data would be purged. It purges what it
# installed on every exit. On a machine where systemd runs, the postinst
# starts the packaged service (port 8080); the test stops it at once.
# Slow (a whole package build): scripts/test.sh runs it in CI only.
# Prints TAP.
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
. "$top/tests/tap.sh"

if [ "$(id -u)" != 0 ]; then
  sudo -n true 2> /dev/null && exec sudo -n env top_srcdir="$top" sh "$0" "$@"
  echo "1..0 # SKIP installs a package system-wide: needs root or passwordless sudo"; exit 0
fi
if [ -n "$(dpkg-query -W -f='${Status}' madoguchi 2> /dev/null | grep -v not-installed)" ] \
  || getent passwd _madoguchi > /dev/null || [ -e /var/lib/madoguchi ]; then
  echo "1..0 # SKIP madoguchi is installed here (package, user _madoguchi or /var/lib/madoguchi): a purge would remove its data"
  exit 0
fi

# A root directory other users cannot search (a chroot unpacked into a
# `mktemp -d` directory keeps its 0700) lets no system user load a single
# library; every installed Debian has / at 0755, so the root is made so.
if [ "$(stat -c %a /)" != 755 ] && [ "$(stat -c %U /)" = root ]; then
  echo "# / was $(stat -c %a /): made 0755, as on an installed Debian (else _madoguchi could load no library)"
  chmod 0755 /
fi

D=$(mktemp -d /tmp/mg_deb.XXXXXX)
ours=   # set once apt-get install ran: the trap then purges
srv=    # the server's pid while it runs
cleanup() {
  [ -n "$srv" ] && kill "$srv" 2> /dev/null
  [ -n "$ours" ] && DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq madoguchi > /dev/null 2>&1
  rm -rf "$D"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
# what `sudo -u _madoguchi madoguchi ...` does for an operator
as_mg() { setpriv --reuid=_madoguchi --regid=_madoguchi --init-groups -- "$@"; }
show() { sed 's/^/# /' "$@"; }   # a log as TAP comments
conf=/etc/madoguchi/madoguchi.conf

# build from what is committed (or, in a release tarball, from its files)
mkdir "$D/src"
if git -C "$top" rev-parse --is-inside-work-tree > /dev/null 2>&1; then
  echo "# building HEAD $(git -C "$top" rev-parse --short HEAD) (uncommitted changes are not in the package)"
  git -C "$top" archive --format=tar HEAD | tar -x -C "$D/src"
else
  (cd "$top" && tar -cf - --exclude=./node_modules --exclude=./build --exclude=./build-asan --exclude=./build-tsan \
    --exclude=./build-fuzz .) | tar -x -C "$D/src"
fi
start=$(date +%s)
(cd "$D/src" && DEB_BUILD_OPTIONS="parallel=$(nproc)" dpkg-buildpackage -us -uc) > "$D/build.log" 2>&1
built=$?
deb=$(ls "$D"/madoguchi_*.deb 2> /dev/null | head -1)
check "dpkg-buildpackage -us -uc builds ${deb##*/} ($(($(date +%s) - start)) s)" test $built -eq 0 -a -f "$deb"
[ $built -eq 0 ] || tail -40 "$D/build.log" | show
ver=$(sed -n 's/^AC_INIT(\[madoguchi\], \[\([^]]*\)\].*/\1/p' "$D/src/configure.ac")
check "the package's version is the program's, ${ver:-none} (configure.ac, debian/changelog)" \
  test -n "$ver" -a "$(dpkg-deb -f "$deb" Version 2>&1)" = "$ver"
check "its build ran the unit tests, and they passed" \
  sh -c "grep -q 'check-unit' '$D/build.log' && grep -Eq '^# PASS: +[1-9]' '$D/build.log' && grep -Eq '^# FAIL: +0$' '$D/build.log'"
lintian --fail-on error,warning "$D"/madoguchi_*.changes > "$D/lintian" 2>&1
lint=$?
grep -v '^running with root privileges' "$D/lintian" > "$D/lintian.tags"
check "lintian: no error, no warning (source and binary)" test $lint -eq 0 -a -f "${deb%_*}.dsc"
show "$D/lintian.tags"

# install
[ -f "$deb" ] || { tap_done; }
ours=1
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$deb" > "$D/install.log" 2>&1
check "apt-get install ./${deb##*/}" test $? -eq 0
[ -d /run/systemd/system ] && { systemctl stop madoguchi.service; echo "# systemd runs here: the packaged service was stopped"; }
ent=$(getent passwd _madoguchi)
uid=$(echo "$ent" | cut -d: -f3) home=$(echo "$ent" | cut -d: -f6) shell=$(echo "$ent" | cut -d: -f7)
check "the postinst made the system user _madoguchi (uid ${uid:-none}, home ${home:-none}, shell ${shell:-none})" \
  test -n "$uid" -a "${uid:-1000}" -lt 1000 -a "$home" = /var/lib/madoguchi -a "${shell##*/}" = nologin
check "and its state directory /var/lib/madoguchi, 0700" test "$(stat -c '%U %a' /var/lib/madoguchi 2>&1)" = "_madoguchi 700"
as_mg madoguchi check --config "$conf" > "$D/check0" 2>&1
check "and the database, 0600, with the sample FAQ, which passes madoguchi check" \
  test "$(stat -c '%U %a' /var/lib/madoguchi/madoguchi.db 2>&1)" = "_madoguchi 600" \
  -a -n "$(grep -x 'integrity: ok' "$D/check0")" -a -n "$(grep -E '^faq published: [1-9]' "$D/check0")"
check "$conf is a conffile" sh -c "dpkg-query -W -f='\${Conffiles}' madoguchi | grep -q ' $conf '"

# the installed binary as the service user, with the packaged configuration,
# on free ports (setpriv execs: $! is the server)
cd /
setpriv --reuid=_madoguchi --regid=_madoguchi --init-groups -- \
  madoguchi serve --config "$conf" --port 0 --metrics-port 0 > "$D/serve.out" 2> "$D/serve.err" &
srv=$!
port= mport= i=0
while [ $i -lt 100 ] && [ -z "$mport" ] && kill -0 $srv 2> /dev/null; do
  sleep 0.1; i=$((i + 1))
  port=$(sed -n 's|^madoguchi: listening on http://127.0.0.1:\([0-9]*\)/$|\1|p' "$D/serve.out")
  mport=$(sed -n 's|^madoguchi: metrics on http://127.0.0.1:\([0-9]*\)/metrics$|\1|p' "$D/serve.out")
done
check "madoguchi serve starts as _madoguchi (chat port ${port:-none}, metrics port ${mport:-none})" \
  test -n "$port" -a -n "$mport" -a "$(stat -c %U /proc/$srv 2>&1)" = _madoguchi
[ -n "$mport" ] || show "$D/serve.out" "$D/serve.err"
curl -s -m 10 "http://127.0.0.1:$port/healthz" > "$D/healthz" 2>&1
check "/healthz answers ok with the FAQ entries ($(cat "$D/healthz"))" grep -Eq '"status": *"ok".*"faq_entries": *[1-9]' "$D/healthz"
curl -s -m 10 "http://127.0.0.1:$mport/metrics" > "$D/metrics" 2>&1
check "/metrics answers, with the package's version ($ver)" grep -q "^madoguchi_build_info{version=\"$ver\"} 1\$" "$D/metrics"
curl -s -m 10 "http://127.0.0.1:$port/widget.js" > "$D/widget.js" 2>&1
check "the widget is served from the packaged data" cmp -s "$D/widget.js" /usr/share/madoguchi/web/widget.js
kill -TERM $srv; wait $srv; stopped=$?; srv=
check "SIGTERM stops it cleanly (exit $stopped)" test $stopped -eq 0

# the installed unit
unit=/lib/systemd/system/madoguchi.service
systemd-analyze verify "$unit" > "$D/verify" 2>&1
check "systemd-analyze verify $unit" test $? -eq 0 -a ! -s "$D/verify"
show "$D/verify"
systemd-analyze security --offline=true --threshold=30 "$unit" > "$D/security" 2>&1
rated=$?   # kept before the description's $(grep): under bash that would set $?
check "systemd-analyze security rates it 3.0 or less ($(grep -o 'exposure level[^:]*: [0-9.]*' "$D/security"))" test $rated -eq 0
check "the unit's service is enabled" test -L /etc/systemd/system/multi-user.target.wants/madoguchi.service

# man
check "man -w madoguchi finds $(man -w madoguchi 2>&1)" test "$(man -w madoguchi 2>&1)" = /usr/share/man/man1/madoguchi.1.gz
check "man 5 madoguchi.conf too" test "$(man -w 5 madoguchi.conf 2>&1)" = /usr/share/man/man5/madoguchi.conf.5.gz
check "man madoguchi renders its COMMANDS" sh -c "MANWIDTH=80 man -P cat madoguchi 2> /dev/null | grep -q '^COMMANDS'"

# backup -> change -> restore: the check output is the backed-up one again
install -d -o _madoguchi -g _madoguchi -m 0700 "$D/bak"
chmod 0711 "$D"
as_mg madoguchi check --config "$conf" > "$D/check1" 2>&1
as_mg madoguchi backup --config "$conf" "$D/bak/b.db" > /dev/null 2>&1
check "madoguchi backup, as _madoguchi" test $? -eq 0
as_mg madoguchi faq edit saijo-0001 --answer "（テスト）変更" --publish --config "$conf" > /dev/null 2>&1
as_mg madoguchi check --config "$conf" > "$D/check2" 2>&1
check "an edit after the backup shows in the check" sh -c "! cmp -s '$D/check1' '$D/check2'"
as_mg madoguchi restore --config "$conf" "$D/bak/b.db" > /dev/null 2>&1
check "madoguchi restore" test $? -eq 0
as_mg madoguchi check --config "$conf" > "$D/check3" 2>&1
check "the check after the restore is the one before the backup, line for line" cmp -s "$D/check1" "$D/check3"
check "and it passes: integrity, foreign keys, FTS index" \
  sh -c "grep -q '^integrity: ok$' '$D/check3' && grep -q '^foreign keys: ok$' '$D/check3' && grep -q '^fts index: ok$' '$D/check3'"

# purge
DEBIAN_FRONTEND=noninteractive apt-get purge -y -q madoguchi > "$D/purge.log" 2>&1
purged=$?
check "apt-get purge -y madoguchi" test $purged -eq 0
[ $purged -eq 0 ] && ours=
check "the user and the group _madoguchi are gone" sh -c "! getent passwd _madoguchi && ! getent group _madoguchi"
check "/var/lib/madoguchi and /etc/madoguchi are gone" test ! -e /var/lib/madoguchi -a ! -e /etc/madoguchi
check "and the unit's enablement" test ! -e /etc/systemd/system/multi-user.target.wants/madoguchi.service

tap_done
