#!/usr/bin/env bash
# Scale-out on real infrastructure (issue 5, item 5): two service instances behind pgbouncer
# (transaction pooling) and sharing their rate limits through Redis, all on 127.0.0.1.
#
#   bash scripts/scaleout.sh
#
# What it does, leaving nothing running (EXIT trap; hard time limit $SCALEOUT_TIMEOUT):
#   1. installs pgbouncer and redis-server (Debian packages, apt-get) where missing, and
#      PostgreSQL through scripts/lib/pg.sh; builds PersistedFolder.Api (Release) and runs a
#      private copy of the build (so a concurrent build cannot swap it mid-run);
#   2. starts a throwaway PostgreSQL, an application role whose search_path is the service's
#      schema (ALTER ROLE ... IN DATABASE ... SET search_path), pgbouncer in transaction pooling
#      mode (scripts/scaleout/pgbouncer.ini.in) and redis-server;
#   3. starts instances A and B at the same moment on a fresh database, both through pgbouncer
#      with ConnectionStrings__Redis: both migrate at startup, through pgbouncer, serialised by
#      the migrator's transaction-level advisory lock; checks the scripts were applied once, in
#      the schema, and that both became ready;
#   4. runs the public conformance suite (../shared/conformance/run.py, skipped with a message
#      when ../shared is absent) against A, then against B, with the default limits; its admin
#      command uses a direct connection to PostgreSQL, its psql goes through pgbouncer;
#   5. restarts A and B with PersistedFolder__RateLimits__PerMinute=$SCALEOUT_DEMO_LIMIT, makes a
#      fresh key and alternates requests A, B, A, ...: request N+1 overall gets 429; then the same
#      with two instances without Redis (each counts alone: 2N requests pass);
#   6. prints a summary (last line `scaleout: N passed, M failed`) and exits non-zero on failure.
#
# Environment (defaults):
#   SCALEOUT_TIMEOUT=1800           hard limit of the whole script in seconds
#   SCALEOUT_PG_PORT, SCALEOUT_PGBOUNCER_PORT, SCALEOUT_REDIS_PORT   (free ports)
#   SCALEOUT_API_PORTS="PA PB"      the two instances' ports (free ports)
#   SCALEOUT_DEMO_LIMIT=10          per-minute limit of the shared-limit demonstration
#   SCALEOUT_POOL_SIZE=10           pgbouncer default_pool_size
#   SCALEOUT_CONFORMANCE=1          0 skips the conformance suite
#   SCALEOUT_CONFORMANCE_ARGS=...   extra run.py arguments (word-split), e.g. "--only s5-"
#   SCALEOUT_KEEP=0                 1 keeps the work directory (logs, configs); kept on failure
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd -P)
# shellcheck source=scripts/lib/pg.sh
source scripts/lib/pg.sh
# shellcheck source=scripts/lib/process.sh
source scripts/lib/process.sh

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export MSBUILDDISABLENODEREUSE=1 UseSharedCompilation=false DOTNET_CLI_USE_MSBUILD_SERVER=0

TIMEOUT=${SCALEOUT_TIMEOUT:-1800}
DEMO_LIMIT=${SCALEOUT_DEMO_LIMIT:-10}
POOL_SIZE=${SCALEOUT_POOL_SIZE:-10}
RUN_CONFORMANCE=${SCALEOUT_CONFORMANCE:-1}
API_DIR=$ROOT/PersistedFolder.Api
CONFORMANCE=$ROOT/../shared/conformance/run.py
SCHEMA=persisted_folder
APP_ROLE=persistedfolder_app
WORK=$(mktemp -d /tmp/pf-scaleout.XXXXXX)
chmod 0755 "$WORK"

