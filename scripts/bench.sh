#!/usr/bin/env bash
# The benchmark (issues 4 and 9): our service beside a bare-stack baseline, the database's ceiling and
# the Django reference, in one run.
#
#   bash scripts/bench.sh                      # full run: 10 s per wrk/pgbench run (~20 min when quiet)
#   BENCH_DURATION=3 bash scripts/bench.sh     # quick run
#
# What it does, all on 127.0.0.1, leaving nothing running (EXIT trap):
#   1. installs wrk (apt-get) if missing; publishes PersistedFolder.Api and the bare-stack baseline
#      (scripts/bench/baseline, never part of the product) in Release from a snapshot of the working
#      tree into a temporary folder (concurrent builds in the checkout cannot interfere);
#   2. starts a throwaway PostgreSQL 15 cluster on a free port (scripts/lib/pg.sh), configured
#      like the Django reference's (durable commits, shared_buffers 512MB, jit off);
#   3. starts the service in its default configuration ("default": request log and rate limiter on,
#      limits raised so nothing is refused), seeds an organization, project, user and `*` key with the
#      admin CLI and the user's three folders over HTTP;
#   4. starts a second instance cold ("ours": request log and rate limits off) and measures its warm
#      start: list at 16 connections in 1-s slices from the moment /_readyz answers 200;
#   5. starts the baseline (Kestrel + Npgsql: the same SQL in three round trips and in one, with and
#      without multiplexing) and, with BENCH_ALT_ENV, an "alt" instance of ours for A/B of settings;
#   6. warms every server up, then for each scenario (list, retrieve, create = upsert of the same row,
#      PATCH, 401 with a bogus key) and connection count runs wrk against every server back to back
#      (ours, default, alt, each baseline variant, Django), sampling peak RSS (VmHWM) and the CPU of
#      the server, PostgreSQL and wrk (/proc);
#   7. stops the servers and runs pgbench with the SQL one request sends (scripts/bench/sql/*.sql,
#      -M prepared, same client counts): the ceiling;
#   8. prints ONE table (stdout) with the ratios and the goals of issue 9; raw results stay in
#      $BENCH_RESULTS/<time>/.
# The machine may be shared: before each run it waits (bounded) for the CPU to be quiet, runs the
# servers, PostgreSQL, wrk and pgbench at nice $BENCH_NICE (root only), and repeats a run during
# which other processes used more than $BENCH_MAX_OTHER cores (kept: the least disturbed attempt).
#
# Environment (defaults):
#   BENCH_DURATION=10      seconds per measured wrk run      BENCH_WARMUP=2  seconds of warm-up per run
#   BENCH_JIT_WARMUP=5     seconds per scenario of a first warm-up of every server (.NET's tiered JIT
#                          needs ~15 s of load to reach full speed; 0 skips it)
#   BENCH_PG_DURATION=$BENCH_DURATION  seconds per pgbench run
#   BENCH_CONNS="16 64"    connection (and pgbench client) counts
#   BENCH_THREADS=2        wrk threads and pgbench -j
#   BENCH_SCENARIOS="list retrieve create patch unauth"
#   BENCH_DJANGO=auto      1: required, 0: skip, auto: when ../shared/bench exists
#   BENCH_CEILING=1        0 skips pgbench
#   BENCH_NICE=-10         nice value of everything measured (0: leave priorities alone)
#   BENCH_QUIET_MAX=0.2 BENCH_QUIET_WAIT=15   wait up to 15 s for the machine to use <= 0.2 cores
#   BENCH_MAX_OTHER=0.25 BENCH_RETRIES=1      repeat a run disturbed by other processes once
#   BENCH_TIMEOUT=2400     hard limit of the whole script in seconds
#   BENCH_RESULTS=/tmp/pf-bench-results       where each run's folder goes
#   BENCH_SHARED=../shared/bench              the shared harness (scenario.lua, proc_sampler.py,
#                                             preflight.py, start/stop-reference.sh)
#   BENCH_SERVER_ENV="K=V ..."   extra environment for our server (experiments, e.g. DOTNET_gcServer=0)
#   BENCH_NPGSQL_OPTIONS=";K=V"  appended to the service's connection string (experiments)
#   BENCH_ALT_ENV="K=V ... | K=V"  also measure alt1, alt2, ...: ours (log and limits off, limits raised
#                          when switched on) with each extra environment (A/B in the same run);
#                          @CS@ stands for the connection string: ConnectionStrings__PersistedFolder=@CS@;Multiplexing=true
#   BENCH_BARE_VARIANTS="t3 t1 t3m t1m"   baseline variants ("" skips the baseline)
#   BENCH_WARMSTART=12     seconds of 1-s list slices measured from /_readyz 200 (warm start)
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd -P)
# shellcheck source=scripts/lib/pg.sh
source scripts/lib/pg.sh
# shellcheck source=scripts/lib/process.sh
source scripts/lib/process.sh

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export MSBUILDDISABLENODEREUSE=1 UseSharedCompilation=false DOTNET_CLI_USE_MSBUILD_SERVER=0

