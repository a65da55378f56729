# shellcheck shell=bash
# Sourced by scripts/test.sh (issue 10): what a client of the OpenAPI document meets, run against the
# built service on its own database:
#   - the TypeScript client: types from openapi-typescript, requests with openapi-fetch, type-checked
#     with `tsc --noEmit`, then the seed flow run with node (scripts/clients/flow.ts);
#   - Redocly (`lint --extends=minimal`) and Spectral (`spectral:oas`): no errors;
#   - the reference page /api/docs/ rendered by headless Chromium with every outside host unreachable:
#     its operation list is there.
# (The NSwag C# client is built and run by dotnet test: PersistedFolder.Tests.NSwagClient.)
# npm tools are installed once per package-lock.json into $PF_NODE_TOOLS_DIR (default
# /tmp/persisted-folder-node-tools), so later runs are fast; Chromium and Node.js come from apt
# where missing. Uses test.sh's ROOT, TMP, API_DIR, SERVICE_PID/stop_service, log and pg helpers.
# Sets cl_passed / cl_failed.

cl_passed=0 cl_failed=0

cl_result() { # NAME RC
  if [ "$2" = 0 ]; then
    cl_passed=$((cl_passed + 1))
    echo "  ok    $1"
  else
    cl_failed=$((cl_failed + 1))
    echo "  FAIL  $1"
  fi
}

cl_apt_install() { # PACKAGE...
  log "installing $* (apt)"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"; } >&2
}

cl_node_tools() { # prints the tools folder (with node_modules/.bin)
  local lock=$ROOT/scripts/clients/package-lock.json key dir
  key=$(sha256sum "$lock" | cut -c1-16)
  dir=${PF_NODE_TOOLS_DIR:-/tmp/persisted-folder-node-tools}/$key
  if [ ! -x "$dir/node_modules/.bin/tsc" ] || [ ! -x "$dir/node_modules/.bin/spectral" ]; then
    log "installing the client tools with npm ci into $dir (once per package-lock.json)"
    rm -rf "$dir" && mkdir -p "$dir"
    cp "$ROOT/scripts/clients/package.json" "$lock" "$dir/"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) >&2 || return 1
  fi
  echo "$dir"
}

cl_admin() { # ARGS... (admin command of the built service; prints its JSON)
  (cd "$API_DIR" && ConnectionStrings__PersistedFolder=$CL_CS dotnet "$CL_DLL" admin "$@")
}

cl_json() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

client_checks() {
  local work=$TMP/clients tools base schema org= project= key= rc
  CL_DLL=$API_DIR/bin/Release/net10.0/PersistedFolder.Api.dll
  mkdir -p "$work"
  if [ ! -f "$CL_DLL" ]; then
    dotnet build "$API_DIR" -c Release -v q -nologo >&2 || true
  fi
  if [ ! -f "$CL_DLL" ]; then
    cl_result "client checks: $CL_DLL exists" 1
    return 0
  fi
  command -v node >/dev/null && command -v npm >/dev/null || cl_apt_install nodejs npm
  command -v chromium >/dev/null || cl_apt_install chromium

  pg_createdb "${PF_PG_DATABASE}_clients"
  CL_CS=$(pg_connection_string "${PF_PG_DATABASE}_clients")
  base=http://127.0.0.1:$(pg_free_port)
  log "client checks: starting the service on $base (log: $work/service.log)"
  (cd "$API_DIR" && ConnectionStrings__PersistedFolder=$CL_CS exec dotnet "$CL_DLL" --urls "$base") >"$work/service.log" 2>&1 &
  SERVICE_PID=$!
  local deadline=$((SECONDS + ${PF_HEALTH_TIMEOUT:-30})) healthy=1
  until curl -sf -o /dev/null --max-time 2 "$base/_health"; do
    if ! kill -0 "$SERVICE_PID" 2>/dev/null || ((SECONDS >= deadline)); then healthy=0; break; fi
    sleep 0.2
  done
  cl_result "client checks: the service answers /_health" $((1 - healthy))
  if [ "$healthy" = 0 ]; then
    tail -n 40 "$work/service.log" >&2 || true
    stop_service
    return 0
  fi

  schema=$work/schema.json
  rc=0
  curl -sf "$base/api/schema/" -o "$schema" || rc=$?
  cl_result "client checks: GET /api/schema/" "$rc"

  org=$(cl_admin create-organization --name "Client checks" | cl_json id) || true
  project=$(cl_admin create-project --organization "$org" --name Clients | cl_json id) || true
  cl_admin create-user --email clients@example.test --organization "$org" --level owner >/dev/null || true
  key=$(cl_admin create-personal-api-key --email clients@example.test --label clients \
    --scopes "persisted_folder:read,persisted_folder:write" | cl_json value) || true
  rc=0
  [ -n "$project" ] && [ -n "$key" ] || rc=1
  cl_result "client checks: a project and a key from the admin commands" "$rc"

  if ! tools=$(cl_node_tools); then
    cl_result "client checks: npm ci of scripts/clients/package-lock.json" 1
  else
    cl_typescript "$work/ts" "$tools" "$schema" "$base" "$key" "$project"
    rc=0
    (cd "$work" && "$tools/node_modules/.bin/redocly" lint --extends=minimal "$schema") >"$work/redocly.log" 2>&1 || rc=$?
    [ "$rc" = 0 ] || cat "$work/redocly.log"
    cl_result "Redocly lint --extends=minimal: no errors" "$rc"
    rc=0
    "$tools/node_modules/.bin/spectral" lint -r "$ROOT/scripts/clients/.spectral.yaml" --fail-severity error "$schema" \
      >"$work/spectral.log" 2>&1 || rc=$?
    [ "$rc" = 0 ] || cat "$work/spectral.log"
    cl_result "Spectral spectral:oas: no errors" "$rc"
  fi
  cl_reference_page "$base" "$work"
  stop_service
}

