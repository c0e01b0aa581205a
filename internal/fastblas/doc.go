// Package fastblas swaps the BLAS used by gorgonia and by gonum (blas64 and
// blas32) to OpenBLAS when the program is built with the openblas build tag;
// without the tag it does nothing and everything stays on gonum's pure-Go
// BLAS, which works on any machine.
//
// Import it for its side effect, once, in a main package or a benchmark:
//
//	import _ "github.com/miaudit/miaudit/internal/fastblas"
//
// Building with OpenBLAS needs cgo and the OpenBLAS library and headers
// (Debian: apt-get install libopenblas-dev):
//
//	CGO_LDFLAGS=-lopenblas go build -tags openblas ./...
//	CGO_LDFLAGS=-lopenblas go test -tags openblas -bench MLPStep ./nn
//
// OpenBLAS picks its thread count from OPENBLAS_NUM_THREADS (default: all
// cores).
package fastblas
