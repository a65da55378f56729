#!/usr/bin/env bash
# The run command: builds the service (Release), makes sure a database is there (a local
# PostgreSQL cluster kept in .data/ unless ConnectionStrings__PersistedFolder is set), seeds a demo
# organization, project, user and personal API key on the first run (kept in .data/demo.json,
# mode 600), prints a ready-to-paste curl line and serves on http://127.0.0.1:$PORT in the
# foreground.  Ctrl-C stops the service, then the database (if this run started it).
#
# Environment:
#   ConnectionStrings__PersistedFolder   use this database instead of the local cluster
#   PORT (or PF_PORT)                    HTTP port of the service (8000)
#   PF_PG_PORT                           port of the local cluster (54329)
#   PF_READY_TIMEOUT                     seconds to wait for the service to be ready (60)
# Where the cluster's data lives when the repository is not reachable by the postgres user
# (e.g. under /root): see scripts/lib/pg.sh.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd -P)
# shellcheck source=scripts/lib/pg.sh
source scripts/lib/pg.sh
# shellcheck source=scripts/lib/process.sh
source scripts/lib/process.sh

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# No MSBuild nodes or compiler servers outliving the script.
export MSBUILDDISABLENODEREUSE=1 UseSharedCompilation=false DOTNET_CLI_USE_MSBUILD_SERVER=0

PORT=${PF_PORT:-${PORT:-8000}}
BASE_URL=http://127.0.0.1:$PORT
DATA=$ROOT/.data
DEMO=$DATA/demo.json
API_DIR=$ROOT/PersistedFolder.Api
DLL=$API_DIR/bin/Release/net10.0/PersistedFolder.Api.dll

SERVICE_PID=
STOP_PG=0

log() { echo "==> $*" >&2; }

# shellcheck disable=SC2317 # invoked through the EXIT trap
stop_service() {
  [ -n "$SERVICE_PID" ] || return 0
  log "stopping the service (pid $SERVICE_PID)"
  stop_pid "$SERVICE_PID" 30 # graceful shutdown lets in-flight requests finish
  SERVICE_PID=
}

# shellcheck disable=SC2317 # invoked through the EXIT trap
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_service
  if [ "$STOP_PG" = 1 ]; then
    pg_stop "$DATA/pg" || true
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- database ------------------------------------------------------------------------------------
if [ -n "${ConnectionStrings__PersistedFolder:-}" ]; then
  CS=$ConnectionStrings__PersistedFolder
  log "using the database of ConnectionStrings__PersistedFolder"
else
  mkdir -p "$DATA"
  pg_start_persistent "$DATA/pg" "${PF_PG_PORT:-54329}"
  if [ "$PF_PG_STARTED" = 1 ]; then
    STOP_PG=1
  else
    log "the cluster was already running: it is left running on exit (stop it with: bash -c 'source scripts/lib/pg.sh && pg_stop .data/pg')"
  fi
  CS=$PF_CONNECTION
fi

# --- build ---------------------------------------------------------------------------------------
log "building PersistedFolder.Api (Release)"
dotnet build "$API_DIR" -c Release -nologo -v q >&2

# The admin command line (SPEC §10), run from the Api folder like the service (same content root).
admin() {
  (cd "$API_DIR" && ConnectionStrings__PersistedFolder=$CS dotnet "$DLL" admin "$@")
}

# json_field KEY < JSON: prints one field of the JSON object (the last `{...}` line if stdout has more).
json_field() {
  python3 -c '
import json, sys
text = sys.stdin.read()
try:
    obj = json.loads(text)
except ValueError:
    obj = json.loads([l for l in text.splitlines() if l.lstrip().startswith("{")][-1])
v = obj[sys.argv[1]]
print(v if not isinstance(v, bool) else str(v).lower())' "$1"
}

CS_FINGERPRINT=$(printf '%s' "$CS" | sha256sum | cut -c1-64)

