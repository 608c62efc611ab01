#!/usr/bin/env bash
# The example as four processes: name server, broker, order service (with shipping) and payment
# service, each with its own log in the run directory. Stop them with stop.sh. See docs/example.md.
#
#   examples/order-service/multi-process/start.sh        # after `npm run build`
#   DATABASE_URL=postgres://... start.sh                 # services on PostgreSQL instead of PGlite
#   start.sh payment-service                             # start one service again (after kill -9)
#
# Ports: name server 9876, broker 10911 (and 10909, 10912), order service 8080, payment service 8081.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
run="${KEEL_EXAMPLE_RUN_DIR:-$here/run}"
keel="$root/packages/broker/dist/cli/main.js"
dist="$root/examples/order-service/dist"

if [[ ! -f "$keel" || ! -f "$dist/order-service.js" ]]; then
  echo "The example is not built: run \`npm run build\` first." >&2
  exit 2
fi
only="${1:-}"
if [[ -n "$only" && "$only" != order-service && "$only" != payment-service ]]; then
  echo "start.sh [order-service|payment-service]: unknown service $only" >&2
  exit 2
fi
if [[ -z "$only" && -f "$run/pids" ]]; then
  echo "$run/pids exists: the example seems to be running; stop it with $here/stop.sh first." >&2
  exit 2
fi
if [[ -n "$only" && ! -f "$run/pids" ]]; then
  echo "the example is not running ($run/pids is missing); run start.sh without arguments" >&2
  exit 2
fi
mkdir -p "$run"

# start <name> <command...>: runs it in the background, its output appended to <name>.log.
start() {
  local name="$1"
  shift
  "$@" >>"$run/$name.log" 2>&1 &
  echo "$name $!" >>"$run/pids"
}

# wait_ready <name>: until its log has the ready line, or it died, or 30 s passed.
wait_ready() {
  local name="$1" pid
  pid="$(awk -v n="$name" '$1 == n { print $2 }' "$run/pids")"
  for _ in $(seq 1 300); do
    if grep " ready " "$run/$name.log" | grep -q "pid=$pid\b"; then
      echo "  $name ready (pid $pid, log $run/$name.log)"
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "$name exited; its log says:" >&2
      tail -20 "$run/$name.log" >&2
      "$here/stop.sh" >/dev/null 2>&1 || true
      exit 1
    fi
    sleep 0.1
  done
  echo "$name did not get ready in 30 s; see $run/$name.log" >&2
  "$here/stop.sh" >/dev/null 2>&1 || true
  exit 1
}

start_payment() {
  start payment-service node "$dist/payment-service.js" --name-server 127.0.0.1:9876 --port 8081 \
    --data-dir "$run/payment-db"
  wait_ready payment-service
}
start_order() {
  start order-service node "$dist/order-service.js" --name-server 127.0.0.1:9876 --port 8080 \
    --data-dir "$run/order-db"
  wait_ready order-service
}

# One service again: its old pid line is dropped (stop.sh stops the newest one anyway).
if [[ -n "$only" ]]; then
  awk -v n="$only" '$1 != n' "$run/pids" >"$run/pids.new" && mv "$run/pids.new" "$run/pids"
  if [[ "$only" == payment-service ]]; then start_payment; else start_order; fi
  exit 0
fi

sed "s|@RUN@|$run|g" "$here/namesrv.properties" >"$run/namesrv.properties"
sed "s|@RUN@|$run|g" "$here/broker.properties" >"$run/broker.properties"

echo "Starting the example in $run"
rm -f "$run"/*.log
start namesrv node "$keel" namesrv -c "$run/namesrv.properties"
wait_ready namesrv
start broker node "$keel" broker -c "$run/broker.properties"
wait_ready broker

# Created up front so that no consumer waits for a topic to appear (route polls are 30 s apart).
for topic in order-created payment-succeeded payment-failed order-status; do
  node "$keel" admin updateTopic -n 127.0.0.1:9876 -c KeelExample -t "$topic" -r 4 -w 4 >/dev/null
done

start_payment
start_order

cat <<TEXT

Orders:   curl -s -X POST localhost:8080/orders -H 'Idempotency-Key: order-1' \\
            -H 'content-type: application/json' -d '{"userId":"user-001","sku":"MUG","qty":1}'
          curl -s localhost:8080/orders/<id>     curl -s localhost:8080/products/MUG
Accounts: curl -s localhost:8081/accounts/user-001
Crash:    kill -9 \$(awk '\$1 == "payment-service" { print \$2 }' $run/pids)
          $here/start.sh payment-service        # and it carries on where it stopped
Stop:     $here/stop.sh
TEXT
