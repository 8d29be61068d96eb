#!/usr/bin/env bash
# The production topology, as CI runs it (README "Production", docs/operations.md):
#
#   Chromium ─► nginx (Debian's; /static/ and /media/ from disk) ─► gunicorn, DEBUG=0
#                                                                     ├─► PostgreSQL, as role zjcs_app (owns nothing)
#                                                                     └─► Redis (shared cache)
#   the periodic sweep in a loop (every 60 s), as zjcs_app
#
# then the browser journeys against it (LIVE_URL), demo data through the same app role, schemathesis
# against the served OpenAPI (tools/schemathesis.sh), and the backup drill: pg_dump → pg_restore into
# a fresh database → verify_audit --anchors and verify_credit there.
#
#   tools/prod_stack.sh            # everything above, then stop the stack
#   KEEP=1 tools/prod_stack.sh     # leave the stack running (prints how to stop it)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VENV=${VENV:-$ROOT/.venv}
PY=$VENV/bin/python
WEB_PORT=${WEB_PORT:-8088}
APP_PORT=${APP_PORT:-8089}
REDIS_PORT=${REDIS_PORT:-6399}
DB=${STACK_DB:-zjcs_stack}
TESTDB="test_$DB"                 # the name pytest-django gives DATABASE_URL=.../$DB (journeys reuse it)
RESTORED="${DB}_restored"
PGH=(-h 127.0.0.1 -p 5432 -U postgres)
RUN=$(mktemp -d /tmp/zjcs_stack.XXXXXX)
chmod 755 "$RUN"
pids=()
stop() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  [[ -f $RUN/nginx.pid ]] && kill "$(cat "$RUN/nginx.pid")" 2>/dev/null || true
}
[[ -n "${KEEP:-}" ]] || trap stop EXIT
step() { printf -- '--- %s\n' "$1"; }

command -v nginx >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; }

step "PostgreSQL: migrate as the owner, grant the app role data rights only"
psql "${PGH[@]}" -q -c "DROP DATABASE IF EXISTS $TESTDB" -c "DROP DATABASE IF EXISTS $RESTORED" -c "CREATE DATABASE $TESTDB"
DATABASE_URL="postgres://postgres@127.0.0.1:5432/$TESTDB" DEBUG=1 "$PY" manage.py migrate --no-input -v0
psql "${PGH[@]}" -d "$TESTDB" -q -v ON_ERROR_STOP=1 -v DBNAME="$TESTDB" -f tools/app_role.sql
APP_URL="postgres://zjcs_app:zjcs_app@127.0.0.1:5432/$TESTDB"

step "Redis (cache) on :$REDIS_PORT"
redis-server --port "$REDIS_PORT" --save '' --appendonly no --daemonize no >"$RUN/redis.log" 2>&1 &
pids+=($!)

# The same environment for gunicorn, the sweep and the management commands of the app. Plain http
# here (CI has no certificate): the TLS flags are turned off; in production keep their defaults.
export DEBUG=0 SECRET_KEY=ci-stack-secret-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGH \
  ALLOWED_HOSTS=127.0.0.1,localhost SITE_URL="http://127.0.0.1:$WEB_PORT" \
  CSRF_TRUSTED_ORIGINS="http://127.0.0.1:$WEB_PORT" REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0" \
  TRUSTED_PROXIES=127.0.0.1 STATIC_ROOT="$RUN/static" MEDIA_ROOT="$RUN/media" \
  PRIVATE_MEDIA_ROOT="$RUN/private" SECURE_SSL_REDIRECT=0 SESSION_COOKIE_SECURE=0 CSRF_COOKIE_SECURE=0 \
  SECURE_HSTS_SECONDS=0
mkdir -p "$RUN/media" "$RUN/private"

step "collectstatic, nginx on :$WEB_PORT → gunicorn on :$APP_PORT"
DATABASE_URL="$APP_URL" "$PY" manage.py collectstatic --no-input -v0
sed -e "s#@RUN@#$RUN#g" -e "s#@WEB_PORT@#$WEB_PORT#g" -e "s#@APP_PORT@#$APP_PORT#g" \
  -e "s#@APP_GROUP@#$(id -gn)#g" tools/nginx.conf >"$RUN/nginx.conf"
