#!/bin/sh
# Load test of the production stack: gunicorn (bin/serve, as `make serve` runs it) on
# PostgreSQL, the demo bulletin published, and wrk with 50 connections for 60 s on each of
# `/`, the edition's page and its PDF, from loopback. Fails unless every answer is a 200.
# Run by hand (not part of make test); figures in bench/README.md.
#
#   createdb policy_industries_bench
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/policy_industries_bench bench/load.sh
#
# Optional: PORT (8090), WEB_CONCURRENCY (gunicorn workers, 2), CONNECTIONS (50),
# DURATION (60s), THREADS (2), TIMEOUT (30s). Needs wrk (apt-get install wrk).
#
# wrk's own timeout (2 s by default) would count a slow answer as an error; with 50 connections
# queueing for 2 workers, the wait alone is 50 / (requests per second). The proxy in
# docs/deploy.md waits 130 s; TIMEOUT=30s keeps "error" for answers that fail or never come.
set -eu
cd "$(dirname "$0")/.."
: "${DATABASE_URL:?請設定環境變數 DATABASE_URL（PostgreSQL 資料庫，例如 postgres://postgres@127.0.0.1:5432/policy_industries_bench）}"
command -v wrk >/dev/null || { echo "找不到 wrk：請先執行 apt-get install wrk" >&2; exit 1; }

PY="${PY:-.venv/bin/python}"
PORT="${PORT:-8090}"
CONNECTIONS="${CONNECTIONS:-50}"
DURATION="${DURATION:-60s}"
THREADS="${THREADS:-2}"
TIMEOUT="${TIMEOUT:-30s}"
WORK="$(mktemp -d)"
export PY PORT DATABASE_URL
export WEB_CONCURRENCY="${WEB_CONCURRENCY:-2}"
export DJANGO_SETTINGS_MODULE=config.settings.production
export SECRET_KEY="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')"
# Files stay beside the database between runs (var/ is not in git): the demo edition's rows
# in DATABASE_URL point at them.
export SECURE_SSL_REDIRECT=false
export MEDIA_ROOT="${MEDIA_ROOT:-var/bench/media}" STATIC_ROOT="${STATIC_ROOT:-var/bench/static}"
# Access logs of ~10^5 requests would measure the disk, not the site.
export GUNICORN_ACCESSLOG=""

"$PY" manage.py bootstrap --demo >"$WORK/bootstrap.log" 2>&1 || { cat "$WORK/bootstrap.log" >&2; exit 1; }
bin/serve >"$WORK/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$WORK"' EXIT INT TERM

BASE="http://127.0.0.1:$PORT"
for _ in $(seq 1 200); do
    curl -fs "$BASE/healthz" >/dev/null 2>&1 && break
    sleep 0.3
done
curl -fs "$BASE/healthz" >/dev/null || { cat "$WORK/serve.log" >&2; exit 1; }

HOME_HTML="$(curl -fs "$BASE/")"
EDITION="$(printf '%s' "$HOME_HTML" | grep -o 'href="/editions/[0-9-]*/"' | head -1 | cut -d'"' -f2)"
PDF="$(printf '%s' "$HOME_HTML" | grep -o 'href="/editions/[^"]*\.pdf"' | head -1 | cut -d'"' -f2)"
[ -n "$EDITION" ] && [ -n "$PDF" ] || { echo "首頁上找不到版本頁或 PDF 連結" >&2; exit 1; }

echo "gunicorn: $WEB_CONCURRENCY workers; wrk: $THREADS threads, $CONNECTIONS connections, $DURATION, timeout $TIMEOUT"
echo "database: $(printf '%s' "$DATABASE_URL" | sed 's|//[^@]*@|//|')"
failed=0
for path in / "$EDITION" "$PDF"; do
    echo
    echo "== $path"
    out="$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout "$TIMEOUT" --latency "$BASE$path")"
    printf '%s\n' "$out"
    # wrk prints these lines only when something went wrong.
    if printf '%s' "$out" | grep -q -e "Non-2xx or 3xx responses" -e "Socket errors"; then
        failed=1
    fi
done
[ "$failed" = 0 ] && echo && echo "0 errors." || { echo "errors above" >&2; exit 1; }
