package metrics

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"

	"github.com/miaudit/miaudit/dataset"
	"github.com/miaudit/miaudit/metrics/bootstrap"
	"github.com/miaudit/miaudit/metrics/fairness"
	"github.com/miaudit/miaudit/metrics/knn"
	"github.com/miaudit/miaudit/metrics/probe"
	"github.com/miaudit/miaudit/metrics/roc"
)

// Config says what to audit and how. The zero value of each numeric field
// means its default.
type Config struct {
	// Targets are attributes the embeddings should keep, Protected those
	// they should not reveal, Groups the fairness groupings ("a+b" is the
	// intersection of columns a and b).
	Targets, Protected, Groups []string
	// SplitColumn names a train/test column; if empty, a seeded split
	// stratified by the first target (else the first protected attribute)
	// puts TestFraction of the rows (default 0.3) in the test split.
	SplitColumn  string
	TestFraction float64
	// Predictions names a column of given predictions for the (single)
	// target, whose fairness is audited instead of the probe's.
	Predictions string
	// Positive is the positive value of binary targets; default "1" when
	// the target has it.
	Positive string
	Seed     uint64
	// Bootstrap is the number of resamples (0 disables intervals; negative
	// is treated as 0), Level the confidence level (default 0.95).
	Bootstrap int
	Level     float64
	// CGrid holds the inverse L2 strengths tried by CVFolds-fold
	// cross-validation (defaults 10^-4…10^2 and 5).
	CGrid   []float64
	CVFolds int
	// KNNNeighbors is k of the kNN MI estimate (default 3).
	KNNNeighbors int
	// VerificationPairs is the number of sampled pairs for verification
	// (default 50,000).
	VerificationPairs int
	// ReIDMinValues is the number of distinct values from which a protected
	// attribute is treated as an identity and re-identification is measured
	// (default 10): an attribute such as sex, with two values each shared by
	// thousands, identifies nobody.
	ReIDMinValues int
	// Attackers names the attackers trained on each protected attribute
	// (AttackerNames; default DefaultAttackers) and Estimators the MI
	// estimators (EstimatorNames; default DefaultEstimators).
	Attackers, Estimators []string
	// NeuralSteps and NeuralBatch are the training steps and batch size of
	// the MI critics (defaults 1,000 and 128).
	NeuralSteps, NeuralBatch int
	// Version is recorded in the result.
	Version string
}

func (c Config) withDefaults() Config {
	if c.TestFraction == 0 {
		c.TestFraction = 0.3
	}
	if c.Bootstrap < 0 {
		c.Bootstrap = 0
	}
	if c.Level == 0 {
		c.Level = 0.95
	}
	if len(c.CGrid) == 0 {
		c.CGrid = []float64{1e-4, 1e-3, 1e-2, 1e-1, 1, 10, 100}
	}
	if c.CVFolds == 0 {
		c.CVFolds = 5
	}
	if c.KNNNeighbors == 0 {
		c.KNNNeighbors = 3
	}
	if c.VerificationPairs == 0 {
		c.VerificationPairs = 50000
	}
	if c.ReIDMinValues == 0 {
		c.ReIDMinValues = 10
	}
	if c.Attackers == nil {
		c.Attackers = DefaultAttackers
	}
	if c.Estimators == nil {
		c.Estimators = DefaultEstimators
	}
	if c.NeuralSteps == 0 {
		c.NeuralSteps = defaultNeuralSteps
	}
	if c.NeuralBatch == 0 {
		c.NeuralBatch = defaultNeuralBatch
	}
	return c
}

// Recorder receives progress of a long audit. Implementations must be
// cheap. Audit serialises its calls: an implementation need not be safe for
// concurrent use.
type Recorder interface {
	Stage(msg string)
}

// lockedRecorder serialises Stage calls from concurrent jobs.
type lockedRecorder struct {
	mu  sync.Mutex
	rec Recorder
}

func (l *lockedRecorder) Stage(msg string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.rec.Stage(msg)
}

type nopRecorder struct{}

func (nopRecorder) Stage(string) {}

