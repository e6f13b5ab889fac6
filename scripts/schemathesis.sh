#!/usr/bin/env bash
# Fuzz the REST API against its own OpenAPI schema with schemathesis.
#
#   scripts/schemathesis.sh            # about two minutes; MAX_EXAMPLES=5: about one
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/alert_ci scripts/schemathesis.sh
#
# Builds a throwaway database (the shipped dataset and an administrator with a
# token): a SQLite file, or with DATABASE_URL set to PostgreSQL a database of
# its own on that server (the URL's name + "_schemathesis"), created here and
# dropped at the end. Serves it on loopback, and runs schemathesis with an
# administrator's token and every check it has: every operation, positive
# and negative data. It fails on any server error (5xx), any response that
# breaks the schema, any status code or content type the schema does not
# document, any invalid request the server accepts. Bounded in time: at most
# MAX_EXAMPLES cases per operation and TIME_LIMIT seconds overall. It stops
# the server it started, whatever happens.
set -euo pipefail

cd "$(dirname "$0")/.."
PY=.venv/bin/python
PORT="${PORT:-8196}"
MAX_EXAMPLES="${MAX_EXAMPLES:-30}"
# A fixed seed by default, so that CI's run is the same run every time and a
# failure can be replayed; SEED=random (or another number) explores further.
SEED="${SEED:-20261207}"
TIME_LIMIT="${TIME_LIMIT:-300}"
WORK="$(mktemp -d)"
SERVER_PID=""

export DJANGO_DEBUG=1
export DJANGO_SETTINGS_MODULE=alert.settings
unset REDIS_URL  # the server's cache is its own: nothing shared to empty afterwards

# create | drop the throwaway PostgreSQL database named by DATABASE_URL.
postgres_database() {
    $PY - "$1" <<'PY'
import os, sys
import dj_database_url, psycopg
from psycopg import sql
config = dj_database_url.parse(os.environ["DATABASE_URL"])
with psycopg.connect(
    host=config["HOST"], port=config["PORT"] or 5432, user=config["USER"],
    password=config["PASSWORD"] or None, dbname="postgres", autocommit=True,
) as connection:
    name = sql.Identifier(config["NAME"])
    connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
    if sys.argv[1] == "create":
        connection.execute(sql.SQL("CREATE DATABASE {}").format(name))
PY
}

POSTGRES=""
if [[ "${DATABASE_URL:-}" == postgres* ]]; then
    POSTGRES=1
    export DATABASE_URL="${DATABASE_URL%%\?*}_schemathesis"
    postgres_database create
else
    export DATABASE_URL="sqlite:///$WORK/db.sqlite3"
fi

cleanup() {
    if [[ -n "$SERVER_PID" ]]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    if [[ -n "$POSTGRES" ]]; then postgres_database drop || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT
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
CONFIG="$PWD/scripts/schemathesis.toml"
# Run from the throwaway folder: schemathesis keeps a cache in ./.schemathesis.
(cd "$WORK" && timeout "$TIME_LIMIT" "$ST" --config-file "$CONFIG" run "$WORK/schema.yaml" \
    --url "http://127.0.0.1:$PORT" \
    --header "Authorization: Token $TOKEN" \
    --checks all \
    --max-examples "$MAX_EXAMPLES" \
    $([[ "$SEED" == random ]] || echo --seed "$SEED") \
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
