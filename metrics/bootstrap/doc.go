// Package bootstrap provides the nonparametric bootstrap over rows:
// reproducible resamples given as per-row multiplicities, numpy-compatible
// percentiles, percentile confidence intervals, and Interval, the
// JSON-serialisable "value with confidence interval" of miaudit's results.
//
// The percentile bootstrap interval of a statistic T at level L is
//
//	[Q_{(1−L)/2}, Q_{(1+L)/2}]
//
// where Q_p is the p-quantile of T over the resamples. It covers the
// variability of T due to the sampling of the rows that were resampled
// (usually the test rows): not the randomness of training, nor of seeds.
package bootstrap