DURATION=${BENCH_DURATION:-10}; DURATION=${DURATION%s}
WARMUP=${BENCH_WARMUP:-2}; WARMUP=${WARMUP%s}
JIT_WARMUP=${BENCH_JIT_WARMUP:-5}; JIT_WARMUP=${JIT_WARMUP%s}
PG_DURATION=${BENCH_PG_DURATION:-$DURATION}; PG_DURATION=${PG_DURATION%s}
CONNS=${BENCH_CONNS:-16 64}
THREADS=${BENCH_THREADS:-2}
SCENARIOS=${BENCH_SCENARIOS:-list retrieve create patch unauth}
DJANGO=${BENCH_DJANGO:-auto}
CEILING=${BENCH_CEILING:-1}
NICE=${BENCH_NICE:--10}
QUIET_MAX=${BENCH_QUIET_MAX:-0.2}
QUIET_WAIT=${BENCH_QUIET_WAIT:-15}
MAX_OTHER=${BENCH_MAX_OTHER:-0.25}
RETRIES=${BENCH_RETRIES:-1}
TIMEOUT=${BENCH_TIMEOUT:-2400}
SHARED=${BENCH_SHARED:-$ROOT/../shared/bench}
SERVER_ENV=${BENCH_SERVER_ENV:-}
NPGSQL_OPTIONS=${BENCH_NPGSQL_OPTIONS:-}
ALT_ENV=${BENCH_ALT_ENV:-}
BARE_VARIANTS=${BENCH_BARE_VARIANTS-t3 t1 t3m t1m}
WARMSTART=${BENCH_WARMSTART:-12}
BAD_KEY=phx_this_key_does_not_exist_0000000000000000

BENCH_DIR=$ROOT/scripts/bench
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
OUT=${BENCH_RESULTS:-/tmp/pf-bench-results}/$(date +%Y%m%d-%H%M%S)
RESULTS=$OUT/results.jsonl
mkdir -p "$OUT/raw"
: >"$RESULTS"

log() { echo "[bench $(date +%H:%M:%S)] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

for n in $DURATION $WARMUP $JIT_WARMUP $PG_DURATION $THREADS $TIMEOUT $WARMSTART; do
  [[ $n =~ ^[0-9]+$ ]] || die "durations, BENCH_THREADS and BENCH_TIMEOUT must be whole numbers (got '$n')"
done
[ "$DURATION" -ge 1 ] || die "BENCH_DURATION must be >= 1"

# --- clean-up: everything this script started, by PID ---------------------------------------------
WORK=
declare -A SPID=()
STARTED=()
CHILD_PID=
SAMPLER_PID=
WATCHDOG_PID=
DJANGO_STARTED=0
DJANGO_ENV=()

stop_servers() {
  local label
  for label in "${STARTED[@]}"; do
    [ -z "${SPID[$label]:-}" ] || stop_pid "${SPID[$label]}" 15
    SPID[$label]=
  done
}

stop_django() {
  [ "$DJANGO_STARTED" = 1 ] || return 0
  DJANGO_STARTED=0
  env "${DJANGO_ENV[@]}" "$SHARED/stop-reference.sh" --purge >>"$OUT/raw/django-stop.log" 2>&1 || true
}

# shellcheck disable=SC2317 # invoked through the EXIT trap
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  [ -z "$CHILD_PID" ] || stop_pid "$CHILD_PID" 5
  [ -z "$SAMPLER_PID" ] || stop_pid "$SAMPLER_PID" 2
  stop_servers
  stop_django
  pg_stop_throwaway
  [ -z "$WATCHDOG_PID" ] || stop_pid "$WATCHDOG_PID" 2
  [ -z "$WORK" ] || rm -rf "$WORK"
  [ "$rc" = 0 ] || log "failed (exit $rc); logs in $OUT"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Hard time limit: TERM ourselves (the EXIT trap stops everything) after $TIMEOUT seconds.
start_watchdog "$TIMEOUT" bench

NICE_CMD=()
if [ "$NICE" != 0 ]; then
  if [ "$(id -u)" = 0 ]; then NICE_CMD=(nice -n "$NICE"); else log "not root: BENCH_NICE ignored"; NICE=0; fi
fi
# renice every thread of every process of a tree (Linux renices one thread per call).
renice_tree() { # ROOT_PID
  [ "$NICE" != 0 ] || return 0
  local pid task
  for pid in $1 $(pgrep -P "$1" 2>/dev/null || true); do
    for task in /proc/"$pid"/task/*; do renice -n "$NICE" -p "${task##*/}" >/dev/null 2>&1 || true; done
  done
}