seed_demo() {
  local org project email user key out
  log "seeding a demo organization, project, user and personal API key"
  out=$(admin create-organization --name Demo) || return 1
  org=$(json_field id <<<"$out")
  out=$(admin create-project --organization "$org" --name "Demo project") || return 1
  project=$(json_field id <<<"$out")
  email=demo@example.com
  if ! out=$(admin create-user --email "$email" --organization "$org" --level owner 2>/dev/null); then
    # The database already has a demo user (e.g. .data/demo.json was deleted): make another one.
    email=demo-$(date +%s)@example.com
    out=$(admin create-user --email "$email" --organization "$org" --level owner) || return 1
  fi
  user=$(json_field id <<<"$out")
  admin set-current-project --email "$email" --project "$project" >/dev/null || return 1
  out=$(admin create-personal-api-key --email "$email" --label demo --scopes "*") || return 1
  key=$(json_field value <<<"$out")
  local key_id
  key_id=$(json_field id <<<"$out")
  if [ -z "$org" ] || [ -z "$project" ] || [ -z "$user" ] || [ -z "$key" ]; then
    log "an admin command printed no usable JSON"
    return 1
  fi
  (
    umask 077
    python3 -c '
import json, sys
org, project, user, email, key_id, key, fingerprint, path = sys.argv[1:]
with open(path, "w") as f:
    json.dump({"organization_id": org, "project_id": int(project), "user_id": int(user), "email": email,
               "api_key_id": key_id, "api_key": key, "connection_sha256": fingerprint}, f, indent=2)
    f.write("\n")' "$org" "$project" "$user" "$email" "$key_id" "$key" "$CS_FINGERPRINT" "$DEMO"
  )
  chmod 600 "$DEMO"
  log "demo credentials saved in $DEMO"
}

# --- serve ---------------------------------------------------------------------------------------
log "starting the service on $BASE_URL"
(cd "$API_DIR" && ConnectionStrings__PersistedFolder=$CS exec dotnet "$DLL" --urls "$BASE_URL") &
SERVICE_PID=$!

ready=0
deadline=$((SECONDS + ${PF_READY_TIMEOUT:-60}))
while ((SECONDS < deadline)) && kill -0 "$SERVICE_PID" 2>/dev/null; do
  if [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$BASE_URL/_readyz" || true)" = 200 ]; then
    ready=1
    break
  fi
  sleep 0.3
done
if [ "$ready" = 0 ]; then
  log "the service did not become ready ($BASE_URL/_readyz) within ${PF_READY_TIMEOUT:-60} s"
  exit 1
fi

# Reuse .data/demo.json when it belongs to this database and its key still works; seed otherwise.
need_seed=1
if [ -f "$DEMO" ] && [ "$(json_field connection_sha256 <"$DEMO" 2>/dev/null || true)" = "$CS_FINGERPRINT" ]; then
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 \
    -H "Authorization: Bearer $(json_field api_key <"$DEMO")" \
    "$BASE_URL/api/projects/$(json_field project_id <"$DEMO")/desktop_persisted_folder/" || true)
  if [ "$code" = 200 ]; then
    need_seed=0
  else
    log "the key in $DEMO does not work on this database (HTTP $code): seeding again"
  fi
elif [ -f "$DEMO" ]; then
  log "$DEMO was made for another database: seeding again"
fi
if [ "$need_seed" = 1 ]; then
  seed_demo || { log "seeding failed"; exit 1; }
fi

KEY=$(json_field api_key <"$DEMO")
PROJECT=$(json_field project_id <"$DEMO")
cat <<EOF

PersistedFolder is serving on $BASE_URL (demo user $(json_field email <"$DEMO"), project $PROJECT; $DEMO).
Try:
  curl -H "Authorization: Bearer $KEY" $BASE_URL/api/projects/$PROJECT/desktop_persisted_folder/
Press Ctrl-C to stop.

EOF

set +e
wait "$SERVICE_PID"
rc=$?
set -e
SERVICE_PID=
log "the service exited with code $rc"
exit "$rc"