// smoothing is the uniform mass ε mixed into an attacker's posterior for the
// Barber–Agakov bound: q'(s|z) = (1−ε)·q(s|z) + ε/K. Any distribution gives a
// valid bound; the mixture keeps test rows whose value never occurs in the
// train split (q = 0) finite, at a cost of at most −log(1−ε) ≈ 0.001 nats on
// the others.
const smoothing = 1e-3

// ErrData marks problems with the audited data (as opposed to bugs): a target
// with one class, a bad split column, too few rows. Test with errors.Is.
var ErrData = errors.New("bad data")

// dataError is an error about the data; its message is its own, without
// ErrData's text.
type dataError struct{ error }

func (e dataError) Is(target error) bool { return target == ErrData }
func (e dataError) Unwrap() error        { return e.error }

func dataErrorf(format string, args ...any) error {
	return dataError{fmt.Errorf(format, args...)}
}

// Stream ids of the audit's random number generators, one per use, so that
// adding a use never changes the draws of another.
const (
	streamSplit     = 1
	streamBootstrap = 2
	streamPairs     = 3
	streamPairBoot  = 4
)

func newRand(seed, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, stream))
}

// Audit measures utility, leakage and fairness of the embeddings z (one row
// per row of labels) and returns the result. It standardises z in place with
// the train split's mean and standard deviation. Probes are fitted on the
// train rows only; every figure is measured on the test rows with a
// percentile bootstrap interval over test rows, the fitted probes held fixed.
// rec may be nil.
func Audit(ctx context.Context, cfg Config, z *dataset.Matrix, labels *dataset.Table, in Input, rec Recorder) (*Result, error) {
	cfg = cfg.withDefaults()
	for _, n := range cfg.Attackers {
		if !slices.Contains(AttackerNames, n) {
			return nil, fmt.Errorf("unknown attacker %q (attackers: %s)", n, strings.Join(AttackerNames, ", "))
		}
	}
	for _, n := range cfg.Estimators {
		if !slices.Contains(EstimatorNames, n) {
			return nil, fmt.Errorf("unknown estimator %q (estimators: %s)", n, strings.Join(EstimatorNames, ", "))
		}
	}
	if rec == nil {
		rec = nopRecorder{}
	}
	if z.Rows != labels.Rows {
		return nil, dataErrorf("%d embedding rows but %d label rows", z.Rows, labels.Rows)
	}
	res := &Result{
		Schema:  SchemaVersion,
		Version: cfg.Version,
		Seed:    cfg.Seed,
		Input:   in,
		Bootstrap: BootstrapInfo{
			Resamples: cfg.Bootstrap,
			Level:     cfg.Level,
			Covers:    "percentile bootstrap over test rows (verification: over sampled pairs); the fitted probes and the kNN neighbourhoods are held fixed, so the intervals cover test-set sampling, not refitting",
		},
		Utility:  []Utility{},
		Leakage:  []Leakage{},
		Fairness: []Fairness{},
		Warnings: []string{},
	}
	a := &auditor{cfg: cfg, z: z, labels: labels, res: res, rec: &lockedRecorder{rec: rec}}
	if err := a.split(); err != nil {
		return nil, err
	}
	rec.Stage(fmt.Sprintf("split: %d train rows, %d test rows", len(a.train), len(a.test)))
	probe.Standardize(z, a.train)
	a.boot = bootstrap.NewResampler(len(a.test), cfg.Bootstrap, newRand(cfg.Seed, streamBootstrap))

	preds := map[string][]string{}
	for _, t := range cfg.Targets {
		u, pred, err := a.utility(ctx, t)
		if err != nil {
			return nil, err
		}
		res.Utility = append(res.Utility, u)
		preds[t] = pred
	}
	for i, p := range cfg.Protected {
		l, err := a.leakage(ctx, i, p)
		if err != nil {
			return nil, err
		}
		res.Leakage = append(res.Leakage, l)
	}
	for _, t := range cfg.Targets {
		pred, source := preds[t], "probe"
		if cfg.Predictions != "" {
			col, err := labels.Column(cfg.Predictions)
			if err != nil {
				return nil, err
			}
			pred, source = gather(col, a.test), "predictions:"+cfg.Predictions
		}
		for _, g := range cfg.Groups {
			rec.Stage(fmt.Sprintf("fairness of %s across %s", t, g))
			f, err := a.fairness(t, g, pred, source)
			if err != nil {
				return nil, err
			}
			res.Fairness = append(res.Fairness, f...)
		}
	}
	return res, ctx.Err()
}

