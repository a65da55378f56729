#!/usr/bin/env python3
"""Helpers of scripts/bench.sh (standard library only).

  bench.py snap OUT.json LABEL=PID...      CPU ticks of each process tree + the machine's busy ticks
  bench.py busy SECONDS                    cores busy on the whole machine over SECONDS
  bench.py wrkrow ...                      one HTTP run -> one JSON line (see wrkrow())
  bench.py pgrow ...                       one pgbench run -> one JSON line
  bench.py best FILE.jsonl                 the least disturbed attempt of a run
  bench.py sqlcheck REPO SQL_DIR           do scripts/bench/sql/*.sql still match the C# SQL?
  bench.py table RESULTS.jsonl META.json   the table (Markdown) and the goals of issue 9
"""
import argparse
import json
import math
import os
import re
import sys
import time

CLK = os.sysconf("SC_CLK_TCK")


# --- CPU accounting from /proc -----------------------------------------------------------------

def _stat(pid):
    """Fields of /proc/PID/stat after the command name (index 0 = state), or None."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def _children():
    kids = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat(entry)
            if fields:
                kids.setdefault(int(fields[1]), []).append(int(entry))
    return kids


def tree_ticks(root, kids):
    """utime+stime of the live tree + what the root reaped (cutime+cstime)."""
    fields = _stat(root)
    if fields is None:
        return 0
    total = int(fields[13]) + int(fields[14])  # cutime + cstime of the root
    stack = [root]
    while stack:
        pid = stack.pop()
        f = _stat(pid)
        if f is not None:
            total += int(f[11]) + int(f[12])
            stack.extend(kids.get(pid, []))
    return total


def busy_ticks():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return sum(v[:8]) - (v[3] + v[4])  # all but idle and iowait


def cmd_snap(args):
    kids = _children()
    out = {"t": time.monotonic(), "busy": busy_ticks(), "trees": {}}
    for spec in args.trees:
        label, _, pid = spec.partition("=")
        if pid:
            out["trees"][label] = tree_ticks(int(pid), kids)
    with open(args.out, "w") as f:
        json.dump(out, f)


def cmd_busy(args):
    a, t = busy_ticks(), time.monotonic()
    time.sleep(args.seconds)
    print(f"{(busy_ticks() - a) / CLK / (time.monotonic() - t):.2f}")


def _cpu(before_path, after_path, time_path):
    """cores used per tree, by the load tool (from /usr/bin/time) and by everything else."""
    with open(before_path) as f:
        a = json.load(f)
    with open(after_path) as f:
        b = json.load(f)
    wall = b["t"] - a["t"]
    out = {"wall_s": round(wall, 2), "busy_cores": round((b["busy"] - a["busy"]) / CLK / wall, 2)}
    known = 0.0
    for label, ticks in b["trees"].items():
        cores = (ticks - a["trees"].get(label, 0)) / CLK / wall
        out[label + "_cores"] = round(cores, 2)
        known += cores
    tool = None
    if time_path and os.path.exists(time_path):
        try:
            with open(time_path) as f:
                elapsed, user, system = map(float, f.read().split()[-3:])
            tool = (user + system) / wall
        except ValueError:
            tool = None
    if tool is not None:
        out["tool_cores"] = round(tool, 2)
        known += tool
        out["other_cores"] = round(out["busy_cores"] - known, 2)
    return out


def cmd_wrkrow(args):
    line = None
    with open(args.wrk) as f:
        for text in f:
            if text.startswith("PFJSON "):
                line = text[len("PFJSON "):]
    if line is None:
        sys.exit(f"bench.py: no PFJSON line in {args.wrk} (wrk failed?)")
    r = json.loads(line)
    row = {
        "kind": "http", "server": args.server, "scenario": args.scenario, "conns": args.conns,
        "attempt": args.attempt, "rps": r["rps"], "requests": r["requests"],
        "p50_ms": r["lat_p50_ms"], "p99_ms": r["lat_p99_ms"], "max_ms": r["lat_max_ms"], "mean_ms": r["lat_mean_ms"],
        "non2xx": r["errors_status"],
        "socket_errors": r["errors_connect"] + r["errors_read"] + r["errors_write"] + r["errors_timeout"],
    }
    expected = row["requests"] if args.scenario == "unauth" else 0
    row["status_ok"] = row["non2xx"] == expected and row["socket_errors"] == 0
    row.update(_cpu(args.before, args.after, args.time))
    if args.rss_mb:
        row["rss_mb"] = float(args.rss_mb)
    if args.sampler and os.path.exists(args.sampler):
        with open(args.sampler) as f:
            sampled = json.load(f).get("server", {})
        row["sampled_peak_rss_mb"] = sampled.get("peak_rss_mb")
        row["sampled_peak_pss_mb"] = sampled.get("peak_pss_mb")
        if "rss_mb" not in row and sampled.get("peak_rss_mb") is not None:
            row["rss_mb"] = sampled["peak_rss_mb"]
    row["noisy"] = row.get("other_cores", 0) > args.max_other
    # A pause: wrk corrects its latencies for coordinated omission (a request that waited W ms adds
    # synthetic samples W - i, W - 2i, ... for the run's mean interval i), so one pause of all
    # connections inflates p99 and the mean far above what Little's law gives for this throughput.
    little = args.conns / row["rps"] * 1000 if row["rps"] else 0
    row["stall"] = bool(little) and row["mean_ms"] > 1.5 * little
    print(json.dumps(row))


def cmd_pgrow(args):
    with open(args.out) as f:
        text = f.read()

    def grab(pattern, cast=float, default=None):
        m = re.search(pattern, text)
        return cast(m.group(1)) if m else default

    row = {
        "kind": "pgbench", "scenario": args.scenario, "clients": args.clients, "attempt": args.attempt,
        "tps": grab(r"tps = ([\d.]+) \(without initial connection time\)", default=0.0),
        "lat_avg_ms": grab(r"latency average = ([\d.]+) ms"),
        "transactions": grab(r"number of transactions actually processed: (\d+)", int, 0),
        "failed": grab(r"number of failed transactions: (\d+)", int, 0),
    }
    if not row["transactions"]:
        row["error"] = text[-800:]
    row.update(_cpu(args.before, args.after, args.time))
    row["noisy"] = row.get("other_cores", 0) > args.max_other
    print(json.dumps(row))


def cmd_best(args):
    with open(args.file) as f:
        rows = [json.loads(line) for line in f if line.strip()]
    key = "rps" if rows[0]["kind"] == "http" else "tps"
    best = min(rows, key=lambda r: (r.get("other_cores", 0) > args.max_other, r.get("other_cores", 0), -r[key]))
    best["attempts"] = len(rows)
    print(json.dumps(best))


# --- drift check of the pgbench scripts against the C# SQL ---------------------------------------

def _norm(sql):
    return " ".join(sql.replace(";", " ").split())


_CONST = re.compile(r"\bconst\s+string\s+(\w+)\s*=\s*")
_LITERAL_START = re.compile(r'(\$*)(@?)(\$*)("+)')
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "\\": "\\", '"': '"', "'": "'"}


def _raw_dedent(text):
    """A multi-line raw string's content: the lines between the delimiters' lines, less the closing
    line's indentation (C# 11)."""
    if "\n" not in text:
        return text
    lines = text.split("\n")
    indent = lines[-1] if not lines[-1].strip() else ""
    body = lines[1:-1] if not lines[0].strip() else lines[:-1]
    return "\n".join(line[len(indent):] if line.startswith(indent) else line.lstrip() for line in body)


