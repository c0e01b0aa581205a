package adversary

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gorgonia.org/tensor"
)

// gradTol bounds |analytic − numeric| / max(1, |analytic|, |numeric|) for
// central differences of step fdStep on float64 graphs: truncation error
// O(h²·f”') ≈ 1e-12 and rounding O(ε·f/h) ≈ 1e-10 for the losses here
// (|f| ≲ 10), so 1e-6 leaves a wide margin while catching a wrong
// gradient (the same tolerance as package nn's checks).
const (
	gradTol = 1e-6
	fdStep  = 1e-5
)

// randomBatch draws a batch for cfg: z ~ N(0, 1), S labels uniform in
// 0..K−1 or N(0, 1) floats.
func randomBatch(rng *rand.Rand, cfg Config, n int) ([]float32, Attribute) {
	z := make([]float32, n*cfg.DZ)
	for i := range z {
		z[i] = float32(rng.NormFloat64())
	}
	if cfg.Classes > 0 {
		l := make(Labels, n)
		for i := range l {
			l[i] = rng.IntN(cfg.Classes)
		}
		return z, l
	}
	s := make(Floats, n*cfg.DS)
	for i := range s {
		s[i] = float32(rng.NormFloat64())
	}
	return z, s
}

// float64Estimator builds cfg on a float64 graph and loads one random
// batch (and, for the concat critic, one permutation).
func float64Estimator(t *testing.T, cfg Config, seed uint64) *Estimator {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	e, err := newEstimator(cfg, rng, tensor.Float64)
	if err != nil {
		t.Fatal(err)
	}
	z, s := randomBatch(rng, e.cfg, e.cfg.Batch)
	if err := e.load(z, s); err != nil {
		t.Fatal(err)
	}
	if e.m.perm != nil {
		cyclicPerm(e.rng, e.m.perm)
		e.m.setPairs(e.m.perm)
	}
	return e
}

// runLoss runs the training machine and returns the loss.
func runLoss(t *testing.T, e *Estimator) float64 {
	t.Helper()
	if err := e.train.Run(); err != nil {
		t.Fatal(err)
	}
	return e.train.Loss()
}

// checkParamGrads compares the gradient of the training loss with respect
// to every parameter with central finite differences on up to maxElems
// elements of each.
func checkParamGrads(t *testing.T, e *Estimator) {
	t.Helper()
	const maxElems, maxKinks = 10, 2
	kinks := 0
	runLoss(t, e)
	nodes := e.m.params.Nodes()
	analytic := make([][]float64, len(nodes))
	for i, n := range nodes {
		g, err := n.Grad()
		if err != nil {
			t.Fatal(err)
		}
		analytic[i] = append([]float64(nil), g.Data().([]float64)...)
	}
	rng := rand.New(rand.NewPCG(7, 7))
	for i, n := range nodes {
		x := n.Value().(*tensor.Dense).Data().([]float64)
		idx := rng.Perm(len(x))
		if len(idx) > maxElems {
			idx = idx[:maxElems]
		}
		for _, j := range idx {
			x0 := x[j]
			x[j] = x0 + fdStep
			fp := runLoss(t, e)
			x[j] = x0 - fdStep
			fm := runLoss(t, e)
			x[j] = x0
			num := (fp - fm) / (2 * fdStep)
			a := analytic[i][j]
			if relErr(a, num) <= gradTol {
				continue
			}
			// A ReLU input within fdStep of 0 makes the loss non-smooth
			// inside [x−h, x+h]: the one-sided differences then disagree,
			// and the analytic gradient (of the side x is on) matches one
			// of them to O(h·f”) ≈ 1e-5, much closer than they are to
			// each other. Such elements are skipped, at most maxKinks per
			// case.
			f0 := runLoss(t, e)
			fwd, back := (fp-f0)/fdStep, (f0-fm)/fdStep
			gap := relErr(fwd, back)
			if gap > 1e-4 && min(relErr(a, fwd), relErr(a, back)) < gap/10 && kinks < maxKinks {
				kinks++
				continue
			}
			t.Errorf("d loss/d %s[%d]: got %.10g, finite differences %.10g (rel %.2g)", n.Name(), j, a, num, relErr(a, num))
		}
	}
}

