package probe

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/floats/scalar"

	"github.com/miaudit/miaudit/dataset"
)

// Tolerances against scikit-learn 1.2 (testdata/sklearn.json, written by
// testdata/gen_sklearn.py).
const (
	scalerTol = 1e-6 // StandardScaler mean_ and scale_, absolute
	probaTol  = 1e-4 // predict_proba, absolute
	// exactTol bounds the distance, in probability, to the exact minimiser
	// of the objective (SciPy L-BFGS-B polished with ftol=0 by the
	// generator). scikit-learn itself stops up to 2e-5 away from it.
	exactTol = 1e-6
	cvTol    = 1e-3 // GridSearchCV mean_test_score, absolute
	// tieMargin is the smallest gap between the top two logits that
	// scikit-learn may leave in a pinned prediction (min_margin, over the
	// test predictions and every cross-validation fit) for the prediction
	// to be compared: solvers differ by about 1e-5 in logits. The
	// fixtures' smallest margins are 6.4e-4 and 9.9e-4, so no row is
	// skipped as a near tie.
	tieMargin = 1e-4
)

// reference is the content of testdata/sklearn.json.
type reference struct {
	SklearnVersion string            `json:"sklearn_version"`
	Datasets       map[string]refSet `json:"datasets"`
	Absent         refAbsent         `json:"absent"`
}

type refSet struct {
	CSV         string    `json:"csv"`
	K           int       `json:"k"`
	ScalerMean  []float64 `json:"scaler_mean"`
	ScalerScale []float64 `json:"scaler_scale"`
	Fits        []refFit  `json:"fits"`
	Folds       []int     `json:"folds"`
	Grid        []float64 `json:"grid"`
	CVMean      []float64 `json:"cv_mean_test_score"`
	BestC       float64   `json:"best_C"`
	MinMargin   float64   `json:"min_margin"`
}

type refFit struct {
	C        float64     `json:"C"`
	Proba20  [][]float64 `json:"proba_first20"`
	Predict  []int       `json:"predict"`
	Accuracy float64     `json:"accuracy"`
	Exact20  [][]float64 `json:"proba_first20_exact"`
}

type refAbsent struct {
	Dataset   string      `json:"dataset"`
	Class     int         `json:"absent_class"`
	C         float64     `json:"C"`
	Classes   []int       `json:"classes"`
	Proba     [][]float64 `json:"proba_test"`
	Predict   []int       `json:"predict"`
	MinMargin float64     `json:"min_margin"`
}

// equalAbs reports whether a and b have the same length and differ by at
// most tol elementwise.
func equalAbs(a, b []float64, tol float64) bool {
	return floats.EqualFunc(a, b, func(u, v float64) bool { return scalar.EqualWithinAbs(u, v, tol) })
}

func loadReference(t testing.TB) reference {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "sklearn.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ref reference
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	if ref.SklearnVersion[:4] != "1.2." {
		t.Fatalf("reference made with scikit-learn %s, want 1.2", ref.SklearnVersion)
	}
	return ref
}

// fixture is a data set of testdata: features, labels and the train/test
// split (train and test hold row indices).
type fixture struct {
	x           *dataset.Matrix
	y           []int
	train, test []int
	yTrain      []int
	yTest       []int
}

func loadFixture(t testing.TB, name string) fixture {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	d := len(recs[0]) - 2
	fx := fixture{x: dataset.NewMatrix(len(recs)-1, d)}
	for i, rec := range recs[1:] {
		for j := range d {
			v, err := strconv.ParseFloat(rec[j], 32)
			if err != nil {
				t.Fatal(err)
			}
			fx.x.Data[i*d+j] = float32(v)
		}
		y, err1 := strconv.Atoi(rec[d])
		s, err2 := strconv.Atoi(rec[d+1])
		if err := errors.Join(err1, err2); err != nil {
			t.Fatal(err)
		}
		fx.y = append(fx.y, y)
		if s == 1 {
			fx.train = append(fx.train, i)
			fx.yTrain = append(fx.yTrain, y)
		} else {
			fx.test = append(fx.test, i)
			fx.yTest = append(fx.yTest, y)
		}
	}
	return fx
}

// standardized loads a fixture and standardises it on its training rows,
// as the generator does before fitting.
func standardized(t testing.TB, name string) fixture {
	fx := loadFixture(t, name)
	Standardize(fx.x, fx.train)
	return fx
}