wait_quiet() {
  local waited=0 busy
  while :; do
    busy=$($PY "$BENCH_DIR/bench.py" busy 1)
    awk -v b="$busy" -v m="$QUIET_MAX" 'BEGIN { exit !(b <= m) }' && return 0
    if [ "$waited" -ge "$QUIET_WAIT" ]; then
      log "  (machine still busy: $busy cores after ${waited}s; measuring anyway)"
      return 0
    fi
    [ "$waited" != 0 ] || log "  waiting for the machine to be quiet (busy: $busy cores)"
    sleep 1
    waited=$((waited + 2))
  done
}

# --- tools ------------------------------------------------------------------------------------
pg_ensure_installed || die "PostgreSQL is not available"
PGBENCH=$PG_BIN/pgbench
[ -x "$PGBENCH" ] || PGBENCH=$(command -v pgbench || true)
[ -n "$PGBENCH" ] || die "pgbench not found"
if ! command -v wrk >/dev/null; then
  [ "$(id -u)" = 0 ] || die "wrk is missing and we are not root: apt-get install wrk"
  log "installing wrk (apt-get)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >&2 ||
    { apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >&2; } ||
    die "could not install wrk"
fi
command -v curl >/dev/null || die "curl is missing"
command -v dotnet >/dev/null || die "dotnet is missing"
TIME_CMD=()
[ -x /usr/bin/time ] && TIME_CMD=(/usr/bin/time -f '%e %U %S' -o)

HAVE_SHARED=0
[ -f "$SHARED/lib/scenario.lua" ] && HAVE_SHARED=1
if [ "$HAVE_SHARED" = 1 ]; then
  LUA=$SHARED/lib/scenario.lua
  log "shared harness: $SHARED (scenario.lua, proc_sampler.py, preflight.py, reference)"
else
  LUA=$BENCH_DIR/scenario.lua
  log "shared harness not found at $SHARED: using scripts/bench/scenario.lua, no Django column"
fi
DJANGO_NOTE=
case $DJANGO in
  0) DJANGO_NOTE="skipped (BENCH_DJANGO=0)" ;;
  1) [ -x "$SHARED/start-reference.sh" ] || die "BENCH_DJANGO=1 but $SHARED/start-reference.sh is missing" ;;
  *) if [ -x "$SHARED/start-reference.sh" ]; then DJANGO=1; else DJANGO=0; DJANGO_NOTE="skipped: $SHARED not found"; fi ;;
esac
[ -z "$DJANGO_NOTE" ] || log "Django reference $DJANGO_NOTE"

# Do the pgbench scripts still send what the service sends?
SQL_CHECK=$($PY "$BENCH_DIR/bench.py" sqlcheck "$ROOT" "$BENCH_DIR/sql")
while IFS= read -r line; do log "$line"; done <<<"$SQL_CHECK"

WORK=$(mktemp -d /tmp/pf-bench.XXXXXX)
chmod 0755 "$WORK"

# --- build ---------------------------------------------------------------------------------------
# From a snapshot of the working tree in $WORK/src, so that other builds running in this checkout
# (bin/, obj/) can neither break this one nor replace the binary while it is measured.
log "publishing PersistedFolder.Api (Release) from a snapshot of the working tree"
mkdir -p "$WORK/src"
tar -C "$ROOT" --exclude=./.git --exclude=./.data --exclude='*/bin' --exclude='*/obj' --exclude=./TestResults -cf - . |
  tar -C "$WORK/src" -xf -
publish() {
  dotnet publish "$WORK/src/PersistedFolder.Api" -c Release -o "$WORK/publish" -nologo -v q >>"$OUT/raw/build.log" 2>&1
}
if ! run_child publish; then
  log "build failed; retrying once"
  sleep 2
  run_child publish || { tail -n 30 "$OUT/raw/build.log" >&2; die "build failed (log: $OUT/raw/build.log)"; }
fi
DLL=$WORK/publish/PersistedFolder.Api.dll
[ -f "$DLL" ] || die "$DLL was not produced"
if [ -n "$BARE_VARIANTS" ]; then
  log "publishing the bare-stack baseline (scripts/bench/baseline, Release)"
  publish_baseline() {
    dotnet publish "$WORK/src/scripts/bench/baseline" -c Release -o "$WORK/baseline" -nologo -v q >>"$OUT/raw/build.log" 2>&1
  }
  run_child publish_baseline || { tail -n 30 "$OUT/raw/build.log" >&2; die "baseline build failed (log: $OUT/raw/build.log)"; }
fi

