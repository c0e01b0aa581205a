package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
)

// SweepOptions are the parsed flags of `miaudit sweep`.
type SweepOptions struct {
	TrainOptions
	Seeds int
}

// NewCmdSweep builds `miaudit sweep`. runF, if non-nil, replaces the work.
func NewCmdSweep(ios *IOStreams, runF func(context.Context, *SweepOptions) error) *cobra.Command {
	opts := &SweepOptions{TrainOptions: TrainOptions{IO: ios}}
	cmd := &cobra.Command{
		Use:   "sweep --protect COL --lambda LIST --out DIR",
		Short: "Train and audit encoders over a grid of λ and seeds: the privacy–utility frontier",
		Long: `Train one encoder per (λ, seed) against adversary heads on the --protect
attributes, as miaudit train does, audit each with fresh attackers, and write
one comparison table: per λ the mean ± standard deviation over the seeds of
the task's linear-probe accuracy, the fresh linear and MLP attackers'
accuracy and advantage on each protected attribute, the MI estimates with
their bound types, re-identification rank-1, the fairness gaps, and the
training adversary's final estimate — with the Pareto-optimal settings
(highest task accuracy for the lowest attacker advantage) marked. For images,
the runs at λ > 0 also draw DIM's negatives within the protected attributes
and λ = 0 stays plain DIM, the reference (--negatives-within); at every λ
the encoder centres the images (--center; see miaudit train --help).

Run (λ, seed) lives in DIR/lambda-<λ>/seed-<seed> (seeds --seed, --seed+1,
…). The data are drawn once, from --seed — styled-mnist's writers, the
train/test split of a table without one — so every run of the sweep sees the
same data, and miaudit train --seed 1 is not the sweep's seed-1 run (its
writers or split differ). The sweep is resumable: run the same command again
and finished runs are skipped, interrupted ones continue from their
checkpoint; a run folder trained on other data or with other settings
(--critic-steps, --lr, --epochs…) is refused, naming them. The comparison is
written to DIR/comparison.{txt,md,csv,json} and printed.`,
		Example: `  # the styled-writers frontier: 6 weights × 3 seeds
  miaudit sweep --data styled-mnist --protect writer --lambda 0,0.1,0.3,1,3,10 --seeds 3 --out sweeps/writers

  # the same without negatives drawn within the writer, for contrast
  miaudit sweep --data styled-mnist --protect writer --lambda 0.3,1 --negatives-within none --out sweeps/writers-plain

  # without centring: the position of the digits left for the adversary to hide
  miaudit sweep --data styled-mnist --protect writer --lambda 0,1 --center off --out sweeps/writers-uncentred

  # German credit, hiding personal_status with the CLUB head
  miaudit sweep --data table:/usr/share/doc/weka/examples/credit-g.arff \
      --label-columns class,personal_status --protect personal_status --target class \
      --adversary club --lambda 0,1,3 --seeds 3 --epochs 20 --out sweeps/credit`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.changed = cmd.Flags().Changed
			if err := opts.validate(); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return sweepRun(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	opts.addModelFlags(f)
	f.StringVarP(&opts.Out, "out", "o", "", "sweep `DIR`")
	f.StringVar(&opts.Lambdas, "lambda", "0,0.1,0.3,1,3,10", "weights λ of the adversary's term, comma-separated")
	f.IntVar(&opts.Seeds, "seeds", 3, "seeds per λ")
	return cmd
}

func (o *SweepOptions) validate() error {
	if len(o.Adv.Protect) == 0 {
		return usageErrorf("--protect is required: the attribute the codes should hide")
	}
	if o.Out == "" {
		return usageErrorf("--out is required: the sweep's folder")
	}
	if o.Seeds < 1 {
		return usageErrorf("--seeds %d: want at least 1", o.Seeds)
	}
	if err := o.Data.validate(); err != nil {
		return err
	}
	if o.Epochs < 1 {
		return usageErrorf("--epochs %d: want at least 1", o.Epochs)
	}
	if err := o.Adv.validate(); err != nil {
		return err
	}
	_, err := parseLambdas(o.Lambdas)
	return err
}

func sweepRun(ctx context.Context, o *SweepOptions) error {
	lowGCHeadroom()
	ios := o.IO
	lambdas, err := parseLambdas(o.Lambdas)
	if err != nil {
		return err
	}
	d, err := o.Data.load(o.Seed, nil)
	if err != nil {
		return err
	}
	for _, n := range d.Notes {
		fmt.Fprintf(ios.ErrOut, "note: %s\n", n)
	}
	cfg, err := o.config(d.Shape)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return err
	}
	results := map[float64][]*settingResult{}
	for _, l := range lambdas {
		for i := range o.Seeds {
			seed := o.Seed + uint64(i)
			dir := filepath.Join(o.Out, fmt.Sprintf("lambda-%g", l), fmt.Sprintf("seed-%d", seed))
			if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
				return err
			}
			r, err := trainSetting(ctx, ios, d, cfg, &o.Adv, &o.TrainOptions, setting{Lambda: l, Seed: seed, Dir: dir})
			if err != nil {
				return err
			}
			results[l] = append(results[l], r)
		}
	}
	return writeComparison(ios.Out, o.Out, &o.Adv, lambdas, results)
}
