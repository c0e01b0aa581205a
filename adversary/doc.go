// Package adversary provides attackers on a representation: critics T(z, s),
// variational bounds on the mutual information I(Z;S), and neural
// classifiers of S from Z.
//
// Data are row-major: z is n×DZ float32; S is either discrete (Labels, in
// 0..K−1) or continuous (Floats, n×DS).
//
// Three layers:
//
//   - Pure bound functions (DV, NWJ, InfoNCE, JSD, SMILE, CLUB,
//     BarberAgakov) over critic scores in float64. They are the single
//     source of every value this package reports: an Estimator computes
//     its training and held-out values by calling them on the scores its
//     graph produced.
//   - Estimator: one critic (concat T = MLP([z, e(s)]) or separable
//     T = f(z)·g(s)) or, for CLUB, one variational q(s|z), trained by Adam
//     on batches of a fixed size through gorgonia graphs built once.
//   - Attacker: an MLP classifier q(s|z) with early stopping whose
//     LogProba feeds accuracy, AUC and the Barber–Agakov bound in the audit.
//
// Every MI value is in nats and comes with its bound type (BoundType):
// "lower" (DV, MINE, NWJ, InfoNCE), "upper" (CLUB, with the caveats in its
// doc), "estimate" (SMILE) or "training-signal" (JSD).
package adversary
