#!/usr/bin/env bash
# Stops what start.sh started, services first, each with SIGTERM (a graceful stop), waiting up to
# 15 s for each to exit.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
run="${KEEL_EXAMPLE_RUN_DIR:-$here/run}"

if [[ ! -f "$run/pids" ]]; then
  echo "Nothing to stop: $run/pids does not exist."
  exit 0
fi

for name in order-service payment-service broker namesrv; do
  pid="$(awk -v n="$name" '$1 == n { print $2 }' "$run/pids" | tail -1)"
  [[ -z "$pid" ]] && continue
  if kill -TERM "$pid" 2>/dev/null; then
    for _ in $(seq 1 150); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      echo "$name (pid $pid) did not stop in 15 s; killing it" >&2
      kill -KILL "$pid" 2>/dev/null
    fi
    echo "  $name stopped"
  fi
done
rm -f "$run/pids"
