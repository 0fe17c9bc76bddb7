#!/usr/bin/env bash
# Lighthouse (mobile: the default emulated phone, simulated slow 4G and a 4x slower CPU)
# on the office page and the national overview, signed in, with Debian's Chromium
# (issue 16 item 5 bar: performance >= 95, accessibility 100, best practices 100).
#
#     bench/lighthouse.sh [--db PATH]
#
# Lighthouse comes from npm at bench time, installed once under $LIGHTHOUSE_DIR
# (default /tmp/blangko-lighthouse); never in the test suite. Without an existing --db a
# demo database is built first (two kab/kota with 1 year of history and a forecast for
# 32.16, about a minute); the overview lists all 514 offices either way.
# Prints the four scores per page and leaves the JSON reports beside the database.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PY="$ROOT/.venv/bin/python"
BLANGKO="$ROOT/.venv/bin/blangko"
DB="${TMPDIR:-/tmp}/blangko-lighthouse.db"
if [[ "${1:-}" == "--db" ]]; then DB="$2"; fi
LIGHTHOUSE_DIR="${LIGHTHOUSE_DIR:-/tmp/blangko-lighthouse}"
export CHROME_PATH="${CHROME_PATH:-/usr/bin/chromium}"
export BLANGKO_DATABASE_URL="sqlite:///$DB"
REPORTS="$(dirname "$DB")/lighthouse-reports"
mkdir -p "$REPORTS"

LH="$LIGHTHOUSE_DIR/node_modules/.bin/lighthouse"
if [[ ! -x "$LH" ]]; then
  echo "installing Lighthouse under $LIGHTHOUSE_DIR"
  npm install --prefix "$LIGHTHOUSE_DIR" --no-audit --no-fund --loglevel=error lighthouse@12 >/dev/null
fi

if [[ ! -f "$DB" ]]; then
  echo "building $DB"
  "$BLANGKO" db upgrade >/dev/null
  "$BLANGKO" seed >/dev/null
  "$BLANGKO" demo --offices 32.16,12.71 --start "$(date -d '-1 year' +%F)" >/dev/null
  "$BLANGKO" forecast run --office 32.16 >/dev/null
fi

PORT="$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
BASE="http://127.0.0.1:$PORT"
"$BLANGKO" serve --host 127.0.0.1 --port "$PORT" --no-scheduler >"$REPORTS/server.log" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -fs "$BASE/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done

# The session cookie of a demo user, signed in through the login form (CSRF included).
cookie() {
  "$PY" - "$BASE" "$1" "$2" <<'EOF'
import re, sys
import httpx
base, username, password = sys.argv[1:]
with httpx.Client(base_url=base) as client:
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
    client.post("/login", data={"csrf": csrf, "username": username, "password": password})
    print(client.cookies["blangko_session"])
EOF
}

audit() {  # name, path, cookie
  local name="$1" path="$2" session="$3"
  "$LH" "$BASE$path" --quiet --output=json --output-path="$REPORTS/$name.json" \
    --only-categories=performance,accessibility,best-practices,seo \
    --extra-headers="{\"Cookie\": \"blangko_session=$session\"}" \
    --chrome-flags="--headless=new --no-sandbox --disable-gpu --no-first-run" >/dev/null 2>&1
  "$PY" - "$REPORTS/$name.json" "$name" <<'EOF'
import json, sys
report = json.load(open(sys.argv[1]))
scores = {key: round(category["score"] * 100) for key, category in report["categories"].items()}
audits = report["audits"]
print(
    f"{sys.argv[2]:<10} performance {scores['performance']:>3}  accessibility "
    f"{scores['accessibility']:>3}  best-practices {scores['best-practices']:>3}  seo "
    f"{scores['seo']:>3}   (FCP {audits['first-contentful-paint']['displayValue']}, LCP "
    f"{audits['largest-contentful-paint']['displayValue']}, TBT "
    f"{audits['total-blocking-time']['displayValue']}, CLS "
    f"{audits['cumulative-layout-shift']['displayValue']}, "
    f"{audits['total-byte-weight']['displayValue']})"
)
for key, category in report["categories"].items():
    for ref in category["auditRefs"]:
        audit = audits[ref["id"]]
        if ref["weight"] and audit["score"] is not None and audit["score"] < 1 and key != "performance":
            print(f"           {key}: {audit['id']} ({audit['score']})")
EOF
}

echo "Lighthouse $("$LH" --version), $("$CHROME_PATH" --version 2>/dev/null | head -1), mobile"
audit office "/kantor/32.16" "$(cookie petugas.bekasi demo-bekasi)"
audit nasional "/nasional" "$(cookie perencana demo-perencana)"