def _holes(text, dollars, raw):
    """Splits an interpolated string's content into ("text", s) and ("ref", name) parts. A hole is
    {Name} (or {{Name}} for $$\"\"\"...\"\"\", and so on); a hole that is not a plain name stays text."""
    if not dollars:
        return [("text", text)]
    n = dollars if raw else 1
    parts, i, buf = [], 0, []
    hole = re.compile(r"\{" * n + r"([^{}]*)" + r"\}" * n)
    while i < len(text):
        if not raw and text.startswith("{{", i):
            buf.append("{"); i += 2; continue
        if not raw and text.startswith("}}", i):
            buf.append("}"); i += 2; continue
        m = hole.match(text, i) if text.startswith("{" * n, i) and not text.startswith("{" * (n + 1), i) else None
        if m:
            expr = m.group(1).strip()
            if re.fullmatch(r"\w+", expr):
                parts.append(("text", "".join(buf))); buf = []
                parts.append(("ref", expr))
            else:
                buf.append(m.group(0))
            i = m.end()
            continue
        buf.append(text[i]); i += 1
    parts.append(("text", "".join(buf)))
    return parts


def _literal(src, i):
    """The C# string literal at src[i]: (parts, end), or None. Regular ("\\n"), verbatim (@"..."),
    raw (\"\"\"...\"\"\") and their interpolated ($) forms."""
    m = _LITERAL_START.match(src, i)
    if not m:
        return None
    dollars, verbatim, quotes = len(m.group(1)) + len(m.group(3)), bool(m.group(2)), len(m.group(4))
    start = m.end()
    if quotes >= 3:  # raw: ends at the same number of quotes
        end = src.find('"' * quotes, start)
        if end < 0:
            return None
        return _holes(_raw_dedent(src[start:end]), dollars, raw=True), end + quotes
    if quotes == 2:  # ""
        return [("text", "")], start
    out, j = [], start
    while j < len(src):
        c = src[j]
        if verbatim and src.startswith('""', j):
            out.append('"'); j += 2; continue
        if c == '"':
            return _holes("".join(out), dollars, raw=False), j + 1
        if c == "\\" and not verbatim and j + 1 < len(src):
            out.append(_ESCAPES.get(src[j + 1], "\\" + src[j + 1])); j += 2; continue
        out.append(c); j += 1
    return None


