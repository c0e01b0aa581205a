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
# (937 steps), the defaults for images (the encoder centres every image,
# GRL head, 300 steps of DIM before λ rises, leaky ReLUs, clamped heads,
# 20 head steps per encoder step, DIM's negatives drawn within the writer
# at λ > 0) at λ = 0 (the reference) and λ = 1; and, for contrast, the
# same without centring (--center off) and with 15 head steps, the best
# setting before centring; 3 seeds each; audited on 6,000 train and 3,000 test
# rows. Credit: German credit (weka's credit-g.arff; Debian: apt-get
# install weka), an MLP encoder on all 20 columns, sex (the first word of
# personal_status) protected and the probe's fairness measured across it,
# 100 epochs, 10 head steps (auto for tables), λ = 0, 5 and 10, 5 seeds.
# Each part ends with `miaudit report` of its sweeps as Markdown and HTML
# in $OUT. Sweeps resume: running the script again skips finished runs.
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
#   λ = 0                    0.912 ± 0.003 0.558 ± 0.019        0.427    2.511 (a)
#   λ = 1 (the defaults)     0.926 ± 0.012 0.227 ± 0.015        0.086   −0.579
#   --center off, 15 steps:
#   λ = 0                    0.842 ± 0.010 0.871 ± 0.008        0.706    2.929 (a)
#   λ = 1                    0.848 ± 0.017 0.436 ± 0.007        0.220   −0.650
#   held out: seeds 3–5 (not run here: the same sweeps with --seed 3; the
#   writers' styles drawn again)
#   λ = 0                    0.889 ± 0.010 0.566 ± 0.009        0.418    2.533 (a)
#   λ = 1 (the defaults)     0.895 ± 0.006 0.208 ± 0.033        0.094   −0.554
#   --center off, 15 steps:
#   λ = 0                    0.795 ± 0.011 0.885 ± 0.005        0.720    3.308
#   λ = 1                    0.813 ± 0.014 0.442 ± 0.011        0.211   −0.530
#   not run here either, centred: λ = 2 with 15 steps, seeds 0–2 / 3–5
#                            0.932 ± 0.003 0.215 ± 0.028        0.095   −0.830
#                            0.915 ± 0.003 0.267 ± 0.048        0.113   −0.705
#   and without centring, λ = 1 with --critic-steps 17, then with
#   --adversary maxent (15 and 17 steps); seeds 0–2 / seeds 3–5:
#   GRL, 17 steps            0.806 ± 0.033 0.450 ± 0.029        0.227   −0.645
#                            0.792 ± 0.009 0.438 ± 0.029        0.217   −0.544
#   maxent, 15 steps         0.852 ± 0.006 0.447 ± 0.065        0.165   −0.867
#                            0.826 ± 0.010 0.474 ± 0.034        0.171   −0.795
#   maxent, 17 steps         0.837 ± 0.002 0.484 ± 0.086        0.189   −0.721
#                            0.810 ± 0.014 0.497 ± 0.118        0.191   −0.783
#
#   (a) the centred λ = 0 rows were measured with 15 head steps, the
#       uncentred seeds 0–2 with 5; at λ = 0 the head does not touch the
#       encoder, so only this column depends on the steps.
#
#   credit                   class probe   sex attacker accuracy   DPD of the
#                            accuracy      linear / MLP (0.660 =   class probe
#                                          majority)               across sex
#   λ = 0                    0.729 ± 0.007 0.920 / 0.881           0.097
#   λ = 5                    0.711 ± 0.026 0.681 / 0.660           0.049
#   λ = 10                   0.706 ± 0.010 0.708 / 0.660           0.060
#   held out: seeds 5–9 (not run here: the same sweep with --seed 5
#   --lambda 5,0; another split of the 1,000 rows)
#   λ = 0                    0.698 ± 0.013 0.916 / 0.883           0.130
#   λ = 5                    0.699 ± 0.018 0.664 / 0.654 (0.655)   0.042
#
# Against issue 5's bar: on writers, the defaults keep the digit probe
# (+1.5 and +0.7 points) and cut the MLP attacker's advantage by 59.3 % and
# 63.3 %; each of the six seeds by at least 57 % for at most 0.4 digit
# points (seeds 1, 2, 4 and 5 of the λ = 1 rows were trained in parallel
# with `miaudit train --data styled-mnist:DIR --seed S`, DIR written by
# `miaudit data styled-mnist --seed 0` or `--seed 3`: the same images and
# labels as the sweep's, checked value by value). Without centring the bar
# sat at the knee of every frontier tried (−49.9 % and −50.0 % for λ = 1
# and 15 steps): what was left in the codes was mostly where the digit
# sits, which centring removes. λ = 2 with 15 steps, centred, met it on
# the means (61.4 % and 52.8 %) but one seed cut only 43 %.
# On credit, λ = 5 leaves every seed's attackers within the bootstrap CI
# of the majority share and lowers the parity difference from 0.097 to
# 0.049 at a cost of 1.8 points (bar: 2; each seed's CI is about ±6 points
# on 200 test rows); λ = 5 was chosen on seeds 0–4, and on seeds 5–9 it
# cost nothing (0.699 against 0.698) and the parity difference fell from
# 0.130 to 0.042. The
# training head ends below 0 nats on writers while fresh attackers still
# find the writer of a fifth of the codes: the encoder fools its own head;
# the audit shows it. What else was tried: see the documentation of package
# minmax.
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
  pair writers-0 "--lambda 0" writers-l1 "--lambda 1"
  pair writers-0-uncentred "--lambda 0 --center off --critic-steps 15" writers-l1-uncentred "--lambda 1 --center off --critic-steps 15"
  dirs=("$OUT/writers-0" "$OUT/writers-l1" "$OUT/writers-0-uncentred" "$OUT/writers-l1-uncentred")
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
    --lambda 0,5,10 --seeds "${SEEDS:-5}" $CR --quiet --out "$OUT/credit" > "$OUT/credit.txt" 2>&1
  "$bin" report "$OUT/credit" --out "$OUT/credit.md" --force
  "$bin" report "$OUT/credit" --out "$OUT/credit.html" --force
  echo "credit: $OUT/credit.md, $OUT/credit.html"
fi
