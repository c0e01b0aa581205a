package metrics

import "github.com/miaudit/miaudit/metrics/bootstrap"

// SchemaVersion is the version of the Result JSON schema. It changes whenever a
// field is renamed or removed or its meaning changes; adding fields keeps it.
const SchemaVersion = 1

// Interval is a point estimate with the bounds of its confidence interval.
// Its JSON form is {"value", "ci_low", "ci_high"}; undefined values are null.
type Interval = bootstrap.Interval

// Bound types of a mutual-information figure.
const (
	BoundLower    = "lower"    // a variational lower bound: the true MI is at least this (up to sampling error)
	BoundUpper    = "upper"    // an upper-bound style estimate
	BoundEstimate = "estimate" // a point estimate that is neither
)

// Result is everything one audit measured. Its JSON encoding is miaudit's
// machine contract: field names do not change within a SchemaVersion.
type Result struct {
	Schema    int           `json:"schema"`
	Version   string        `json:"version"`
	Seed      uint64        `json:"seed"`
	Input     Input         `json:"input"`
	Split     Split         `json:"split"`
	Bootstrap BootstrapInfo `json:"bootstrap"`
	Utility   []Utility     `json:"utility"`
	Leakage   []Leakage     `json:"leakage"`
	Fairness  []Fairness    `json:"fairness"`
	// Warnings are things a reviewer should read: probes that did not
	// converge, classes missing from the training split, skipped measures.
	Warnings []string `json:"warnings"`
}

// Input identifies the audited data.
type Input struct {
	Embeddings   string `json:"embeddings"`
	Key          string `json:"key,omitempty"`
	Labels       string `json:"labels"`
	Rows         int    `json:"rows"`
	Dim          int    `json:"dim"`
	SHA256       string `json:"sha256"`
	LabelsSHA256 string `json:"labels_sha256"`
}

// Split says how rows were divided between fitting and measuring.
type Split struct {
	// Method is "column" (a train/test column) or "stratified" (a seeded
	// stratified random split).
	Method       string  `json:"method"`
	Column       string  `json:"column,omitempty"`
	StratifiedBy string  `json:"stratified_by,omitempty"`
	TestFraction float64 `json:"test_fraction,omitempty"`
	TrainRows    int     `json:"train_rows"`
	TestRows     int     `json:"test_rows"`
}

// BootstrapInfo says what the confidence intervals cover.
type BootstrapInfo struct {
	Resamples int     `json:"resamples"`
	Level     float64 `json:"level"`
	Covers    string  `json:"covers"`
}

// Utility is how well a probe recovers a target attribute.
type Utility struct {
	Target           string   `json:"target"`
	Probe            string   `json:"probe"`
	Classes          int      `json:"classes"`
	C                float64  `json:"c"`
	Accuracy         Interval `json:"accuracy"`
	BalancedAccuracy Interval `json:"balanced_accuracy"`
	MajorityBaseline float64  `json:"majority_baseline"`
	Converged        bool     `json:"converged"`
}

// Leakage is how much the embeddings reveal one protected attribute.
type Leakage struct {
	Attribute string `json:"attribute"`
	Classes   int    `json:"classes"`
	// EntropyNats is the plug-in entropy H(S) of the attribute on the test rows.
	EntropyNats float64 `json:"entropy_nats"`
	// UnseenTestRows counts test rows whose value never occurs in the train
	// split: no attacker can name them; they count as errors and enter the
	// Barber–Agakov bound through the smoothed attacker (see MI.Note).
	UnseenTestRows int        `json:"unseen_test_rows"`
	Attackers      []Attacker `json:"attackers"`
	MI             []MI       `json:"mi"`
	ReID           *ReID      `json:"reid"`
}

// Attacker is a fresh classifier trained to recover the protected attribute.
type Attacker struct {
	Probe            string   `json:"probe"`
	C                float64  `json:"c,omitempty"`
	Accuracy         Interval `json:"accuracy"`
	MajorityBaseline float64  `json:"majority_baseline"`
	// Advantage is (accuracy − majority)/(1 − majority).
	Advantage Interval `json:"advantage"`
	// AUC is the macro one-vs-rest ROC AUC over AUCClasses classes (those
	// with both positive and negative test rows).
	AUC        Interval `json:"auc"`
	AUCClasses int      `json:"auc_classes"`
	Converged  bool     `json:"converged"`
}

