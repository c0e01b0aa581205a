// Package dataset reads and writes the data miaudit works on: embedding
// matrices (.npy, .npz, .csv), label tables (CSV), and — as they arrive —
// image and tabular data sets and synthetic benchmarks with known ground truth.
//
// Library code here never prints and never exits; every problem with a user's
// file is returned as an error that names the file and, where it helps, the
// row and column.
package dataset
