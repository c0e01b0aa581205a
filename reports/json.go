package reports

import (
	"bytes"
	"encoding/json"

	"github.com/miaudit/miaudit/metrics"
)

// writeJSON writes r itself, indented by two spaces, with a trailing
// newline. Result holds no maps, so the output is deterministic. Intervals
// write NaN and ±Inf as null and read null back as NaN (so NaN round-trips
// and ±Inf comes back as NaN); a NaN or infinite plain float64 field of r is
// an error, as encoding/json has no form for it.
func writeJSON(buf *bytes.Buffer, r *metrics.Result) error {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
