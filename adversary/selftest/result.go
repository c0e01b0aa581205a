package selftest

// SchemaVersion is the version of the Result JSON schema. It changes whenever
// a field is renamed or removed or its meaning changes; adding fields keeps
// it.
const SchemaVersion = 1

// Result is a self-test's outcome. Its JSON encoding is a machine contract:
// field names do not change within a SchemaVersion.
type Result struct {
	Schema  int    `json:"schema"`
	Version string `json:"version"`
	Seed    uint64 `json:"seed"`
	// Steps is the number of training steps per level; the held-out
	// estimates of the last Window of them are scored.
	Steps     int `json:"steps"`
	Window    int `json:"window"`
	BatchSize int `json:"batch_size"`
	// TruthSamples is the number of Monte-Carlo draws behind each truth
	// that has no closed form.
	TruthSamples int `json:"truth_samples"`
	// Rows are in staircase order, then level, then estimator.
	Rows []Row `json:"rows"`
	// Skipped lists the staircases an estimator does not apply to.
	Skipped []Skip `json:"skipped"`
	// Notes are remarks for a reader, from Config.Notes.
	Notes []string `json:"notes"`
}

// Row is one estimator on one level.
type Row struct {
	Estimator string `json:"estimator"`
	// Bound is "lower", "upper" or "estimate" (see Trainer.Bound).
	Bound     string `json:"bound"`
	Staircase string `json:"staircase"`
	Level     string `json:"level"`
	// Truth is the level's mutual information in nats, and TruthSE its
	// Monte-Carlo standard error (0 for a closed form).
	Truth   float64 `json:"truth"`
	TruthSE float64 `json:"truth_se"`
	// Ceiling, if positive, is a value the estimator can never exceed
	// (InfoNCE's log N).
	Ceiling float64 `json:"ceiling,omitempty"`
	// Stats score the held-out estimates; nil if the estimator diverged.
	Stats *Stats `json:"stats"`
	// Diverged says where the estimator diverged, on this level or an
	// earlier one of its staircase; empty if it did not.
	Diverged string `json:"diverged,omitempty"`
}

// Stats score the held-out estimates of a level's last Window steps, in
// nats (variance and MSE in nats²); see Run.
type Stats struct {
	Mean     float64 `json:"mean"`
	Bias     float64 `json:"bias"`
	Variance float64 `json:"variance"`
	MSE      float64 `json:"mse"`
}

// Skip is a staircase an estimator was not run on, and why.
type Skip struct {
	Estimator string `json:"estimator"`
	Staircase string `json:"staircase"`
	Reason    string `json:"reason"`
}
