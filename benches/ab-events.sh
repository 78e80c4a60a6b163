#!/usr/bin/env bash
# A/B of two atelier builds on the write paths the outbox appends to (BENCHMARKS.md, "Events"):
# the member import of the foundation bench (236,341 rows into the demo's sections; SQLite, and
# PostgreSQL when ATELIER_BENCH_DATABASE_URL is set) and the trace replay of the co-editing
# bench (edits stored per second through the sync socket). A and B alternate, round by round.
#   cargo bench --bench coediting --no-run
#   bash benches/ab-events.sh <binary A> <binary B> [rounds]
set -eu
A=$1; B=$2; ROUNDS=${3:-3}
W=$(mktemp -d /tmp/ab-events.XXXX)
BENCH=$(ls -t target/release/deps/coediting-* | grep -v '\.d$' | head -1)
# The foundation bench's rows (`rows()` in benches/foundation.rs), the same every run.
python3 - "$W/members.csv" <<'PY'
import sys
first = ["Adèle", "Ahmed", "Alice", "Antoine", "Bastien", "Chloé", "Claire", "Damien", "Élodie",
         "Fatou", "Guillaume", "Hélène", "Jules", "Léa", "Mehdi", "Nadia", "Olivier", "Pauline",
         "Rachid", "Zoé"]
last = ["Bernard", "Dubois", "Durand", "Fontaine", "Garnier", "Lambert", "Leroy", "Martin",
        "Moreau", "N'Diaye", "Nguyen", "Petit", "Robert", "Roux", "Simon"]
sections = ["Lille-Centre", "Roubaix", "Tourcoing", "Villeneuve-d'Ascq", "Bordeaux-Centre",
            "Mérignac", "Pessac", "Talence", "Lyon 1er", "Villeurbanne", "Vénissieux",
            "Caluire-et-Cuire"]
with open(sys.argv[1], "w") as out:
    out.write("email,name,section,role\n")
    for i in range(236341):
        name = f"{first[i % len(first)]} {last[(i // len(first)) % len(last)]}"
        role = "supporter" if i % 100 <= 14 else "secretary" if i % 100 == 99 else "member"
        out.write(f"membre{i}@exemple.fr,{name},{sections[i % len(sections)]},{role}\n")
PY
ms() { echo $(( $(date +%s%N) / 1000000 )); }
import() { # binary, data dir, [database url]
  local extra=(); [ $# -ge 3 ] && extra=(--database-url "$3")
  ATELIER_LOG=warn $1 demo --data-dir "$2" "${extra[@]}" > /dev/null
  local s; s=$(ms)
  ATELIER_LOG=warn $1 import members "$W/members.csv" --data-dir "$2" "${extra[@]}" > /dev/null
  echo $(( $(ms) - s ))
}
for r in $(seq 1 "$ROUNDS"); do
  for side in a b; do
    BIN=$A; [ $side = b ] && BIN=$B
    echo "round $r side $side import-sqlite-ms $(import "$BIN" "$W/$side-$r")"
    rm -rf "${W:?}/$side-$r"
    if [ -n "${ATELIER_BENCH_DATABASE_URL:-}" ]; then
      db=ab_events_${side}_$r
      psql -q "$ATELIER_BENCH_DATABASE_URL" -c "create database $db"
      echo "round $r side $side import-postgres-ms $(import "$BIN" "$W/$side-$r-pg" "${ATELIER_BENCH_DATABASE_URL%/*}/$db")"
      psql -q "$ATELIER_BENCH_DATABASE_URL" -c "drop database $db with (force)"
      rm -rf "${W:?}/$side-$r-pg"
    fi
    echo "round $r side $side replay $(ATELIER_BENCH_BIN=$BIN $BENCH --only replay | grep 'trace replay')"
  done
done
rm -rf "$W"
