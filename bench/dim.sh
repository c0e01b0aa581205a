#!/usr/bin/env bash
# The DIM quality run of issue 4: on MNIST, the linear-probe test accuracy
# of (1) a trained DIM(L, JSD) encoder's 64-d code, (2) the same network at
# its initial weights, (3) the raw pixels, each measured by the audit's
# linear probe (multinomial logistic regression, C by 5-fold CV over 7
# values; for the 784 pixels C = 1, scikit-learn's default, as the CV takes
# about 40 minutes there) trained on MNIST's 60,000 training images and
# scored on its 10,000 test images.
#
#   bash bench/dim.sh                  # pure Go, 1 epoch (938 steps)
#   BUILD=openblas bash bench/dim.sh   # -tags openblas (needs libopenblas-dev)
#   EPOCHS=2 bash bench/dim.sh
#
# Prints the training and embedding wall times and the three accuracies.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-bench/out/dim}
EPOCHS=${EPOCHS:-1}
BUILD=${BUILD:-pure}
TRAIN_FLAGS=${TRAIN_FLAGS:-}
mkdir -p "$OUT"
if [ "$BUILD" = openblas ]; then
  CGO_LDFLAGS=-lopenblas go build -tags openblas -o "$OUT/miaudit" ./cmd/miaudit
else
  go build -o "$OUT/miaudit" ./cmd/miaudit
fi
mi=$OUT/miaudit
"$mi" version
audit() { # embeddings labels [flags] → test accuracy of the digit probe
  "$mi" audit --embeddings "$1" --labels "$2" --split split --target digit \
    --attackers linear --estimators "" --bootstrap 200 --format csv -q "${@:3}" |
    awk -F, '$4 == "linear probe accuracy" { printf "%.4f [%.4f, %.4f]", $7, $8, $9 }'
}
rm -rf "$OUT/run" "$OUT/init"
t0=$(date +%s.%N)
# shellcheck disable=SC2086
"$mi" train --data mnist --epochs "$EPOCHS" --out "$OUT/run" -q $TRAIN_FLAGS
t1=$(date +%s.%N)
"$mi" embed --model "$OUT/run" --out "$OUT/dim.npy" --force -q
t2=$(date +%s.%N)
# shellcheck disable=SC2086
"$mi" train --data mnist --init-only --out "$OUT/init" -q $TRAIN_FLAGS
"$mi" embed --model "$OUT/init" --out "$OUT/init.npy" --force -q
go run ./bench/pixels -data mnist -out "$OUT/pixels"
printf 'build %s: training %.0f s (%s epochs), embedding 70,000 images %.0f s\n' "$BUILD" \
  "$(echo "$t1 - $t0" | bc)" "$EPOCHS" "$(echo "$t2 - $t1" | bc)"
echo "linear-probe test accuracy (95 % CI):"
echo "  DIM code (64-d):        $(audit "$OUT/dim.npy" "$OUT/dim.csv")"
echo "  untrained network:      $(audit "$OUT/init.npy" "$OUT/init.csv")"
echo "  raw pixels (784-d, C=1): $(audit "$OUT/pixels/Z.npy" "$OUT/pixels/labels.csv" --c-grid 1)"