log() { echo "[scaleout $(date +%H:%M:%S)] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

for n in $TIMEOUT $DEMO_LIMIT $POOL_SIZE; do
  [[ $n =~ ^[0-9]+$ ]] || die "SCALEOUT_TIMEOUT, SCALEOUT_DEMO_LIMIT and SCALEOUT_POOL_SIZE must be whole numbers (got '$n')"
done

# --- results -----------------------------------------------------------------------------------
PASSED=0
FAILED=0
SUMMARY=()
check() { # OK(0|1) TEXT
  if [ "$1" = 1 ]; then
    PASSED=$((PASSED + 1))
    SUMMARY+=("  ok    $2")
  else
    FAILED=$((FAILED + 1))
    SUMMARY+=("  FAIL  $2")
  fi
}
note() { SUMMARY+=("        $*"); }

# --- clean-up: everything this script started, by PID ------------------------------------------
declare -A INSTANCE_PID=()
PGBOUNCER_RUNNER=
REDIS_PID=
WATCHDOG_PID=
CHILD_PID=
POLICY_RC_MADE=0

stop_instance() { # NAME
  local pid=${INSTANCE_PID[$1]:-}
  [ -n "$pid" ] || return 0
  stop_pid "$pid" 15
  unset "INSTANCE_PID[$1]"
}

stop_pgbouncer() {
  local pid
  if [ -f "$WORK/pgbouncer/pgbouncer.pid" ]; then
    pid=$(cat "$WORK/pgbouncer/pgbouncer.pid" 2>/dev/null || true)
    # Only the pgbouncer this script started (its pidfile is in our work directory).
    [ -z "$pid" ] || ! grep -q pgbouncer "/proc/$pid/cmdline" 2>/dev/null || stop_pid "$pid" 10
  fi
  [ -z "$PGBOUNCER_RUNNER" ] || stop_pid "$PGBOUNCER_RUNNER" 5
  PGBOUNCER_RUNNER=
}

SUMMARY_PRINTED=0
SUMMARY_HEAD=()
print_summary() {
  SUMMARY_PRINTED=1
  echo
  echo "scaleout summary"
  if [ ${#SUMMARY_HEAD[@]} -gt 0 ]; then printf '%s\n' "${SUMMARY_HEAD[@]}"; fi
  if [ ${#SUMMARY[@]} -gt 0 ]; then printf '%s\n' "${SUMMARY[@]}"; fi
  echo "scaleout: $PASSED passed, $FAILED failed"
}

# shellcheck disable=SC2317 # invoked through the EXIT trap
cleanup() {
  local rc=$? name
  trap - EXIT INT TERM
  if [ "$SUMMARY_PRINTED" = 0 ]; then
    [ "$rc" != 0 ] || rc=1
    FAILED=$((FAILED + 1))
    SUMMARY+=("  FAIL  stopped early (see the messages above)")
    print_summary
  fi
  [ -z "$CHILD_PID" ] || stop_pid "$CHILD_PID" 5
  for name in "${!INSTANCE_PID[@]}"; do stop_instance "$name"; done
  stop_pgbouncer
  [ -z "$REDIS_PID" ] || stop_pid "$REDIS_PID" 10
  pg_stop_throwaway
  [ "$POLICY_RC_MADE" = 0 ] || rm -f /usr/sbin/policy-rc.d
  [ -z "$WATCHDOG_PID" ] || stop_pid "$WATCHDOG_PID" 2
  if [ "$rc" != 0 ] || [ "$FAILED" != 0 ] || [ "${SCALEOUT_KEEP:-0}" = 1 ]; then
    log "logs and configuration kept in $WORK"
  else
    rm -rf "$WORK"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Hard time limit: TERM ourselves (the EXIT trap stops everything) after $TIMEOUT seconds.
start_watchdog "$TIMEOUT" scaleout

# --- 1. tools and build --------------------------------------------------------------------------
missing=()
command -v pgbouncer >/dev/null || [ -x /usr/sbin/pgbouncer ] || missing+=(pgbouncer)
command -v redis-server >/dev/null || missing+=(redis-server)
command -v redis-cli >/dev/null || missing+=(redis-tools)
command -v curl >/dev/null || missing+=(curl)
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || die "missing: ${missing[*]} (and not root: apt-get install ${missing[*]})"
  log "installing ${missing[*]} (apt-get)"
  # Debian's packages start their own system services on the default ports when they can: we
  # run our own instances, so forbid that for the duration of the install (as Docker images do).
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 0755 /usr/sbin/policy-rc.d && POLICY_RC_MADE=1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 || die "apt-get update failed"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 || die "apt-get install ${missing[*]} failed"
  if [ "$POLICY_RC_MADE" = 1 ]; then rm -f /usr/sbin/policy-rc.d; POLICY_RC_MADE=0; fi
fi
PGBOUNCER=$(command -v pgbouncer || echo /usr/sbin/pgbouncer)
pg_ensure_installed || die "PostgreSQL is not available"
command -v dotnet >/dev/null || die "dotnet is missing"
command -v python3 >/dev/null || die "python3 is missing"

log "building PersistedFolder.Api (Release)"
run_child dotnet build "$API_DIR" -c Release -nologo -v q >"$WORK/build.log" 2>&1 ||
  { tail -n 30 "$WORK/build.log" >&2; die "build failed"; }
cp -r "$API_DIR/bin/Release/net10.0" "$WORK/app"
DLL=$WORK/app/PersistedFolder.Api.dll

free_port() { # ENV_VALUE: the given port, or a free one
  if [ -n "$1" ]; then echo "$1"; else pg_free_port; fi
}

# --- 2. PostgreSQL, pgbouncer, Redis --------------------------------------------------------------
PF_TEST_PG_PORT=${SCALEOUT_PG_PORT:-${PF_TEST_PG_PORT:-}}
# shellcheck disable=SC2119 # takes no arguments
pg_start_throwaway || die "could not start PostgreSQL"
PG_PORT=$PGPORT
DB=$PF_PG_DATABASE
PSQL=("$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres)
# The application role owns the database; its search_path there is the schema, set on the server
# because pgbouncer drops the one Npgsql sends at connect.
"${PSQL[@]}" -d "$DB" >/dev/null <<SQL || die "could not create the application role"
CREATE ROLE $APP_ROLE LOGIN;
ALTER DATABASE $DB OWNER TO $APP_ROLE;
ALTER ROLE $APP_ROLE IN DATABASE $DB SET search_path = $SCHEMA;
SQL
PG_SERVER_VERSION=$("${PSQL[@]}" -d "$DB" -A -t -c 'show server_version')

BOUNCER_PORT=$(free_port "${SCALEOUT_PGBOUNCER_PORT:-}")
mkdir -p "$WORK/pgbouncer"
sed -e "s|@DATABASE@|$DB|g" -e "s|@PG_PORT@|$PG_PORT|g" -e "s|@PORT@|$BOUNCER_PORT|g" \
  -e "s|@DIR@|$WORK/pgbouncer|g" -e "s|@POOL_SIZE@|$POOL_SIZE|g" -e "s|@USER@|$APP_ROLE|g" \
  "$ROOT/scripts/scaleout/pgbouncer.ini.in" >"$WORK/pgbouncer/pgbouncer.ini"
printf '"%s" ""\n' "$APP_ROLE" >"$WORK/pgbouncer/userlist.txt"
pg_chown_server_user -R "$WORK/pgbouncer"
# pgbouncer refuses to run as root: as root, run it as the postgres user (like the server).
pg_as_server_user "$PGBOUNCER" "$WORK/pgbouncer/pgbouncer.ini" >"$WORK/pgbouncer/stdout.log" 2>&1 &
PGBOUNCER_RUNNER=$!
BOUNCER_PSQL=("$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$BOUNCER_PORT" -U "$APP_ROLE")
for ((i = 0; i < 100; i++)); do
  "${BOUNCER_PSQL[@]}" -d "$DB" -A -t -c 'select 1' >/dev/null 2>&1 && break
  kill -0 "$PGBOUNCER_RUNNER" 2>/dev/null || { cat "$WORK/pgbouncer/pgbouncer.log" "$WORK/pgbouncer/stdout.log" >&2 2>/dev/null; die "pgbouncer exited"; }
  sleep 0.1
done
PGBOUNCER_VERSION=$("$PGBOUNCER" --version | head -n 1)
BOUNCER_SEARCH_PATH=$("${BOUNCER_PSQL[@]}" -d "$DB" -A -t -c 'show search_path') || die "pgbouncer does not answer on 127.0.0.1:$BOUNCER_PORT"
log "pgbouncer on 127.0.0.1:$BOUNCER_PORT ($PGBOUNCER_VERSION, transaction pooling; search_path there: $BOUNCER_SEARCH_PATH)"

REDIS_PORT=$(free_port "${SCALEOUT_REDIS_PORT:-}")
mkdir -p "$WORK/redis"
redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no --dir "$WORK/redis" \
  --logfile "$WORK/redis/redis.log" --daemonize no &
REDIS_PID=$!
for ((i = 0; i < 100; i++)); do
  [ "$(redis-cli -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ] && break
  kill -0 "$REDIS_PID" 2>/dev/null || { cat "$WORK/redis/redis.log" >&2; die "redis-server exited"; }
  sleep 0.1
done
REDIS_VERSION=$(redis-cli -p "$REDIS_PORT" info server | sed -n 's/^redis_version:\(.*\)\r$/\1/p')
log "redis-server $REDIS_VERSION on 127.0.0.1:$REDIS_PORT"

# What the instances use: pgbouncer, no named prepared statements (pgbouncer < 1.21), no DISCARD
# ALL on every borrowed connection. The admin command (an operator's tool) connects directly.
SERVICE_CS="Host=127.0.0.1;Port=$BOUNCER_PORT;Username=$APP_ROLE;Database=$DB;Max Auto Prepare=0;No Reset On Close=true"
DIRECT_CS="Host=127.0.0.1;Port=$PG_PORT;Username=$APP_ROLE;Database=$DB"
REDIS_CS="127.0.0.1:$REDIS_PORT"

SUMMARY_HEAD=(
  "  PostgreSQL $PG_SERVER_VERSION 127.0.0.1:$PG_PORT (admin command: direct connection)"
  "  $PGBOUNCER_VERSION 127.0.0.1:$BOUNCER_PORT: pool_mode=transaction, ignore_startup_parameters=search_path, default_pool_size=$POOL_SIZE"
  "  redis-server $REDIS_VERSION 127.0.0.1:$REDIS_PORT"
  "  role $APP_ROLE: ALTER ROLE ... IN DATABASE $DB SET search_path = $SCHEMA (through pgbouncer: $BOUNCER_SEARCH_PATH)"
  "  instances' connection string: $SERVICE_CS"
)
read -r -a API_PORTS <<<"${SCALEOUT_API_PORTS:-}"
[ ${#API_PORTS[@]} -ge 2 ] || API_PORTS=("$(pg_free_port)" "$(pg_free_port)")
[ "${API_PORTS[0]}" != "${API_PORTS[1]}" ] || API_PORTS[1]=$(pg_free_port)
declare -A URL=([A]="http://127.0.0.1:${API_PORTS[0]}" [B]="http://127.0.0.1:${API_PORTS[1]}")
SUMMARY_HEAD+=("  instances A ${URL[A]}, B ${URL[B]}")

# --- instances --------------------------------------------------------------------------------------
start_instance() { # NAME LOGTAG [ENV=VALUE...]
  local name=$1 tag=$2
  shift 2
  (cd "$API_DIR" && exec env ConnectionStrings__PersistedFolder="$SERVICE_CS" "$@" \
    dotnet "$DLL" --urls "${URL[$name]}") >"$WORK/instance-$name-$tag.log" 2>&1 &
  INSTANCE_PID[$name]=$!
}

wait_ready() { # NAME: 0 when /_readyz answers 200 within 60 s
  local name=$1 code deadline=$((SECONDS + 60))
  while ((SECONDS < deadline)); do
    kill -0 "${INSTANCE_PID[$name]}" 2>/dev/null || return 1
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "${URL[$name]}/_readyz" || true)
    [ "$code" = 200 ] && return 0
    sleep 0.2
  done
  return 1
}

start_pair() { # LOGTAG [ENV=VALUE...]: A and B at the same moment, then wait for both
  local tag=$1 name ok=1
  shift
  start_instance A "$tag" "$@"
  start_instance B "$tag" "$@"
  for name in A B; do
    if ! wait_ready "$name"; then
      log "instance $name did not become ready; last lines of its log:"
      tail -n 30 "$WORK/instance-$name-$tag.log" >&2 || true
      ok=0
    fi
  done
  [ "$ok" = 1 ]
}

stop_pair() { stop_instance A; stop_instance B; }

admin() { # ARGS...: the admin command over a direct connection, from the Api folder
  (cd "$API_DIR" && ConnectionStrings__PersistedFolder="$DIRECT_CS" dotnet "$DLL" admin "$@")
}
json_field() { python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

# --- 3. two instances, fresh database, concurrent migrations through pgbouncer -----------------------
log "starting instances A (${URL[A]}) and B (${URL[B]}) together on the fresh database (through pgbouncer, Redis)"
if start_pair main ConnectionStrings__Redis="$REDIS_CS"; then
  applied=$("${PSQL[@]}" -d "$DB" -A -t -c "select count(*) from $SCHEMA.schema_versions")
  scripts=$(find "$ROOT/PersistedFolder.Data/Migrations" -name '*.sql' | wc -l)
  tables_elsewhere=$("${PSQL[@]}" -d "$DB" -A -t -c \
    "select count(*) from pg_tables where schemaname not in ('pg_catalog', 'information_schema', '$SCHEMA')")
  check "$([ "$applied" = "$scripts" ] && [ "$tables_elsewhere" = 0 ] && echo 1 || echo 0)" \
    "A and B started together through pgbouncer: both ready, $applied of $scripts migration(s) applied once, in schema $SCHEMA ($tables_elsewhere table(s) elsewhere)"
else
  check 0 "A and B started together through pgbouncer and became ready"
  exit 1
fi

# --- 4. conformance suite against each instance ---------------------------------------------------------
q() { printf "'%s'" "${1//\'/\'\\\'\'}"; } # single-quote for sh -c
if [ "$RUN_CONFORMANCE" != 1 ]; then
  log "conformance suite skipped (SCALEOUT_CONFORMANCE=$RUN_CONFORMANCE)"
  note "conformance suite skipped (SCALEOUT_CONFORMANCE=$RUN_CONFORMANCE)"
elif [ ! -f "$CONFORMANCE" ]; then
  log "conformance suite skipped: $CONFORMANCE not found (../shared is absent)"
  note "conformance suite skipped: ../shared/conformance is absent"
else
  admin_cmd="env ConnectionStrings__PersistedFolder=$(q "$DIRECT_CS") dotnet $(q "$DLL") admin"
  psql_cmd="$(q "$PG_BIN/psql") -h 127.0.0.1 -p $BOUNCER_PORT -U $APP_ROLE -d $(q "$DB")"
  # shellcheck disable=SC2206 # word-splitting wanted
  extra=(${SCALEOUT_CONFORMANCE_ARGS:---verbose})
  for name in A B; do
    log "conformance suite against instance $name (${URL[$name]})"
    rc=0
    (cd "$API_DIR" && exec python3 "$CONFORMANCE" --base-url "${URL[$name]}" --admin "$admin_cmd" --psql "$psql_cmd" \
      "${extra[@]}") >"$WORK/conformance-$name.log" 2>"$WORK/conformance-$name.err" &
    CHILD_PID=$!
    wait "$CHILD_PID" || rc=$?
    CHILD_PID=
    line=$(grep -E '^conformance: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped' "$WORK/conformance-$name.log" | tail -n 1 || true)
    grep -E '^(FAIL|SKIP) ' "$WORK/conformance-$name.log" >&2 || true
    ok=0
    [ -n "$line" ] && [ "$rc" = 0 ] && [[ $line =~ \ 0\ failed ]] && ok=1
    check "$ok" "instance $name: ${line:-conformance suite printed no summary (exit $rc)}"
    [ "$ok" = 1 ] || tail -n 40 "$WORK/conformance-$name.err" >&2 || true
  done
fi

shared_logged=$(grep -l 'Per-key rate limits are shared through Redis' "$WORK"/instance-*-main.log 2>/dev/null | wc -l)
check "$([ "$shared_logged" = 2 ] && echo 1 || echo 0)" "A and B both report: Per-key rate limits are shared through Redis at $REDIS_CS"
# Errors the pooling would cause: prepared statements, startup parameters, anything unhandled.
pool_errors=$(cat "$WORK"/instance-*-main.log | grep -c -i -E 'prepared statement|unsupported startup parameter|Unhandled exception' || true)
check "$([ "$pool_errors" = 0 ] && echo 1 || echo 0)" \
  "instance logs: $pool_errors prepared-statement / startup-parameter / unhandled errors"
stats=$("${BOUNCER_PSQL[@]}" -d pgbouncer -A -F ' ' -P footer=off -c 'show stats' 2>/dev/null || true)
stat() { awk -v db="$DB" -v name="$1" 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next } $1 == db && col[name] { print $col[name] }' <<<"$stats"; }
bouncer_xacts=$(stat total_xact_count)
bouncer_queries=$(stat total_query_count)
servers=$("${BOUNCER_PSQL[@]}" -d pgbouncer -A -t -c 'show servers' | grep -c "|$DB|" || true)
note "pgbouncer relayed ${bouncer_xacts:-?} transactions (${bouncer_queries:-?} queries) over $servers server connection(s) (default_pool_size=$POOL_SIZE)"
stop_pair

# --- 5. shared limit: alternate requests between A and B ---------------------------------------------------
# One fresh key, N = $DEMO_LIMIT per minute; prints one line per request, sets DEMO_CODES.
alternate() { # LOGTAG COUNT KEY PROJECT
  local tag=$1 count=$2 key=$3 project=$4 i name code retry
  DEMO_CODES=()
  for ((i = 1; i <= count; i++)); do
    name=$([ $((i % 2)) = 1 ] && echo A || echo B)
    code=$(curl -s -D "$WORK/headers" -o "$WORK/body" -w '%{http_code}' --max-time 10 \
      -H "Authorization: Bearer $key" "${URL[$name]}/api/projects/$project/persisted_folder/" || echo 000)
    retry=$(sed -n 's/^[Rr]etry-[Aa]fter: *\([0-9]*\).*/\1/p' "$WORK/headers")
    DEMO_CODES+=("$code")
    printf '  %-9s request %2d -> %s %s%s\n' "$tag" "$i" "$name" "$code" "${retry:+ (Retry-After: $retry)}" >&2
    [ "$code" != 429 ] || [ -n "${DEMO_RETRY_AFTER:-}" ] || DEMO_RETRY_AFTER=$retry
  done
}
# Counts: how many leading 200s, and whether everything after them is 429.
codes_shape() { # LIMIT: prints "<leading 200s> <all later 429 (1|0)>"
  local n=0 c rest=1 seen_other=0
  for c in "${DEMO_CODES[@]}"; do
    if [ "$seen_other" = 0 ] && [ "$c" = 200 ]; then n=$((n + 1)); else seen_other=1; [ "$c" = 429 ] || rest=0; fi
  done
  echo "$n $rest"
}

log "shared limit: restarting A and B with PerMinute=$DEMO_LIMIT and Redis"
org=$(admin create-organization --name "scaleout" | json_field id) || die "admin create-organization failed"
project=$(admin create-project --organization "$org" --name "scaleout" | json_field id) || die "admin create-project failed"
admin create-user --email "scaleout-$$@example.com" --organization "$org" --level member >/dev/null || die "admin create-user failed"
new_key() { # LABEL: prints "<key id> <key value>"
  admin create-personal-api-key --email "scaleout-$$@example.com" --label "$1" --scopes '*' |
    python3 -c 'import json, sys; k = json.load(sys.stdin); print(k["id"], k["value"])'
}

read -r key_id key < <(new_key shared) || die "admin create-personal-api-key failed"
if start_pair shared ConnectionStrings__Redis="$REDIS_CS" PersistedFolder__RateLimits__PerMinute="$DEMO_LIMIT"; then
  DEMO_RETRY_AFTER=
  alternate shared $((DEMO_LIMIT + 2)) "$key" "$project"
  read -r passed later429 < <(codes_shape)
  counters=$(redis-cli -p "$REDIS_PORT" --scan --pattern "rl:fw:{persisted_folder:${key_id//-/}:*}" | sort |
    while read -r rkey; do printf '%s = %s; ' "$rkey" "$(redis-cli -p "$REDIS_PORT" get "$rkey")"; done)
  check "$([ "$passed" = "$DEMO_LIMIT" ] && [ "$later429" = 1 ] && echo 1 || echo 0)" \
    "shared limit (PerMinute=$DEMO_LIMIT, Redis), requests alternating A,B: $passed x 200, then 429 from request $((passed + 1)) on (Retry-After: ${DEMO_RETRY_AFTER:-none})"
  note "Redis counters of that key: ${counters%; }"
else
  check 0 "A and B restarted with PerMinute=$DEMO_LIMIT and Redis"
fi
stop_pair

log "control: the same without Redis (each instance counts alone)"
read -r key_id key < <(new_key control) || die "admin create-personal-api-key failed"
if start_pair control PersistedFolder__RateLimits__PerMinute="$DEMO_LIMIT"; then
  DEMO_RETRY_AFTER=
  alternate control $((2 * DEMO_LIMIT + 2)) "$key" "$project"
  read -r passed later429 < <(codes_shape)
  check "$([ "$passed" = $((2 * DEMO_LIMIT)) ] && [ "$later429" = 1 ] && echo 1 || echo 0)" \
    "control without Redis (PerMinute=$DEMO_LIMIT per instance), alternating A,B: $passed x 200, then 429 from request $((passed + 1)) on"
else
  check 0 "A and B restarted with PerMinute=$DEMO_LIMIT without Redis"
fi
stop_pair

# --- 6. summary -------------------------------------------------------------------------------------------
print_summary
[ "$FAILED" = 0 ] && [ "$PASSED" -gt 0 ]
