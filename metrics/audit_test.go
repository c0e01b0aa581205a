package metrics

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/miaudit/miaudit/adversary"
	"github.com/miaudit/miaudit/dataset"
	"github.com/miaudit/miaudit/metrics/bootstrap"
	"github.com/miaudit/miaudit/metrics/probe"
	"github.com/miaudit/miaudit/metrics/roc"
)

func TestStratifiedSplit(t *testing.T) {
	// 10 rows of class 0, 20 of class 1, 7 of class 2; fraction 0.3:
	// ceil(0.3·37) = 12 test rows; exact shares 3, 6, 2.1 → floors 3, 6, 2
	// (11) and the largest remainder (class 2, 0.1) takes the 12th: 3, 6, 3.
	var strata []int
	for c, n := range []int{10, 20, 7} {
		for range n {
			strata = append(strata, c)
		}
	}
	train, test := stratifiedSplit(strata, len(strata), 0.3, rand.New(rand.NewPCG(1, 2)))
	if len(train)+len(test) != 37 || len(test) != 12 {
		t.Fatalf("got %d train %d test, want 25 and 12", len(train), len(test))
	}
	count := make([]int, 3)
	for _, i := range test {
		count[strata[i]]++
	}
	if !slices.Equal(count, []int{3, 6, 3}) {
		t.Errorf("got test counts per class %v, want [3 6 3]", count)
	}
	if !slices.IsSorted(train) || !slices.IsSorted(test) {
		t.Error("split indexes are not sorted")
	}
	all := append(slices.Clone(train), test...)
	slices.Sort(all)
	for i, v := range all {
		if v != i {
			t.Fatalf("train and test do not partition the rows: %v", all)
		}
	}
	train2, test2 := stratifiedSplit(strata, len(strata), 0.3, rand.New(rand.NewPCG(1, 2)))
	if !slices.Equal(train, train2) || !slices.Equal(test, test2) {
		t.Error("same seed gave a different split")
	}
	_, test3 := stratifiedSplit(strata, len(strata), 0.3, rand.New(rand.NewPCG(2, 2)))
	if slices.Equal(test, test3) {
		t.Error("a different seed gave the same split")
	}
}

func TestColumnSplit(t *testing.T) {
	train, test, err := columnSplit("split", []string{"train", " Test", "TRAIN", "test"})
	if err != nil || !slices.Equal(train, []int{0, 2}) || !slices.Equal(test, []int{1, 3}) {
		t.Errorf("got %v %v %v", train, test, err)
	}
	_, _, err = columnSplit("split", []string{"train", "valid"})
	if err == nil || !strings.Contains(err.Error(), "row 1") || !strings.Contains(err.Error(), `"valid"`) {
		t.Errorf("got %v, want an error naming row 1 and the value", err)
	}
	if _, _, err = columnSplit("split", []string{"train", "train"}); err == nil {
		t.Error("got no error for a split without test rows")
	}
}

func TestWeightedStats(t *testing.T) {
	const tol = 1e-12
	y := []int{0, 0, 0, 1, 1, 2}
	correct := []bool{true, true, false, true, false, false}
	// Hand calculations:
	// majority: class 0 has 3 of 6 → 0.5; with weights (0,0,0,1,1,1) the
	// classes have 0, 2, 1 → 2/3.
	// entropy: p = (1/2, 1/3, 1/6) → −Σ p log p = 1.0114042647073518.
	// balanced accuracy: recalls 2/3, 1/2, 0 → 7/18.
	// advantage of accuracy 0.5 over majority 0.5 → 0; of 0.75 → 0.5.
	w := []float64{0, 0, 0, 1, 1, 1}
	for _, tc := range []struct {
		name      string
		got, want float64
	}{
		{"majority", majority(y, 3, nil), 0.5},
		{"majority weighted", majority(y, 3, w), 2.0 / 3},
		{"entropy", entropy(y, 3, nil), 1.0114042647073518},
		{"entropy weighted", entropy(y, 3, w), -(2.0/3*math.Log(2.0/3) + 1.0/3*math.Log(1.0/3))},
		{"balanced accuracy", balancedAccuracy(correct, y, 3, nil), 7.0 / 18},
		{"balanced accuracy weighted", balancedAccuracy(correct, y, 3, w), 0.25}, // recalls 1/2, 0 over the present classes 1, 2
		{"accuracy", weightedMean(correct, nil), 0.5},
		{"accuracy weighted", weightedMean(correct, w), 1.0 / 3},
		{"advantage 0", advantage(0.5, 0.5), 0},
		{"advantage", advantage(0.75, 0.5), 0.5},
	} {
		if math.Abs(tc.got-tc.want) > tol {
			t.Errorf("%s: got %v, want %v", tc.name, tc.got, tc.want)
		}
	}
	if !math.IsNaN(advantage(1, 1)) {
		t.Error("advantage with majority 1 should be NaN")
	}
}