# --- our PostgreSQL -------------------------------------------------------------------------------
# A throwaway cluster like pg_start_throwaway's, but durable (fsync and synchronous_commit on) and
# tuned as the Django reference's cluster is, so that both stacks face the same database.
# pg_stop_throwaway (EXIT trap) stops it and deletes it.
bench_pg_start() {
  PF_PG_THROWAWAY_DIR=$(mktemp -d /tmp/pf-pg.XXXXXX)
  local dir=$PF_PG_THROWAWAY_DIR port attempt
  chmod 0755 "$dir"
  pg_chown_server_user "$dir"
  pg_as_server_user "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C \
    --no-sync --no-instructions >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; return 1; }
  for attempt in 1 2 3; do
    port=$(pg_free_port)
    if pg_ctl_start "$dir/data" "$dir/server.log" "$dir" "$port" \
      -c max_connections=1000 -c shared_buffers=512MB -c effective_cache_size=4GB -c work_mem=4MB \
      -c jit=off -c log_min_messages=warning; then
      pg_export_env "$port"
      pg_createdb "$PF_PG_DATABASE" || return 1
      PG_PID=$(head -n 1 "$dir/data/postmaster.pid")
      return 0
    fi
    log "PostgreSQL did not start on port $port (attempt $attempt)"
  done
  pg_log_tail "$dir/server.log"
  return 1
}
bench_pg_start || die "could not start PostgreSQL"
renice_tree "$PG_PID"
log "PostgreSQL $PG_VERSION on 127.0.0.1:$PGPORT (pid $PG_PID, data $PF_PG_THROWAWAY_DIR/data)"
CS="$PF_CONNECTION$NPGSQL_OPTIONS"

# --- servers: ours in two configurations, and the bare-stack baseline --------------------------------
# ours     request logging and rate limits off (the issue's main figures: the load is not throttled)
# default  the configuration users run: request logging on (to a file here), rate limits on, with
#          limits raised so that the bench's single key is never refused (the limiter's work is done,
#          its 429 is not); the ratio default÷ours is the cost of the two (goal: ≤ 10 %)
# alt      only with BENCH_ALT_ENV="K=V ...": ours plus that environment (A/B of runtime settings)
# bare     scripts/bench/baseline: Kestrel + Npgsql, the same SQL in three round trips and in one,
#          with and without multiplexing (BENCH_BARE_VARIANTS)
declare -A SBASE
# LABEL DIR DLL READY_PATH ENV...: starts `dotnet DLL` in DIR on a free port and waits until READY_PATH
# answers (200 for /_readyz; any HTTP answer for the baseline). READY_SECONDS = start to ready.
start_server() {
  local label=$1 dir=$2 dll=$3 ready_path=$4 port code t0 i
  shift 4
  port=$(pg_free_port)
  SBASE[$label]=http://127.0.0.1:$port
  t0=$(date +%s.%N)
  (cd "$dir" && exec env "$@" "${NICE_CMD[@]}" dotnet "$dll" --urls "${SBASE[$label]}") >"$OUT/raw/$label.log" 2>&1 &
  SPID[$label]=$!
  STARTED+=("$label")
  for ((i = 0; i < 600; i++)); do
    kill -0 "${SPID[$label]}" 2>/dev/null || break
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "${SBASE[$label]}$ready_path" || true)
    if [ "$code" = 200 ] || { [ "$ready_path" != /_readyz ] && [ "$code" != 000 ]; }; then
      READY_SECONDS=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
      renice_tree "${SPID[$label]}"
      log "  $label ready on ${SBASE[$label]} after ${READY_SECONDS}s (pid ${SPID[$label]})"
      return 0
    fi
    sleep 0.05
  done
  tail -n 30 "$OUT/raw/$label.log" >&2
  die "$label did not become ready"
}
OURS_ENV=(ConnectionStrings__PersistedFolder="$CS" ASPNETCORE_ENVIRONMENT=Production)
# shellcheck disable=SC2206 # SERVER_ENV is word-split on purpose
OURS_ENV+=($SERVER_ENV)

log "starting our service in its default configuration (rate limits raised, not off)"
start_server default "$WORK/publish" "$DLL" /_readyz "${OURS_ENV[@]}" \
  PersistedFolder__RateLimits__PerMinute=1000000000 PersistedFolder__RateLimits__PerHour=1000000000
BASE=${SBASE[default]}

