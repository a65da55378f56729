# shellcheck shell=bash
# Local PostgreSQL clusters for scripts/test.sh and scripts/run.sh.  Source it; do not run it.
#
#   pg_ensure_installed          installs PostgreSQL ($PG_VERSION, default 15) if its binaries are missing
#   pg_free_port                 prints a free TCP port on 127.0.0.1
#   pg_start_throwaway [OPT...]  fast, fsync=off cluster in a fresh /tmp dir, trust auth, database created;
#                                OPTs (`-c name=value ...`) come after the defaults and win over them
#   pg_stop_throwaway            stops it and removes its dir (idempotent, silent)
#   pg_createdb NAME             creates database NAME in the current cluster if missing
#   pg_connection_string [DB]    Npgsql connection string for DB (default $PF_PG_DATABASE) in that cluster
#   pg_start_persistent DIR PORT dev cluster with fsync on: initdb once, reuse if running, create database
#   pg_stop DIR                  stops the cluster of DIR (as resolved by pg_start_persistent)
#
# After a start: PGHOST, PGPORT, PGUSER and PGDATABASE are exported (so psql just works) and
# PF_CONNECTION holds the Npgsql connection string, e.g.
#   Host=127.0.0.1;Port=54329;Username=postgres;Database=persistedfolder
#
# Running as root: initdb and postgres refuse root, so the server binaries run as the `postgres`
# user through `runuser -u postgres --`; a non-root caller runs them as itself.  Clients connect
# over TCP on 127.0.0.1 as the `postgres` role (trust authentication on loopback only).
#
# Where a persistent cluster's data lives (pg_start_persistent DIR):
#   The server runs as `postgres`, so it must be able to traverse every directory above DIR.
#   If it can (checked with `runuser -u postgres -- test -x PARENT`, after making our own parent
#   directory, e.g. <repo>/.data, traversable), the data lives in DIR itself.  Directories we do
#   not own (e.g. /root, mode 0700) are never chmod-ed: instead the data goes to
#   $PF_PG_FALLBACK_ROOT/persistedfolder-<hash of DIR>/pg (default root: the postgres user's home,
#   /var/lib/postgresql, which survives reboots; /tmp if that is missing) and DIR becomes a
#   symlink to it, so `ls -l DIR` shows where the data is.  A note is printed when that happens.
#
# Environment: PG_VERSION (15), PG_BIN (/usr/lib/postgresql/$PG_VERSION/bin), PF_PG_DATABASE
# (persistedfolder), PF_TEST_PG_PORT (throwaway port; default: a free one), PF_PG_FALLBACK_ROOT.
# Messages go to stderr.

PG_VERSION=${PG_VERSION:-15}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/$PG_VERSION/bin}
PF_PG_DATABASE=${PF_PG_DATABASE:-persistedfolder}

pg_log() { echo "[pg] $*" >&2; }

# Runs a server binary as the postgres user when we are root, as ourselves otherwise.
pg_as_server_user() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# chown to the server user when we are root (a non-root caller already owns what it made).
pg_chown_server_user() {
  if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$@"; fi
}

pg_ensure_installed() {
  if [ ! -x "$PG_BIN/initdb" ]; then
    if [ "$(id -u)" != 0 ]; then
      pg_log "PostgreSQL binaries not found in $PG_BIN and not root: install postgresql-$PG_VERSION or set PG_BIN"
      return 1
    fi
    pg_log "installing PostgreSQL $PG_VERSION (apt-get) ..."
    # Debian's packages create and start a `main` cluster on port 5432 by default; we manage
    # our own clusters, so ask postgresql-common not to create one.
    mkdir -p /etc/postgresql-common/createcluster.d
    [ -e /etc/postgresql-common/createcluster.d/persistedfolder.conf ] ||
      echo "create_main_cluster = false" >/etc/postgresql-common/createcluster.d/persistedfolder.conf
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 || return 1
    apt-get install -y -qq --no-install-recommends "postgresql-$PG_VERSION" >&2 ||
      apt-get install -y -qq --no-install-recommends postgresql >&2 || return 1
    if [ ! -x "$PG_BIN/initdb" ]; then
      # `postgresql` may have brought another major version: take the newest one installed.
      local found
      found=$(find /usr/lib/postgresql -mindepth 3 -maxdepth 3 -path '*/bin/initdb' 2>/dev/null | sort -V | tail -n 1)
      if [ -z "$found" ]; then
        pg_log "PostgreSQL installed but no initdb found under /usr/lib/postgresql"
        return 1
      fi
      PG_BIN=$(dirname "$found")
      pg_log "using $PG_BIN"
    fi
  fi
  if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
    useradd --system --home-dir /var/lib/postgresql --create-home --shell /bin/bash postgres || return 1
  fi
}

# A free TCP port on 127.0.0.1 (the kernel's choice, so it does not collide with fixed ports).
pg_free_port() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
    return
  fi
  local port
  for ((port = ${PF_PORT_SCAN_BASE:-55000}; port < ${PF_PORT_SCAN_BASE:-55000} + 1000; port++)); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  return 1
}