// TestMacroAUCMatchesROC checks the class-chunked, bucketed macro AUC of the
// audit against roc.MacroOvRAUC (itself pinned to scikit-learn 1.2) on the
// full posterior matrix, for the point estimate and every resample.
func TestMacroAUCMatchesROC(t *testing.T) {
	const tol = 1e-9
	rng := rand.New(rand.NewPCG(3, 4))
	n, d, k := 500, 4, 7
	z := dataset.NewMatrix(n, d)
	for i := range z.Data {
		z.Data[i] = float32(math.Round(rng.NormFloat64()*4) / 4) // coarse values: ties in the scores
	}
	m := &probe.Model{K: k, Dim: d, Weights: make([]float64, k*d), Intercepts: make([]float64, k)}
	for i := range m.Weights {
		m.Weights[i] = math.Round(rng.NormFloat64()*2) / 2
	}
	m.Intercepts[5] = math.Inf(-1) // a class absent from training: probability 0
	rows := make([]int, n)
	s := make([]int, n)
	for i := range rows {
		rows[i] = i
		s[i] = rng.IntN(k - 1) // class 6 never occurs: skipped
	}
	boot := bootstrap.NewResampler(n, 30, rand.New(rand.NewPCG(5, 6)))
	sc := scoreAttacker(newLinearPosterior(m, z, rows), s, boot)

	proba := make([]float64, n*k)
	m.Proba(z, rows, proba)
	want, used := roc.MacroOvRAUC(proba, k, s, nil)
	if math.Abs(sc.auc-want) > tol || sc.used != used {
		t.Errorf("got AUC %v over %d classes, want %v over %d", sc.auc, sc.used, want, used)
	}
	w := make([]float64, n)
	for b := range boot.Len() {
		boot.Weights(b, w)
		want, _ := roc.MacroOvRAUC(proba, k, s, w)
		if math.Abs(sc.aucReps[b]-want) > tol {
			t.Errorf("resample %d: got %v, want %v", b, sc.aucReps[b], want)
		}
	}
	// The smoothed cross-entropy and predictions against the full posterior.
	for i := range n {
		q := proba[i*k+s[i]]
		wantCE := -math.Log((1-smoothing)*q + smoothing/float64(k))
		if math.Abs(sc.ce[i]-wantCE) > 1e-9 {
			t.Fatalf("row %d: got ce %v, want %v", i, sc.ce[i], wantCE)
		}
		best := 0
		for c := range k {
			if proba[i*k+c] > proba[i*k+best] {
				best = c
			}
		}
		if sc.correct[i] != (best == s[i]) {
			t.Fatalf("row %d: correct = %v, want %v", i, sc.correct[i], best == s[i])
		}
	}
}