var setNames = []string{"multiclass", "binary"}

func TestStandardize(t *testing.T) {
	ref := loadReference(t)
	for _, name := range setNames {
		want := ref.Datasets[name]
		fx := loadFixture(t, want.CSV)
		mean, scale := Standardize(fx.x, fx.train)
		if !equalAbs(mean, want.ScalerMean, scalerTol) {
			t.Errorf("%s: mean = %v, want %v", name, mean, want.ScalerMean)
		}
		if !equalAbs(scale, want.ScalerScale, scalerTol) {
			t.Errorf("%s: scale = %v, want %v", name, scale, want.ScalerScale)
		}
		// The last feature is constant: scale 1 and standardised to 0,
		// as StandardScaler.
		for _, i := range fx.test {
			if v := fx.x.Row(i)[fx.x.Cols-1]; v != 0 {
				t.Fatalf("%s: constant feature of row %d standardised to %v, want 0", name, i, v)
			}
		}
	}
}

func TestStandardizeHand(t *testing.T) {
	// Column 0 over rows {0, 1}: mean 2, population std 1 (values 1, 3);
	// row 2 (not in train) maps to (5−2)/1 = 3. Column 1 is constant on
	// the training rows: scale 1, and 7 − 4 = 3 for row 2.
	x := &dataset.Matrix{Rows: 3, Cols: 2, Data: []float32{1, 4, 3, 4, 5, 7}}
	mean, scale := Standardize(x, []int{0, 1})
	if want := []float64{2, 4}; !slices.Equal(mean, want) {
		t.Errorf("mean = %v, want %v", mean, want)
	}
	if want := []float64{1, 1}; !slices.Equal(scale, want) {
		t.Errorf("scale = %v, want %v", scale, want)
	}
	if want := []float32{-1, 0, 1, 0, 3, 3}; !slices.Equal(x.Data, want) {
		t.Errorf("x = %v, want %v", x.Data, want)
	}
}

func TestFitMatchesSklearn(t *testing.T) {
	ref := loadReference(t)
	if ref.Absent.MinMargin < tieMargin {
		t.Fatalf("absent-class reference has a near tie (margin %g)", ref.Absent.MinMargin)
	}
	for _, name := range setNames {
		want := ref.Datasets[name]
		if want.MinMargin < tieMargin {
			t.Fatalf("%s: reference has a near tie (margin %g); regenerate the fixture", name, want.MinMargin)
		}
		fx := standardized(t, want.CSV)
		for i, wf := range want.Fits {
			m, err := Fit(context.Background(), fx.x, fx.train, fx.yTrain, want.K, wf.C, nil)
			if err != nil {
				t.Fatalf("%s case %d (C=%g): %v", name, i, wf.C, err)
			}
			if !m.Converged {
				t.Errorf("%s case %d (C=%g): not converged after %d iterations, ‖∇F‖∞ = %g", name, i, wf.C, m.Iterations, m.GradNorm)
			}
			proba := make([]float64, len(fx.test)*want.K)
			m.Proba(fx.x, fx.test, proba)
			for r, wp := range wf.Proba20 {
				got := proba[r*want.K : (r+1)*want.K]
				if !equalAbs(got, wp, probaTol) {
					t.Errorf("%s case %d (C=%g) row %d: proba = %v, want %v", name, i, wf.C, r, got, wp)
				}
			}
			// The exact minimiser is reached to exactTol with the tighter
			// tolerance 1e-7 (the default 1e-6 stays within ~1e-5).
			tight, err := FitWith(context.Background(), fx.x, fx.train, fx.yTrain, want.K, wf.C, nil, &Settings{GradTol: 1e-7})
			if err != nil {
				t.Fatalf("%s case %d (C=%g): %v", name, i, wf.C, err)
			}
			tightProba := make([]float64, len(fx.test)*want.K)
			tight.Proba(fx.x, fx.test, tightProba)
			for r, wp := range wf.Exact20 {
				got := tightProba[r*want.K : (r+1)*want.K]
				if !equalAbs(got, wp, exactTol) {
					t.Errorf("%s case %d (C=%g) row %d: proba = %v, exact minimiser %v", name, i, wf.C, r, got, wp)
				}
			}
			pred := make([]int, len(fx.test))
			m.Predict(fx.x, fx.test, pred)
			if !slices.Equal(pred, wf.Predict) {
				t.Errorf("%s case %d (C=%g): predict = %v, want %v", name, i, wf.C, pred, wf.Predict)
			}
			correct := 0
			for r, p := range pred {
				if p == fx.yTest[r] {
					correct++
				}
			}
			if acc := float64(correct) / float64(len(pred)); acc != wf.Accuracy {
				t.Errorf("%s case %d (C=%g): accuracy = %v, want %v", name, i, wf.C, acc, wf.Accuracy)
			}
		}
	}
}

