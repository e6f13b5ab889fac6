#!/usr/bin/env bash
# Fuzz the REST API against its own OpenAPI schema with schemathesis.
#
#   scripts/schemathesis.sh            # about two minutes; MAX_EXAMPLES=5: about one
#
# Builds a throwaway SQLite database (the shipped dataset and an administrator
# with a token), serves it on loopback, and runs schemathesis with an
# administrator's token: every operation, positive and negative data. It fails
# on any server error (5xx), any response that breaks the schema, any status
# code or content type the schema does not document. Bounded in time: at most
# MAX_EXAMPLES cases per operation and TIME_LIMIT seconds overall.
set -euo pipefail

cd "$(dirname "$0")/.."
PY=.venv/bin/python
PORT="${PORT:-8196}"
MAX_EXAMPLES="${MAX_EXAMPLES:-30}"
TIME_LIMIT="${TIME_LIMIT:-300}"
WORK="$(mktemp -d)"
SERVER_PID=""

cleanup() {
    if [[ -n "$SERVER_PID" ]]; then kill "$SERVER_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

export DJANGO_DEBUG=1
export DATABASE_URL="sqlite:///$WORK/db.sqlite3"
export DJANGO_SETTINGS_MODULE=alert.settings
# Throttling is tested in the suite; here it would only answer 429s.
export ALERT_API_USER_RATE=100000/minute ALERT_API_BULK_RATE=100000/minute

$PY manage.py migrate --noinput -v0
$PY manage.py load_dataset >/dev/null
TOKEN="$($PY - <<'PY'
import django
django.setup()
from django.contrib.auth.models import Group, User
from rest_framework.authtoken.models import Token
user = User.objects.create_user("fuzzer", is_staff=True)
user.groups.add(Group.objects.get(name="Administrators"))
print(Token.objects.create(user=user).key)
PY
)"

$PY manage.py runserver "127.0.0.1:$PORT" --noreload >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 50); do
    curl -fsS -o "$WORK/schema.yaml" -H "Authorization: Token $TOKEN" \
        "http://127.0.0.1:$PORT/api/schema/" 2>/dev/null && break
    sleep 0.2
done
test -s "$WORK/schema.yaml" || { echo "the server did not start:"; cat "$WORK/server.log"; exit 1; }

status=0
ST="$PWD/.venv/bin/schemathesis"
# Run from the throwaway folder: schemathesis keeps a cache in ./.schemathesis.
(cd "$WORK" && timeout "$TIME_LIMIT" "$ST" run "$WORK/schema.yaml" \
    --url "http://127.0.0.1:$PORT" \
    --header "Authorization: Token $TOKEN" \
    --checks not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance,ignored_auth \
    --max-examples "$MAX_EXAMPLES" \
    --phases examples,coverage,fuzzing \
    --generation-database none \
    --workers 1 \
    --request-timeout 20 \
    --no-color) || status=$?

if grep -q "Internal Server Error\|Traceback" "$WORK/server.log"; then
    echo "The server logged errors:"
    grep -A30 "Traceback" "$WORK/server.log" | head -80
    status=1
fi
if [[ $status -eq 124 ]]; then echo "schemathesis: stopped after ${TIME_LIMIT}s"; fi
exit $status