admin() { (cd "$WORK/publish" && ConnectionStrings__PersistedFolder=$PF_CONNECTION dotnet "$DLL" admin "$@"); }
field() { $PY -c 'import json,sys; print(json.loads(sys.stdin.read().strip().splitlines()[-1])[sys.argv[1]])' "$1"; }
log "seeding: organization, project, user, personal API key (admin CLI)"
ORG=$(admin create-organization --name bench | field id)
PROJECT=$(admin create-project --organization "$ORG" --name bench | field id)
EMAIL=bench@example.com
USER_ID=$(admin create-user --email "$EMAIL" --organization "$ORG" | field id)
KEY=$(admin create-personal-api-key --email "$EMAIL" --label bench --scopes '*' | field value)
API_PATH=/api/projects/$PROJECT/persisted_folder/
declare -A FOLDER
for t in home pinned custom_products; do
  FOLDER[$t]=$(curl -sf --max-time 10 -X POST -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
    -d "{\"type\":\"$t\",\"protocol\":\"products://\",\"path\":\"$t/start\"}" "$BASE$API_PATH" | field id) ||
    die "could not create the $t folder"
done
FOLDER_ID=${FOLDER[pinned]}
log "project $PROJECT, user $USER_ID, folder $FOLDER_ID"

# Warm start: a cold instance, measured from the moment /_readyz answers 200 (list, 16 connections,
# one-second wrk slices); the share of its steady state is computed in the table.
warm_start() { # LABEL
  local label=$1 i
  : >"$OUT/raw/warmstart-$label.txt"
  for ((i = 1; i <= WARMSTART; i++)); do
    PF_API_KEY=$KEY PF_SCENARIO=list wrk -t "$THREADS" -c 16 -d 1s --timeout 5s -s "$LUA" "${SBASE[$label]}$API_PATH" |
      sed -n 's/^PFJSON //p' >>"$OUT/raw/warmstart-$label.txt"
  done
  $PY - "$OUT/raw/warmstart-$label.txt" "$READY_SECONDS" "$label" >>"$RESULTS" <<'WSEOF'
import json, sys
slices = [json.loads(l)["rps"] for l in open(sys.argv[1]) if l.strip()]
print(json.dumps({"kind": "warmstart", "server": sys.argv[3], "slices_rps": slices, "ready_s": float(sys.argv[2])}))
WSEOF
  log "  $label warm start slices (req/s): $(sed -n 's/.*"rps":\([0-9.]*\).*/\1/p' "$OUT/raw/warmstart-$label.txt" | tr '\n' ' ')"
}
log "starting our service (logging and rate limits off) cold; warm start: list for ${WARMSTART}s from /_readyz 200"
start_server ours "$WORK/publish" "$DLL" /_readyz "${OURS_ENV[@]}" \
  PersistedFolder__RequestLogging=false PersistedFolder__RateLimits__Enabled=false
warm_start ours

# A/B: BENCH_ALT_ENV="K=V K2=V2 | K3=V3" starts alt1, alt2, ... (ours + that environment).
ALTS=
if [ -n "$ALT_ENV" ]; then
  n=0
  IFS='|' read -r -a alt_envs <<<"$ALT_ENV"
  for env_words in "${alt_envs[@]}"; do
    n=$((n + 1))
    env_words=${env_words//@CS@/$CS} # @CS@ = the service's connection string (e.g. to add Multiplexing=true)
    log "starting alt$n: $env_words"
    echo "{\"kind\": \"alt\", \"server\": \"alt$n\", \"env\": \"$(echo $env_words)\"}" >>"$RESULTS"
    # shellcheck disable=SC2086 # env_words is word-split on purpose
    start_server "alt$n" "$WORK/publish" "$DLL" /_readyz "${OURS_ENV[@]}" \
      PersistedFolder__RequestLogging=false PersistedFolder__RateLimits__Enabled=false \
      PersistedFolder__RateLimits__PerMinute=1000000000 PersistedFolder__RateLimits__PerHour=1000000000 $env_words
    warm_start "alt$n"
    ALTS+=" alt$n"
  done
fi

if [ -n "$BARE_VARIANTS" ]; then
  log "starting the bare-stack baseline (variants $BARE_VARIANTS)"
  start_server bare "$WORK/baseline" "$WORK/baseline/Baseline.dll" / BASELINE_CONNECTION="$CS" $SERVER_ENV
fi

OURS_SERVERS="ours default$ALTS"
coll_of() { # SERVER -> collection URL
  case $1 in
    bare-*) echo "${SBASE[bare]}/${1#bare-}$API_PATH" ;;
    *) echo "${SBASE[$1]}$API_PATH" ;;
  esac
}
pid_of() { case $1 in bare-*) echo "${SPID[bare]}" ;; *) echo "${SPID[$1]}" ;; esac; }
MEASURED=$OURS_SERVERS
for v in $BARE_VARIANTS; do MEASURED+=" bare-$v"; done
if [ -f "$SHARED/lib/preflight.py" ]; then
  for server in $MEASURED; do
    $PY "$SHARED/lib/preflight.py" "$(coll_of "$server")" "$KEY" "$FOLDER_ID" >"$OUT/raw/preflight-$server.json" 2>"$OUT/raw/preflight-$server.log" ||
      { cat "$OUT/raw/preflight-$server.log" >&2; die "preflight (shared/bench/lib/preflight.py) failed for $server"; }
  done