// mixture returns n rows of Z | S=s ~ N(μ_s, I) in d dimensions with
// μ_s = ±delta/2 along the first axis and S equiprobable.
func mixture(n, d int, delta float64, rng *rand.Rand) (*dataset.Matrix, []string) {
	z := dataset.NewMatrix(n, d)
	s := make([]string, n)
	for i := range n {
		c := rng.IntN(2)
		s[i] = strconv.Itoa(c)
		for j := range d {
			z.Data[i*d+j] = float32(rng.NormFloat64())
		}
		z.Data[i*d] += float32((float64(c) - 0.5) * delta)
	}
	return z, s
}

// mixtureMI is I(Z;S) for mixture by numerical integration: with the
// posterior P(S=1|z) = σ(delta·z₁), I = log 2 − E[h(σ(delta·z₁))], the
// expectation over z₁ ~ ½N(δ/2,1) + ½N(−δ/2,1) by the trapezoidal rule on
// [−12, 12] with step 1e-4 (the integrand is smooth; the error is far below
// the test's tolerance).
func mixtureMI(delta float64) float64 {
	const lo, hi, step = -12.0, 12.0, 1e-4
	phi := func(x float64) float64 { return math.Exp(-x*x/2) / math.Sqrt(2*math.Pi) }
	var e float64
	for x := lo; x <= hi; x += step {
		p := 1 / (1 + math.Exp(-delta*x))
		h := 0.0
		if p > 0 && p < 1 {
			h = -p*math.Log(p) - (1-p)*math.Log(1-p)
		}
		e += h * 0.5 * (phi(x-delta/2) + phi(x+delta/2)) * step
	}
	return math.Log(2) - e
}

