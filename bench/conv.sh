#!/usr/bin/env bash
# The DIM conv training step (the `conv` workload of
# ../shared/reference/torch_workloads.py: batch 64 of 1×32×32, conv 3×3 64 →
# 4×4/2 128 → 4×4/2 256 → fc 64, local JSD with a 1×1 conv, Adam) in Go —
# pure Go and -tags openblas (needs libopenblas-dev) — and in tuned PyTorch,
# in one run, with each process's peak RSS.
#
#   bash bench/conv.sh
set -euo pipefail
cd "$(dirname "$0")/.."
REF=${REF:-../shared/reference/torch_workloads.py}
OUT=${OUT:-bench/out}
mkdir -p "$OUT"
echo "# $(nproc) cores; $(uptime)"
go test -c -o "$OUT/nn.test" ./nn
CGO_LDFLAGS=-lopenblas go test -tags openblas -c -o "$OUT/nn_openblas.test" ./nn
run() { # name, command...
  local name=$1; shift
  /usr/bin/time -f "%M" -o "$OUT/rss.txt" "$@" > "$OUT/$name.txt" 2>&1
  grep -E 'Benchmark|RESULT' "$OUT/$name.txt" | sed "s/^/$name: /"
  echo "$name: peak RSS $(( $(cat "$OUT/rss.txt") / 1024 )) MiB"
}
run pure "$OUT/nn.test" -test.run xxx -test.bench 'DIMConvStep$' -test.benchmem -test.benchtime 10x
OPENBLAS_NUM_THREADS=1 run openblas "$OUT/nn_openblas.test" -test.run xxx -test.bench 'DIMConvStep$' -test.benchmem -test.benchtime 20x
GLIBC_TUNABLES=glibc.malloc.mmap_threshold=4294967296:glibc.malloc.trim_threshold=4294967296 \
  OPENBLAS_NUM_THREADS=1 run torch /usr/bin/python3 "$REF" conv 2
