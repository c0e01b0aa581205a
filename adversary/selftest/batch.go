package selftest

// Kind says whether a task's second variable is continuous or discrete.
type Kind int

const (
	// Continuous tasks pair X with a real vector Y (Batch.Y).
	Continuous Kind = iota
	// Discrete tasks pair X with a label S in [0, Classes) (Batch.Labels).
	Discrete
)

// String returns "continuous" or "discrete".
func (k Kind) String() string {
	if k == Discrete {
		return "discrete"
	}
	return "continuous"
}

// Shape is the size of a task's batches: what a Trainer is built for.
type Shape struct {
	Kind Kind
	// N is the number of samples (rows) in a batch.
	N int
	// XDim is the dimension of X.
	XDim int
	// YDim is the dimension of a continuous Y; 0 for discrete tasks.
	YDim int
	// Classes is the number of values of a discrete Y; 0 for continuous
	// tasks.
	Classes int
}

// Batch is N joint samples (x_i, y_i). X is N×XDim, row-major. A continuous
// Y is N×YDim, row-major, in Y; a discrete one is in Labels, each value in
// [0, Classes). The unused one of Y and Labels is nil.
type Batch struct {
	Shape
	X      []float32
	Y      []float32
	Labels []int
}

// NewBatch allocates a batch of shape s.
func NewBatch(s Shape) *Batch {
	b := &Batch{Shape: s, X: make([]float32, s.N*s.XDim)}
	if s.Kind == Discrete {
		b.Labels = make([]int, s.N)
	} else {
		b.Y = make([]float32, s.N*s.YDim)
	}
	return b
}
