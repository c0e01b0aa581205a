package cli

import "strings"

// isCobraUsage reports whether err is one of cobra's own argument errors
// (unknown command, unknown flag, wrong number of arguments), which cobra
// returns as plain errors.
func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "accepts ", "requires at least", "requires at most", "flag needs an argument", "invalid argument"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}
