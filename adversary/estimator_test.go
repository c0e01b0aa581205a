package adversary

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/miaudit/miaudit/nn"
)

func TestEstimatorsOnCorrelatedGaussians(t *testing.T) {
	// Correlated Gaussians in d = 5 dimensions with true MI 1 nat
	// (ρ from the closed form −d/2·log(1−ρ²) = 1). Each bound is trained
	// 1,500 steps at batch 128 on fresh batches, then evaluated on 20
	// fresh held-out batches (2,560 rows). Hidden layers are 64 wide to
	// keep the test fast. The held-out estimates must be within 0.3 nats
	// of the truth; InfoNCE must also stay below log 128.
	const (
		d, batch, steps = 5, 128, 1500
		trueMI          = 1.0
		maxErr          = 0.3 // nats
		heldOut         = 20 * batch
	)
	if testing.Short() {
		t.Skip("trains three critics for 1,500 steps")
	}
	rho := rhoForMI(trueMI, d)
	for i, bound := range []string{BoundDV, BoundNWJ, BoundInfoNCE} {
		t.Run(bound, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(i), 42))
			e, err := New(Config{Bound: bound, DZ: d, DS: d, Hidden: []int{64, 64}, Batch: batch}, rng)
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close()
			for range steps {
				x, y := gaussPairs(rng, batch, d, rho)
				if _, err := e.Train(x, Floats(y)); err != nil {
					t.Fatal(err)
				}
			}
			x, y := gaussPairs(rng, heldOut, d, rho)
			est, err := e.Estimate(x, Floats(y))
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: held-out estimate %.3f nats, truth %.3f", bound, est, trueMI)
			if math.Abs(est-trueMI) > maxErr {
				t.Errorf("%s: estimate %.3f, truth %.3f ± %.1f", bound, est, trueMI, maxErr)
			}
			if est > e.Ceiling() {
				t.Errorf("%s: estimate %.3f above the ceiling %.3f", bound, est, e.Ceiling())
			}
		})
	}
}

func TestCLUBOnCorrelatedGaussians(t *testing.T) {
	// With q(s|z) equal to the true conditional N(ρz, (1−ρ²)I), CLUB's
	// population value is (closed form, from E|s−ρz|² = d(1−ρ²) under P and
	// d(1+ρ²) under the product of marginals)
	//
	//	CLUB = d·ρ² / (1−ρ²)
	//
	// which for d = 2 and I = 0.5 nats (ρ² = 1 − e^−0.5) is 1.2974 nats
	// (python3), above I as an upper bound should be. A Gaussian q trained 1,000
	// steps must come within 0.15 nats of it on held-out data.
	const (
		d, batch, steps = 2, 128, 1000
		trueMI          = 0.5
		maxErr          = 0.15
	)
	if testing.Short() {
		t.Skip("trains for 1,000 steps")
	}
	rho := rhoForMI(trueMI, d)
	want := float64(d) * rho * rho / (1 - rho*rho)
	rng := rand.New(rand.NewPCG(5, 42))
	e, err := New(Config{Bound: BoundCLUB, DZ: d, DS: d, Hidden: []int{32}, Batch: batch}, rng)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	for range steps {
		x, y := gaussPairs(rng, batch, d, rho)
		if _, err := e.Train(x, Floats(y)); err != nil {
			t.Fatal(err)
		}
	}
	x, y := gaussPairs(rng, 20*batch, d, rho)
	est, err := e.Estimate(x, Floats(y))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("club: held-out %.4f, population value with the true q %.4f, MI %.4f", est, want, trueMI)
	if math.Abs(est-want) > maxErr {
		t.Errorf("club: %.4f, want %.4f ± %.2f", est, want, maxErr)
	}
	if e.BoundType() != Upper {
		t.Errorf("club bound type %q", e.BoundType())
	}
}

func TestBoundTypes(t *testing.T) {
	for bound, want := range map[string]string{
		BoundDV: Lower, BoundMINE: Lower, BoundNWJ: Lower, BoundInfoNCE: Lower,
		BoundSMILE: PointEstimate, BoundCLUB: Upper, BoundJSD: TrainingSignal, "kl": "",
	} {
		if got := BoundTypeOf(bound); got != want {
			t.Errorf("BoundTypeOf(%q) = %q, want %q", bound, got, want)
		}
	}
}

