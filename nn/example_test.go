package nn_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/miaudit/miaudit/nn"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Build one graph with a fixed batch size, compile it once, and for each
// batch refill the bound input tensors, run, and step.
func ExampleMachine() {
	const batch, in = 32, 3
	rng := rand.New(rand.NewPCG(1, 2))
	g := G.NewGraph()
	xT := tensor.New(tensor.WithShape(batch, in), tensor.Of(tensor.Float32))
	yT := tensor.New(tensor.WithShape(batch, 1), tensor.Of(tensor.Float32))
	x := G.NewMatrix(g, tensor.Float32, G.WithShape(batch, in), G.WithName("x"), G.WithValue(xT))
	y := G.NewMatrix(g, tensor.Float32, G.WithShape(batch, 1), G.WithName("y"), G.WithValue(yT))
	lin, err := nn.NewLinear(g, "lin", in, 1, rng, nil)
	if err != nil {
		panic(err)
	}
	pred, _ := lin.Forward(x)
	diff, _ := G.Sub(pred, y)
	sq, _ := G.Square(diff)
	loss, _ := G.Mean(sq)
	params, _ := nn.ParamsOf(lin)
	m, err := nn.NewMachine(loss, params)
	if err != nil {
		panic(err)
	}
	defer m.Close()
	opt, _ := nn.NewAdam(params, nn.AdamConfig{LR: 0.05})
	for step := 0; step <= 300; step++ {
		// A new batch of y = 2x₀ − x₁ + 0.5x₂ + 1, written into the bound tensors.
		xs, ys := xT.Data().([]float32), yT.Data().([]float32)
		for i := 0; i < batch; i++ {
			for j := 0; j < in; j++ {
				xs[i*in+j] = float32(rng.NormFloat64())
			}
			ys[i] = 2*xs[i*in] - xs[i*in+1] + 0.5*xs[i*in+2] + 1
		}
		if err := m.Run(); err != nil {
			panic(err)
		}
		if err := opt.Step(); err != nil {
			panic(err)
		}
		if step == 0 || step == 300 {
			fmt.Printf("step %d: loss %.3f\n", step, m.Loss())
		}
	}
	w, _ := nn.Float32s(lin.W)
	b, _ := nn.Float32s(lin.B)
	fmt.Printf("w ≈ [%.1f %.1f %.1f], b ≈ %.1f\n", w[0], w[1], w[2], b[0])
	// Output:
	// step 0: loss 5.119
	// step 300: loss 0.000
	// w ≈ [2.0 -1.0 0.5], b ≈ 1.0
}