nginx -t -q -c "$RUN/nginx.conf" -p "$RUN"
nginx -c "$RUN/nginx.conf" -p "$RUN"
DATABASE_URL="$APP_URL" "$VENV/bin/gunicorn" marketplace.wsgi --workers 2 --bind "127.0.0.1:$APP_PORT" \
  --access-logfile "$RUN/gunicorn.log" --error-logfile "$RUN/gunicorn.log" &
pids+=($!)
(while true; do DATABASE_URL="$APP_URL" "$PY" manage.py sweep_deadlines >>"$RUN/sweep.log" 2>&1 || true; sleep 60; done) &
pids+=($!)
for _ in $(seq 1 60); do curl -fsS -o /dev/null "http://127.0.0.1:$WEB_PORT/" && break; sleep 1; done
curl -fsS -o /dev/null "http://127.0.0.1:$WEB_PORT/" || { tail -50 "$RUN/gunicorn.log"; exit 1; }
curl -fsS -o /dev/null "http://127.0.0.1:$WEB_PORT/static/$(cd "$RUN/static" && find . -name '*.css' | head -1)"
echo "stack up: http://127.0.0.1:$WEB_PORT (logs in $RUN)"

step "the app role cannot truncate or disable the audit trigger"
for sql in "TRUNCATE marketplace_auditentry" "ALTER TABLE marketplace_auditentry DISABLE TRIGGER ALL"; do
  if psql "$APP_URL" -q -c "$sql" >/dev/null 2>&1; then echo "zjcs_app was allowed: $sql"; exit 1; fi
done

step "browser journeys against the stack"
# The journeys known to run against an external server. The others sign in with sessions made by the test
# process (its SECRET_KEY, not the stack's) or move the clock in-process, and run against pytest's live
# server in the "browser journeys" step of .ci/run instead (docs/operations.md §10 lists them).
STACK_JOURNEYS_DEFAULT="tests/cms/test_browser_journey.py tests/agencies/test_browser_journey.py tests/ui/test_browser_draw.py"
mkdir -p artifacts
env -u DEBUG -u SECRET_KEY -u REDIS_URL -u STATIC_ROOT -u MEDIA_ROOT -u PRIVATE_MEDIA_ROOT \
  LIVE_URL="http://127.0.0.1:$WEB_PORT" LIVE_REDIS_URL="$REDIS_URL" ARTIFACTS_DIR="$ROOT/artifacts" \
  DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB" "$PY" -m pytest -m browser -n 0 -p no:logging --reuse-db \
  ${STACK_JOURNEYS:-$STACK_JOURNEYS_DEFAULT} \
  || journeys_rc=$?   # carry on: the drill and schemathesis still run; the script fails at the end

step "demo data through the app role, the day's anchor"
DATABASE_URL="$APP_URL" "$PY" manage.py seed_demo >"$RUN/seed.log"
DATABASE_URL="$APP_URL" "$PY" manage.py sweep_deadlines --only marketplace.audit_anchor

step "schemathesis against the served OpenAPI (anonymous, then a demo owner)"
DATABASE_URL="$APP_URL" VENV="$VENV" ARTIFACTS_DIR="$ROOT/artifacts" tools/schemathesis.sh "http://127.0.0.1:$WEB_PORT"

step "backup drill"
curl -fsS "http://127.0.0.1:$WEB_PORT/api/audit/anchors" >"$RUN/anchors.json"
pg_dump "${PGH[@]}" -Fc -f "$RUN/zjcs.dump" "$TESTDB"
psql "${PGH[@]}" -q -c "CREATE DATABASE $RESTORED"
pg_restore "${PGH[@]}" -d "$RESTORED" --no-owner --exit-on-error "$RUN/zjcs.dump"
DATABASE_URL="postgres://postgres@127.0.0.1:5432/$RESTORED" "$PY" manage.py verify_audit --anchors "$RUN/anchors.json"
DATABASE_URL="postgres://postgres@127.0.0.1:5432/$RESTORED" "$PY" manage.py verify_credit
echo "backup drill: restored copy verifies ($(du -h "$RUN/zjcs.dump" | cut -f1) dump)"
if [[ ${journeys_rc:-0} -ne 0 ]]; then echo "browser journeys failed against the stack (exit $journeys_rc)"; exit 1; fi
if [[ -n "${KEEP:-}" ]]; then echo "stack left running; stop with: kill ${pids[*]} \$(cat $RUN/nginx.pid)"; fi
echo "production stack: all steps passed"
