package dataset

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// ExampleSpec describes the built-in synthetic example: embeddings of
// handwritten digits by a number of writers, where a writer's style and the
// writer's sex leak into the embedding. Its ground truth is known by
// construction.
type ExampleSpec struct {
	Writers       int     // number of writers (identities); default 60
	RowsPerWriter int     // rows per writer; default 50
	Dim           int     // embedding dimension; default 32
	StyleScale    float64 // weight of a writer's style vector; default 0.6
	Seed          uint64
}

func (s ExampleSpec) withDefaults() ExampleSpec {
	if s.Writers == 0 {
		s.Writers = 60
	}
	if s.RowsPerWriter == 0 {
		s.RowsPerWriter = 50
	}
	if s.Dim == 0 {
		s.Dim = 32
	}
	if s.StyleScale == 0 {
		s.StyleScale = 0.6
	}
	return s
}

// Example generates the built-in example: a Writers·RowsPerWriter × Dim
// embedding matrix and label columns digit (10 classes, the task), writer
// (the identity, "w00".."wNN") and sex ("F"/"M", alternating by writer).
// A row is
//
//	z = μ_digit + StyleScale·σ_writer + ε,  ε ~ N(0, s²·I),
//
// with μ and σ drawn once from N(0, I/Dim·16) and N(0, I), and noise scale
// s = 1.0 for writers of sex "M" and 1.3 for "F", so a digit probe is less
// accurate for one group (a fairness gap by construction). The result depends
// only on spec.
func Example(spec ExampleSpec) (z *Matrix, header []string, columns [][]string) {
	spec = spec.withDefaults()
	rng := rand.New(rand.NewPCG(spec.Seed, 0x6578616d706c65)) // "example"
	d := spec.Dim
	mu := make([]float64, 10*d)
	for i := range mu {
		mu[i] = rng.NormFloat64() * 4 / math.Sqrt(float64(d))
	}
	n := spec.Writers * spec.RowsPerWriter
	z = NewMatrix(n, d)
	header = []string{"digit", "writer", "sex"}
	columns = [][]string{make([]string, n), make([]string, n), make([]string, n)}
	style := make([]float64, d)
	row := 0
	for w := 0; w < spec.Writers; w++ {
		for j := range style {
			style[j] = rng.NormFloat64()
		}
		sex, noise := "M", 1.0
		if w%2 == 1 {
			sex, noise = "F", 1.3
		}
		for r := 0; r < spec.RowsPerWriter; r++ {
			digit := rng.IntN(10)
			zr := z.Row(row)
			for j := range zr {
				zr[j] = float32(mu[digit*d+j] + spec.StyleScale*style[j] + noise*rng.NormFloat64())
			}
			columns[0][row] = fmt.Sprint(digit)
			columns[1][row] = fmt.Sprintf("w%02d", w)
			columns[2][row] = sex
			row++
		}
	}
	return z, header, columns
}

// ExampleTable is Example with its columns as a label Table.
func ExampleTable(spec ExampleSpec) (*Matrix, *Table) {
	z, header, cols := Example(spec)
	t, err := NewTable("built-in example", header, cols)
	if err != nil {
		panic("dataset: " + err.Error()) // the example's columns are well formed by construction
	}
	return z, t
}