cl_typescript() { # WORKDIR TOOLS SCHEMA BASE_URL KEY PROJECT
  local dir=$1 tools=$2 rc=0
  mkdir -p "$dir"
  cp "$ROOT/scripts/clients/flow.ts" "$ROOT/scripts/clients/tsconfig.json" "$ROOT/scripts/clients/package.json" "$dir/"
  ln -sfn "$tools/node_modules" "$dir/node_modules"
  (cd "$dir" && node_modules/.bin/openapi-typescript "$3" -o schema.d.ts) >"$dir/generate.log" 2>&1 || rc=$?
  [ "$rc" = 0 ] || cat "$dir/generate.log"
  cl_result "openapi-typescript generates types from /api/schema/" "$rc"
  rc=0
  (cd "$dir" && node_modules/.bin/tsc --noEmit -p .) || rc=$?
  cl_result "tsc --noEmit: the TypeScript client flow type-checks" "$rc"
  [ "$rc" = 0 ] || return 0
  (cd "$dir" && node_modules/.bin/tsc -p .) || { cl_result "tsc emits the flow" 1; return 0; }
  rc=0
  node "$dir/out/flow.js" "$4" "$5" "$6" | tee "$dir/flow.log" || rc=$?
  local summary
  summary=$(grep -E '^typescript client: [0-9]+ passed, [0-9]+ failed' "$dir/flow.log" | tail -n 1 || true)
  if [ -n "$summary" ]; then
    read -r p f < <(sed -E 's/^typescript client: ([0-9]+) passed, ([0-9]+) failed.*/\1 \2/' <<<"$summary")
    cl_passed=$((cl_passed + p))
    cl_failed=$((cl_failed + f))
    [ "$rc" = 0 ] || [ "$f" != 0 ] || cl_result "the TypeScript flow exits 0" "$rc"
  else
    cl_result "the TypeScript flow prints its summary" 1
  fi
}

cl_reference_page() { # BASE_URL WORKDIR
  local dom=$2/docs.html rc=0 missing=
  # Every host but the service's is unresolvable: the page must render from what the service serves.
  timeout 90 chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run \
    --user-data-dir="$2/chromium-profile" --host-resolver-rules="MAP * ~NOTFOUND, EXCLUDE 127.0.0.1" \
    --disable-background-networking --disable-component-update --log-net-log="$2/netlog.json" \
    --virtual-time-budget=20000 --dump-dom "$1/api/docs/" >"$dom" 2>"$2/chromium.log" || rc=$?
  if [ "$rc" = 0 ]; then
    local title
    for title in "List all persisted folder" "Create persisted folder" "Retrieve desktop persisted folder" "Delete desktop persisted folder"; do
      grep -qF "$title" "$dom" || missing="$missing, \"$title\""
    done
    [ -z "$missing" ] || { echo "  the rendered page lacks ${missing#, }" >&2; rc=1; }
    # Nothing the page requested, and no button or form on it, reaches another host (a plain
    # "Powered by Scalar" credit link is allowed: it calls nothing). The browser's own background
    # requests (updates, sign-in) have no page initiator and are not the page's doing.
    python3 - "$2/netlog.json" "$dom" <<'PY' || rc=1
import json, re, sys
from urllib.parse import urlparse
outside = set()
local = ("127.0.0.1", "localhost")
try:
    log = json.load(open(sys.argv[1]))
    for event in log.get("events", []):
        params = event.get("params") or {}
        url, initiator = params.get("url"), params.get("initiator")
        if isinstance(url, str) and isinstance(initiator, str) and urlparse(initiator).hostname in local \
                and urlparse(url).hostname not in local:
            outside.add("request " + url)
except (OSError, ValueError) as error:
    outside.add(f"unreadable net log: {error}")
for attr, url in re.findall(r'(href|src|action|formaction)="(https?://[^"]*)"', open(sys.argv[2]).read()):
    if urlparse(url).hostname not in ("127.0.0.1", "localhost") and "utm_source=powered-by" not in url:
        outside.add(f"{attr} {url}")
for item in sorted(outside):
    print(f"  outside the service: {item}", file=sys.stderr)
sys.exit(1 if outside else 0)
PY
  else
    tail -n 20 "$2/chromium.log" >&2 || true
  fi
  cl_result "headless Chromium renders /api/docs/ offline with its operation list" "$rc"
}
