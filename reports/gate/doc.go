// Package gate evaluates policy gates on an audit's metrics.Result: rules
// such as
//
//	leakage.writer.attackers.mlp.advantage > 0.10
//
// that name one figure of the result and the condition under which a
// pipeline should fail (miaudit's --fail-if). A rule states the failing
// condition: Check reports a Violation when "figure OP threshold" holds.
//
// A rule is PATH OP THRESHOLD. OP is one of > >= < <= == != (whitespace
// around it is optional); THRESHOLD is a finite number in Go syntax (0.1,
// 1e-3, .5). PATH names a figure by the Result's JSON field names:
//
//	utility.<target>.accuracy | balanced_accuracy
//	leakage.<attribute>.attackers.<probe>.accuracy | advantage | auc
//	leakage.<attribute>.mi.<estimator>                    (I(Z;S) in nats)
//	leakage.<attribute>.reid.rank1 | rank5 | verification_auc | tpr_at_fpr_1e-3
//	fairness.<target>.<group>.<difference>
//	fairness.<target>.<group>.class.<value>.<difference>
//
// where <probe> is an attacker's probe ("linear", "mlp"), <estimator> is
// MIKey of the estimator ("knn", "mine", "nwj", "infonce", "smile", "club",
// "barber-agakov.linear", "barber-agakov.mlp"), and <difference> is one of
// demographic_parity_difference, demographic_parity_ratio,
// equalized_odds_difference and equal_opportunity_difference. The reid paths
// exist only where re-identification was measured. For a binary target
// fairness.<target>.<group>.<difference> is its single entry; for a
// multiclass target it is the worst class (the one with the largest
// equalized odds difference), and the class form picks the entry of one
// class against the rest.
//
// A path compares the point estimate; a last segment .ci_low or .ci_high
// compares that bound of its confidence interval instead.
//
// Names (targets, attributes, groups, class values) are matched against the
// names the result holds, so they may contain dots ("a.b"), but not the
// operator characters < > = ! (the first of them starts the operator). When two
// readings of a path name figures of the result, the one whose earliest
// name is longest wins ("fairness.a.b.c.…" is target "a.b", group "c" before
// target "a", group "b.c").
//
// A figure that is undefined (NaN or infinite; null in JSON) cannot show
// that a gate passes: a rule on it is always a Violation, whatever its
// operator, and its message says the figure is undefined. This covers a TPR
// difference over groups without positives, a multiclass target whose
// classes all lack an equalized odds difference (so there is no worst
// class), and confidence bounds of a result computed without bootstrap
// resamples.
package gate
