package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/miaudit/miaudit/dataset"
	"github.com/miaudit/miaudit/infomax"
)

// EmbedOptions are the parsed flags of `miaudit embed`.
type EmbedOptions struct {
	IO *IOStreams

	Model     string
	Data      DataFlags
	Out       string
	LabelsOut string
	Batch     int
	Force     bool
	Quiet     bool

	changed func(string) bool
}

// NewCmdEmbed builds `miaudit embed`. runF, if non-nil, replaces the work.
func NewCmdEmbed(ios *IOStreams, runF func(context.Context, *EmbedOptions) error) *cobra.Command {
	opts := &EmbedOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "embed --model RUN --out Z.npy",
		Short: "Encode a dataset with a trained encoder, for the audit",
		Long: `Encode every row of a dataset with a trained encoder and write the codes as
a float32 .npy array (readable by numpy.load), one row per example, and the
dataset's attributes (digit, writer, split, …) as a CSV with a header, row i
describing code row i: the two inputs of miaudit audit.

--model is a run folder (its encoder.safetensors) or an encoder file. --data
defaults to the data the encoder was trained on; a table is coded with the
schema saved with the encoder (the training rows' means, deviations and
categories), whatever file it comes from.`,
		Example: `  # encode MNIST with a trained run, then audit it on MNIST's own split
  miaudit embed --model runs/mnist --out Z.npy --labels-out labels.csv
  miaudit audit --embeddings Z.npy --labels labels.csv --split split --target digit

  # the styled-writers benchmark: does the code reveal the writer?
  miaudit embed --model runs/styled --out Z.npy --labels-out labels.csv
  miaudit audit --embeddings Z.npy --labels labels.csv --split split \
      --target digit --protected writer --group group`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.changed = cmd.Flags().Changed
			if err := opts.validate(); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return embedRun(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Model, "model", "", "trained encoder: a run `DIR` or its encoder.safetensors")
	opts.Data.add(f, "")
	f.StringVarP(&opts.Out, "out", "o", "", "codes `FILE` (.npy)")
	f.StringVar(&opts.LabelsOut, "labels-out", "", "attributes `FILE` (.csv; default: --out with .csv for .npy)")
	f.IntVar(&opts.Batch, "batch", 256, "examples encoded at a time")
	f.BoolVar(&opts.Force, "force", false, "overwrite --out and --labels-out if they exist")
	f.BoolVarP(&opts.Quiet, "quiet", "q", false, "no progress on standard error")
	return cmd
}

func (o *EmbedOptions) validate() error {
	if o.Model == "" {
		return usageErrorf("--model is required: a run folder or an encoder file")
	}
	if o.Out == "" {
		return usageErrorf("--out is required: the codes' .npy file")
	}
	if filepath.Ext(o.Out) != ".npy" {
		return usageErrorf("--out %s: want a .npy file", o.Out)
	}
	if o.LabelsOut == "" {
		o.LabelsOut = o.Out[:len(o.Out)-len(".npy")] + ".csv"
	}
	if filepath.Ext(o.LabelsOut) != ".csv" {
		return usageErrorf("--labels-out %s: want a .csv file", o.LabelsOut)
	}
	if sameFile(o.Out, o.LabelsOut) || filepath.Clean(o.Out) == filepath.Clean(o.LabelsOut) {
		return usageErrorf("--out and --labels-out are the same file")
	}
	if o.Batch < 1 {
		return usageErrorf("--batch %d: want at least 1", o.Batch)
	}
	if o.Data.Spec != "" {
		if err := o.Data.validate(); err != nil {
			return err
		}
	}
	if err := checkOut(o.Out, o.Force); err != nil {
		return err
	}
	return checkOut(o.LabelsOut, o.Force)
}

func embedRun(ctx context.Context, o *EmbedOptions) error {
	ios := o.IO
	start := time.Now()
	path := o.Model
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		path = filepath.Join(path, infomax.EncoderFile)
	}
	if _, err := os.Stat(path); err != nil {
		return usageErrorf("--model %s: %v", o.Model, err)
	}
	enc, err := infomax.LoadEncoder(path, o.Batch)
	if err != nil {
		return err
	}
	defer enc.Close()
	m := enc.Model()
	d := o.Data
	if d.Spec == "" {
		d.Spec = m.Data.Name
	}
	if len(m.Config.Input) == 3 {
		d.ImageSize, d.ImageChans = m.Config.Input[1], m.Config.Input[0]
	}
	if !o.changed("label-columns") {
		d.LabelColumns = m.Data.LabelColumns
	}
	if !o.changed("drop-missing") {
		d.DropMissing = m.Data.DropMissing
	}
	if !o.changed("derive") {
		d.Derive = m.Data.Derive
	}
	ds, err := d.load(m.Config.Seed, m.Data.Schema)
	if err != nil {
		return err
	}
	for _, n := range ds.Notes {
		fmt.Fprintf(ios.ErrOut, "note: %s\n", n)
	}
	if fmt.Sprint(ds.Shape) != fmt.Sprint(m.Config.Input) {
		return usageErrorf("--data %s has examples of shape %v; the encoder takes %v", d.Spec, ds.Shape, m.Config.Input)
	}
	if !o.Quiet {
		fmt.Fprintf(ios.ErrOut, "encoding %d rows of %s with %s (%d steps of training)\n", ds.N, d.Spec, path, m.Steps)
	}
	z := dataset.NewMatrix(ds.N, enc.Code())
	per := max(1, (ds.N/o.Batch)/10) * o.Batch // progress every ~10 %
	for lo := 0; lo < ds.N; lo += per {
		if err := ctx.Err(); err != nil {
			return err
		}
		hi := min(lo+per, ds.N)
		if err := enc.Encode(ds.X[lo*ds.Size():hi*ds.Size()], hi-lo, z.Data[lo*z.Cols:hi*z.Cols]); err != nil {
			return err
		}
		if !o.Quiet && hi < ds.N {
			fmt.Fprintf(ios.ErrOut, "[%6.1fs] %d/%d rows\n", time.Since(start).Seconds(), hi, ds.N)
		}
	}
	if err := dataset.WriteNPYFile(o.Out, z); err != nil {
		return err
	}
	if err := dataset.WriteTableCSV(o.LabelsOut, ds.Attrs); err != nil {
		return err
	}
	if !o.Quiet {
		fmt.Fprintf(ios.ErrOut, "wrote %s (%d × %d float32) and %s (%d columns) in %.1fs\n", o.Out, z.Rows, z.Cols, o.LabelsOut, len(ds.Attrs.Header), time.Since(start).Seconds())
	}
	return nil
}
