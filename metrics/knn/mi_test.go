package knn

import (
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"gonum.org/v1/gonum/floats"

	"github.com/miaudit/miaudit/dataset"
)

// sklearnFixture is one entry of testdata/sklearn_mi.json, written by
// testdata/gen_sklearn.py (see its docstring for the fields).
type sklearnFixture struct {
	Name                string    `json:"name"`
	K                   int       `json:"n_neighbors"`
	X                   []float64 `json:"x"`
	Labels              []int     `json:"labels"`
	MIPrivate           float64   `json:"mi_private"`
	MIPublic            *float64  `json:"mi_public"`
	RawExact            float64   `json:"raw_exact"`
	Used                []int     `json:"used"`
	MExact              []int     `json:"m_exact"`
	TermsExact          []float64 `json:"terms_exact"`
	PrivateMatchesExact bool      `json:"private_matches_exact"`
	PublicMatchesExact  *bool     `json:"public_matches_exact"`
}

func loadSklearn(t *testing.T) (version string, fixtures []sklearnFixture) {
	t.Helper()
	b, err := os.ReadFile("testdata/sklearn_mi.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Version  string           `json:"sklearn_version"`
		Fixtures []sklearnFixture `json:"fixtures"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	return f.Version, f.Fixtures
}

// column returns the n×1 matrix of xs (float32 values stored in float64)
// and the row indexes 0..n-1.
func column(xs []float64) (*dataset.Matrix, []int) {
	x := dataset.NewMatrix(len(xs), 1)
	rows := make([]int, len(xs))
	for i, v := range xs {
		x.Data[i] = float32(v)
		rows[i] = i
	}
	return x, rows
}

// smallBlockings exercise partial blocks and tiles with few rows.
var smallBlockings = []blocking{{query: 1, ref: 1}, {query: 7, ref: 5}, {query: 64, ref: 130}}

func TestMISklearn(t *testing.T) {
	// Expected values: scikit-learn 1.2.1 (Debian python3-sklearn) through
	// testdata/gen_sklearn.py; mi_public is mutual_info_classif with
	// n_neighbors=k, random_state=0, mi_private is _compute_mi_cd on the
	// stored values, *_exact the same algorithm in plain numpy with exact
	// 1-D distances.
	const tol = 1e-9
	version, fixtures := loadSklearn(t)
	if version != "1.2.1" {
		t.Fatalf("fixtures from sklearn %s, want 1.2.1", version)
	}
	publicChecked := 0
	for _, fx := range fixtures {
		x, rows := column(fx.X)
		got, err := MI(x, rows, fx.Labels, fx.K)
		if err != nil {
			t.Errorf("%s: %v", fx.Name, err)
			continue
		}
		if !equalInts(got.Used, fx.Used) {
			t.Errorf("%s: Used = %v, want %v", fx.Name, got.Used, fx.Used)
			continue
		}
		if got.N != len(fx.Used) {
			t.Errorf("%s: N = %d, want %d", fx.Name, got.N, len(fx.Used))
		}
		// Terms equal to 1e-9 pin every m_i: ψ(m) and ψ(m+1) differ by 1/m.
		if !floats.EqualApprox(got.Terms, fx.TermsExact, tol) {
			t.Errorf("%s: Terms differ from exact; m_exact = %v", fx.Name, fx.MExact)
		}
		if math.Abs(got.Raw-fx.RawExact) > tol {
			t.Errorf("%s: Raw = %.15g, want %.15g", fx.Name, got.Raw, fx.RawExact)
		}
		if !fx.PrivateMatchesExact {
			t.Errorf("%s: fixture lost its private sklearn check", fx.Name)
		}
		if math.Abs(got.Nats-fx.MIPrivate) > tol {
			t.Errorf("%s: Nats = %.15g, want sklearn _compute_mi_cd %.15g", fx.Name, got.Nats, fx.MIPrivate)
		}
		if fx.MIPublic == nil {
			continue
		}
		if fx.Name == "small_classes_artifact" {
			// sklearn's brute-force kneighbors radius is a few ulps high here
			// (see gen_sklearn.py), so mutual_info_classif counts a k-th
			// neighbour in m_i; we match the exact algorithm instead.
			if *fx.PublicMatchesExact || math.Abs(got.Nats-*fx.MIPublic) < tol {
				t.Errorf("%s: expected the documented sklearn discrepancy, got %.15g, sklearn %.15g", fx.Name, got.Nats, *fx.MIPublic)
			}
			continue
		}
		if !*fx.PublicMatchesExact {
			t.Errorf("%s: sklearn's public result no longer matches the exact algorithm", fx.Name)
		}
		if math.Abs(got.Nats-*fx.MIPublic) > tol {
			t.Errorf("%s: Nats = %.15g, want sklearn mutual_info_classif %.15g", fx.Name, got.Nats, *fx.MIPublic)
		}
		publicChecked++
	}
	if want := 7; publicChecked != want {
		t.Errorf("checked %d fixtures against mutual_info_classif, want %d", publicChecked, want)
	}
}

func TestMIBlockingInvariance(t *testing.T) {
	// Every blocking must give the same bits: each pair of rows gets the
	// same distance wherever it falls in a block.
	_, fixtures := loadSklearn(t)
	for _, fx := range fixtures {
		x, rows := column(fx.X)
		want, err := MI(x, rows, fx.Labels, fx.K)
		if err != nil {
			t.Fatal(err)
		}
		for _, bl := range smallBlockings {
			got, err := miBlocked(x, rows, fx.Labels, fx.K, bl)
			if err != nil {
				t.Fatal(err)
			}
			if !equalFloats(got.Terms, want.Terms) || got.Raw != want.Raw {
				t.Errorf("%s, blocking %+v: Raw = %v, want %v", fx.Name, bl, got.Raw, want.Raw)
			}
		}
	}
}

// bruteMI is the algorithm of MI written per pair, with direct distances
// Σ(a−b)² in float64.
func bruteMI(x *dataset.Matrix, rows, labels []int, k int) (raw float64, m []int) {
	count := map[int]int{}
	for _, l := range labels {
		count[l]++
	}
	var used []int
	for p, l := range labels {
		if count[l] > 1 {
			used = append(used, p)
		}
	}
	d2 := func(p, q int) float64 { return sqDistDirect(x.Row(rows[p]), x.Row(rows[q])) }
	var sum float64
	for _, p := range used {
		var same []float64
		for _, q := range used {
			if q != p && labels[q] == labels[p] {
				same = append(same, d2(p, q))
			}
		}
		ki := min(k, len(same))
		sortFloats(same)
		rad := math.Nextafter(math.Sqrt(same[ki-1]), 0)
		mi := 0
		for _, q := range used {
			if d2(p, q) <= rad*rad {
				mi++
			}
		}
		m = append(m, mi)
		sum += digamma(len(used)) + digamma(ki) - digamma(count[labels[p]]) - digamma(mi)
	}
	return sum / float64(len(used)), m
}

func TestMIBruteForce(t *testing.T) {
	// Multivariate data with exact duplicate rows (same and other labels),
	// a singleton label and a label of two points, against bruteMI.
	const tol = 1e-12 // same integer counts, different summation order
	rng := rand.New(rand.NewPCG(3, 4))
	const n, d = 300, 37
	x := dataset.NewMatrix(n, d)
	for i := range x.Data {
		x.Data[i] = float32(rng.NormFloat64() * 3)
	}
	for i := 0; i < 40; i++ { // rows 0..39 copied to rows 40..79
		copy(x.Row(40+i), x.Row(i))
	}
	rows := make([]int, n)
	labels := make([]int, n)
	for i := range rows {
		rows[i] = i
		labels[i] = rng.IntN(4)
	}
	labels[100] = 7                 // singleton
	labels[101], labels[102] = 8, 8 // a label of two points
	for _, k := range []int{1, 3, 10} {
		want, wantM := bruteMI(x, rows, labels, k)
		got, err := MI(x, rows, labels, k)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got.Raw-want) > tol {
			t.Errorf("k=%d: Raw = %.15g, want %.15g (brute force)", k, got.Raw, want)
		}
		for _, bl := range smallBlockings {
			b, _ := miBlocked(x, rows, labels, k, bl)
			if !equalFloats(b.Terms, got.Terms) {
				t.Errorf("k=%d, blocking %+v: Terms differ from default blocking", k, bl)
			}
		}
		if got.N != n-1 || len(wantM) != n-1 {
			t.Errorf("k=%d: N = %d, want %d", k, got.N, n-1)
		}
	}
}

func TestMIMultivariate(t *testing.T) {
	const (
		n   = 2000 // points, half in each class
		tol = 0.05 // stated in the task; the kNN bias at n=2000 is far smaller
	)
	rng := rand.New(rand.NewPCG(2024, 1))
	x := dataset.NewMatrix(n, 3)
	rows := make([]int, n)
	sep := make([]int, n)
	ind := make([]int, n)
	for i := range rows {
		rows[i] = i
		sep[i] = i % 2
		ind[i] = rng.IntN(2)
		for l := range 3 {
			x.Data[i*3+l] = float32(rng.NormFloat64())
		}
		x.Data[i*3] += float32(20 * sep[i]) // class 1 centred at (20, 0, 0)
	}
	// Two equiprobable classes with disjoint supports: I(Z;S) = H(S) = log 2.
	got, err := MI(x, rows, sep, 3)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(got.Nats-math.Ln2) > tol {
		t.Errorf("separated classes: Nats = %v, want log 2 = %v", got.Nats, math.Ln2)
	}
	// Labels drawn independently of Z: I(Z;S) = 0.
	got, err = MI(x, rows, ind, 3)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(got.Raw) > tol || got.Nats < 0 || got.Nats > tol {
		t.Errorf("independent labels: Raw = %v, Nats = %v, want about 0", got.Raw, got.Nats)
	}
	if m := floats.Sum(got.Terms) / float64(len(got.Terms)); math.Abs(m-got.Raw) > 1e-12 {
		t.Errorf("mean of Terms = %v, Raw = %v", m, got.Raw)
	}
}

func TestMIErrors(t *testing.T) {
	x := dataset.NewMatrix(4, 2)
	for i := range x.Data {
		x.Data[i] = float32(i)
	}
	rows := []int{0, 1, 2, 3}
	if _, err := MI(x, rows, []int{1, 2, 3, 4}, 3); !errors.Is(err, ErrTooFewPoints) {
		t.Errorf("unique labels: err = %v, want ErrTooFewPoints", err)
	}
	// A NaN in a singleton's row is ignored with the point; in a used row
	// it is an error.
	x.Data[7] = float32(math.NaN()) // row 3
	if _, err := MI(x, rows, []int{1, 1, 1, 2}, 3); err != nil {
		t.Errorf("NaN in an unused row: err = %v", err)
	}
	if _, err := MI(x, rows, []int{1, 1, 2, 2}, 3); !errors.Is(err, ErrNonFinite) {
		t.Errorf("NaN in a used row: err = %v, want ErrNonFinite", err)
	}
	for i, f := range []func(){
		func() { MI(x, rows, []int{1, 1}, 3) },
		func() { MI(x, rows, []int{1, 1, 1, 1}, 0) },
		func() { MI(x, []int{0, 4}, []int{1, 1}, 1) },
		func() { MI(nil, nil, nil, 1) },
	} {
		if !panics(f) {
			t.Errorf("case %d: no panic", i)
		}
	}
}

func TestDuplicateRowsAtZero(t *testing.T) {
	// Duplicate rows far from the origin: the expansion alone would leave
	// a residue of about 1e-16·‖a‖²; the distance must be exactly 0.
	rng := rand.New(rand.NewPCG(5, 6))
	const n, d = 20, 128
	x := dataset.NewMatrix(2*n, d)
	for i := range n * d {
		x.Data[i] = float32(1000 + rng.NormFloat64())
	}
	copy(x.Data[n*d:], x.Data[:n*d])
	rows := make([]int, 2*n)
	for i := range rows {
		rows[i] = i
	}
	sq, err := sqNorms(x, rows)
	if err != nil {
		t.Fatal(err)
	}
	w := newL2Worker(x, rows, sq, defaultBlocking)
	d2 := w.distances(rows, rows)
	for a := range 2 * n {
		for b := range 2 * n {
			v := d2[a*2*n+b]
			if a%n == b%n && v != 0 {
				t.Errorf("rows %d and %d are equal, distance² %g", a, b, v)
			}
			if a%n != b%n && v <= 0 {
				t.Errorf("rows %d and %d differ, distance² %g", a, b, v)
			}
		}
	}
}

func TestTileBitsIndependentOfBlocking(t *testing.T) {
	// dots64 and dots32 must give exactly blas64.Dot / blas32.Dot of each
	// pair (gonum's serial gemm path), whatever the block shape: MI relies
	// on it for consistent distances, ReID for exact ties.
	rng := rand.New(rand.NewPCG(7, 8))
	for _, d := range []int{1, 37, 128} {
		const m, n = 150, 130
		x := dataset.NewMatrix(m+n, d)
		for i := range x.Data {
			x.Data[i] = float32(rng.NormFloat64())
		}
		q := seq(0, m)
		r := seq(m, m+n)
		a64 := gather64(make([]float64, m*d), x, q)
		b64 := gather64(make([]float64, n*d), x, r)
		c64 := make([]float64, m*n)
		dots64(c64, a64, b64, m, n, d)
		a32 := gather32(make([]float32, m*d), x, q)
		b32 := gather32(make([]float32, n*d), x, r)
		c32 := make([]float32, m*n)
		dots32(c32, a32, b32, m, n, d)
		for i := range m {
			for j := range n {
				if want := dot64(a64[i*d:(i+1)*d], b64[j*d:(j+1)*d]); c64[i*n+j] != want {
					t.Fatalf("d=%d (%d,%d): dots64 %v, Dot %v", d, i, j, c64[i*n+j], want)
				}
				// MI's symmetric sweep also needs b·a == a·b to the bit.
				if want := dot64(b64[j*d:(j+1)*d], a64[i*d:(i+1)*d]); c64[i*n+j] != want {
					t.Fatalf("d=%d (%d,%d): dots64 %v, reversed Dot %v", d, i, j, c64[i*n+j], want)
				}
				if want := dot32(a32[i*d:(i+1)*d], b32[j*d:(j+1)*d]); c32[i*n+j] != want {
					t.Fatalf("d=%d (%d,%d): dots32 %v, Dot %v", d, i, j, c32[i*n+j], want)
				}
			}
		}
	}
}

func TestNearRowsAccurate(t *testing.T) {
	// Rows far from the origin (‖a‖² ≈ 1.3e8) that differ by about 1e-3:
	// the expansion ‖a‖²+‖b‖²−2a·b alone has an error of order 1e-8, as
	// large as the distance² itself; the recomputed value must agree with
	// the direct sum Σ(a−b)² to float64 rounding.
	const tol = 1e-12 // relative
	rng := rand.New(rand.NewPCG(9, 10))
	const n, d = 30, 128
	x := dataset.NewMatrix(n, d)
	for l := range d {
		x.Data[l] = float32(1000 + rng.NormFloat64())
	}
	for i := 1; i < n; i++ {
		for l := range d {
			x.Data[i*d+l] = x.Data[l] + float32(rng.NormFloat64()*1e-3)
		}
	}
	rows := seq(0, n)
	sq, err := sqNorms(x, rows)
	if err != nil {
		t.Fatal(err)
	}
	d2 := newL2Worker(x, rows, sq, defaultBlocking).distances(rows, rows)
	for a := range n {
		for b := range n {
			want := sqDistDirect(x.Row(a), x.Row(b))
			if got := d2[a*n+b]; math.Abs(got-want) > tol*want {
				t.Errorf("(%d,%d): distance² %g, direct %g", a, b, got, want)
			}
			if d2[a*n+b] != d2[b*n+a] {
				t.Errorf("(%d,%d): distance² %g, reversed %g", a, b, d2[a*n+b], d2[b*n+a])
			}
		}
	}
}
