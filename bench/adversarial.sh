#!/usr/bin/env bash
# The adversarial-training quality experiment of issue 5: does training
# against an adversary head hide the protected attribute from fresh
# attackers, and what does it cost the task?
#
#   bash bench/adversarial.sh             # everything: about 75 min on 2 cores
#   PART=writers bash bench/adversarial.sh
#   PART=credit bash bench/adversarial.sh
#   QUICK=1 bash bench/adversarial.sh     # a smoke run of the script (minutes; meaningless figures)
#
# Writers: styled-writers MNIST (50 writers), writer protected, one epoch
# (937 steps), the default head (GRL, 300 steps of DIM before λ rises,
# leaky ReLUs, clamped heads) at λ = 0 and at λ = 0.3 with 7 and 8 head
# steps per encoder step, and λ = 0.3 with the default 5 steps unclamped
# (--clamp off) for contrast; 3 seeds each; audited on 6,000 train and
# 3,000 test rows. Credit: German credit (weka's credit-g.arff; Debian:
# apt-get install weka), an MLP encoder on all 20 columns, sex (the first
# word of personal_status) protected and the probe's fairness measured
# across it, 100 epochs, λ = 0, 3 and 10, 5 seeds. Each part ends with
# `miaudit report` of its sweeps as Markdown and HTML in $OUT. Sweeps
# resume: running the script again skips finished runs.
#
# Measured on the dev machine (2 cores, -tags openblas, December 2026; mean
# ± sd over seeds; each cell's bootstrap CI is in the reports). The writers'
# audits use the default C grid (1e-4 … 100); an earlier version of this
# script cut it to 0.01, 0.1, 1, where every linear probe chose C = 1, the
# edge, and the λ = 0 digit probe read 0.790 instead of 0.842, hiding most
# of the utility cost.
#
#   writers                  digit probe   writer MLP attacker  rank-1   training
#                            accuracy      advantage            re-id.   head (nats)
#   λ = 0                    0.842 ± 0.010 0.871 ± 0.008        0.706    2.929
#   λ = 0.3, 5 steps, off    0.810 ± 0.022 0.683 ± 0.056        0.369   −0.231
#   λ = 0.3, 7 steps         0.823 ± 0.009 0.597 ± 0.080        0.269   −0.044
#   λ = 0.3, 8 steps         0.801 ± 0.022 0.538 ± 0.095        0.265   −0.037
#
#   credit                   class probe   sex attacker accuracy   DPD of the
#                            accuracy      linear / MLP (0.660 =   class probe
#                                          majority)               across sex
#   λ = 0                    0.729 ± 0.007 0.920 / 0.881           0.097
#   λ = 3                    0.698 ± 0.014 0.683 / 0.660           0.040
#   λ = 10                   0.706 ± 0.018 0.660 / 0.660           0.020
#
# Against issue 5's bar: on writers, 7 clamped head steps cost 1.9 points of
# digit accuracy and cut the MLP attacker's advantage by 31 % (rank-1
# re-identification by 62 %); 8 steps cut it by 38 % at a cost of 4.1
# points — the bar (halved at ≤ 2 points) is not met. On credit, λ = 10
# puts both attackers at the majority share and the parity difference
# falls from 0.097 to 0.020, at a cost of 2.3 points (bar: 2; each seed's
# CI is about ±6 points on 200 test rows). Unclamped, the training head
# ends below 0 nats on writers while fresh attackers find 2.9 nats
# (Barber–Agakov, MLP): the encoder fools its own head; the audit shows it.
# What else was tried, and moved nothing past this curve: see the
# documentation of package minmax.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-bench/out/adversarial}
PART=${PART:-all}
mkdir -p "$OUT"

bin="$OUT/miaudit"
if [ -e /usr/include/x86_64-linux-gnu/cblas.h ] || [ -e /usr/include/cblas.h ]; then
  CGO_LDFLAGS=-lopenblas go build -tags openblas -o "$bin" ./cmd/miaudit
  export OPENBLAS_NUM_THREADS=1 # two sweeps share the two cores
else
  go build -o "$bin" ./cmd/miaudit
fi
"$bin" version

if [ -n "${QUICK:-}" ]; then
  W="--max-rows 640 --audit-rows 500 --audit-attackers linear --audit-estimators knn"
  CR="--epochs 2 --audit-attackers linear"
  SEEDS=2
else
  W="--audit-rows 6000 --audit-estimators knn,club"
  CR="--epochs 100 --audit-estimators knn,club"
  SEEDS=""
fi

if [ "$PART" = all ] || [ "$PART" = writers ]; then
  w="--data styled-mnist --protect writer --epochs 1 --quiet --seeds ${SEEDS:-3} $W"
  # Two sweeps at a time, one per core.
  pair() { # dir1 "flags1" dir2 "flags2"
    "$bin" sweep $w $2 --out "$OUT/$1" > "$OUT/$1.txt" 2>&1 &
    local p1=$!
    "$bin" sweep $w $4 --out "$OUT/$3" > "$OUT/$3.txt" 2>&1 &
    local p2=$!
    wait $p1
    wait $p2
  }
  pair writers-0 "--lambda 0" writers-k7 "--lambda 0.3 --critic-steps 7"
  pair writers-k8 "--lambda 0.3 --critic-steps 8" writers-off "--lambda 0.3 --clamp off"
  dirs=("$OUT/writers-0" "$OUT/writers-off" "$OUT/writers-k7" "$OUT/writers-k8")
  "$bin" report "${dirs[@]}" --out "$OUT/writers.md" --force
  "$bin" report "${dirs[@]}" --out "$OUT/writers.html" --force
  echo "writers: $OUT/writers.md, $OUT/writers.html"
fi

if [ "$PART" = all ] || [ "$PART" = credit ]; then
  arff=/usr/share/doc/weka/examples/credit-g.arff
  [ -e "$arff" ] || { echo "$arff is missing: apt-get install weka" >&2; exit 1; }
  f=checking_status,duration,credit_history,purpose,credit_amount,savings_status,employment
  f=$f,installment_commitment,personal_status,other_parties,residence_since,property_magnitude
  f=$f,age,other_payment_plans,housing,existing_credits,job,num_dependents,own_telephone,foreign_worker
  "$bin" sweep --data "table:$arff" --features "$f" --label-columns class,personal_status \
    --derive 'sex=personal_status:^(male|female)' --protect sex --target class --group sex \
    --lambda 0,3,10 --seeds "${SEEDS:-5}" $CR --quiet --out "$OUT/credit" > "$OUT/credit.txt" 2>&1
  "$bin" report "$OUT/credit" --out "$OUT/credit.md" --force
  "$bin" report "$OUT/credit" --out "$OUT/credit.html" --force
  echo "credit: $OUT/credit.md, $OUT/credit.html"
fi
