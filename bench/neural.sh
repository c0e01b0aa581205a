#!/usr/bin/env bash
# Side-by-side benchmark of the neural steps against tuned PyTorch, in one
# run: the MLP+MINE step of ../shared/reference/torch_workloads.py (`mlp`)
# and one critic training step (batch 256, z 128, 1,000 identities), each
# built pure Go and with -tags openblas (needs libopenblas-dev), then the
# torch reference (python3-torch 1.13, tuned as GORGONIA.md says).
#
#   bash bench/neural.sh
set -euo pipefail
cd "$(dirname "$0")/.."
REF=${REF:-../shared/reference/torch_workloads.py}
echo "# $(nproc) cores; $(uptime)"
for build in pure openblas; do
  tags=() env=()
  if [ "$build" = openblas ]; then tags=(-tags openblas); env=(CGO_LDFLAGS=-lopenblas); fi
  echo "## $build"
  env "${env[@]}" go test "${tags[@]}" -run xxx -bench 'MLPStep' -benchmem -benchtime 40x ./nn | grep Benchmark
  env "${env[@]}" go test "${tags[@]}" -run xxx -bench 'CriticStep' -benchmem -benchtime 20x ./adversary | grep Benchmark
done
echo "## torch (tuned)"
GLIBC_TUNABLES=glibc.malloc.mmap_threshold=4294967296:glibc.malloc.trim_threshold=4294967296 \
  OPENBLAS_NUM_THREADS=2 /usr/bin/python3 "$REF" mlp 1 | grep -E 'RESULT|rss'
