#!/usr/bin/env bash
# keystone.sh -- a private, throw-away OpenStack Keystone for Imago's Keystone-mode tests.
#
#   keystone.sh start STATE_DIR PORT   configure Keystone (fernet tokens, SQLite) with all its state
#                                      in STATE_DIR (new or empty), serve it with uwsgi on
#                                      127.0.0.1:PORT, seed it, and print what was seeded as one
#                                      JSON object on stdout
#   keystone.sh stop STATE_DIR         stop the Keystone started in STATE_DIR (by its saved pid)
#
# Configuration, database, keys, logs and pid all live in STATE_DIR, so several can run side by
# side and none touches a Keystone the machine already runs. Seeded (see seed.py): a service
# user allowed to validate tokens, projects `one` and `two` with a member and a reader each, and
# the bootstrap admin (project `admin`). Passwords are loopback-only test values; override with
# KEYSTONE_ADMIN_PASSWORD / KEYSTONE_USER_PASSWORD.
#
# Needs Debian's packages (no network, no systemd):
#   apt-get install keystone uwsgi-core uwsgi-plugin-python3
# with keystone's debconf questions answered "no" first (see .ci/run), so that its postinst
# configures no database and registers no endpoint.
set -euo pipefail

usage() { echo "usage: $0 start STATE_DIR PORT | stop STATE_DIR" >&2; exit 2; }
[ "$#" -ge 2 ] || usage
cmd=$1 state=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# Debian's interpreter has Keystone's libraries; a python3 earlier on PATH (pyenv) may not.
py=/usr/bin/python3
pidfile=$state/uwsgi.pid

stop() {
  [ -f "$pidfile" ] || return 0
  local pid; pid=$(cat "$pidfile")
  # uwsgi was started with setsid, so its pid is its process group: master and workers go together.
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

# keystone-manage is chatty: its output goes to a log that is shown only when it fails.
manage() {
  keystone-manage --config-file "$state/etc/keystone.conf" "$@" >>"$state/log/manage.log" 2>&1 && return 0
  echo "keystone-manage $1 failed; last lines of $state/log/manage.log:" >&2
  tail -20 "$state/log/manage.log" >&2
  exit 1
}

start() {
  local port=$1
  local missing=""
  for c in keystone-manage uwsgi_python3 "$py"; do command -v "$c" >/dev/null 2>&1 || missing="$missing $c"; done
  if [ -n "$missing" ]; then
    echo "missing:$missing (apt-get install keystone uwsgi-core uwsgi-plugin-python3)" >&2; exit 3
  fi
  # Seeding creates fixed names, so a state directory serves one Keystone once.
  if [ -e "$state/keystone.sqlite" ]; then echo "$state already holds a Keystone; use a new directory" >&2; exit 2; fi
  mkdir -p "$state/etc" "$state/fernet-keys" "$state/credential-keys" "$state/log"
  local url=http://127.0.0.1:$port
  local conf=$state/etc/keystone.conf
  cat >"$conf" <<EOF
[DEFAULT]
log_file = $state/log/keystone.log
use_stderr = false
[database]
connection = sqlite:///$state/keystone.sqlite
[token]
provider = fernet
expiration = 3600
[fernet_tokens]
key_repository = $state/fernet-keys
[fernet_receipts]
key_repository = $state/fernet-keys
[credential]
key_repository = $state/credential-keys
[cache]
enabled = false
EOF
  manage db_sync
  manage fernet_setup --keystone-user "$(id -un)" --keystone-group "$(id -gn)"
  manage credential_setup --keystone-user "$(id -un)" --keystone-group "$(id -gn)"
  # Several uwsgi threads share one SQLite file: WAL lets readers run beside the writer
  # instead of failing with "database is locked".
  "$py" -c 'import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute("PRAGMA journal_mode=WAL")' "$state/keystone.sqlite"
  # Creates the admin user, project `admin`, the roles admin > member > reader and the
  # identity endpoints of the catalog.
  manage bootstrap --bootstrap-username admin --bootstrap-project-name admin \
    --bootstrap-password "${KEYSTONE_ADMIN_PASSWORD:-admin-secret}" \
    --bootstrap-public-url "$url/v3/" --bootstrap-internal-url "$url/v3/" \
    --bootstrap-region-id RegionOne

  # One worker keeps start-up short; its threads serve the tests' concurrent validations.
  # "Connection: close": uwsgi's http-socket closes after each response anyway, and clients
  # that reuse a connection would otherwise see it reset.
  OS_KEYSTONE_CONFIG_DIR=$state/etc OS_KEYSTONE_CONFIG_FILES=keystone.conf \
    setsid uwsgi_python3 --http-socket "127.0.0.1:$port" --wsgi-file /usr/bin/keystone-wsgi-public \
      --master --processes 1 --threads 8 --enable-threads --need-app --die-on-term \
      --buffer-size 65535 --add-header "Connection: close" \
      --logto "$state/log/uwsgi.log" </dev/null >/dev/null 2>&1 &
  echo $! >"$pidfile"
  local up=""
  for _ in $(seq 300); do
    if ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then break; fi
    if "$py" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' "$url/v3" 2>/dev/null; then up=1; break; fi
    sleep 0.1
  done
  if [ -z "$up" ]; then
    echo "keystone did not come up on $url; last lines of $state/log/uwsgi.log:" >&2
    tail -20 "$state/log/uwsgi.log" >&2 || true
    stop; exit 1
  fi
  KEYSTONE_URL=$url/v3 KEYSTONE_ADMIN_PASSWORD=${KEYSTONE_ADMIN_PASSWORD:-admin-secret} \
    KEYSTONE_USER_PASSWORD=${KEYSTONE_USER_PASSWORD:-user-secret} "$py" "$here/seed.py" || { stop; exit 1; }
}

case $cmd in
  start) [ "$#" -eq 3 ] || usage; start "$3" ;;
  stop) [ "$#" -eq 2 ] || usage; stop ;;
  *) usage ;;
esac