def _csharp_consts(path):
    """The const strings of one C# file, by name: literals (regular, verbatim, raw), interpolated ones
    ($\"\"\"...{Other}...\"\"\") with every {Other} naming a const string of the same file expanded,
    recursively, and concatenations (A + "..."). Returns {name: (text, problems)}: what could not
    be expanded stays {Name} in the text and is named in the problems."""
    with open(path) as f:
        src = f.read()
    defs = {}
    for m in _CONST.finditer(src):
        parts, i = [], m.end()
        while True:
            lit = _literal(src, i)
            if lit:
                parts += lit[0]
                i = lit[1]
            else:
                name = re.compile(r"\w+").match(src, i)
                if not name:
                    break
                parts.append(("ref", name.group(0)))
                i = name.end()
            plus = re.compile(r"\s*\+\s*").match(src, i)
            if not plus:
                break
            i = plus.end()
        if re.compile(r"\s*;").match(src, i) and parts:
            defs[m.group(1)] = parts
    resolved = {}  # name -> (text, problems of its expansion)

    def expand(name, stack):
        if name in resolved:
            return resolved[name]
        if name in stack:
            return "{" + name + "}", [f"{' -> '.join(stack + [name])} refers to itself"]
        text, problems = [], []
        for kind, value in defs[name]:
            if kind == "text":
                text.append(value)
            elif value in defs:
                t, p = expand(value, stack + [name])
                text.append(t)
                problems += [q for q in p if q not in problems]
            else:
                text.append("{" + value + "}")
                problems.append(f"{name} uses {{{value}}}, which is not a const string of the file")
        resolved[name] = "".join(text), problems
        return resolved[name]

    for name in defs:
        expand(name, [])
    return resolved


