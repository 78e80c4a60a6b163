#!/usr/bin/env bash
# Time to first run: what a newcomer waits for on a fresh clone, for each revision given, from an
# empty target directory: the README's first command (`cargo run --release -- serve --demo`)
# until the server answers /healthz, and its second (`cargo test --workspace`) to the end.
# Crates are fetched first and not counted (the registry is shared between the runs, so the
# first revision would otherwise pay for downloads the second does not).
#
#   [WHAT=serve|test] [KEEP_TARGET=1] benches/first-run.sh REVISION...
#
# Run it on a quiet machine: every figure is a wall-clock time. BENCHMARKS.md has the results.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
what=${WHAT:-both}
work=$(mktemp -d /tmp/first-run.XXXXXX)
port=18080
results=()

for rev in "$@"; do
  dir="$work/$rev"
  git clone -q --no-hardlinks "$repo" "$dir"
  git -C "$dir" checkout -q "$rev"
  (cd "$dir" && cargo fetch --locked -q)
  if [ "$what" != test ]; then
    start=$(date +%s)
    (cd "$dir" && ATELIER_ADDR="127.0.0.1:$port" ATELIER_DATA_DIR="$dir/data" \
      cargo run -q --release -- serve --demo >"$dir/serve.log" 2>&1) &
    pid=$!
    until curl -fs "http://127.0.0.1:$port/healthz" >/dev/null; do
      kill -0 $pid 2>/dev/null || { echo "serve failed for $rev; see $dir/serve.log" >&2; exit 1; }
      sleep 1
    done
    serve=$(( $(date +%s) - start ))
    pkill -TERM -P $pid || true
    pkill -TERM -f "$dir/target/release/atelier" || true
    wait $pid || true
    size=$(stat -c %s "$dir/target/release/atelier")
    results+=("$rev serve --demo answered after ${serve}s; release binary $((size / 1024 / 1024)) MiB")
  fi
  if [ "$what" != serve ]; then
    start=$(date +%s)
    (cd "$dir" && cargo test -q --workspace >"$dir/test.log" 2>&1) || { echo "tests failed for $rev; see $dir/test.log" >&2; exit 1; }
    tests=$(( $(date +%s) - start ))
    results+=("$rev cargo test --workspace took ${tests}s")
  fi
  printf '%s\n' "${results[@]}"
  [ -n "${KEEP_TARGET:-}" ] || rm -rf "$dir/target"
done
printf '%s\n' "${results[@]}"
