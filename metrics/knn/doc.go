// Package knn provides the nearest-neighbour measures of an audit: the kNN
// estimate of the mutual information between embeddings and a discrete
// attribute, closed-set and open-set re-identification ranks, and sampled
// verification pairs.
//
// All neighbour searches are blocked matrix products through BLAS: a block
// of query rows times a chunk of reference rows, so that memory stays at a
// few megabytes per worker whatever the number of rows. Query blocks are
// shared among runtime.GOMAXPROCS(0) goroutines; their results go to slots
// of their own or are combined by integer sums and minima, which do not
// depend on order, so the output does not depend on the scheduling.
//
// Embeddings are float32 (dataset.Matrix). Euclidean distances (MI) are
// computed in float64; cosine similarities for ranking (ReID) in float32,
// which is about twice as fast with gonum's kernels and resolves
// similarities to about 1e-6; those of sampled pairs (VerificationPairs),
// one pair at a time, in float64.
//
// Row arguments are indexes of rows of the matrix. Passing an index out of
// range, or slices of different lengths where they must match, is a
// programmer error and panics; non-finite embeddings and data that leave
// nothing to measure are returned as errors.
package knn