def cmd_sqlcheck(args):
    problems = []
    checked = 0
    for name in sorted(os.listdir(args.sql_dir)):
        if not name.endswith(".sql"):
            continue
        with open(os.path.join(args.sql_dir, name)) as f:
            lines = f.read().splitlines()
        i = 0
        while i < len(lines):
            m = re.match(r"--\s*\(\d+\)\s.*?(\S+\.cs)\s+(\w+)(?:\s+\[(.*)\])?\s*$", lines[i])
            i += 1
            if not m:
                continue
            source, const, subst = m.group(1), m.group(2), m.group(3) or ""
            body = []
            while i < len(lines) and not lines[i].startswith("--") and not lines[i].startswith("\\"):
                body.append(lines[i])
                i += 1
            path = os.path.join(args.repo, source)
            if not os.path.exists(path):
                problems.append(f"{name}: {source} no longer exists")
                continue
            consts = _csharp_consts(path)
            if const not in consts:
                problems.append(f"{name}: {source} has no SQL constant {const} any more")
                continue
            expected, unresolved = consts[const]
            problems += [f"{name}: {source}: {p}" for p in unresolved]
            for pair in subst.split():
                param, _, literal = pair.partition("=")
                expected = re.sub(r"@" + re.escape(param) + r"\b", literal, expected)
            expected = re.sub(r"@(\w+)", r":\1", expected)
            checked += 1
            now, script = _norm(expected), _norm("\n".join(body))
            if now != script:
                # Where they part (the expanded statements share long prefixes such as the key gate).
                at = next((k for k, (a, b) in enumerate(zip(now, script)) if a != b), min(len(now), len(script)))
                at = max(0, now.rfind(" ", 0, max(0, at - 40)) + 1)
                problems.append(f"{name}: the statement under '{const}' differs from {source}:{const} "
                                f"(now: {'...' if at else ''}{now[at:at + 160]}...; the script: "
                                f"{'...' if at else ''}{script[at:at + 160]}...)")
    for p in problems:
        print(f"SQL drift: {p}")
    if not problems:
        print(f"pgbench scripts match the service's SQL ({checked} statements checked)")
    return 0


# --- the table -----------------------------------------------------------------------------------

SCENARIOS = [("list", "list (3 folders)"), ("retrieve", "retrieve"), ("create", "create (upsert same row)"),
             ("patch", "PATCH path (same row)"), ("unauth", "401 bad key")]


def _fmt(v, digits=0, suffix=""):
    if v is None:
        return "–"
    return f"{v:,.{digits}f}{suffix}"