func TestBarberAgakovBelowTruth(t *testing.T) {
	// For two Gaussians with equal covariance the Bayes posterior is
	// logistic-linear, so the linear attacker's held-out bound should lie
	// below the true MI (up to sampling error) and close to it.
	for _, delta := range []float64{1, 2.5} {
		truth := mixtureMI(delta)
		z, s := mixture(6000, 3, delta, rand.New(rand.NewPCG(7, uint64(delta*10))))
		tab, err := dataset.NewTable("mixture", []string{"s"}, [][]string{s})
		if err != nil {
			t.Fatal(err)
		}
		res, err := Audit(context.Background(), Config{Protected: []string{"s"}, Bootstrap: 100, CGrid: []float64{1}, Seed: 1, Attackers: []string{"linear"}, Estimators: []string{}}, z, tab, Input{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		var ba Interval
		for _, mi := range res.Leakage[0].MI {
			if mi.Estimator == "barber-agakov (linear attacker)" {
				ba = mi.Nats
			}
		}
		// Sampling error: the bootstrap interval's half-width is about 2 SE.
		se := (ba.High - ba.Low) / 4
		// Stated distance: the bound may fall short of the truth by the
		// smoothing cost (≤ 0.001 nats), the finite-sample fit and the
		// sampling error; 0.03 nats + 3 SE.
		if ba.Value > truth+3*se || ba.Value < truth-0.03-3*se {
			t.Errorf("delta %v: got bound %.4f (SE %.4f), truth %.4f", delta, ba.Value, se, truth)
		}
		if !(ba.Low <= truth && truth <= ba.High+0.03) {
			t.Errorf("delta %v: interval [%.4f, %.4f] vs truth %.4f", delta, ba.Low, ba.High, truth)
		}
	}
}

func TestMixtureMIClosedFormLimits(t *testing.T) {
	// δ = 0: independent, I = 0; δ large: S is a function of Z, I → log 2.
	if v := mixtureMI(0); math.Abs(v) > 1e-9 {
		t.Errorf("delta 0: got %v, want 0", v)
	}
	if v := mixtureMI(20); math.Abs(v-math.Log(2)) > 1e-6 {
		t.Errorf("delta 20: got %v, want log 2", v)
	}
}

// TestFairnessThroughAudit pins the audit's fairness figures for given
// predictions on a hand-computed case.
func TestFairnessThroughAudit(t *testing.T) {
	// Test rows (split = test), group A: y = 1 1 0 0, ŷ = 1 0 1 0;
	// group B: y = 1 0 0 0, ŷ = 1 1 1 0.
	// A: selection 2/4 = 0.5, TPR 1/2, FPR 1/2, accuracy 2/4.
	// B: selection 3/4, TPR 1/1, FPR 2/3, accuracy 2/4.
	// DP difference 0.25, DP ratio 0.5/0.75 = 2/3, EOpp 0.5,
	// EOdds max(0.5, 2/3 − 1/2) = 0.5.
	y := []string{"1", "1", "0", "0", "1", "0", "0", "0"}
	yhat := []string{"1", "0", "1", "0", "1", "1", "1", "0"}
	g := []string{"A", "A", "A", "A", "B", "B", "B", "B"}
	split := slices.Repeat([]string{"test"}, 8)
	// Train rows so a probe can be fitted (its predictions are not used).
	for i := range 8 {
		y = append(y, strconv.Itoa(i%2))
		yhat = append(yhat, "0")
		g = append(g, "A")
		split = append(split, "train")
	}
	z := dataset.NewMatrix(16, 2)
	for i := range 16 {
		z.Data[2*i] = float32(i % 2)
		z.Data[2*i+1] = float32(i % 3)
	}
	tab, err := dataset.NewTable("hand", []string{"y", "yhat", "g", "split"}, [][]string{y, yhat, g, split})
	if err != nil {
		t.Fatal(err)
	}
	res, err := Audit(context.Background(), Config{Targets: []string{"y"}, Groups: []string{"g"}, Predictions: "yhat", SplitColumn: "split", CGrid: []float64{1}, Attackers: []string{"linear"}, Estimators: []string{"knn"}}, z, tab, Input{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Fairness) != 1 {
		t.Fatalf("got %d fairness entries, want 1", len(res.Fairness))
	}
	f := res.Fairness[0]
	const tol = 1e-12
	for _, tc := range []struct {
		name      string
		got, want float64
	}{
		{"dp difference", f.DemographicParityDifference.Value, 0.25},
		{"dp ratio", f.DemographicParityRatio.Value, 2.0 / 3},
		{"equal opportunity", f.EqualOpportunityDifference.Value, 0.5},
		{"equalized odds", f.EqualizedOddsDifference.Value, 0.5},
		{"A selection", f.ByGroup[0].SelectionRate.Value, 0.5},
		{"B FPR", f.ByGroup[1].FPR.Value, 2.0 / 3},
		{"B accuracy", f.ByGroup[1].Accuracy.Value, 0.5},
	} {
		if math.Abs(tc.got-tc.want) > tol {
			t.Errorf("%s: got %v, want %v", tc.name, tc.got, tc.want)
		}
	}
	if f.Positive != "1" || f.Kind != "binary" || f.Source != "predictions:yhat" {
		t.Errorf("got positive %q kind %q source %q", f.Positive, f.Kind, f.Source)
	}
}

func TestAuditUniqueProtected(t *testing.T) {
	z, tab := dataset.ExampleTable(dataset.ExampleSpec{Writers: 10, RowsPerWriter: 20, Dim: 8, Seed: 3})
	ids := make([]string, z.Rows)
	for i := range ids {
		ids[i] = "person" + strconv.Itoa(i)
	}
	digit, _ := tab.Column("digit")
	t2, err := dataset.NewTable("t", []string{"digit", "id"}, [][]string{digit, ids})
	if err != nil {
		t.Fatal(err)
	}
	res, err := Audit(context.Background(), Config{Targets: []string{"digit"}, Protected: []string{"id"}, Bootstrap: 0, CGrid: []float64{1}, Attackers: []string{"linear"}, Estimators: []string{"knn"}}, z, t2, Input{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	l := res.Leakage[0]
	if l.ReID == nil || l.ReID.Available || !strings.Contains(l.ReID.Note, "unique") {
		t.Errorf("got reid %+v, want unavailable with a note", l.ReID)
	}
	if len(res.Utility) != 1 || math.IsNaN(res.Utility[0].Accuracy.Value) {
		t.Error("the rest of the audit was not reported")
	}
	// H(S) of n distinct values is log n.
	if want := math.Log(float64(res.Split.TestRows)); math.Abs(l.EntropyNats-want) > 1e-12 {
		t.Errorf("got H(S) %v, want log(test rows) = %v", l.EntropyNats, want)
	}
}

func TestAuditOneClassTarget(t *testing.T) {
	z := dataset.NewMatrix(10, 2)
	y := slices.Repeat([]string{"a"}, 10)
	tab, _ := dataset.NewTable("t.csv", []string{"y"}, [][]string{y})
	_, err := Audit(context.Background(), Config{Targets: []string{"y"}}, z, tab, Input{}, nil)
	if err == nil || !strings.Contains(err.Error(), "single value") || !strings.Contains(err.Error(), "t.csv") {
		t.Errorf("got %v, want an error naming the file and the single value", err)
	}
}

func TestAuditDeterministic(t *testing.T) {
	run := func() []byte {
		z, tab := dataset.ExampleTable(dataset.ExampleSpec{Writers: 12, RowsPerWriter: 25, Dim: 8, Seed: 5})
		res, err := Audit(context.Background(), Config{Targets: []string{"digit"}, Protected: []string{"writer", "sex"}, Groups: []string{"sex"}, Bootstrap: 30, CGrid: []float64{0.1, 1}, CVFolds: 3, Seed: 9,
			Attackers: []string{"linear", "mlp"}, Estimators: []string{"knn", "mine", "infonce", "club"}, NeuralSteps: 30, NeuralBatch: 32}, z, tab, Input{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(res)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	a, b := run(), run()
	if !reflect.DeepEqual(a, b) {
		t.Error("the same inputs and seed gave different results")
	}
	// The neural jobs run concurrently on GOMAXPROCS goroutines; one
	// goroutine must give the same figures.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	if c := run(); !reflect.DeepEqual(a, c) {
		t.Error("GOMAXPROCS=1 gave different results")
	}
}

// TestAuditCancelledDuringNeuralJobs cancels the context while the neural
// jobs run: Audit returns the context's error, not partial figures.
func TestAuditCancelledDuringNeuralJobs(t *testing.T) {
	z, tab := dataset.ExampleTable(dataset.ExampleSpec{Writers: 12, RowsPerWriter: 25, Dim: 8, Seed: 5})
	ctx, cancel := context.WithCancel(context.Background())
	rec := recorderFunc(func(msg string) {
		if strings.Contains(msg, "critic") {
			cancel()
		}
	})
	_, err := Audit(ctx, Config{Targets: []string{"digit"}, Protected: []string{"writer"}, Bootstrap: 0, CGrid: []float64{1}, Seed: 9,
		Attackers: []string{"linear", "mlp"}, Estimators: []string{"mine", "infonce"}, NeuralSteps: 5000, NeuralBatch: 32}, z, tab, Input{}, rec)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
}

type recorderFunc func(string)

func (f recorderFunc) Stage(msg string) { f(msg) }

// TestDensePosteriorMatchesLinear scores the same posterior held densely
// (float32, as for neural attackers) and computed block by block.
func TestDensePosteriorMatchesLinear(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	n, d, k := 300, 3, 5
	z := dataset.NewMatrix(n, d)
	for i := range z.Data {
		z.Data[i] = float32(rng.NormFloat64())
	}
	m := &probe.Model{K: k, Dim: d, Weights: make([]float64, k*d), Intercepts: make([]float64, k)}
	for i := range m.Weights {
		m.Weights[i] = rng.NormFloat64()
	}
	rows := make([]int, n)
	s := make([]int, n)
	for i := range rows {
		rows[i], s[i] = i, rng.IntN(k)
	}
	lin := newLinearPosterior(m, z, rows)
	dense := &densePosterior{n: n, k: k, logp: make([]float32, n*k)}
	buf := make([]float64, n*k)
	lin.LogProba(0, n, 0, k, buf)
	for i, v := range buf {
		dense.logp[i] = float32(v)
	}
	boot := bootstrap.NewResampler(n, 20, rand.New(rand.NewPCG(1, 1)))
	a, b := scoreAttacker(lin, s, boot), scoreAttacker(dense, s, boot)
	// float32 storage: log-probabilities to ~1e-7 relative.
	const tol = 1e-5
	if math.Abs(a.auc-b.auc) > tol || !slices.Equal(a.correct, b.correct) {
		t.Errorf("got dense AUC %v correct %v, linear %v", b.auc, b.correct[:5], a.auc)
	}
	for i := range a.ce {
		if math.Abs(a.ce[i]-b.ce[i]) > tol {
			t.Fatalf("row %d: ce %v vs %v", i, b.ce[i], a.ce[i])
		}
	}
}

// TestCLUBFromPosteriorMatchesAllPairs checks the audit's CLUB figure,
// computed from class frequencies, against adversary.CLUB on the explicit
// all-pairs matrix log q'(s_j | z_i), with and without bootstrap weights.
func TestCLUBFromPosteriorMatchesAllPairs(t *testing.T) {
	const tol = 1e-12
	rng := rand.New(rand.NewPCG(21, 22))
	n, k := 40, 4
	post := &densePosterior{n: n, k: k, logp: make([]float32, n*k)}
	s := make([]int, n)
	for i := range n {
		row := make([]float64, k)
		for c := range row {
			row[c] = rng.NormFloat64() * 2
		}
		lse := logSumExp(row)
		for c := range row {
			post.logp[i*k+c] = float32(row[c] - lse)
		}
		s[i] = rng.IntN(k)
	}
	a := &auditor{cfg: Config{Level: 0.95}, test: make([]int, n), boot: bootstrap.NewResampler(n, 0, rng)}
	got := a.clubFigure(post, s, k).Nats.Value
	logq := make([]float64, n*n)
	for i := range n {
		for j := range n {
			q := math.Exp(float64(post.logp[i*k+s[j]]))
			logq[i*n+j] = math.Log((1-smoothing)*q + smoothing/float64(k))
		}
	}
	if want := adversary.CLUB(logq, n, nil); math.Abs(got-want) > tol {
		t.Errorf("got %v, want %v", got, want)
	}
}

// TestAuditReIDROC checks the verification ROC curve an audit reports
// against its own figures: it runs from (0, 0) to (1, 1), never goes back,
// and its last point at FPR ≤ 1e-3 has the TPR of the TPR@FPR=1e-3 figure
// (both are read off the same empirical curve of the same pairs).
func TestAuditReIDROC(t *testing.T) {
	z, tab := dataset.ExampleTable(dataset.ExampleSpec{Writers: 12, RowsPerWriter: 25, Dim: 8, Seed: 5})
	res, err := Audit(context.Background(), Config{Targets: []string{"digit"}, Protected: []string{"writer"}, Bootstrap: 0, CGrid: []float64{1},
		Attackers: []string{"linear"}, Estimators: []string{"knn"}, Seed: 2}, z, tab, Input{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := res.Leakage[0].ReID
	if r == nil || !r.Available || len(r.ROC) < 3 {
		t.Fatalf("reid %+v: want an available ROC curve", r)
	}
	first, last := r.ROC[0], r.ROC[len(r.ROC)-1]
	if first != (ROCPoint{0, 0}) || last != (ROCPoint{1, 1}) {
		t.Errorf("curve runs from %v to %v, want (0, 0) to (1, 1)", first, last)
	}
	at := math.NaN()
	for i, p := range r.ROC {
		if i > 0 && (p.FPR < r.ROC[i-1].FPR || p.TPR < r.ROC[i-1].TPR) {
			t.Errorf("point %d %v goes back from %v", i, p, r.ROC[i-1])
		}
		if p.FPR <= 1e-3 {
			at = p.TPR
		}
	}
	if at != r.TPRAtFPR1e3.Value {
		t.Errorf("curve's TPR at FPR ≤ 1e-3 is %v, the figure %v", at, r.TPRAtFPR1e3.Value)
	}
}

// TestAtTopOfGrid: the edge is reported only when the chosen C is the
// grid's largest and its accuracy beats the next smaller C's; the grid
// need not be sorted.
func TestAtTopOfGrid(t *testing.T) {
	for _, tc := range []struct {
		grid, acc []float64
		c         float64
		want      bool
	}{
		{[]float64{0.1, 1, 10}, []float64{0.5, 0.6, 0.7}, 10, true},
		{[]float64{10, 0.1, 1}, []float64{0.7, 0.5, 0.6}, 10, true}, // unsorted
		{[]float64{0.1, 1, 10}, []float64{0.5, 0.7, 0.6}, 1, false}, // interior
		{[]float64{0.1, 1, 10}, []float64{0.5, 0.5, 0.5}, 0.1, false},
		{[]float64{0.1, 1}, []float64{0.5, 0.5}, 1, false}, // flat: not rising
		{[]float64{1}, nil, 1, false},
	} {
		top, prev, ok := atTopOfGrid(tc.grid, tc.acc, tc.c)
		if ok != tc.want {
			t.Errorf("atTopOfGrid(%v, %v, %g) = %v, want %v", tc.grid, tc.acc, tc.c, ok, tc.want)
		}
		if ok && (tc.grid[top] != 10 || tc.grid[prev] != 1 || tc.acc[top] != 0.7 || tc.acc[prev] != 0.6) {
			t.Errorf("atTopOfGrid(%v, %v, %g) gave C %g and %g, want 10 and 1", tc.grid, tc.acc, tc.c, tc.grid[top], tc.grid[prev])
		}
	}
}

// TestAuditWarnsAtTopOfGrid: on the example table, a grid that stops at
// C = 0.01 leaves the digit probe's cross-validated accuracy still rising
// (0.681 at C = 0.01 against 0.129 at 0.001, three folds), and the audit
// says so; the default grid chooses C = 0.1 for the probe and 1 for the
// attacker, inside the grid, and says nothing.
func TestAuditWarnsAtTopOfGrid(t *testing.T) {
	z, tab := dataset.ExampleTable(dataset.ExampleSpec{Writers: 12, RowsPerWriter: 25, Dim: 8, Seed: 5})
	audit := func(grid []float64) *Result {
		res, err := Audit(context.Background(), Config{Targets: []string{"digit"}, Protected: []string{"writer"}, Bootstrap: 0, CGrid: grid, CVFolds: 3, Seed: 9,
			Attackers: []string{"linear"}, Estimators: []string{}}, z, tab, Input{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	edgeWarnings := func(res *Result) (n int, all string) {
		for _, w := range res.Warnings {
			if strings.Contains(w, "the largest of the grid") {
				n++
				all += w + "\n"
			}
		}
		return n, all
	}
	res := audit([]float64{1e-3, 1e-2})
	n, all := edgeWarnings(res)
	if !strings.Contains(all, "linear probe for digit: cross-validation chose C = 0.01") || !strings.Contains(all, "at C = 0.001)") || !strings.Contains(all, "widen the C grid") {
		t.Errorf("grid {0.001, 0.01}: warnings %q, want one naming the digit probe and C = 0.01", res.Warnings)
	}
	if res.Utility[0].C != 0.01 || n == 0 {
		t.Errorf("grid {0.001, 0.01}: C = %g and %d edge warnings", res.Utility[0].C, n)
	}
	res = audit(nil)
	if n, all := edgeWarnings(res); n != 0 || res.Utility[0].C != 0.1 || res.Leakage[0].Attackers[0].C != 1 {
		t.Errorf("default grid: probe C = %g, attacker C = %g, edge warnings %q; want 0.1, 1 and none", res.Utility[0].C, res.Leakage[0].Attackers[0].C, all)
	}
}
