// Package nn provides the gorgonia building blocks shared by miaudit's
// trainers: seeded initialisers, layers (Linear, MLP, Conv2d) and
// activations, numerically safe reductions (LogSumExp, LogMeanExp,
// Softplus), an Adam optimiser whose state can be saved, named parameter
// sets, safetensors checkpoints and a reusable training machine.
//
// All layers build onto an existing *gorgonia.ExprGraph and use float32
// unless a test asks for float64. Three facts about gorgonia v0.9.18 shape
// the package (see shared/GORGONIA.md):
//
//   - Only gorgonia's TapeMachine with BindDualValues gives correct
//     gradients when a node feeds two places; LispMachine does not. Machine
//     uses the TapeMachine.
//   - Every graph built stays in memory. Build one graph per model with a
//     fixed batch size and run it for every batch (see Machine).
//   - gorgonia's own GlorotN, Gaussian64 and Dropout seed from the clock, and
//     its LogSumExp is wrong. This package's initialisers draw from a
//     caller's *rand.Rand and LogSumExp is built from primitive operations.
//
// Weight layouts: a Linear weight has shape (in, out) so that y = x·W + b
// (the transpose of PyTorch's (out, in)); a Conv2d kernel has PyTorch's
// shape (out, in, kh, kw).
package nn