// trainRun trains a fresh estimator for steps steps on seeded batches,
// calling between(step) after each, and returns the training values and
// the final held-out estimate.
func trainRun(t *testing.T, cfg Config, steps int, between func(e *Estimator, step int)) ([]float64, float64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(9, 9))
	e, err := New(cfg, rng)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	data := rand.New(rand.NewPCG(10, 10))
	var vals []float64
	for i := range steps {
		z, s := randomBatch(data, e.cfg, e.cfg.Batch)
		v, err := e.Train(z, s)
		if err != nil {
			t.Fatal(err)
		}
		vals = append(vals, v)
		if between != nil {
			between(e, i)
		}
	}
	z, s := randomBatch(data, e.cfg, 2*e.cfg.Batch)
	est, err := e.Estimate(z, s)
	if err != nil {
		t.Fatal(err)
	}
	return vals, est
}

var smallConfigs = []Config{
	{Bound: BoundDV, DZ: 4, Classes: 3, Hidden: []int{8}, Batch: 16},
	{Bound: BoundMINE, DZ: 4, DS: 2, Hidden: []int{8}, Batch: 16},
	{Bound: BoundSMILE, Critic: CriticSeparable, DZ: 4, Classes: 300, Hidden: []int{8}, Batch: 16},
	{Bound: BoundInfoNCE, Critic: CriticConcat, DZ: 4, Classes: 3, Hidden: []int{8}, Batch: 8},
	{Bound: BoundCLUB, DZ: 4, Classes: 5, Hidden: []int{8}, Batch: 16},
	{Bound: BoundCLUB, DZ: 4, DS: 3, Hidden: []int{8}, Batch: 16},
	{Bound: BoundJSD, DZ: 4, Classes: 7, Embed: 3, Hidden: []int{8}, Batch: 16},
}

func TestDeterministic(t *testing.T) {
	// Same configuration, seed and data: bit-identical values.
	for _, cfg := range smallConfigs {
		t.Run(caseName(cfg), func(t *testing.T) {
			v1, e1 := trainRun(t, cfg, 20, nil)
			v2, e2 := trainRun(t, cfg, 20, nil)
			if !slices.Equal(v1, v2) || e1 != e2 {
				t.Errorf("runs differ: %v / %v, estimates %v / %v", v1, v2, e1, e2)
			}
			for i, v := range v1 {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Errorf("step %d: value %v", i, v)
				}
			}
		})
	}
}

func TestEvaluationDoesNotPerturbTraining(t *testing.T) {
	// Scores and Estimate share the graph and its input tensors with
	// training; calling them between steps must not change the run.
	for _, cfg := range smallConfigs {
		t.Run(caseName(cfg), func(t *testing.T) {
			plain, est1 := trainRun(t, cfg, 10, nil)
			evalRng := rand.New(rand.NewPCG(77, 77))
			var sc1, sc2 *Scores
			mixed, est2 := trainRun(t, cfg, 10, func(e *Estimator, step int) {
				z, s := randomBatch(evalRng, e.cfg, e.cfg.Batch)
				a, err := e.Scores(z, s)
				if err != nil {
					t.Fatal(err)
				}
				b, err := e.Scores(z, s)
				if err != nil {
					t.Fatal(err)
				}
				sc1, sc2 = a, b
			})
			if !slices.Equal(plain, mixed) || est1 != est2 {
				t.Errorf("evaluation changed training: %v / %v, estimates %v / %v", plain, mixed, est1, est2)
			}
			if !slices.Equal(sc1.Joint, sc2.Joint) || !slices.Equal(sc1.Marginal, sc2.Marginal) || !slices.Equal(sc1.Matrix, sc2.Matrix) {
				t.Error("Scores on the same batch twice differ")
			}
		})
	}
}