func TestStratifiedKFoldMatchesSklearn(t *testing.T) {
	ref := loadReference(t)
	for _, name := range setNames {
		want := ref.Datasets[name]
		fx := loadFixture(t, want.CSV)
		got, err := StratifiedKFold(fx.yTrain, 5)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want.Folds) {
			t.Errorf("%s: folds = %v, want %v", name, got, want.Folds)
		}
	}
}

func TestStratifiedKFold(t *testing.T) {
	// Expected folds computed with scikit-learn 1.2.1:
	// StratifiedKFold(n_splits=k)._make_test_folds(y, y).
	for i, test := range []struct {
		y    []int
		k    int
		want []int
	}{
		0: {y: []int{0, 0, 0, 1, 1, 1}, k: 3, want: []int{0, 1, 2, 0, 1, 2}},
		1: {y: []int{2, 2, 0, 0, 0, 2, 2, 0, 0, 2}, k: 2, want: []int{0, 0, 0, 0, 1, 0, 1, 1, 1, 1}},
		2: {y: []int{5, 1, 1, 5, 1, 1, 1, 9, 1, 5, 1}, k: 3, want: []int{0, 0, 0, 1, 0, 1, 1, 1, 2, 2, 2}},
		// Class 9 has fewer members than folds: scikit-learn warns.
		3: {y: []int{9, 1, 1, 1, 1, 2, 2, 2}, k: 3, want: []int{0, 0, 1, 1, 2, 0, 1, 2}},
	} {
		got, err := StratifiedKFold(test.y, test.k)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		if !slices.Equal(got, test.want) {
			t.Errorf("case %d: folds = %v, want %v", i, got, test.want)
		}
	}
	// Every class smaller than k: scikit-learn's ValueError.
	if _, err := StratifiedKFold([]int{0, 0, 1, 1, 2}, 3); err == nil {
		t.Error("no error for k greater than every class size")
	}
}

func TestSelectCMatchesSklearn(t *testing.T) {
	ref := loadReference(t)
	for _, name := range setNames {
		want := ref.Datasets[name]
		fx := standardized(t, want.CSV)
		best, mean, err := SelectC(context.Background(), fx.x, fx.train, fx.yTrain, want.K, want.Grid, 5)
		if err != nil {
			t.Fatal(err)
		}
		if !equalAbs(mean, want.CVMean, cvTol) {
			t.Errorf("%s: mean accuracy = %v, want %v", name, mean, want.CVMean)
		}
		if best != want.BestC {
			t.Errorf("%s: best C = %v, want %v", name, best, want.BestC)
		}
	}
	best, mean, err := SelectC(context.Background(), nil, nil, nil, 3, []float64{0.5}, 5)
	if best != 0.5 || mean != nil || err != nil {
		t.Errorf("single C: got %v, %v, %v, want 0.5, nil, nil", best, mean, err)
	}
}

func TestAbsentClass(t *testing.T) {
	ref := loadReference(t)
	want := ref.Absent
	set := ref.Datasets[want.Dataset]
	fx := standardized(t, set.CSV)
	var rows, y []int
	for i, r := range fx.train {
		if fx.yTrain[i] != want.Class {
			rows = append(rows, r)
			y = append(y, fx.yTrain[i])
		}
	}
	m, err := Fit(context.Background(), fx.x, rows, y, set.K, want.C, nil)
	if err != nil {
		t.Fatal(err)
	}
	k := set.K
	proba := make([]float64, len(fx.test)*k)
	m.Proba(fx.x, fx.test, proba)
	for r, wp := range want.Proba {
		got := proba[r*k : (r+1)*k]
		if got[want.Class] != 0 {
			t.Errorf("row %d: P(absent class) = %v, want 0", r, got[want.Class])
		}
		for j, c := range want.Classes {
			if math.Abs(got[c]-wp[j]) > probaTol {
				t.Errorf("row %d: P(%d) = %v, want %v", r, c, got[c], wp[j])
			}
		}
	}
	pred := make([]int, len(fx.test))
	m.Predict(fx.x, fx.test, pred)
	if !slices.Equal(pred, want.Predict) {
		t.Errorf("predict = %v, want %v", pred, want.Predict)
	}
}

