#!/usr/bin/env bash
# schemathesis against the served OpenAPI, as anonymous and as a project owner (a session of a demo
# owner): no server error, and every status code answered is documented in the schema.
#   tools/schemathesis.sh BASE_URL        (the app's environment, e.g. DATABASE_URL, must be exported)
set -euo pipefail
cd "$(dirname "$0")/.."
BASE=${1:?usage: tools/schemathesis.sh BASE_URL}
VENV=${VENV:-$PWD/.venv}
EXAMPLES=${ST_EXAMPLES:-30}
OUT=${ARTIFACTS_DIR:-artifacts}/schemathesis
mkdir -p "$OUT"
session=$("$VENV/bin/python" manage.py shell -c "
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from marketplace.models import Membership
user = Membership.objects.filter(organisation__kind='owner').order_by('id').first().user
s = SessionStore()
s[SESSION_KEY] = str(user.pk)
s[BACKEND_SESSION_KEY] = 'django.contrib.auth.backends.ModelBackend'
s[HASH_SESSION_KEY] = user.get_session_auth_hash()
s.create()
print('SESSION=' + s.session_key)" | sed -n 's/^SESSION=//p' | tail -n 1)   # only our line: django logs to stdout too
for who in anonymous owner; do
  headers=()
  [[ $who == owner ]] && headers=(-H "Cookie: sessionid=$session")
  set +e
  "$VENV/bin/schemathesis" run "$BASE/api/openapi.json" --url "$BASE" -n "$EXAMPLES" \
    -c not_a_server_error,status_code_conformance --generation-deterministic \
    "${headers[@]}" >"$OUT/$who.log" 2>&1
  rc=$?
  set -e
  tail -12 "$OUT/$who.log"
  cases=$(grep -A1 '^Test cases:' "$OUT/$who.log" | tail -1 | sed 's/^ *//')
  echo "schemathesis as $who: $cases; exit $rc (log $OUT/$who.log)"
  [[ $rc -eq 0 ]] || exit $rc
done
