package adversary

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/miaudit/miaudit/dataset"
)

// blobs draws n rows of two equiprobable Gaussian classes in d dimensions
// with unit covariance and means ±(sep/2)·e₁. The Bayes classifier
// thresholds the first coordinate at 0; its accuracy is Φ(sep/2).
func blobs(rng *rand.Rand, n, d int, sep float64) (*dataset.Matrix, []int) {
	z := dataset.NewMatrix(n, d)
	y := make([]int, n)
	for i := range n {
		y[i] = rng.IntN(2)
		for j := range d {
			z.Data[i*d+j] = float32(rng.NormFloat64())
		}
		z.Data[i*d] += float32((float64(y[i]) - 0.5) * sep)
	}
	return z, y
}

func accuracy(a *Attacker, z *dataset.Matrix, y []int) float64 {
	rows := seq(0, z.Rows)
	lp := make([]float64, len(rows)*a.K)
	a.LogProba(z, rows, lp)
	correct := 0
	for r, want := range y {
		best := 0
		for k := 1; k < a.K; k++ {
			if lp[r*a.K+k] > lp[r*a.K+best] {
				best = k
			}
		}
		if best == want {
			correct++
		}
	}
	return float64(correct) / float64(len(y))
}

func TestAttackerReachesBayesAccuracy(t *testing.T) {
	// Two blobs with means 2 apart in 4 dimensions (three of pure noise):
	// the Bayes accuracy is Φ(1) = 0.841345 (python3
	// statistics.NormalDist().cdf(1)). Trained on 4,000 rows, the attacker
	// must be within 2 points of it on 20,000 test rows (whose accuracy
	// has a standard error of 0.26 points).
	const (
		bayes  = 0.8413447460685429
		maxGap = 0.02
	)
	rng := rand.New(rand.NewPCG(1, 2))
	ztr, ytr := blobs(rng, 4000, 4, 2)
	zte, yte := blobs(rng, 20000, 4, 2)
	a, err := Fit(context.Background(), ztr, seq(0, ztr.Rows), ytr, 2, AttackerConfig{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	acc := accuracy(a, zte, yte)
	t.Logf("accuracy %.4f (Bayes %.4f), %d epochs, best %d, validation CE %.4f", acc, bayes, a.Epochs, a.BestEpoch, a.ValLoss)
	if math.Abs(acc-bayes) > maxGap {
		t.Errorf("accuracy %.4f, Bayes %.4f ± %.2f", acc, bayes, maxGap)
	}
	if a.BestEpoch < 1 || a.BestEpoch > a.Epochs || math.IsNaN(a.ValLoss) {
		t.Errorf("epochs %d, best %d, validation loss %v", a.Epochs, a.BestEpoch, a.ValLoss)
	}
}

func TestAttackerLogProba(t *testing.T) {
	// Four classes, class 2 absent from training: its log-probability is
	// −Inf, the others' probabilities sum to 1, rows are independent of
	// the order they are asked in, and a second fit with the same seed is
	// identical.
	rng := rand.New(rand.NewPCG(5, 6))
	const n, d, k = 300, 3, 4
	z := dataset.NewMatrix(n, d)
	y := make([]int, n)
	for i := range n {
		y[i] = []int{0, 1, 3}[rng.IntN(3)]
		for j := range d {
			z.Data[i*d+j] = float32(rng.NormFloat64() + float64(y[i]))
		}
	}
	rows := seq(0, n)
	cfg := AttackerConfig{Hidden: []int{16}, Batch: 64, MaxEpochs: 20, Seed: 7}
	a, err := Fit(context.Background(), z, rows, y, k, cfg)
	if err != nil {
		t.Fatal(err)
	}
	lp := make([]float64, n*k)
	a.LogProba(z, rows, lp)
	for r := range n {
		row := lp[r*k : (r+1)*k]
		if !math.IsInf(row[2], -1) {
			t.Fatalf("row %d: absent class log-probability %v", r, row[2])
		}
		var s float64
		for _, v := range row {
			s += math.Exp(v)
		}
		if math.Abs(s-1) > 1e-12 {
			t.Errorf("row %d: probabilities sum to %v", r, s)
		}
	}
	rev := slices.Clone(rows)
	slices.Reverse(rev)
	lr := make([]float64, n*k)
	a.LogProba(z, rev, lr)
	for r, i := range rev {
		if !slices.Equal(lr[r*k:(r+1)*k], lp[i*k:(i+1)*k]) {
			t.Fatalf("row %d scored differently in another order", i)
		}
	}
	b, err := Fit(context.Background(), z, rows, y, k, cfg)
	if err != nil {
		t.Fatal(err)
	}
	lb := make([]float64, n*k)
	b.LogProba(z, rows, lb)
	if !slices.Equal(lb, lp) || a.Epochs != b.Epochs || a.ValLoss != b.ValLoss {
		t.Error("same seed, different attacker")
	}
}

func TestAttackerForwardMatchesGraph(t *testing.T) {
	// LogProba's plain-Go forward pass computes the network the training
	// graph trains: on one full batch, the graph's loss (mean −log q) and
	// the cross-entropy from the Go forward pass on the same weights agree
	// to float32 rounding (both sum float32 products; 1e-6 relative).
	const rtol = 1e-6
	rng := rand.New(rand.NewPCG(8, 8))
	z, y := blobs(rng, 64, 5, 1.5)
	rows := seq(0, 64)
	a := &Attacker{K: 2, Dim: 5, present: []int{0, 1}}
	a.standardiser(z, rows, rows)
	tr, err := newAttackerTrainer(a, AttackerConfig{Hidden: []int{7, 3}, LR: 1e-3}, 64, rng)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.machine.Close()
	for step := range 3 { // the initial weights, then after one and two steps
		a.layers = tr.layers(false)
		goCE := a.crossEntropy(z, rows, y, rows)
		// step runs the graph on the same weights, then updates them.
		if err := tr.step(z, rows, y, rows); err != nil {
			t.Fatal(err)
		}
		if graph := tr.machine.Loss(); math.Abs(graph-goCE) > rtol*goCE {
			t.Errorf("step %d: graph loss %.9g, Go forward cross-entropy %.9g", step, graph, goCE)
		}
	}
}

func TestAttackerRecordsValidationLoss(t *testing.T) {
	// ValLoss is the cross-entropy of the kept weights on the validation
	// rows, recomputed here from LogProba on the split Fit draws.
	rng := rand.New(rand.NewPCG(8, 8))
	z, y := blobs(rng, 500, 2, 1.5)
	rows := seq(0, 500)
	cfg := AttackerConfig{Hidden: []int{}, MaxEpochs: 30, Seed: 1}
	a, err := Fit(context.Background(), z, rows, y, 2, cfg)
	if err != nil {
		t.Fatal(err)
	}
	split := rand.New(rand.NewPCG(cfg.Seed, 0x61747461636b))
	_, val := stratifiedSplit(split, y, 2, DefaultValFraction)
	if len(val) != 50 {
		t.Errorf("%d validation rows of 500, want 50", len(val))
	}
	lp := make([]float64, len(val)*2)
	a.LogProba(z, val, lp)
	var ce float64
	for i, v := range val {
		ce -= lp[i*2+y[v]]
	}
	ce /= float64(len(val))
	if math.Abs(ce-a.ValLoss) > 1e-12 {
		t.Errorf("validation CE from LogProba %.15g, recorded %.15g", ce, a.ValLoss)
	}
}

// TestAttackerStoppingRule pins scikit-learn's stopping rule: the patience
// counter resets only on an improvement of the best validation loss by more
// than Tol, while the kept weights follow any improvement.
func TestAttackerStoppingRule(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	z, y := blobs(rng, 500, 2, 1.5)
	rows := seq(0, 500)
	// Tol = 100 nats: no epoch after the first (which improves on +Inf)
	// counts as progress, so training stops after exactly 1 + Patience
	// epochs, and the best epoch is still the lowest of the curve.
	a, err := Fit(context.Background(), z, rows, y, 2, AttackerConfig{Patience: 3, Tol: 100, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	if a.Epochs != 4 || len(a.ValCurve) != 4 {
		t.Fatalf("ran %d epochs (%d losses), want 1 + patience 3 = 4", a.Epochs, len(a.ValCurve))
	}
	best := 0
	for i, v := range a.ValCurve {
		if v < a.ValCurve[best] {
			best = i
		}
	}
	if a.BestEpoch != best+1 || a.ValLoss != a.ValCurve[best] {
		t.Errorf("kept epoch %d (loss %v), want the curve's minimum: epoch %d of %v", a.BestEpoch, a.ValLoss, best+1, a.ValCurve)
	}
	// Any decrease counts with a negative Tol: the run stops only after 3
	// epochs in a row without a new minimum (or at MaxEpochs).
	b, err := Fit(context.Background(), z, rows, y, 2, AttackerConfig{Patience: 3, Tol: -1, MaxEpochs: 60, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	if b.Epochs < b.BestEpoch || (b.Epochs != 60 && b.Epochs != b.BestEpoch+3) {
		t.Errorf("ran %d epochs with the best at %d, want best + 3 or 60", b.Epochs, b.BestEpoch)
	}
}

func TestAttackerErrors(t *testing.T) {
	z := dataset.NewMatrix(10, 2)
	rows := seq(0, 10)
	ctx := context.Background()
	if _, err := Fit(ctx, z, rows, make([]int, 10), 3, AttackerConfig{}); !errors.Is(err, ErrOneClass) {
		t.Errorf("one class: %v, want ErrOneClass", err)
	}
	y := []int{0, 1, 0, 1, 0, 1, 0, 1, 0, 5}
	if _, err := Fit(ctx, z, rows, y, 3, AttackerConfig{}); err == nil {
		t.Error("label 5 of 3 classes: no error")
	}
	y[9] = 1
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := Fit(cancelled, z, rows, y, 2, AttackerConfig{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v", err)
	}
	if _, err := Fit(ctx, z, rows, y, 2, AttackerConfig{ValFraction: 1}); err == nil {
		t.Error("validation fraction 1: no error")
	}
	a, err := Fit(ctx, z, rows, y, 2, AttackerConfig{ValFraction: -1, MaxEpochs: 3})
	if err != nil {
		t.Fatal(err)
	}
	if a.Epochs != 3 || a.BestEpoch != 3 || !math.IsNaN(a.ValLoss) {
		t.Errorf("without early stopping: epochs %d, best %d, loss %v", a.Epochs, a.BestEpoch, a.ValLoss)
	}
	for i, f := range []func(){
		func() { Fit(ctx, z, rows, y[:9], 2, AttackerConfig{}) },
		func() { Fit(ctx, z, rows, y, 0, AttackerConfig{}) },
		func() { a.LogProba(z, rows, make([]float64, 5)) },
		func() { a.LogProba(dataset.NewMatrix(3, 5), []int{0}, make([]float64, 2)) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("case %d did not panic", i)
				}
			}()
			f()
		}()
	}
}