func TestAbsentClassMultinomial(t *testing.T) {
	// Labels 0, 1, 3, 4 of k = 5 must give the fit of the relabelled
	// 4-class problem exactly, with probability 0 for class 2.
	x, rows, y4 := randomProblem(300, 4, 4, 11)
	y5 := make([]int, len(y4))
	for i, v := range y4 {
		y5[i] = v
		if v >= 2 {
			y5[i]++
		}
	}
	ctx := context.Background()
	m4, err := Fit(ctx, x, rows, y4, 4, 0.5, nil)
	if err != nil {
		t.Fatal(err)
	}
	m5, err := Fit(ctx, x, rows, y5, 5, 0.5, nil)
	if err != nil {
		t.Fatal(err)
	}
	p4 := make([]float64, len(rows)*4)
	p5 := make([]float64, len(rows)*5)
	m4.Proba(x, rows, p4)
	m5.Proba(x, rows, p5)
	for r := range rows {
		got := slices.Delete(slices.Clone(p5[r*5:(r+1)*5]), 2, 3)
		if p5[r*5+2] != 0 || !slices.Equal(got, p4[r*4:(r+1)*4]) {
			t.Fatalf("row %d: proba = %v, want %v with 0 inserted at class 2", r, p5[r*5:(r+1)*5], p4[r*4:(r+1)*4])
		}
	}
	// The warm start of a fit with the same classes present is used...
	w, err := Fit(ctx, x, rows, y5, 5, 0.5, m5)
	if err != nil {
		t.Fatal(err)
	}
	if w.Iterations != 0 {
		t.Errorf("warm start from the solution: %d iterations, want 0", w.Iterations)
	}
	// ...and that of a fit with other classes present is ignored.
	c, err := Fit(ctx, x, rows, y5, 5, 0.5, &Model{K: 5, Dim: 4, Weights: make([]float64, 20), Intercepts: make([]float64, 5)})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.Weights, m5.Weights) {
		t.Error("warm start with a different set of classes was not ignored")
	}
}

func TestFitErrors(t *testing.T) {
	x := &dataset.Matrix{Rows: 4, Cols: 1, Data: []float32{0, 1, 2, 3}}
	ctx := context.Background()
	if _, err := Fit(ctx, x, []int{0, 1}, []int{2, 2}, 3, 1, nil); !errors.Is(err, ErrOneClass) {
		t.Errorf("one class: err = %v, want ErrOneClass", err)
	}
	if _, err := Fit(ctx, x, []int{0, 1}, []int{0, 3}, 3, 1, nil); err == nil {
		t.Error("no error for a label outside [0, k)")
	}
	nan := &dataset.Matrix{Rows: 2, Cols: 1, Data: []float32{float32(math.NaN()), 1}}
	if _, err := Fit(ctx, nan, []int{0, 1}, []int{0, 1}, 2, 1, nil); err == nil {
		t.Error("no error for NaN data")
	}
}

// cancelAfter is a context whose Err becomes context.Canceled after n calls,
// to cancel a fit deterministically part-way.
type cancelAfter struct {
	context.Context
	n int
}

func (c *cancelAfter) Err() error {
	if c.n--; c.n < 0 {
		return context.Canceled
	}
	return nil
}