fi

# --- the Django reference -----------------------------------------------------------------------
# Started beside ours so that each scenario is measured on both servers back to back: on a shared
# machine a burst of someone else's work then disturbs both sides of a ratio alike. The idle
# server costs nothing measurable (both sit in epoll); both stop before the pgbench ceiling.
DJ_PID=
if [ "$DJANGO" = 1 ]; then
  DJ=$WORK/django
  mkdir -p "$DJ"
  chmod 0755 "$DJ"
  DJANGO_ENV=(PORT="$(pg_free_port)" PGPORT="$(pg_free_port)" PGDATA="$DJ/pg/data" PGDATABASE=pfbench
    STATE_DIR="$DJ/state" WORKER_CLASS=sync WORKERS=2)
  log "starting the Django reference: ${DJANGO_ENV[*]}"
  DJANGO_STARTED=1
  if run_child env "${DJANGO_ENV[@]}" timeout 900 "$SHARED/start-reference.sh" >"$OUT/raw/django-server.json" 2>"$OUT/raw/django-start.log"; then
    dj() { $PY -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$OUT/raw/django-server.json" "$1"; }
    DJ_PID=$(dj server_pid)
    DJ_PG_PID=$(dj postgres_pid)
    DJ_COLL=$(dj base_url)/persisted_folder/
    DJ_KEY=$(dj api_key)
    DJ_FOLDER=$(dj folder_id)
    renice_tree "$DJ_PID"
    renice_tree "$DJ_PG_PID"
    if ! $PY "$SHARED/lib/preflight.py" "$DJ_COLL" "$DJ_KEY" "$DJ_FOLDER" \
      >"$OUT/raw/preflight-django.json" 2>"$OUT/raw/preflight-django.log"; then
      DJ_PID=
      DJANGO_NOTE="not measured: its preflight failed (see $OUT/raw/preflight-django.log)"
    fi
  else
    DJANGO_NOTE="not measured: start-reference.sh failed (see $OUT/raw/django-start.log)"
    tail -n 15 "$OUT/raw/django-start.log" >&2 || true
  fi
  if [ -z "$DJ_PID" ]; then
    log "Django reference $DJANGO_NOTE"
    stop_django
  fi
fi

# --- HTTP load ------------------------------------------------------------------------------------
# measure SERVER SCENARIO CONNS COLLECTION_URL KEY FOLDER_ID SERVER_PID PG_PID: one wrk run (after
# its warm-up), repeated when other processes disturbed it; appends the kept attempt to $RESULTS.
measure() {
  local server=$1 scenario=$2 c=$3 coll=$4 key=$5 folder=$6 spid=$7 ppid=$8 url base attempt rss row
  case $scenario in
    list | create | unauth) url=$coll ;;
    retrieve | patch) url=$coll$folder/ ;;
    *) die "unknown scenario $scenario" ;;
  esac
  export PF_API_KEY=$key PF_SCENARIO=$scenario
  base=$OUT/raw/$server-$scenario-c$c
  : >"$base.attempts.jsonl"
  for ((attempt = 1; attempt <= RETRIES + 1; attempt++)); do
    wait_quiet
    if [ "$WARMUP" != 0 ]; then
      run_child "${NICE_CMD[@]}" wrk -t "$THREADS" -c "$c" -d "${WARMUP}s" --timeout 5s -s "$LUA" "$url" >/dev/null
    fi
    if [ "$server" = django ] && [ -f "$SHARED/lib/proc_sampler.py" ]; then
      $PY "$SHARED/lib/proc_sampler.py" "$base.proc.json" "server=$spid" &
      SAMPLER_PID=$!
    fi
    $PY "$BENCH_DIR/bench.py" snap "$base.before.json" "server=$spid" "postgres=$ppid"
    run_child "${TIME_CMD[@]}" ${TIME_CMD:+"$base.time"} "${NICE_CMD[@]}" \
      wrk -t "$THREADS" -c "$c" -d "${DURATION}s" --timeout 5s --latency -s "$LUA" "$url" >"$base.wrk.txt" ||
      log "  wrk exited with an error (see $base.wrk.txt)"
    $PY "$BENCH_DIR/bench.py" snap "$base.after.json" "server=$spid" "postgres=$ppid"
    if [ -n "$SAMPLER_PID" ]; then stop_pid "$SAMPLER_PID" 3; SAMPLER_PID=; fi
    rss=
    [ "$server" = django ] || rss=$(awk '/^VmHWM:/ { printf "%.1f", $2 / 1024 }' "/proc/$spid/status")
    row=$($PY "$BENCH_DIR/bench.py" wrkrow --wrk "$base.wrk.txt" --before "$base.before.json" \
      --after "$base.after.json" ${TIME_CMD:+--time "$base.time"} --server "$server" --scenario "$scenario" \
      --conns "$c" --attempt "$attempt" ${rss:+--rss-mb "$rss"} --sampler "$base.proc.json" --max-other "$MAX_OTHER")
    echo "$row" >>"$base.attempts.jsonl"
    $PY -c 'import json,sys; r=json.loads(sys.argv[1]); print("[bench] %-6s %-8s c=%-3d %8.0f req/s  p50 %6.2f ms  p99 %7.2f ms  RSS %s MB  CPU server %.2f pg %.2f wrk %s other %s%s%s" % (r["server"], r["scenario"], r["conns"], r["rps"], r["p50_ms"], r["p99_ms"], r.get("rss_mb", "?"), r.get("server_cores", 0), r.get("postgres_cores", 0), r.get("tool_cores", "?"), r.get("other_cores", "?"), "" if r["status_ok"] else "  <-- UNEXPECTED STATUS/SOCKET ERRORS", "  <-- disturbed by other processes" if r["noisy"] else ""))' "$row" >&2
    $PY -c 'import json,sys; sys.exit(1 if json.loads(sys.argv[1])["noisy"] else 0)' "$row" && break
  done
  $PY "$BENCH_DIR/bench.py" best "$base.attempts.jsonl" --max-other "$MAX_OTHER" >>"$RESULTS"
}

