#!/usr/bin/env bash
# A/B of two atelier builds under wrk (BENCHMARKS.md, "/healthz and a page, before and after"):
# both servers run on their own demo data, idle when not measured, and the runs alternate.
#   bash benches/ab-wrk.sh <binary A> <binary B> [rounds] [duration]
set -u
A=$1; B=$2; ROUNDS=${3:-4}; DUR=${4:-8s}
rm -rf /tmp/ab && mkdir -p /tmp/ab/a /tmp/ab/b
ATELIER_LOG=warn $A serve --demo --data-dir /tmp/ab/a --addr 127.0.0.1:18181 > /tmp/ab/a.log 2>&1 &
PA=$!
ATELIER_LOG=warn $B serve --demo --data-dir /tmp/ab/b --addr 127.0.0.1:18182 > /tmp/ab/b.log 2>&1 &
PB=$!
for port in 18181 18182; do for i in $(seq 1 120); do curl -sf localhost:$port/healthz >/dev/null && break; sleep 1; done; done
for r in $(seq 1 $ROUNDS); do
  for side in a b; do
    port=18181; [ $side = b ] && port=18182
    for path in /healthz /groups/2; do
      rate=$(wrk -t2 -c64 -d$DUR --latency http://127.0.0.1:$port$path | awk '/Requests\/sec/ {print $2} / 99%/ {p=$2} END {print p}' | tr '\n' ' ')
      echo "round $r side $side $path $rate"
    done
  done
done
kill $PA $PB
