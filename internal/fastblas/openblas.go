//go:build openblas

package fastblas

import (
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/netlib/blas/netlib"
	G "gorgonia.org/gorgonia"
)

// init installs OpenBLAS, through gonum's netlib cgo binding, as the BLAS
// of gorgonia (and so of gorgonia.org/tensor) and of gonum's blas64 and
// blas32 (and so of gonum/mat).
func init() {
	impl := netlib.Implementation{}
	G.Use(impl)
	blas64.Use(impl)
	blas32.Use(impl)
}

// Name returns the BLAS in use: "OpenBLAS" in builds with the openblas tag.
func Name() string { return "OpenBLAS" }
