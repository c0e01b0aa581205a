// Package plot renders the figures of miaudit's review reports as SVG: the
// privacy–utility frontier, per-group fairness bars, training curves and
// re-identification ROC curves.
//
// Each function takes plain data (points, bars, curves), checks it, and
// returns the bytes of a self-contained SVG document drawn with
// gonum.org/v1/plot. The output is deterministic: the same input gives the
// same bytes, so figures can be kept as golden files. Fonts are not
// embedded (a figure is about 10 kB): text is laid out with the metrics of
// Liberation Sans, bundled with gonum/plot, and names it with Arial and
// Helvetica (the same metrics) and sans-serif as fallbacks for viewers
// that do not have it.
//
// Undefined figures are NaN. A point or bar whose own value is undefined
// is left out and the figure says so in a note under its title; an
// undefined confidence bound only drops that interval's whisker. Input with
// nothing left to draw returns an error wrapping ErrNoData.
package plot