func TestEstimatePoolsBlocks(t *testing.T) {
	// Estimate over two blocks pools their joint and marginal scores (DV)
	// or averages per-block values (InfoNCE), from Scores of each block.
	for _, cfg := range []Config{
		{Bound: BoundDV, DZ: 3, DS: 2, Hidden: []int{4}, Batch: 8},
		{Bound: BoundInfoNCE, DZ: 3, DS: 2, Hidden: []int{4}, Batch: 8},
	} {
		rng := rand.New(rand.NewPCG(1, 5))
		e, err := New(cfg, rng)
		if err != nil {
			t.Fatal(err)
		}
		z, s := randomBatch(rng, e.cfg, 16)
		got, err := e.Estimate(z, s)
		if err != nil {
			t.Fatal(err)
		}
		a, _ := e.Scores(z[:8*3], s.(Floats)[:8*2])
		b, _ := e.Scores(z[8*3:], s.(Floats)[8*2:])
		var want float64
		if cfg.Bound == BoundDV {
			want = DV(append(a.Joint, b.Joint...), append(a.Marginal, b.Marginal...), nil, nil)
		} else {
			want = (InfoNCE(a.Matrix, 8, nil) + InfoNCE(b.Matrix, 8, nil)) / 2
		}
		if got != want {
			t.Errorf("%s: Estimate %v, from the blocks' scores %v", cfg.Bound, got, want)
		}
		e.Close()
	}
}

