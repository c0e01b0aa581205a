package adversary

import (
	"math"
	"math/rand/v2"
	"testing"

	"gorgonia.org/tensor"
)

func TestMINEGradientUsesMovingAverage(t *testing.T) {
	// A linear critic T(x) = w·x + b on x = [z, s] (Hidden empty), float64.
	// MINE's gradient of its loss −(mean_P T − log mean_Q e^T) replaces the
	// batch's mean_Q e^T in the denominator by the moving average
	// D = (1−α)·E + α·mean_Q e^T (Belghazi et al. 2018, §3.2):
	//
	//	∂loss/∂w = −( mean_i x_i − Σ_i e^(T(x'_i)) x'_i / (n·D) )
	//	∂loss/∂b = −( 1 − mean_i e^(T(x'_i)) / D )
	//
	// with x_i = [z_i, s_i] and x'_i = [z_i, s_π(i)]. Both are computed here
	// in plain Go and compared with the graph's gradient.
	const (
		alpha   = 0.1
		prevEMA = 1.7 // E, set by hand
		mtol    = 1e-12
	)
	cfg := Config{Bound: BoundMINE, Critic: CriticConcat, DZ: 3, DS: 2, Hidden: []int{}, Batch: 8, EMA: alpha}
	e := float64Estimator(t, cfg, 11)
	defer e.Close()
	e.m.ema.init, e.m.ema.logE = true, math.Log(prevEMA)
	runLoss(t, e)

	m := e.m
	n, dz, ds := m.n, cfg.DZ, cfg.DS
	z := m.zT.Data().([]float64)
	s := m.sT.Data().([]float64)
	lin := m.params
	w := lin.Node("critic.0.weight").Value().(*tensor.Dense).Data().([]float64)
	b := lin.Node("critic.0.bias").Value().(*tensor.Dense).Data().([]float64)[0]
	x := func(i, j int) []float64 {
		return append(append([]float64(nil), z[i*dz:(i+1)*dz]...), s[j*ds:(j+1)*ds]...)
	}
	crit := func(v []float64) float64 {
		t := b
		for k, c := range v {
			t += w[k] * c
		}
		return t
	}
	var meanQ float64
	for i := range n {
		meanQ += math.Exp(crit(x(i, m.perm[i]))) / float64(n)
	}
	d := (1-alpha)*prevEMA + alpha*meanQ
	if got := math.Exp(m.ema.pending); math.Abs(got-d)/d > mtol {
		t.Errorf("moving average %.15g, want (1−α)·%v + α·%.15g = %.15g", got, prevEMA, meanQ, d)
	}
	wantW := make([]float64, dz+ds)
	var wantB float64
	for i := range n {
		xi, xq := x(i, i), x(i, m.perm[i])
		eq := math.Exp(crit(xq))
		for k := range wantW {
			wantW[k] -= xi[k]/float64(n) - eq*xq[k]/(float64(n)*d)
		}
		wantB -= 1/float64(n) - eq/(float64(n)*d)
	}
	gw, _ := lin.Node("critic.0.weight").Grad()
	gb, _ := lin.Node("critic.0.bias").Grad()
	for k, v := range gw.Data().([]float64) {
		if math.Abs(v-wantW[k]) > mtol {
			t.Errorf("∂loss/∂w[%d] = %.15g, formula %.15g", k, v, wantW[k])
		}
	}
	if v := gb.Data().([]float64)[0]; math.Abs(v-wantB) > mtol {
		t.Errorf("∂loss/∂b = %.15g, formula %.15g", v, wantB)
	}
	// The gradient is not DV's: DV's would divide by mean_Q e^T.
	if math.Abs(d-meanQ) < 1e-3 {
		t.Fatalf("test is vacuous: D %v ≈ mean_Q e^T %v", d, meanQ)
	}
}

func TestMINEMovingAverageRecurrence(t *testing.T) {
	// Over training steps the average follows E_1 = m_1 and
	// E_t = (1−α)·E_{t−1} + α·m_t, m_t = mean_Q e^T of step t's batch,
	// recomputed here from the recorded log mean_Q e^T of each step.
	const alpha = 0.2
	cfg := Config{Bound: BoundMINE, DZ: 3, DS: 2, Hidden: []int{8}, Batch: 16, EMA: alpha}
	rng := rand.New(rand.NewPCG(4, 4))
	e, err := New(cfg, rng)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	var want float64
	for step := range 5 {
		z, s := randomBatch(rng, e.cfg, 16)
		if _, err := e.Train(z, s); err != nil {
			t.Fatal(err)
		}
		mt := math.Exp(e.m.ema.lastLME)
		if step == 0 {
			want = mt
		} else {
			want = (1-alpha)*want + alpha*mt
		}
		if got := math.Exp(e.m.ema.logE); math.Abs(got-want)/want > 1e-12 {
			t.Errorf("step %d: EMA %.15g, want %.15g", step+1, got, want)
		}
	}
}