func TestCancel(t *testing.T) {
	ref := loadReference(t)
	set := ref.Datasets["multiclass"]
	fx := standardized(t, set.CSV)
	done, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Fit(done, fx.x, fx.train, fx.yTrain, set.K, 1, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("Fit: err = %v, want context.Canceled", err)
	}
	if _, _, err := SelectC(done, fx.x, fx.train, fx.yTrain, set.K, set.Grid, 5); !errors.Is(err, context.Canceled) {
		t.Errorf("SelectC: err = %v, want context.Canceled", err)
	}
	for _, n := range []int{0, 1, 5, 20} {
		ctx := &cancelAfter{Context: context.Background(), n: n}
		if _, err := Fit(ctx, fx.x, fx.train, fx.yTrain, set.K, 100, nil); !errors.Is(err, context.Canceled) {
			t.Errorf("Fit cancelled after %d checks: err = %v, want context.Canceled", n, err)
		}
		ctx.n = n
		if _, _, err := SelectC(ctx, fx.x, fx.train, fx.yTrain, set.K, set.Grid, 5); !errors.Is(err, context.Canceled) {
			t.Errorf("SelectC cancelled after %d checks: err = %v, want context.Canceled", n, err)
		}
	}
}

// randomProblem returns n×d Gaussian data with labels in 0..k−1 from a
// seeded source. The labels depend linearly on the data (argmax of k random
// projections plus Gaussian noise) unless k·d > 4096, where drawing them
// would dominate a benchmark and they are uniform instead.
func randomProblem(n, d, k int, seed uint64) (*dataset.Matrix, []int, []int) {
	rng := rand.New(rand.NewPCG(seed, 1))
	x := dataset.NewMatrix(n, d)
	for i := range x.Data {
		x.Data[i] = float32(rng.NormFloat64())
	}
	linear := k*d <= 4096
	w := make([]float64, k*d)
	for i := range w {
		w[i] = rng.NormFloat64()
	}
	rows := make([]int, n)
	y := make([]int, n)
	for i := range n {
		rows[i] = i
		if !linear {
			y[i] = rng.IntN(k)
			continue
		}
		best, bz := 0, math.Inf(-1)
		for c := range k {
			z := rng.NormFloat64()
			for j, v := range x.Row(i) {
				z += w[c*d+j] * float64(v)
			}
			if z > bz {
				best, bz = c, z
			}
		}
		y[i] = best
	}
	return x, rows, y
}

func TestGradient(t *testing.T) {
	// Central differences, error O(h²·F‴) ≈ 1e-8 relative here.
	const (
		h   = 1e-5
		tol = 1e-6
	)
	for i, test := range []struct {
		n, d, kz int
		c        float64
	}{
		0: {n: 50, d: 3, kz: 1, c: 0.7},    // binary
		1: {n: 60, d: 4, kz: 4, c: 2},      // multinomial
		2: {n: 2500, d: 3, kz: 3, c: 0.01}, // several blocks, two workers
	} {
		x, rows, y := randomProblem(test.n, test.d, max(test.kz, 2), uint64(i))
		o := newObjective(context.Background(), x, rows, y, test.kz, test.c)
		rng := rand.New(rand.NewPCG(uint64(i), 2))
		p := make([]float64, o.dim())
		for j := range p {
			p[j] = rng.NormFloat64()
		}
		g := make([]float64, len(p))
		o.eval(p, g)
		scratch := make([]float64, len(p))
		for j := range p {
			pj := p[j]
			p[j] = pj + h
			fp := o.eval(p, scratch)
			p[j] = pj - h
			fm := o.eval(p, scratch)
			p[j] = pj
			fd := (fp - fm) / (2 * h)
			if !scalar.EqualWithinAbsOrRel(g[j], fd, tol, tol) {
				t.Errorf("case %d: ∂F/∂p[%d] = %v, finite difference %v", i, j, g[j], fd)
			}
		}
		o.release()
	}
}