func TestConfigErrors(t *testing.T) {
	base := Config{Bound: BoundDV, DZ: 2, Classes: 3}
	for i, mod := range []func(c *Config){
		func(c *Config) { c.Bound = "kl" },
		func(c *Config) { c.Critic = "bilinear" },
		func(c *Config) { c.Bound, c.Critic = BoundCLUB, CriticConcat },
		func(c *Config) { c.DZ = 0 },
		func(c *Config) { c.Classes = 1 },
		func(c *Config) { c.DS = 2 },
		func(c *Config) { c.Classes = 0 },
		func(c *Config) { c.Hidden = []int{4, 0} },
		func(c *Config) { c.Batch = 1 },
		func(c *Config) { c.LR = -1 },
		func(c *Config) { c.EMA = 1 },
		func(c *Config) { c.Tau = -1 },
		func(c *Config) { c.Embed = -2 },
	} {
		c := base
		mod(&c)
		if _, err := New(c, rand.New(rand.NewPCG(1, 1))); err == nil {
			t.Errorf("case %d (%+v): no error", i, c)
		}
	}
	if _, err := New(base, nil); err == nil {
		t.Error("nil rng: no error")
	}
	e, err := New(base, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	c := e.Config()
	if c.Batch != DefaultBatch || c.LR != DefaultLR || c.Critic != CriticConcat || !slices.Equal(c.Hidden, []int{256, 256}) || c.Embed != 0 {
		t.Errorf("defaults %+v", c)
	}
	if c2, _ := (Config{Bound: BoundInfoNCE, DZ: 2, Classes: MaxOneHot + 1}).withDefaults(); c2.Critic != CriticSeparable || c2.Embed != DefaultEmbed {
		t.Errorf("infonce defaults %+v", c2)
	}
}

func TestInputErrors(t *testing.T) {
	cfg := Config{Bound: BoundDV, DZ: 2, Classes: 3, Hidden: []int{4}, Batch: 4}
	e, err := New(cfg, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	z := make([]float32, 8)
	for i, tc := range []struct {
		z []float32
		s Attribute
	}{
		{z[:6], Labels{0, 1, 2}},         // 3 rows, batch 4
		{z[:7], Labels{0, 1, 2, 0}},      // not whole rows
		{z, Labels{0, 1, 2}},             // row counts differ
		{z, Labels{0, 1, 3, 0}},          // label out of range
		{z, Labels{0, -1, 2, 0}},         // negative label
		{z, Floats{0, 1, 2, 0, 1, 2, 3}}, // floats for a discrete S
		{z, nil},                         // no S
	} {
		if _, err := e.Train(tc.z, tc.s); err == nil {
			t.Errorf("Train case %d: no error", i)
		}
	}
	if _, err := e.Estimate(make([]float32, 12), Labels{0, 1, 2, 0, 1, 2}); err == nil {
		t.Error("Estimate on 6 rows with batch 4: no error")
	}
	if _, err := e.Train(z, Labels{0, 1, 2, 0}); err != nil {
		t.Errorf("valid batch: %v", err)
	}
}

func TestDivergedStepLeavesParameters(t *testing.T) {
	cfg := Config{Bound: BoundNWJ, DZ: 2, DS: 1, Hidden: []int{4}, Batch: 4}
	rng := rand.New(rand.NewPCG(1, 1))
	e, err := New(cfg, rng)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	before := snapshotParams(t, e)
	z := []float32{1, 2, float32(math.NaN()), 0, 1, 1, 0, 0}
	if _, err := e.Train(z, Floats{1, 2, 3, 4}); !errors.Is(err, ErrDiverged) {
		t.Fatalf("NaN input: error %v, want ErrDiverged", err)
	}
	if after := snapshotParams(t, e); !slices.EqualFunc(before, after, slices.Equal) {
		t.Error("parameters changed by a diverged step")
	}
	if e.Steps() != 0 {
		t.Errorf("steps %d after a diverged step", e.Steps())
	}
}

func snapshotParams(t *testing.T, e *Estimator) [][]float32 {
	t.Helper()
	var out [][]float32
	for _, n := range e.m.params.Nodes() {
		v, err := nn.Float32s(n)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, slices.Clone(v))
	}
	return out
}

func TestCheckpointRoundTrip(t *testing.T) {
	// Train k steps, save, train m more; load the checkpoint and train the
	// same m batches: values, parameters and estimates are bit-identical.
	const k, m = 7, 6
	for _, cfg := range []Config{
		{Bound: BoundMINE, DZ: 4, Classes: 3, Hidden: []int{8}, Batch: 16},
		{Bound: BoundInfoNCE, DZ: 4, DS: 2, Hidden: []int{8}, Batch: 16},
		{Bound: BoundCLUB, DZ: 4, Classes: 5, Hidden: []int{8}, Batch: 16},
		{Bound: BoundDV, DZ: 4, Classes: 500, Hidden: []int{8}, Batch: 16},
	} {
		t.Run(caseName(cfg), func(t *testing.T) {
			path := t.TempDir() + "/critic.safetensors"
			rng := rand.New(rand.NewPCG(3, 3))
			data := rand.New(rand.NewPCG(4, 4))
			e, err := New(cfg, rng)
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close()
			for range k {
				z, s := randomBatch(data, e.cfg, 16)
				if _, err := e.Train(z, s); err != nil {
					t.Fatal(err)
				}
			}
			if err := e.Save(path); err != nil {
				t.Fatal(err)
			}
			saved := snapshotParams(t, e)
			var batches [][2]any
			for range m {
				z, s := randomBatch(data, e.cfg, 16)
				batches = append(batches, [2]any{z, s})
			}
			hz, hs := randomBatch(data, e.cfg, 32)
			cont := func(e *Estimator) ([]float64, float64) {
				var vals []float64
				for _, b := range batches {
					v, err := e.Train(b[0].([]float32), b[1].(Attribute))
					if err != nil {
						t.Fatal(err)
					}
					vals = append(vals, v)
				}
				est, err := e.Estimate(hz, hs)
				if err != nil {
					t.Fatal(err)
				}
				return vals, est
			}
			want, wantEst := cont(e)
			l, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			if got := snapshotParams(t, l); !slices.EqualFunc(got, saved, slices.Equal) {
				t.Fatal("loaded parameters differ from the saved ones")
			}
			if l.Steps() != k {
				t.Errorf("loaded steps %d, want %d", l.Steps(), k)
			}
			got, gotEst := cont(l)
			if !slices.Equal(got, want) || gotEst != wantEst {
				t.Errorf("resumed run %v (estimate %v), uninterrupted %v (%v)", got, gotEst, want, wantEst)
			}
			if !slices.EqualFunc(snapshotParams(t, l), snapshotParams(t, e), slices.Equal) {
				t.Error("final parameters differ")
			}
		})
	}
}

func TestLoadDetectsDamage(t *testing.T) {
	dir := t.TempDir()
	path := dir + "/c.safetensors"
	e, err := New(Config{Bound: BoundDV, DZ: 2, DS: 1, Hidden: []int{3}, Batch: 4}, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if err := e.Save(path); err != nil {
		t.Fatal(err)
	}
	b, err := readFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)-1] ^= 1
	if err := writeFile(path, b); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); !errors.Is(err, nn.ErrCorrupt) {
		t.Errorf("flipped bit: error %v, want nn.ErrCorrupt", err)
	}
}