pg_connection_string() {
  printf 'Host=127.0.0.1;Port=%s;Username=postgres;Database=%s\n' "$PGPORT" "${1:-$PF_PG_DATABASE}"
}

pg_export_env() { # PORT
  export PGHOST=127.0.0.1 PGPORT="$1" PGUSER=postgres PGDATABASE="$PF_PG_DATABASE"
  PF_CONNECTION=$(pg_connection_string "$PF_PG_DATABASE")
  export PF_CONNECTION
}

pg_createdb() { # NAME
  local exists
  exists=$("$PG_BIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -X -A -t -v ON_ERROR_STOP=1 \
    -v name="$1" <<<"select 1 from pg_database where datname = :'name'") || return 1
  if [ "$exists" != 1 ]; then
    "$PG_BIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres "$1" || return 1
  fi
}

# pg_ctl start with the given data dir, log, socket dir, port and extra -c options.
pg_ctl_start() { # DATADIR LOGFILE SOCKDIR PORT [OPTIONS...]
  local datadir=$1 logfile=$2 sockdir=$3 port=$4
  shift 4
  pg_as_server_user "$PG_BIN/pg_ctl" -D "$datadir" -l "$logfile" -w -t "${PF_PG_START_TIMEOUT:-30}" \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $sockdir $*" start >/dev/null
}

pg_log_tail() { # LOGFILE
  if [ -r "$1" ]; then
    pg_log "last lines of $1:"
    tail -n 20 "$1" >&2
  fi
}

# --- throwaway cluster (tests) ---------------------------------------------------------------

PF_PG_THROWAWAY_DIR=${PF_PG_THROWAWAY_DIR:-}

pg_start_throwaway() { # [-c name=value ...]
  pg_ensure_installed || return 1
  if [ -n "$PF_PG_THROWAWAY_DIR" ]; then
    pg_log "a throwaway cluster is already running in $PF_PG_THROWAWAY_DIR"
    return 1
  fi
  PF_PG_THROWAWAY_DIR=$(mktemp -d /tmp/pf-pg.XXXXXX) || return 1
  # Stop it when the shell exits, unless the caller already set its own EXIT trap (which must
  # then call pg_stop_throwaway itself).
  if [ -z "$(trap -p EXIT)" ]; then trap pg_stop_throwaway EXIT; fi
  local dir=$PF_PG_THROWAWAY_DIR
  chmod 0755 "$dir"
  pg_chown_server_user "$dir"
  if ! pg_as_server_user "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C \
    --no-sync --no-instructions >"$dir/initdb.log" 2>&1; then
    pg_log "initdb failed:"
    cat "$dir/initdb.log" >&2
    pg_stop_throwaway
    return 1
  fi
  local port attempt
  for attempt in 1 2 3; do
    port=${PF_TEST_PG_PORT:-$(pg_free_port)}
    if pg_ctl_start "$dir/data" "$dir/server.log" "$dir" "$port" \
      -c fsync=off -c synchronous_commit=off -c full_page_writes=off "$@"; then
      pg_export_env "$port"
      if ! pg_createdb "$PF_PG_DATABASE"; then
        pg_log "createdb $PF_PG_DATABASE failed"
        pg_stop_throwaway
        return 1
      fi
      pg_log "throwaway PostgreSQL on 127.0.0.1:$port (data $dir/data)"
      return 0
    fi
    # Someone may have taken the port between our check and the bind: try another one,
    # unless the port was fixed by the caller.
    if [ -n "${PF_TEST_PG_PORT:-}" ] || ! grep -q "could not bind\|could not create any TCP/IP sockets" \
      "$dir/server.log" 2>/dev/null; then
      break
    fi
    pg_log "port $port taken, retrying ($attempt)"
  done
  pg_log "could not start the throwaway cluster"
  pg_log_tail "$dir/server.log"
  pg_stop_throwaway
  return 1
}

pg_stop_throwaway() {
  local dir=$PF_PG_THROWAWAY_DIR
  [ -n "$dir" ] || return 0
  PF_PG_THROWAWAY_DIR=
  if [ -f "$dir/data/postmaster.pid" ]; then
    pg_as_server_user "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null 2>&1 ||
      pg_as_server_user "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  case $dir in
  /tmp/pf-pg.*) rm -rf "$dir" ;;
  esac
  return 0
}

# --- persistent cluster (run command) ---------------------------------------------------------

# Can the server user reach (search) directory $1?
pg_server_user_can_traverse() {
  pg_as_server_user test -x "$1" 2>/dev/null
}