// auditor carries the state shared by the audit's parts.
type auditor struct {
	cfg         Config
	z           *dataset.Matrix
	labels      *dataset.Table
	res         *Result
	rec         Recorder
	train, test []int
	boot        *bootstrap.Resampler
	mu          sync.Mutex // guards res.Warnings while neural jobs run
}

func (a *auditor) warn(format string, args ...any) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.res.Warnings = append(a.res.Warnings, fmt.Sprintf(format, args...))
}

func (a *auditor) column(name string) ([]string, error) {
	if strings.Contains(name, "+") {
		return dataset.Intersect(a.labels, name)
	}
	return a.labels.Column(name)
}

func (a *auditor) split() error {
	cfg := a.cfg
	if cfg.SplitColumn != "" {
		col, err := a.labels.Column(cfg.SplitColumn)
		if err != nil {
			return err
		}
		a.train, a.test, err = columnSplit(cfg.SplitColumn, col)
		if err != nil {
			return dataErrorf("%s: %w", a.labels.Path, err)
		}
		a.res.Split = Split{Method: "column", Column: cfg.SplitColumn, TrainRows: len(a.train), TestRows: len(a.test)}
		return nil
	}
	n := a.z.Rows
	if n < 4 {
		return dataErrorf("%d rows are too few to split into train and test", n)
	}
	var strata []int
	by := ""
	for _, c := range append(slices.Clone(cfg.Targets), cfg.Protected...) {
		col, err := a.column(c)
		if err != nil {
			return err
		}
		codes, classes := encode(col)
		if len(classes) < n { // a column of unique values cannot stratify
			strata, by = codes, c
			break
		}
	}
	a.train, a.test = stratifiedSplit(strata, n, cfg.TestFraction, newRand(cfg.Seed, streamSplit))
	a.res.Split = Split{Method: "stratified", StratifiedBy: by, TestFraction: cfg.TestFraction, TrainRows: len(a.train), TestRows: len(a.test)}
	return nil
}