if [ "$JIT_WARMUP" != 0 ]; then
  log "warm-up of every server (tiered JIT): every scenario for ${JIT_WARMUP}s"
  for server in $MEASURED; do
    case $server in bare-t3m | bare-t1m) continue ;; esac # the same code as bare-t3/t1
    for scenario in $SCENARIOS; do
      u=$(coll_of "$server")
      case $scenario in retrieve | patch) u=$u$FOLDER_ID/ ;; esac
      PF_API_KEY=$KEY PF_SCENARIO=$scenario run_child wrk -t "$THREADS" -c "${CONNS##* }" -d "${JIT_WARMUP}s" --timeout 5s -s "$LUA" "$u" >/dev/null
    done
  done
fi
log "measuring: $SCENARIOS x conns $CONNS, ${DURATION}s each, interleaved: $MEASURED${DJ_PID:+ django}"
for scenario in $SCENARIOS; do
  for c in $CONNS; do
    for server in $MEASURED; do
      measure "$server" "$scenario" "$c" "$(coll_of "$server")" "$KEY" "$FOLDER_ID" "$(pid_of "$server")" "$PG_PID"
    done
    [ -z "$DJ_PID" ] || measure django "$scenario" "$c" "$DJ_COLL" "$DJ_KEY" "$DJ_FOLDER" "$DJ_PID" "$DJ_PG_PID"
  done
done
COLL=${SBASE[ours]}$API_PATH
count=$(curl -sf --max-time 10 -H "Authorization: Bearer $KEY" "$COLL" | field count || echo '?')
[ "$count" = 3 ] || log "WARNING: after the run the list has $count folders (expected 3: duplicates from concurrent upserts?)"
log "post-check: the list has $count folders"
for server in "${STARTED[@]}"; do
  echo "{\"kind\": \"server\", \"server\": \"$server\", \"peak_rss_mb\": $(awk '/^VmHWM:/ { printf "%.1f", $2 / 1024 }' "/proc/${SPID[$server]}/status")}" >>"$RESULTS"
done
stop_servers
stop_django