func TestMinimize(t *testing.T) {
	// Minimisers in closed form: Rosenbrock's (1−a)² + 100(b−a²)² at (1, 1)
	// from the classic start (−1.2, 1); an ill-conditioned quadratic
	// Σ_j 10^j·(x_j − j)²/2 at x_j = j; and Σ_j e^(x_j−c_j) − x_j at
	// x_j = c_j, which overflows to +Inf (or, here, NaN) beyond x_j ≈ c_j
	// + 710 and is first searched far out along its flat start.
	const tol = 1e-6
	rosen := func(x, g []float64) float64 {
		a, b := x[0], x[1]
		g[0] = -2*(1-a) - 400*a*(b-a*a)
		g[1] = 200 * (b - a*a)
		return (1-a)*(1-a) + 100*(b-a*a)*(b-a*a)
	}
	quad := func(x, g []float64) float64 {
		var f float64
		for j, v := range x {
			h := math.Pow(10, float64(j))
			g[j] = h * (v - float64(j))
			f += h * (v - float64(j)) * (v - float64(j)) / 2
		}
		return f
	}
	center := []float64{700, 300, 50}
	steep := func(nan bool) func(x, g []float64) float64 {
		return func(x, g []float64) float64 {
			var f float64
			for j, v := range x {
				e := math.Exp(v - center[j])
				g[j] = e - 1
				f += e - v
			}
			if nan && math.IsInf(f, 1) {
				f = math.NaN()
			}
			return f
		}
	}
	for i, test := range []struct {
		fg        func(x, g []float64) float64
		x0        []float64
		want      []float64
		nonFinite bool // whether the search must meet non-finite values
	}{
		0: {fg: rosen, x0: []float64{-1.2, 1}, want: []float64{1, 1}},
		1: {fg: quad, x0: make([]float64, 6), want: []float64{0, 1, 2, 3, 4, 5}},
		2: {fg: steep(false), x0: make([]float64, 3), want: center, nonFinite: true},
		3: {fg: steep(true), x0: make([]float64, 3), want: center, nonFinite: true},
	} {
		var calls, bad int
		last := make([]float64, len(test.x0))
		fg := func(x, g []float64) float64 {
			// gonum asks for f and ∇f at each point in two calls:
			// the solver must evaluate each point once.
			if calls > 0 && slices.Equal(x, last) {
				t.Errorf("case %d: point %v evaluated twice in a row", i, x)
			}
			copy(last, x)
			calls++
			f := test.fg(x, g)
			if math.IsNaN(f) || math.IsInf(f, 0) {
				bad++
			}
			return f
		}
		s := getSolver(len(test.x0))
		res, err := s.minimize(context.Background(), fg, test.x0, 1e-10, 1000)
		putSolver(s)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		if !res.Converged || !equalAbs(res.X, test.want, tol) {
			t.Errorf("case %d: x = %v (converged %v after %d iterations), want %v", i, res.X, res.Converged, res.Iterations, test.want)
		}
		if res.Evaluations != calls {
			t.Errorf("case %d: %d evaluations reported, %d made", i, res.Evaluations, calls)
		}
		if test.nonFinite && bad == 0 {
			t.Errorf("case %d: no non-finite value met, the case tests nothing", i)
		}
	}
}

func TestStall(t *testing.T) {
	// A tolerance below rounding cannot be met: the fit stops when no
	// line search makes progress, even after a restart along −∇F, and
	// returns its best point, which is then the exact minimiser of the
	// generator up to rounding.
	ref := loadReference(t)
	for _, name := range setNames {
		want := ref.Datasets[name]
		fx := standardized(t, want.CSV)
		for i, wf := range want.Fits {
			m, err := FitWith(context.Background(), fx.x, fx.train, fx.yTrain, want.K, wf.C, nil, &Settings{GradTol: 1e-20})
			if err != nil {
				t.Fatalf("%s case %d (C=%g): %v", name, i, wf.C, err)
			}
			if m.Converged || m.Iterations >= defaultMaxIterations {
				t.Errorf("%s case %d (C=%g): converged %v after %d iterations, want false before the cap", name, i, wf.C, m.Converged, m.Iterations)
			}
			proba := make([]float64, len(fx.test)*want.K)
			m.Proba(fx.x, fx.test, proba)
			// The exact minimiser is reached to exactTol with the tighter
			// tolerance 1e-7 (the default 1e-6 stays within ~1e-5).
			tight, err := FitWith(context.Background(), fx.x, fx.train, fx.yTrain, want.K, wf.C, nil, &Settings{GradTol: 1e-7})
			if err != nil {
				t.Fatalf("%s case %d (C=%g): %v", name, i, wf.C, err)
			}
			tightProba := make([]float64, len(fx.test)*want.K)
			tight.Proba(fx.x, fx.test, tightProba)
			for r, wp := range wf.Exact20 {
				got := tightProba[r*want.K : (r+1)*want.K]
				if !equalAbs(got, wp, exactTol) {
					t.Errorf("%s case %d (C=%g) row %d: proba = %v, exact minimiser %v", name, i, wf.C, r, got, wp)
				}
			}
		}
	}
}