// fitProbe chooses C by cross-validation on the train rows and fits the
// probe for the class codes y (indexed by row).
func (a *auditor) fitProbe(ctx context.Context, what string, y []int, k int) (*probe.Model, error) {
	yTrain := gather(y, a.train)
	c := a.cfg.CGrid[0]
	if len(a.cfg.CGrid) > 1 {
		a.rec.Stage(fmt.Sprintf("%s: choosing C by %d-fold cross-validation over %d values", what, a.cfg.CVFolds, len(a.cfg.CGrid)))
		var acc []float64
		var err error
		if c, acc, err = probe.SelectC(ctx, a.z, a.train, yTrain, k, a.cfg.CGrid, a.cfg.CVFolds); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		if top, prev, ok := atTopOfGrid(a.cfg.CGrid, acc, c); ok {
			a.warn("%s: cross-validation chose C = %g, the largest of the grid, with accuracy still rising (%.4f against %.4f at C = %g): a larger C may fit better; widen the C grid", what, c, acc[top], acc[prev], a.cfg.CGrid[prev])
		}
	}
	a.rec.Stage(fmt.Sprintf("%s: fitting with C = %g", what, c))
	m, err := probe.Fit(ctx, a.z, a.train, yTrain, k, c, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if !m.Converged {
		a.warn("%s: L-BFGS stopped after %d iterations before converging (gradient %.3g); figures use the last iterate", what, m.Iterations, m.GradNorm)
	}
	return m, nil
}

// atTopOfGrid reports whether c, chosen by cross-validation, is the
// largest C of grid and its mean accuracy (acc, in grid order) is strictly
// above that of the next smaller C — the trend still rising at the edge —
// with the indices of the two. A tie, as when the probe finds nothing at
// any strength, is not reported.
func atTopOfGrid(grid, acc []float64, c float64) (top, prev int, ok bool) {
	if len(grid) < 2 || len(acc) != len(grid) || c != slices.Max(grid) {
		return 0, 0, false
	}
	top, prev = -1, -1
	for i, g := range grid {
		if g == c {
			top = i
		} else if prev < 0 || g > grid[prev] {
			prev = i
		}
	}
	return top, prev, top >= 0 && prev >= 0 && acc[top] > acc[prev]
}

// interval returns value with the percentile interval of stat over the
// bootstrap resamples of the test rows. stat receives the multiplicities of
// one resample.
func (a *auditor) interval(value float64, stat func(w []float64) float64) Interval {
	return a.intervals([]float64{value}, func(w []float64, out []float64) { out[0] = stat(w) })[0]
}

// intervals is interval for several statistics computed together.
func (a *auditor) intervals(values []float64, stat func(w []float64, out []float64)) []Interval {
	reps := make([][]float64, len(values))
	w := make([]float64, len(a.test))
	out := make([]float64, len(values))
	for b := range a.boot.Len() {
		a.boot.Weights(b, w)
		stat(w, out)
		for i, v := range out {
			reps[i] = append(reps[i], v)
		}
	}
	return makeIntervals(values, reps, a.cfg.Level)
}

func makeIntervals(values []float64, reps [][]float64, level float64) []Interval {
	iv := make([]Interval, len(values))
	for i, v := range values {
		if len(reps[i]) == 0 || math.IsNaN(v) {
			iv[i] = Interval{Value: v, Low: math.NaN(), High: math.NaN()}
			continue
		}
		iv[i] = bootstrap.NewInterval(v, reps[i], level)
	}
	return iv
}

func (a *auditor) utility(ctx context.Context, target string) (Utility, []string, error) {
	col, err := a.labels.Column(target)
	if err != nil {
		return Utility{}, nil, err
	}
	y, classes := encode(col)
	if len(classes) < 2 {
		return Utility{}, nil, dataErrorf("%s: target %s has a single value %q: nothing to predict", a.labels.Path, target, classes[0])
	}
	if present := countPresent(gather(y, a.train), len(classes)); present < 2 {
		return Utility{}, nil, dataErrorf("%s: target %s has a single value in the train split", a.labels.Path, target)
	}
	m, err := a.fitProbe(ctx, "linear probe for "+target, y, len(classes))
	if err != nil {
		return Utility{}, nil, err
	}
	yTest := gather(y, a.test)
	pred := make([]int, len(a.test))
	m.Predict(a.z, a.test, pred)
	correct := make([]bool, len(pred))
	for i := range pred {
		correct[i] = pred[i] == yTest[i]
	}
	k := len(classes)
	vals := []float64{weightedMean(correct, nil), balancedAccuracy(correct, yTest, k, nil)}
	iv := a.intervals(vals, func(w, out []float64) {
		out[0] = weightedMean(correct, w)
		out[1] = balancedAccuracy(correct, yTest, k, w)
	})
	predNames := make([]string, len(pred))
	for i, p := range pred {
		predNames[i] = classes[p]
	}
	return Utility{
		Target:           target,
		Probe:            "linear",
		Classes:          k,
		C:                m.C,
		Accuracy:         iv[0],
		BalancedAccuracy: iv[1],
		MajorityBaseline: majority(yTest, k, nil),
		Converged:        m.Converged,
	}, predNames, nil
}

func (a *auditor) leakage(ctx context.Context, idx int, attr string) (Leakage, error) {
	col, err := a.labels.Column(attr)
	if err != nil {
		return Leakage{}, err
	}
	s, classes := encode(col)
	k := len(classes)
	sTest := gather(s, a.test)
	sTrain := gather(s, a.train)
	inTrain := make([]bool, k)
	for _, v := range sTrain {
		inTrain[v] = true
	}
	l := Leakage{Attribute: attr, Classes: k, EntropyNats: entropy(sTest, k, nil), Attackers: []Attacker{}, MI: []MI{}}
	for _, v := range sTest {
		if !inTrain[v] {
			l.UnseenTestRows++
		}
	}
	if k < 2 {
		return Leakage{}, dataErrorf("%s: protected attribute %s has a single value %q: there is nothing to leak", a.labels.Path, attr, classes[0])
	}
	if k == len(col) {
		note := fmt.Sprintf("every value of %s is unique: no value occurs in both splits, so no attacker, re-identification or kNN estimate is possible", attr)
		a.warn("%s", note)
		l.ReID = &ReID{Available: false, Note: note}
		return l, nil
	}
	if l.UnseenTestRows > 0 {
		a.warn("%s: %d test rows have a value absent from the train split; attackers count them as errors and the Barber–Agakov bound gives them the smoothed mass ε/K (ε = %g)", attr, l.UnseenTestRows, smoothing)
	}

	// The attackers.
	wantMLP := false
	if countPresent(sTrain, k) >= 2 {
		if slices.Contains(a.cfg.Attackers, "linear") {
			m, err := a.fitProbe(ctx, "linear attacker on "+attr, s, k)
			if err != nil {
				return Leakage{}, err
			}
			a.rec.Stage(fmt.Sprintf("linear attacker on %s: scoring %d test rows", attr, len(a.test)))
			sc := scoreAttacker(newLinearPosterior(m, a.z, a.test), sTest, a.boot)
			att, ba := a.attackerFigures(sc, sTest, k)
			att.Probe, att.C, att.Converged = "linear", m.C, m.Converged
			l.Attackers = append(l.Attackers, att)
			l.MI = append(l.MI, ba)
		}
		wantMLP = slices.Contains(a.cfg.Attackers, "mlp")
	} else {
		a.warn("%s: the train split holds a single value; no attacker was fitted", attr)
	}

	// The MLP attacker and the neural critics train concurrently: each has
	// its own graph and its own seeded random stream, so the figures do not
	// depend on the scheduling. Their figures are collected in a fixed order.
	nj, err := a.neural(ctx, attr, idx, s, sTest, k, wantMLP)
	if err != nil {
		return Leakage{}, err
	}
	var mlpPost *densePosterior
	if wantMLP {
		l.Attackers = append(l.Attackers, nj.mlp)
		l.MI = append(l.MI, nj.mlpBA)
		mlpPost = nj.mlpPost
	}

	// The MI estimators.
	for _, name := range a.cfg.Estimators {
		if name == "knn" {
			a.rec.Stage(fmt.Sprintf("kNN estimate of I(Z;%s) on %d test rows", attr, len(a.test)))
			est, err := knn.MI(a.z, a.test, sTest, a.cfg.KNNNeighbors)
			if err != nil {
				a.warn("%s: kNN estimate skipped: %v", attr, err)
				continue
			}
			l.MI = append(l.MI, a.knnFigure(est))
			continue
		}
		if name == "club" {
			if mlpPost == nil {
				a.warn("%s: the club estimate uses the mlp attacker as q(s|z); add mlp to the attackers", attr)
				continue
			}
			l.MI = append(l.MI, a.clubFigure(mlpPost, sTest, k))
			continue
		}
		if err := nj.criticErr[name]; err != nil {
			a.warn("%s: %s estimate skipped: %v", attr, name, err)
			continue
		}
		l.MI = append(l.MI, nj.critic[name])
	}

	// Re-identification.
	l.ReID, err = a.reid(attr, s, sTest)
	if err != nil {
		return Leakage{}, err
	}
	return l, nil
}

// attackerFigures turns an attacker's test scores into its figures and the
// Barber–Agakov bound H(S) − E[−log q'(s|z)].
func (a *auditor) attackerFigures(sc *attackerScores, sTest []int, k int) (Attacker, MI) {
	adv := func(w []float64) float64 {
		return advantage(weightedMean(sc.correct, w), majority(sTest, k, w))
	}
	ba := func(w []float64) float64 { return entropy(sTest, k, w) - weightedMeanF(sc.ce, w) }
	iv := a.intervals([]float64{weightedMean(sc.correct, nil), adv(nil), ba(nil)}, func(w, out []float64) {
		out[0] = weightedMean(sc.correct, w)
		out[1] = adv(w)
		out[2] = ba(w)
	})
	att := Attacker{
		Accuracy:         iv[0],
		MajorityBaseline: majority(sTest, k, nil),
		Advantage:        iv[1],
		AUC:              makeIntervals([]float64{sc.auc}, [][]float64{sc.aucReps}, a.cfg.Level)[0],
		AUCClasses:       sc.used,
	}
	mi := MI{
		Estimator: "barber-agakov (linear attacker)",
		Bound:     BoundLower,
		Nats:      iv[2],
		Note:      fmt.Sprintf("H(S) − cross-entropy of the linear attacker on test rows, its posterior mixed with ε = %g uniform mass", smoothing),
	}
	return att, mi
}

func (a *auditor) knnFigure(est knn.Estimate) MI {
	// Terms[i] belongs to test position est.Used[i].
	terms := est.Terms
	used := est.Used
	stat := func(w []float64) float64 {
		var s, n float64
		for i, t := range terms {
			wi := 1.0
			if w != nil {
				wi = w[used[i]]
			}
			s += wi * t
			n += wi
		}
		if n == 0 {
			return math.NaN()
		}
		return math.Max(0, s/n)
	}
	return MI{
		Estimator: fmt.Sprintf("knn (Ross 2014, k=%d)", a.cfg.KNNNeighbors),
		Bound:     BoundEstimate,
		Nats:      a.interval(est.Nats, stat),
		Note:      "kNN estimate on test rows (Euclidean, standardised features), clipped at 0; the bootstrap resamples its per-row terms with neighbourhoods held fixed",
	}
}

func (a *auditor) reid(attr string, s, sTest []int) (*ReID, error) {
	counts := map[int]int{}
	for _, v := range s {
		counts[v]++
	}
	repeats := false
	for _, c := range counts {
		if c > 1 {
			repeats = true
			break
		}
	}
	if !repeats {
		return &ReID{Available: false, Note: "no value of " + attr + " repeats: re-identification is impossible"}, nil
	}
	if len(counts) < a.cfg.ReIDMinValues {
		return &ReID{Available: false, Note: fmt.Sprintf("%s has %d values, each shared by many rows: not identities (re-identification needs at least %d distinct values)", attr, len(counts), a.cfg.ReIDMinValues)}, nil
	}
	a.rec.Stage(fmt.Sprintf("re-identification of %s: %d test rows against %d train rows", attr, len(a.test), len(a.train)))
	sTrain := gather(s, a.train)
	rr, err := knn.ReID(a.z, a.train, sTrain, a.test, sTest, 5)
	if err != nil {
		return nil, err
	}
	r := &ReID{
		Available:         true,
		ChanceRank1:       rr.Chance(1),
		ChanceRank5:       rr.Chance(5),
		GalleryIdentities: rr.GalleryIdentities,
		Probes:            len(a.test),
		AbsentProbes:      rr.Absent,
	}
	iw := make([]int, len(a.test))
	toInt := func(w []float64) []int {
		if w == nil {
			return nil
		}
		for i, v := range w {
			iw[i] = int(v)
		}
		return iw
	}
	iv := a.intervals([]float64{rr.RateAt(1, nil), rr.RateAt(5, nil)}, func(w, out []float64) {
		wi := toInt(w)
		out[0] = rr.RateAt(1, wi)
		out[1] = rr.RateAt(5, wi)
	})
	r.Rank1, r.Rank5 = iv[0], iv[1]

	scores, same, err := knn.VerificationPairs(a.z, a.test, sTest, a.cfg.VerificationPairs, newRand(a.cfg.Seed, streamPairs))
	if err != nil {
		r.Note = "verification skipped: " + err.Error()
		r.VerificationAUC = Interval{Value: math.NaN(), Low: math.NaN(), High: math.NaN()}
		r.TPRAtFPR1e3 = r.VerificationAUC
		return r, nil
	}
	r.Pairs = len(scores)
	r.VerificationAUC, r.TPRAtFPR1e3 = a.verification(scores, same)
	for _, pt := range roc.Thin(roc.Curve(scores, same, nil)) {
		r.ROC = append(r.ROC, ROCPoint{FPR: pt.FPR, TPR: pt.TPR})
	}
	return r, nil
}

func (a *auditor) fairness(target, group string, pred []string, source string) ([]Fairness, error) {
	col, err := a.labels.Column(target)
	if err != nil {
		return nil, err
	}
	gcol, err := a.column(group)
	if err != nil {
		return nil, err
	}
	y := gather(col, a.test)
	g := gather(gcol, a.test)
	_, classes := encode(col)
	if len(classes) == 2 {
		pos := a.cfg.Positive
		switch {
		case pos != "" && !slices.Contains(classes, pos):
			return nil, dataErrorf("positive value %q is not a value of target %s (values: %s)", pos, target, strings.Join(classes, ", "))
		case pos == "" && slices.Contains(classes, "1"):
			pos = "1"
		case pos == "":
			pos = classes[1]
			a.warn("fairness of %s: no --positive and no value \"1\": %q (the last in sorted order) is taken as positive", target, pos)
		}
		f := a.fairnessFor(target, group, source, pos, "binary", y, g, pred)
		return []Fairness{f}, nil
	}
	var out []Fairness
	worst, worstVal := -1, math.Inf(-1)
	for i, c := range classes {
		f := a.fairnessFor(target, group, source, c, "one-vs-rest", y, g, pred)
		if v := f.EqualizedOddsDifference.Value; !math.IsNaN(v) && v > worstVal {
			worst, worstVal = i, v
		}
		out = append(out, f)
	}
	if worst >= 0 {
		w := out[worst]
		w.Kind = "worst-class"
		w.ByGroup = slices.Clone(w.ByGroup)
		out = append(out, w)
	}
	return out, nil
}

// fairnessFor measures one positive value: binary, or one class against the
// rest of a multiclass target.
func (a *auditor) fairnessFor(target, group, source, pos, kind string, y, g, pred []string) Fairness {
	r := fairness.Compute(g, y, pred, pos, nil)
	ng := len(r.ByGroup)
	// values: 4 disparities, then 4 rates per group.
	vals := []float64{r.DemographicParityDifference, r.DemographicParityRatio, r.EqualizedOddsDifference, r.EqualOpportunityDifference}
	for _, gr := range r.ByGroup {
		vals = append(vals, gr.Accuracy, gr.SelectionRate, gr.TPR, gr.FPR)
	}
	index := make(map[string]int, ng)
	for i, gr := range r.ByGroup {
		index[gr.Name] = i
	}
	iv := a.intervals(vals, func(w, out []float64) {
		rb := fairness.Compute(g, y, pred, pos, w)
		out[0], out[1], out[2], out[3] = rb.DemographicParityDifference, rb.DemographicParityRatio, rb.EqualizedOddsDifference, rb.EqualOpportunityDifference
		for i := 4; i < len(out); i++ {
			out[i] = math.NaN()
		}
		for _, gr := range rb.ByGroup {
			if i, ok := index[gr.Name]; ok {
				copy(out[4+4*i:], []float64{gr.Accuracy, gr.SelectionRate, gr.TPR, gr.FPR})
			}
		}
	})
	f := Fairness{
		Target: target, Group: group, Source: source, Positive: pos, Kind: kind,
		DemographicParityDifference: iv[0],
		DemographicParityRatio:      iv[1],
		EqualizedOddsDifference:     iv[2],
		EqualOpportunityDifference:  iv[3],
	}
	for i, gr := range r.ByGroup {
		f.ByGroup = append(f.ByGroup, GroupRates{
			Group: gr.Name, N: gr.N,
			Accuracy: iv[4+4*i], SelectionRate: iv[5+4*i], TPR: iv[6+4*i], FPR: iv[7+4*i],
		})
	}
	return f
}

func gather[T any](values []T, rows []int) []T {
	out := make([]T, len(rows))
	for i, r := range rows {
		out[i] = values[r]
	}
	return out
}

func countPresent(y []int, k int) int {
	seen := make([]bool, k)
	n := 0
	for _, v := range y {
		if !seen[v] {
			seen[v] = true
			n++
		}
	}
	return n
}