# Prints the real data directory for DIR, creating what is needed (see the header).
# With --no-create, only resolves (for pg_stop).
pg_resolve_datadir() { # DIR [--no-create]
  local dir=$1 create=1
  [ "${2:-}" = --no-create ] && create=0
  if [ -L "$dir" ]; then
    # Made by an earlier run (fallback below); recreate its target if it vanished (e.g. /tmp wiped).
    local target
    target=$(readlink "$dir")
    if [ "$create" = 1 ] && [ ! -d "$target" ]; then
      mkdir -p "$(dirname "$target")" && chmod 0755 "$(dirname "$target")" &&
        mkdir -m 0700 "$target" && pg_chown_server_user "$target" || return 1
    fi
    echo "$target"
    return 0
  fi
  local parent
  parent=$(dirname "$dir")
  if [ "$create" = 1 ]; then
    mkdir -p "$parent" || return 1
    # Our own parent (e.g. <repo>/.data) may be made traversable; nothing above it is touched.
    if ! pg_server_user_can_traverse "$parent" && pg_server_user_can_traverse "$(dirname "$parent")"; then
      chmod o+x "$parent"
    fi
  fi
  if [ -d "$dir" ] || pg_server_user_can_traverse "$parent"; then
    if [ "$create" = 1 ] && [ ! -d "$dir" ]; then
      if ! { mkdir -m 0700 "$dir" && pg_chown_server_user "$dir"; }; then return 1; fi
    fi
    echo "$dir"
    return 0
  fi
  # Unreachable: keep the data in a place the server user can reach and point DIR at it.
  local root hash real
  root=${PF_PG_FALLBACK_ROOT:-}
  if [ -z "$root" ]; then
    root=$(getent passwd postgres | cut -d: -f6)
    { [ -n "$root" ] && [ -d "$root" ] && pg_server_user_can_traverse "$root"; } || root=/tmp
  fi
  hash=$(printf '%s' "$(cd "$parent" 2>/dev/null && pwd -P)/$(basename "$dir")" | sha256sum | cut -c1-12)
  real=$root/persistedfolder-$hash/pg
  if [ "$create" = 1 ]; then
    mkdir -p "$(dirname "$real")" && chmod 0755 "$(dirname "$real")" || return 1
    [ -d "$real" ] || { mkdir -m 0700 "$real" && pg_chown_server_user "$real"; } || return 1
    ln -s "$real" "$dir" || return 1
    pg_log "note: the postgres user cannot reach $parent (a parent directory is private), so the"
    pg_log "      cluster's data lives in $real; $dir is a symlink to it."
  fi
  echo "$real"
}

# Socket directory for a persistent cluster: short, under /tmp, one per data dir.
pg_persistent_sockdir() { # REALDIR
  echo "/tmp/pf-pg-sock-$(printf '%s' "$1" | sha256sum | cut -c1-12)"
}

# Port a running cluster listens on (line 4 of postmaster.pid).
pg_running_port() { # REALDIR
  sed -n 4p "$1/postmaster.pid" 2>/dev/null
}

# shellcheck disable=SC2034 # read by the scripts that source this file
PF_PG_STARTED=0 # set to 1 by pg_start_persistent when it started the server (0 when it reused it)

pg_start_persistent() { # DIR PORT
  local dir=$1 port=${2:-54329} real sockdir
  pg_ensure_installed || return 1
  real=$(pg_resolve_datadir "$dir") || { pg_log "cannot prepare data directory $dir"; return 1; }
  PF_PG_STARTED=0
  if [ ! -f "$real/PG_VERSION" ]; then
    pg_log "initialising a new cluster in $real"
    if ! pg_as_server_user "$PG_BIN/initdb" -D "$real" -U postgres --auth-local=trust --auth-host=trust \
      -E UTF8 --locale=C --no-instructions >/dev/null; then
      pg_log "initdb failed in $real"
      return 1
    fi
    # initdb's pg_hba.conf lets in local sockets and loopback TCP only; the server also listens
    # on 127.0.0.1 only.  Fine for a developer's own cluster, not for anything shared.
  fi
  if pg_as_server_user "$PG_BIN/pg_ctl" -D "$real" status >/dev/null 2>&1; then
    local running
    running=$(pg_running_port "$real")
    if [ -n "$running" ] && [ "$running" != "$port" ]; then
      pg_log "cluster in $real is already running on port $running (not $port); using it"
      port=$running
    else
      pg_log "reusing the PostgreSQL already running on 127.0.0.1:$port (data $real)"
    fi
  else
    sockdir=$(pg_persistent_sockdir "$real")
    mkdir -p "$sockdir" && chmod 0755 "$sockdir" && pg_chown_server_user "$sockdir" || return 1
    if ! pg_ctl_start "$real" "$real/server.log" "$sockdir" "$port"; then
      pg_log "could not start PostgreSQL on 127.0.0.1:$port (is the port taken? set PF_PG_PORT)"
      pg_log_tail "$real/server.log"
      return 1
    fi
    # shellcheck disable=SC2034
    PF_PG_STARTED=1
    pg_log "PostgreSQL started on 127.0.0.1:$port (data $real, log $real/server.log)"
  fi
  pg_export_env "$port"
  pg_createdb "$PF_PG_DATABASE" || { pg_log "createdb $PF_PG_DATABASE failed"; return 1; }
}

pg_stop() { # DIR
  local real
  real=$(pg_resolve_datadir "$1" --no-create) || return 0
  [ -f "$real/postmaster.pid" ] || return 0
  pg_as_server_user "$PG_BIN/pg_ctl" -D "$real" -m fast -w -t 60 stop >/dev/null 2>&1 || {
    pg_log "pg_ctl stop failed for $real"
    return 1
  }
  pg_log "PostgreSQL stopped (data $real)"
}