// MI is one mutual-information figure I(Z;S) in nats.
type MI struct {
	Estimator string   `json:"estimator"`
	Bound     string   `json:"bound"`
	Nats      Interval `json:"nats"`
	// Ceiling, when set, is a value the estimator can never exceed
	// (InfoNCE: log of its batch size): a figure at the ceiling says only
	// that the MI is at least that large.
	Ceiling *float64 `json:"ceiling,omitempty"`
	Note    string   `json:"note,omitempty"`
}

// ReID is re-identification of repeated attribute values (identities).
type ReID struct {
	Available bool   `json:"available"`
	Note      string `json:"note,omitempty"`
	// Rank1 and Rank5 are the fractions of test rows whose identity is the
	// best, or among the five best, gallery identities by cosine similarity
	// to the train rows.
	Rank1       Interval `json:"rank1"`
	Rank5       Interval `json:"rank5"`
	ChanceRank1 float64  `json:"chance_rank1"`
	ChanceRank5 float64  `json:"chance_rank5"`
	// GalleryIdentities is the number of identities among the train rows;
	// AbsentProbes counts test rows whose identity is not among them.
	GalleryIdentities int `json:"gallery_identities"`
	Probes            int `json:"probes"`
	AbsentProbes      int `json:"absent_probes"`
	// VerificationAUC and TPRAtFPR1e3 score same- against different-identity
	// pairs of test rows by cosine similarity, over Pairs sampled pairs.
	VerificationAUC Interval `json:"verification_auc"`
	TPRAtFPR1e3     Interval `json:"tpr_at_fpr_1e-3"`
	Pairs           int      `json:"pairs"`
	// ROC is the verification ROC curve of the point estimate (all
	// Pairs, no bootstrap) from (0, 0) to (1, 1), as scikit-learn's
	// roc_curve, thinned for plotting by roc.Thin: whole if it has at
	// most 200 points, else the points of the exact curve that are last
	// with FPR at most g, for 40 FPRs g per decade from 1e-4 to 1, plus
	// both ends; so the point kept for g = 1e-3 has TPR
	// TPRAtFPR1e3.Value. Empty when verification was skipped.
	ROC []ROCPoint `json:"roc,omitempty"`
}

// ROCPoint is one point of a ROC curve: a false positive rate and a true
// positive rate, both fractions in [0, 1].
type ROCPoint struct {
	FPR float64 `json:"fpr"`
	TPR float64 `json:"tpr"`
}

// Fairness is the group fairness of predictions for one target across one
// grouping, for one positive class.
type Fairness struct {
	Target string `json:"target"`
	Group  string `json:"group"`
	// Source is "probe" (the utility probe's test predictions) or
	// "predictions:COL" (a column of given predictions).
	Source   string `json:"source"`
	Positive string `json:"positive"`
	// Kind is "binary", "one-vs-rest" (one class of a multiclass target) or
	// "worst-class" (the class with the largest equalized odds difference).
	Kind                        string       `json:"kind"`
	DemographicParityDifference Interval     `json:"demographic_parity_difference"`
	DemographicParityRatio      Interval     `json:"demographic_parity_ratio"`
	EqualizedOddsDifference     Interval     `json:"equalized_odds_difference"`
	EqualOpportunityDifference  Interval     `json:"equal_opportunity_difference"`
	ByGroup                     []GroupRates `json:"by_group"`
}

// GroupRates are the rates of one group, with bootstrap intervals;
// undefined rates (a TPR in a group without positives) are null.
type GroupRates struct {
	Group         string   `json:"group"`
	N             int      `json:"n"`
	Accuracy      Interval `json:"accuracy"`
	SelectionRate Interval `json:"selection_rate"`
	TPR           Interval `json:"tpr"`
	FPR           Interval `json:"fpr"`
}
