package reports

import (
	"bytes"
	"encoding/csv"

	"github.com/miaudit/miaudit/metrics"
)

// csvHeader names the CSV's columns.
var csvHeader = []string{"section", "attribute", "group", "measure", "estimator", "bound", "value", "ci_low", "ci_high", "reference"}

// writeCSV writes every figure of r, one row each, in long form. Numbers are
// the shortest decimal text that parses back to the same float64; NaN, and a
// missing interval (no resamples or undefined ends), are empty fields. A
// missing figure ("re-identification not available") has an empty value and
// its reason as reference. The reference column holds the same words as the
// human views, with numbers at full precision ("majority 0.1123").
func writeCSV(buf *bytes.Buffer, r *metrics.Result) error {
	w := csv.NewWriter(buf)
	if err := w.Write(csvHeader); err != nil {
		return err
	}
	for _, f := range figures(r) {
		var value, lo, hi string
		if f.hasValue {
			value = fmtFull(f.value.Value)
			if hasCI(f.value, r.Bootstrap.Resamples) {
				lo, hi = fmtFull(f.value.Low), fmtFull(f.value.High)
			}
		}
		rec := []string{f.section, f.attribute, f.group, f.measure, f.estimator, f.bound, value, lo, hi, f.ref.machine()}
		if err := w.Write(rec); err != nil {
			return err
		}
	}
	w.Flush()
	return w.Error()
}