def cmd_table(args):
    with open(args.results) as f:
        rows = [json.loads(line) for line in f if line.strip()]
    with open(args.meta) as f:
        meta = json.load(f)
    http = {(r["server"], r["scenario"], r["conns"]): r for r in rows if r["kind"] == "http"}
    ceil = {(r["scenario"], r["clients"]): r for r in rows if r["kind"] == "pgbench"}
    servers = {r["server"]: r for r in rows if r["kind"] == "server"}
    warms = {r.get("server", "ours"): r for r in rows if r["kind"] == "warmstart"}
    warm = warms.get("ours")
    alts = {r["server"]: r["env"] for r in rows if r["kind"] == "alt"}
    conns = sorted({r["conns"] for r in rows if r["kind"] == "http" and r["server"] == "ours"})
    variants = sorted({k[0][len("bare-"):] for k in http if k[0].startswith("bare-")},
                      key=lambda v: ["t3", "t1", "t3m", "t1m"].index(v) if v in ("t3", "t1", "t3m", "t1m") else 9)
    has_django = any(k[0] == "django" for k in http)
    has_alt = bool(alts)
    out = []
    out.append(f"PersistedFolder benchmark — {meta['date']} — {meta['machine']}")
    out.append(f"command: {meta['command']}   (wrk {meta['threads']} threads, {meta['duration']} s per run after "
               f"{meta['warmup']} s warm-up; pgbench -M prepared -j {meta['threads']} -T {meta['pg_duration']}; "
               "servers measured back to back per scenario)")
    out.append("")

    def rps(server, scenario, c):
        r = http.get((server, scenario, c))
        return r["rps"] if r else None

    def div(a, b, digits=2, suffix=""):
        return _fmt(a / b, digits, suffix) if a is not None and b else "–"

    def best_bare(scenario, c):
        got = [(rps("bare-" + v, scenario, c), v) for v in variants if rps("bare-" + v, scenario, c) is not None]
        return max(got) if got else (None, None)

    head = ["scenario", "conns", "req/s", "p50 ms", "p99 ms", "CPU srv/PG/wrk", "default cfg req/s", "default÷ours",
            "best bare req/s", "ours÷bare", "ceiling TPS", "ours÷ceiling", "Django req/s", "Django p99 ms", "ours÷Django"]
    out.append("| " + " | ".join(head) + " |")
    out.append("|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|")
    flags = []
    for scenario, title in SCENARIOS:
        for c in conns:
            r = http.get(("ours", scenario, c))
            if r is None:
                continue
            p = ceil.get((scenario, c))
            d = http.get(("django", scenario, c))
            mark = ""
            for server in ["ours", "default", "alt"] + ["bare-" + v for v in variants]:
                x = http.get((server, scenario, c))
                if x is not None and not x["status_ok"]:
                    mark = " ⚠"
                    flags.append(f"{server} {scenario} c={c}: {x['non2xx']} unexpected non-2xx, {x['socket_errors']} socket errors")
            if r.get("noisy"):
                mark += " *"
            p99 = _fmt(r["p99_ms"], 2) + (" †" if r.get("stall") else "")
            cpu = f"{r.get('server_cores', 0):.2f}/{r.get('postgres_cores', 0):.2f}/{r.get('tool_cores', 0):.2f}"
            b, v = best_bare(scenario, c)
            cells = [title + mark, str(c), _fmt(r["rps"]), _fmt(r["p50_ms"], 2), p99, cpu,
                     _fmt(rps("default", scenario, c)), div(rps("default", scenario, c), r["rps"]),
                     (_fmt(b) + f" ({v})") if b else "–", div(r["rps"], b),
                     _fmt(p["tps"] if p else None), div(r["rps"], p["tps"] if p else None),
                     _fmt(d["rps"] if d else None), _fmt(d["p99_ms"] if d else None, 1),
                     div(r["rps"], d["rps"] if d else None, 1, "×")]
            out.append("| " + " | ".join(cells) + " |")
    out.append("")
    if variants:
        out.append("Bare-stack baseline (scripts/bench/baseline: Kestrel + Npgsql, same SQL, same access rules, no caching), req/s (p99 ms):")
        out.append("")
        names = {"t3": "3 round trips", "t1": "1 round trip", "t3m": "3 trips, multiplexed", "t1m": "1 trip, multiplexed"}
        out.append("| scenario | conns | ours | " + " | ".join(names.get(v, v) for v in variants) + " |")
        out.append("|---|" + "---:|" * (len(variants) + 2))
        for scenario, title in SCENARIOS:
            for c in conns:
                if rps("ours", scenario, c) is None:
                    continue
                cells = [title, str(c), _fmt(rps("ours", scenario, c))]
                for v in variants:
                    x = http.get(("bare-" + v, scenario, c))
                    cells.append(f"{_fmt(x['rps'])} ({_fmt(x['p99_ms'], 1)})" if x else "–")
                out.append("| " + " | ".join(cells) + " |")
        cells = ["geometric mean ÷ ours", "all", "1.00"]
        for v in variants:
            rs = [http[("bare-" + v, s_, c)]["rps"] / http[("ours", s_, c)]["rps"] for s_, _ in SCENARIOS for c in conns
                  if ("bare-" + v, s_, c) in http and ("ours", s_, c) in http and http[("ours", s_, c)]["rps"]]
            cells.append(_fmt(math.exp(sum(math.log(x) for x in rs) / len(rs)), 2) if rs else "–")
        out.append("| " + " | ".join(cells) + " |")
        out.append("")
    if has_alt:
        out.append("A/B: each alt = ours + the environment below, measured right after ours (req/s, alt÷ours):")
        out.append("")
        for name, env in alts.items():
            out.append(f"- {name}: `{env}`")
        out.append("")
        out.append("| scenario | conns | ours | " + " | ".join(alts) + " |")
        out.append("|---|---:|---:|" + "---:|" * len(alts))
        for scenario, title in SCENARIOS:
            for c in conns:
                o = http.get(("ours", scenario, c))
                if not o:
                    continue
                cells = [title, str(c), _fmt(o["rps"])]
                for name in alts:
                    a = http.get((name, scenario, c))
                    cells.append(f"{_fmt(a['rps'])} ({div(a['rps'], o['rps'])})" if a else "–")
                out.append("| " + " | ".join(cells) + " |")
        cells = ["geometric mean of alt÷ours", "all", ""]
        for name in alts:
            rs = [http[(name, s_, c)]["rps"] / http[("ours", s_, c)]["rps"] for s_, _ in SCENARIOS for c in conns
                  if (name, s_, c) in http and ("ours", s_, c) in http and http[("ours", s_, c)]["rps"]]
            cells.append(_fmt(math.exp(sum(math.log(x) for x in rs) / len(rs)), 2) if rs else "–")
        out.append("| " + " | ".join(cells) + " |")
        out.append("")
        steady16 = {k: rps(k, "list", 16) for k in ["ours"] + list(alts)}
        for name in ["ours"] + list(alts):
            w = warms.get(name)
            if w and steady16.get(name):
                out.append(f"warm start {name}: ready {w['ready_s']:.1f} s; " + " ".join(
                    f"{x / steady16[name] * 100:.0f}" for x in w["slices_rps"]) + " % of its own steady state")
        out.append("")
    dj_rss = [r.get("rss_mb") for r in http.values() if r["server"] == "django" and r.get("rss_mb") is not None]
    rss_text = ", ".join(f"{k} {v['peak_rss_mb']:.0f} MB" for k, v in servers.items())
    if dj_rss:
        rss_text += f", Django {max(dj_rss):.0f} MB (master + workers)"
    out.append("peak RSS (VmHWM since start, after every run): " + rss_text)
    steady = rps("ours", "list", 16)
    warm_share = None
    if warm and warm["slices_rps"]:
        sl = warm["slices_rps"]
        shares = [x / steady for x in sl] if steady else []
        first = next((i + 1 for i, x in enumerate(shares) if x >= 0.7), None)
        at10 = shares[min(9, len(shares) - 1)] if shares else None
        warm_share = at10
        out.append(f"warm start: /_readyz 200 after {warm['ready_s']:.1f} s from process start; list c=16 in 1-s slices from then: "
                   + " ".join(_fmt(x) for x in sl) + " req/s"
                   + (f" = {' '.join(f'{x * 100:.0f}' for x in shares)} % of the steady state ({_fmt(steady)}); "
                      f"≥ 70 % first in second {first}" if shares else ""))
    out.append("CPU: cores used during the measured run by our server / its PostgreSQL (all backends) / wrk, "
               "of the machine's " + str(os.cpu_count()) + ".  ceiling = pgbench running the SQL one request of the service "
               "sends, same client count, no HTTP server running.  default cfg = the service as shipped (request log on, "
               "rate limiter on with limits raised so that nothing is refused); ours = both off.")
    if any(r.get("noisy") for r in http.values()):
        out.append("* other processes used > " + str(meta["max_other"]) + " cores during this run (kept the least disturbed attempt).")
    stalls = [r for r in http.values() if r.get("stall") and r["server"] == "ours"]
    if stalls:
        out.append("† a pause during the run: wrk's mean latency exceeds 1.5× conns÷req/s (Little's law), i.e. at some moment "
                   "most connections waited up to the max latency (" + ", ".join(
                       f"{r['server']} {r['scenario']} c={r['conns']}: max {r['max_ms']:.0f} ms" for r in stalls)
                   + "); wrk's coordinated-omission correction then fills the tail, so p99 is that pause, not the typical tail.")
    for f_ in flags:
        out.append("⚠ " + f_)
    if meta.get("sql_drift"):
        out.append("⚠ pgbench scripts differ from the service's SQL: " + "; ".join(meta["sql_drift"]))
    if not has_django:
        out.append("Django columns: " + meta.get("django_note", "not measured"))

    # Goals of issue 9.
    goals = []

    def goal(text, ok):
        goals.append(f"  [{'met' if ok else 'NOT met' if ok is not None else 'n/a'}] {text}")

    def ratio(server_a, scenario, c, against):
        a = http.get((server_a, scenario, c))
        if against == "django":
            b = http.get(("django", scenario, c))
            return a["rps"] / b["rps"] if a and b and b["rps"] else None
        if against == "bare":
            b = best_bare(scenario, c)[0]
            return a["rps"] / b if a and b else None
        b = ceil.get((scenario, c))
        return a["rps"] / b["tps"] if a and b and b["tps"] else None

    c16 = [c for c in conns if c == 16] or conns[:1]
    for scenario, target in (("list", 20), ("retrieve", 20), ("unauth", 15)):
        vals = [ratio("ours", scenario, c, "django") for c in c16]
        have = [v for v in vals if v is not None]
        goal(f"{scenario} ≥ {target}× Django at {c16[0] if c16 else '?'} conns: " + ", ".join(_fmt(v, 1, "×") for v in vals),
             all(v >= target for v in have) if have else None)
    for scenario in ("create", "patch"):
        vals = [ratio("ours", scenario, c, "ceiling") for c in conns]
        have = [v for v in vals if v is not None]
        goal(f"{scenario} ≥ 80 % of the pgbench ceiling: " + ", ".join(_fmt(v * 100 if v is not None else None, 0, " %") for v in vals),
             all(v >= 0.8 for v in have) if have else None)
    vals = [(s, c, ratio("ours", s, c, "bare")) for s, _ in SCENARIOS for c in conns]
    have = [(s, c, v) for s, c, v in vals if v is not None]
    goal("every scenario ≥ 60 % of the best bare-stack variant: lowest "
         + (", ".join(f"{s} c={c} {v * 100:.0f} %" for s, c, v in sorted(have, key=lambda x: x[2])[:3]) if have else "–"),
         all(v >= 0.6 for _, _, v in have) if have else None)
    vals = [(s, c, http[("default", s, c)]["rps"] / http[("ours", s, c)]["rps"])
            for s, _ in SCENARIOS for c in conns if ("default", s, c) in http and ("ours", s, c) in http]
    goal("default configuration (request log + rate limiter on) costs ≤ 10 %: default÷ours "
         + ", ".join(f"{s} c={c} {v:.2f}" for s, c, v in vals),
         all(v >= 0.9 for _, _, v in vals) if vals else None)
    c_max = max(conns) if conns else None
    p99 = []
    for scenario in ("list", "retrieve"):
        a, b = http.get(("ours", scenario, c_max)), http.get(("django", scenario, c_max))
        if a and b:
            p99.append((scenario, a["p99_ms"], b["p99_ms"]))
    goal(f"p99 of reads at {c_max} conns ≤ 1/10 of Django's: "
         + ", ".join(f"{s} {x:.1f} vs {y:.1f} ms" for s, x, y in p99),
         all(x <= y / 10 for _, x, y in p99) if p99 else None)
    rss = [servers[k]["peak_rss_mb"] for k in ("ours", "default") if k in servers]
    goal(f"peak server RSS ≤ 120 MB (ours, default cfg): " + ", ".join(f"{x:.0f} MB" for x in rss), max(rss) <= 120 if rss else None)
    goal("warm start ≥ 70 % of steady state within 10 s of /_readyz 200: "
         + (f"{warm_share * 100:.0f} % in second {min(10, len(warm['slices_rps']))}" if warm_share is not None else "–"),
         warm_share >= 0.7 if warm_share is not None else None)
    out.append("")
    out.append("goals (issue 9):")
    out.extend(goals)
    print("\n".join(out))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("snap")
    s.add_argument("out")
    s.add_argument("trees", nargs="*")
    s = sub.add_parser("busy")
    s.add_argument("seconds", type=float)
    s = sub.add_parser("wrkrow")
    for a in ("--wrk", "--before", "--after", "--server", "--scenario"):
        s.add_argument(a, required=True)
    s.add_argument("--time")
    s.add_argument("--conns", type=int, required=True)
    s.add_argument("--attempt", type=int, default=1)
    s.add_argument("--rss-mb")
    s.add_argument("--sampler")
    s.add_argument("--max-other", type=float, default=0.25)
    s = sub.add_parser("pgrow")
    for a in ("--out", "--before", "--after", "--scenario"):
        s.add_argument(a, required=True)
    s.add_argument("--time")
    s.add_argument("--clients", type=int, required=True)
    s.add_argument("--attempt", type=int, default=1)
    s.add_argument("--max-other", type=float, default=0.25)
    s = sub.add_parser("best")
    s.add_argument("file")
    s.add_argument("--max-other", type=float, default=0.25)
    s = sub.add_parser("sqlcheck")
    s.add_argument("repo")
    s.add_argument("sql_dir")
    s = sub.add_parser("table")
    s.add_argument("results")
    s.add_argument("meta")
    args = ap.parse_args()
    return {"snap": cmd_snap, "busy": cmd_busy, "wrkrow": cmd_wrkrow, "pgrow": cmd_pgrow, "best": cmd_best,
            "sqlcheck": cmd_sqlcheck, "table": cmd_table}[args.cmd](args) or 0


if __name__ == "__main__":
    sys.exit(main())