# --- the ceiling: pgbench with the service's SQL ----------------------------------------------------
if [ "$CEILING" = 1 ]; then
  HASH="sha256\$$(printf '%s' "$KEY" | sha256sum | cut -d' ' -f1)"
  BAD_HASH="sha256\$$(printf '%s' "$BAD_KEY" | sha256sum | cut -d' ' -f1)"
  NEW_ID=$($PY -c 'import uuid; print(uuid.uuid4())')
  psql_q() { "$PG_BIN/psql" -X -A -t -v ON_ERROR_STOP=1 -c "$1"; }
  [ "$(psql_q "SELECT count(*) FROM persisted_folder.persisted_folder WHERE id = '$FOLDER_ID' AND user_id = $USER_ID AND team_id = $PROJECT")" = 1 ] ||
    die "folder $FOLDER_ID not found for the ceiling"
  log "ceiling: pgbench -M prepared -j $THREADS -T $PG_DURATION over 127.0.0.1 (no HTTP server running)"
  for scenario in $SCENARIOS; do
    hash=$HASH
    [ "$scenario" != unauth ] || hash=$BAD_HASH
    id=$FOLDER_ID
    [ "$scenario" != create ] || id=$NEW_ID
    # The scopes that grant the operation (@Granting, AccessRules.GrantingScopes) and the lock
    # timeout (@LockTimeout) of the service's default configuration: see scripts/bench/sql/*.sql.
    granting='{*,persisted_folder:read,persisted_folder:write}'
    case $scenario in create | patch) granting='{*,persisted_folder:write}' ;; esac
    for c in $CONNS; do
      base=$OUT/raw/pgbench-$scenario-c$c
      : >"$base.attempts.jsonl"
      for ((attempt = 1; attempt <= RETRIES + 1; attempt++)); do
        wait_quiet
        $PY "$BENCH_DIR/bench.py" snap "$base.before.json" "postgres=$PG_PID"
        PGOPTIONS='-c search_path=persisted_folder' \
          run_child "${TIME_CMD[@]}" ${TIME_CMD:+"$base.time"} "${NICE_CMD[@]}" "$PGBENCH" -n -M prepared -c "$c" -j "$THREADS" \
          -T "$PG_DURATION" -f "$BENCH_DIR/sql/$scenario.sql" \
          -D "SecureValue=$hash" -D "TeamId=$PROJECT" -D "UserId=$USER_ID" -D Surface=web -D "Id=$id" \
          -D Type=home -D Protocol=products:// -D "ProjectId=$PROJECT" -D "Granting=$granting" -D LockTimeout=1000 \
          -h 127.0.0.1 -p "$PGPORT" -U postgres "$PF_PG_DATABASE" \
          >"$base.txt" 2>&1 || log "  pgbench exited with an error (see $base.txt)"
        $PY "$BENCH_DIR/bench.py" snap "$base.after.json" "postgres=$PG_PID"
        row=$($PY "$BENCH_DIR/bench.py" pgrow --out "$base.txt" --before "$base.before.json" --after "$base.after.json" \
          ${TIME_CMD:+--time "$base.time"} --scenario "$scenario" --clients "$c" --attempt "$attempt" --max-other "$MAX_OTHER")
        echo "$row" >>"$base.attempts.jsonl"
        $PY -c 'import json,sys; r=json.loads(sys.argv[1]); print("[bench] pgbench %-8s c=%-3d %8.0f TPS  avg %s ms  CPU pg %.2f pgbench %s other %s%s%s" % (r["scenario"], r["clients"], r["tps"], r["lat_avg_ms"], r.get("postgres_cores", 0), r.get("tool_cores", "?"), r.get("other_cores", "?"), ("  ERROR: " + r["error"][-200:]) if "error" in r else "", "  <-- disturbed" if r["noisy"] else ""))' "$row" >&2
        $PY -c 'import json,sys; sys.exit(1 if json.loads(sys.argv[1])["noisy"] else 0)' "$row" && break
      done
      $PY "$BENCH_DIR/bench.py" best "$base.attempts.jsonl" --max-other "$MAX_OTHER" >>"$RESULTS"
    done
  done
fi
pg_stop_throwaway

# --- the table ------------------------------------------------------------------------------------
MACHINE="$(nproc) vCPU $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), $(free -g | awk '/^Mem:/ { print $2 }') GB RAM, $(. /etc/os-release && echo "$PRETTY_NAME"), PostgreSQL $PG_VERSION, .NET $(dotnet --version)"
CMD="$({ env | grep '^BENCH_' || true; } | sort | sed -E "s/^([A-Z_]+)=(.*)$/\1='\2'/" | tr '\n' ' ')bash scripts/bench.sh"
DRIFT=$(grep '^SQL drift: ' <<<"$SQL_CHECK" || true)
META_DATE=$(date -u '+%Y-%m-%d %H:%M UTC') META_MACHINE=$MACHINE META_CMD=$CMD META_DRIFT=$DRIFT \
  META_DJANGO=$DJANGO_NOTE $PY - "$OUT/meta.json" "$THREADS" "$DURATION" "$WARMUP" "$PG_DURATION" "$MAX_OTHER" <<'PYEOF'
import json, os, sys
e = os.environ
json.dump({"date": e["META_DATE"], "machine": e["META_MACHINE"], "command": e["META_CMD"],
           "threads": int(sys.argv[2]), "duration": int(sys.argv[3]), "warmup": int(sys.argv[4]),
           "pg_duration": int(sys.argv[5]), "max_other": float(sys.argv[6]),
           "sql_drift": [l[len("SQL drift: "):] for l in e["META_DRIFT"].splitlines() if l],
           "django_note": e["META_DJANGO"]}, open(sys.argv[1], "w"))
PYEOF
log "results: $OUT"
echo
$PY "$BENCH_DIR/bench.py" table "$RESULTS" "$OUT/meta.json" | tee "$OUT/table.md"
