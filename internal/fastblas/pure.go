//go:build !openblas

package fastblas

// Name returns the BLAS in use: "gonum pure Go" in builds without the
// openblas tag.
func Name() string { return "gonum pure Go" }