func TestObjectiveHand(t *testing.T) {
	// One row x = (1), label 1, binary, w = 0, b = 0: ℓ = log 2, so
	// F = C·log 2; ∂F/∂w = C·(σ(0) − 1)·x = −C/2, ∂F/∂b = −C/2.
	x := &dataset.Matrix{Rows: 1, Cols: 1, Data: []float32{1}}
	o := newObjective(context.Background(), x, []int{0}, []int{1}, 1, 3)
	defer o.release()
	g := make([]float64, 2)
	if f := o.eval([]float64{0, 0}, g); math.Abs(f-3*math.Ln2) > 1e-15 {
		t.Errorf("F = %v, want %v", f, 3*math.Ln2)
	}
	if want := []float64{-1.5, -1.5}; !slices.Equal(g, want) {
		t.Errorf("∇F = %v, want %v", g, want)
	}
}

func TestDeterministicAndWarm(t *testing.T) {
	x, rows, y := randomProblem(5000, 6, 4, 7)
	ctx := context.Background()
	tight := &Settings{GradTol: 1e-7}
	a, err := FitWith(ctx, x, rows, y, 4, 0.1, nil, tight)
	if err != nil {
		t.Fatal(err)
	}
	b, err := FitWith(ctx, x, rows, y, 4, 0.1, nil, tight)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.Weights, b.Weights) || !slices.Equal(a.Intercepts, b.Intercepts) {
		t.Error("two fits of the same data differ")
	}
	// A warm start from another C reaches the same minimiser, up to the
	// tolerance: both fits stop at ‖∇F‖∞ < 1e-7·C·n, which moved the
	// probabilities by at most 1.9e-6 when this test was written.
	const warmTol = 1e-5
	w, err := FitWith(ctx, x, rows, y, 4, 1, nil, tight)
	if err != nil {
		t.Fatal(err)
	}
	c, err := FitWith(ctx, x, rows, y, 4, 0.1, w, tight)
	if err != nil {
		t.Fatal(err)
	}
	pa := make([]float64, 200*4)
	pc := make([]float64, 200*4)
	a.Proba(x, rows[:200], pa)
	c.Proba(x, rows[:200], pc)
	if !equalAbs(pa, pc, warmTol) {
		t.Error("warm-started fit differs from cold fit")
	}
}

func TestIterationCap(t *testing.T) {
	x, rows, y := randomProblem(500, 5, 3, 3)
	m, err := FitWith(context.Background(), x, rows, y, 3, 100, nil, &Settings{MaxIterations: 2})
	if err != nil {
		t.Fatal(err)
	}
	if m.Converged || m.Iterations != 2 {
		t.Errorf("capped fit: converged %v after %d iterations, want false after 2", m.Converged, m.Iterations)
	}
}

func BenchmarkFit(b *testing.B) {
	for _, bench := range []struct {
		name       string
		n, d, k    int
		iterations int
	}{
		{name: "Small", n: 2000, d: 32, k: 10},
		{name: "Medium", n: 20000, d: 128, k: 10},
		{name: "Large", n: 70000, d: 128, k: 1000, iterations: 3},
	} {
		b.Run(bench.name, func(b *testing.B) {
			benchmarkFit(b, bench.n, bench.d, bench.k, bench.iterations)
		})
	}
}

func benchmarkFit(b *testing.B, n, d, k, iterations int) {
	x, rows, y := randomProblem(n, d, k, 1)
	s := &Settings{MaxIterations: iterations}
	b.ReportAllocs()
	b.ResetTimer()
	var iters, evals int
	for b.Loop() {
		m, err := FitWith(context.Background(), x, rows, y, k, 1, nil, s)
		if err != nil {
			b.Fatal(err)
		}
		iters += m.Iterations
		evals += m.Evaluations
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(iters), "ns/iter")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(evals), "ns/eval")
	b.ReportMetric(float64(evals)/float64(iters), "evals/iter")
}

func ExampleStratifiedKFold() {
	// The folds scikit-learn 1.2's StratifiedKFold(n_splits=2) gives.
	folds, err := StratifiedKFold([]int{2, 2, 0, 0, 0, 2, 2, 0, 0, 2}, 2)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(folds)
	// Output:
	// [0 0 0 0 1 0 1 1 1 1]
}
