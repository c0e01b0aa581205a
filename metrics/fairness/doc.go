// Package fairness provides the group fairness metrics of a classifier's
// predictions across the groups of a protected attribute, as fairlearn
// defines them: per-group selection rate, true and false positive rates, and
// the demographic parity, equalized odds and equal opportunity differences.
//
// fairlearn's definitions are followed so that figures can be cross-checked,
// with one documented departure: a rate that is undefined in a group (a true
// positive rate where the group has no positive rows) is NaN here and left
// out of the differences, where fairlearn reports 0 and includes it. See
// Compute.
package fairness
