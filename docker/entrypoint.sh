#!/bin/sh
# Apply migrations, then run the given command. `sojourn db migrate` holds a PostgreSQL
# advisory lock while it works, so replicas starting together take turns (Piccolo has no
# lock of its own); compose.yml still runs them once, in the `migrate` service, and sets
# SOJOURN_SKIP_MIGRATIONS=1 for the app and the worker.
set -e
if [ "${SOJOURN_SKIP_MIGRATIONS:-0}" != "1" ]; then
  sojourn db migrate
fi
exec "$@"