func relErr(a, b float64) float64 {
	return math.Abs(a-b) / math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

// gradCases are the critics and losses checked: every critic with every
// kind of S (one-hot, learned embedding, continuous) and every bound.
var gradCases = []Config{
	{Bound: BoundDV, Critic: CriticConcat, Classes: 5},
	{Bound: BoundDV, Critic: CriticConcat, Classes: 9, Embed: 3},
	{Bound: BoundDV, Critic: CriticConcat, DS: 3},
	{Bound: BoundDV, Critic: CriticSeparable, Classes: 5},
	{Bound: BoundDV, Critic: CriticSeparable, Classes: 9, Embed: 3},
	{Bound: BoundDV, Critic: CriticSeparable, DS: 3},
	{Bound: BoundNWJ, Critic: CriticConcat, DS: 3},
	{Bound: BoundNWJ, Critic: CriticSeparable, Classes: 9, Embed: 3},
	{Bound: BoundJSD, Critic: CriticConcat, Classes: 9, Embed: 3},
	{Bound: BoundSMILE, Critic: CriticSeparable, DS: 3},
	{Bound: BoundInfoNCE, Critic: CriticSeparable, DS: 3},
	{Bound: BoundInfoNCE, Critic: CriticSeparable, Classes: 9, Embed: 3},
	{Bound: BoundInfoNCE, Critic: CriticConcat, Classes: 5},
	{Bound: BoundInfoNCE, Critic: CriticConcat, DS: 3},
	{Bound: BoundCLUB, Classes: 5},
	{Bound: BoundCLUB, DS: 3},
}

func caseName(c Config) string {
	s := c.Bound
	if c.Critic != "" {
		s += "/" + c.Critic
	}
	switch {
	case c.DS > 0:
		s += "/continuous"
	case c.Embed > 0:
		s += "/embedding"
	default:
		s += "/onehot"
	}
	return s
}

func TestCriticGradients(t *testing.T) {
	for i, cfg := range gradCases {
		cfg.DZ, cfg.Hidden, cfg.Batch, cfg.Out = 4, []int{6, 5}, 6, 4
		t.Run(caseName(cfg), func(t *testing.T) {
			e := float64Estimator(t, cfg, uint64(i))
			defer e.Close()
			checkParamGrads(t, e)
		})
	}
}

func TestLossIsMinusBound(t *testing.T) {
	// The graph's loss and the pure bound function agree on the same
	// scores: −DV, −NWJ, −InfoNCE, −JSD (also SMILE's training loss), and
	// for CLUB the negative log-likelihood −mean_i log q(s_i|z_i).
	const lossTol = 1e-12 // float64 graph against float64 Go: rounding only
	for i, cfg := range gradCases {
		cfg.DZ, cfg.Hidden, cfg.Batch, cfg.Out = 4, []int{6, 5}, 6, 4
		t.Run(caseName(cfg), func(t *testing.T) {
			e := float64Estimator(t, cfg, uint64(i))
			defer e.Close()
			loss := runLoss(t, e)
			sc, err := e.m.scores(e.train)
			if err != nil {
				t.Fatal(err)
			}
			var want float64
			switch cfg.Bound {
			case BoundSMILE:
				want = -JSD(sc.Joint, sc.Marginal, nil, nil)
			case BoundCLUB:
				want = -wmean(sc.Joint, nil)
			default:
				want = -sc.value(e.cfg)
			}
			if math.Abs(loss-want) > lossTol*math.Max(1, math.Abs(want)) {
				t.Errorf("loss %.15g, minus the bound function %.15g", loss, want)
			}
		})
	}
}

func TestSeparableMarginalIsOffDiagonal(t *testing.T) {
	// The separable critic's marginal scores are the n(n−1) off-diagonal
	// entries of its matrix, and its joint scores the diagonal.
	cfg := Config{Bound: BoundDV, Critic: CriticSeparable, DZ: 3, DS: 2, Hidden: []int{4}, Batch: 5}
	e := float64Estimator(t, cfg, 3)
	defer e.Close()
	runLoss(t, e)
	sc, err := e.m.scores(e.train)
	if err != nil {
		t.Fatal(err)
	}
	n := sc.N
	if len(sc.Matrix) != n*n || len(sc.Joint) != n || len(sc.Marginal) != n*(n-1) {
		t.Fatalf("sizes %d, %d, %d for n = %d", len(sc.Matrix), len(sc.Joint), len(sc.Marginal), n)
	}
	k := 0
	for i := range n {
		for j := range n {
			v := sc.Matrix[i*n+j]
			if i == j {
				if sc.Joint[i] != v {
					t.Errorf("joint[%d] = %v, matrix %v", i, sc.Joint[i], v)
				}
				continue
			}
			if sc.Marginal[k] != v {
				t.Errorf("marginal[%d] = %v, matrix[%d][%d] %v", k, sc.Marginal[k], i, j, v)
			}
			k++
		}
	}
}

func TestConcatCriticMatchesSeparateEvaluation(t *testing.T) {
	// The concat critic scores the marginal pair (z_i, s_π(i)) as it scores
	// the joint pair i of the batch whose S rows are permuted by π: run the
	// same critic on that batch and compare.
	cfg := Config{Bound: BoundDV, Critic: CriticConcat, DZ: 3, Classes: 4, Hidden: []int{5}, Batch: 6}
	e := float64Estimator(t, cfg, 5)
	defer e.Close()
	runLoss(t, e)
	sc, err := e.m.scores(e.train)
	if err != nil {
		t.Fatal(err)
	}
	perm := append([]int(nil), e.m.perm...)
	for i, j := range perm {
		if i == j {
			t.Errorf("permutation %v has a fixed point", perm)
		}
	}
	z := make([]float32, len(e.m.zT.Data().([]float64)))
	for i, v := range e.m.zT.Data().([]float64) {
		z[i] = float32(v)
	}
	shuffled := make(Labels, len(perm))
	for i, j := range perm {
		shuffled[i] = e.m.labels[j]
	}
	if err := e.load(z, shuffled); err != nil {
		t.Fatal(err)
	}
	e.m.setPairs(perm)
	runLoss(t, e)
	sc2, err := e.m.scores(e.train)
	if err != nil {
		t.Fatal(err)
	}
	for i := range perm {
		if sc.Marginal[i] != sc2.Joint[i] {
			t.Errorf("T(z_%d, s_π(%d)) = %v as a marginal pair, %v as a joint pair", i, i, sc.Marginal[i], sc2.Joint[i])
		}
	}
}

// TestParameterNames checks that each critic holds the parameters it
// should: the embedding table is learned, the one-hot table is not.
func TestParameterNames(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		want []string
	}{
		{Config{Bound: BoundDV, Classes: 4, DZ: 2, Hidden: []int{3}}, []string{"critic.0.weight", "critic.0.bias", "critic.1.weight", "critic.1.bias"}},
		{Config{Bound: BoundDV, Classes: 4, Embed: 2, DZ: 2, Hidden: []int{}}, []string{"embed.weight", "critic.0.weight", "critic.0.bias"}},
		{Config{Bound: BoundInfoNCE, DS: 4, DZ: 2, Hidden: []int{}}, []string{"f.0.weight", "f.0.bias", "g.0.weight", "g.0.bias"}},
		{Config{Bound: BoundCLUB, DS: 4, DZ: 2, Hidden: []int{}}, []string{"q_mu.0.weight", "q_mu.0.bias", "q_logvar.0.weight", "q_logvar.0.bias"}},
	} {
		e, err := New(tc.cfg, rand.New(rand.NewPCG(1, 1)))
		if err != nil {
			t.Fatal(err)
		}
		if got := e.m.params.Names(); fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%s: params %v, want %v", caseName(tc.cfg), got, tc.want)
		}
		e.Close()
	}
}
