#!/usr/bin/env bash
# Side-by-side benchmark of `miaudit audit` and the scikit-learn reference
# (../shared/reference/sklearn_audit.py) on the same files, in the same run:
# 100,000 × 128 float32 embeddings, a 10-class target, 1,000 identities and a
# two-level group. Prints wall time and peak RSS of each.
#
#   bash bench/audit.sh                 # defaults: 100000 rows, 128 dims, 1000 ids
#   ROWS=20000 IDS=200 bash bench/audit.sh
#
# Needs /usr/bin/python3 with scikit-learn 1.2 (Debian: apt-get install -y
# python3-sklearn) and GNU time (/usr/bin/time).
#
# "Same work": the reference fits C = 1 (--no-cv) and computes no intervals,
# and trains no neural attacker or critic, so miaudit runs with --c-grid 1
# --bootstrap 0 --attackers linear --estimators knn for the comparison, built
# pure Go and (OPENBLAS=1, the default; needs libopenblas-dev) with -tags
# openblas. FULL=1 adds a run of the full default audit (C by 5-fold CV over
# 7 values, 200 bootstrap resamples) — the reference with CV would take hours
# at 1,000 classes.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-100000}
DIM=${DIM:-128}
IDS=${IDS:-1000}
OUT=${OUT:-bench/out}
REF=${REF:-../shared/reference/sklearn_audit.py}
OPENBLAS=${OPENBLAS:-1}

mkdir -p "$OUT"
go build -o "$OUT/miaudit" ./cmd/miaudit
if [ "$OPENBLAS" = 1 ]; then
  CGO_LDFLAGS=-lopenblas go build -tags openblas -o "$OUT/miaudit-openblas" ./cmd/miaudit
fi
go run ./bench/genaudit -rows "$ROWS" -dim "$DIM" -ids "$IDS" -out "$OUT"
array_mb=$(echo "$ROWS * $DIM * 4 / 1000000" | bc -l)
printf '# embeddings: %s × %s float32 = %.1f MB; identities: %s; %s cores\n' "$ROWS" "$DIM" "$array_mb" "$IDS" "$(nproc)"

measure() { # name, command...
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$OUT/time.txt" "$@" > "$OUT/$name.out" 2> "$OUT/$name.err" || { cat "$OUT/$name.err"; return 1; }
  read -r secs kb < "$OUT/time.txt"
  printf 'RESULT %-34s wall %8.1f s   peak RSS %7.1f MB (%.2f× the array)\n' "$name" "$secs" "$(echo "$kb/1000" | bc -l)" "$(echo "$kb/1000/$array_mb" | bc -l)"
  echo "$secs" > "$OUT/$name.secs"
}

common=(--embeddings "$OUT/Z.npy" --labels "$OUT/labels.csv" --target y --protected identity --group sex --seed 0)
same=(--c-grid 1 --bootstrap 0 --attackers linear --estimators knn --format json)
measure "miaudit (C=1, no bootstrap)" "$OUT/miaudit" audit "${common[@]}" "${same[@]}"
if [ "$OPENBLAS" = 1 ]; then
  measure "miaudit openblas (C=1, no bootstrap)" "$OUT/miaudit-openblas" audit "${common[@]}" "${same[@]}"
fi
measure "sklearn reference (C=1)" /usr/bin/python3 "$REF" "${common[@]}" --no-cv
ref=$(cat "$OUT/sklearn reference (C=1).secs")
printf 'RATIO miaudit pure Go / sklearn wall time (same work): %.2f\n' "$(echo "$(cat "$OUT/miaudit (C=1, no bootstrap).secs") / $ref" | bc -l)"
if [ "$OPENBLAS" = 1 ]; then
  printf 'RATIO miaudit OpenBLAS / sklearn wall time (same work): %.2f\n' "$(echo "$(cat "$OUT/miaudit openblas (C=1, no bootstrap).secs") / $ref" | bc -l)"
fi
if [ "${FULL:-0}" = 1 ]; then
  measure "miaudit (defaults: CV, 200 resamples)" "$OUT/miaudit" audit "${common[@]}" --format json
fi
grep -h timings "$OUT/sklearn reference (C=1).err" || true
