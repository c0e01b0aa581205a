package adversary

import (
	"math"
)

// The functions of this file compute every MI value of the package from
// critic scores. Each takes optional per-row weights — multiplicities, as a
// bootstrap resample gives: a weighted batch has the value of the batch in
// which row i is repeated w_i times. If a weight slice is nil then all of
// its weights are 1. They panic if a weight slice's length differs from its
// scores' and return NaN for empty scores (or a zero total weight).

// DV returns the Donsker–Varadhan lower bound on I(Z;S) in nats,
//
//	DV = mean_P T − log mean_Q e^T
//
// where joint holds T on pairs (z_i, s_i) drawn from the joint P and
// marginal holds T on pairs drawn from the product of the marginals Q
// (shuffled pairs). The log-mean-exp is shifted by max T so that large
// scores do not overflow. With weights the means are weighted:
//
//	DV = Σ wj·T / Σ wj − log( Σ wm·e^T / Σ wm )
//
// For any critic DV ≤ I(Z;S) in expectation over the population (not for
// a finite batch), with equality at T = log p(z,s)/(p(z)p(s)) + c.
// MINE (Belghazi et al. 2018) reports this value; only its gradient
// differs (see Config.EMA).
func DV(joint, marginal, wj, wm []float64) float64 {
	return wmean(joint, wj) - logMeanExp(marginal, wm)
}

// NWJ returns the Nguyen–Wainwright–Jordan (f-divergence, "MINE-f") lower
// bound on I(Z;S) in nats,
//
//	NWJ = mean_P T − mean_Q e^(T−1)
//
// with joint, marginal and the weights as in DV. Its optimal critic is
// T = 1 + log p(z,s)/(p(z)p(s)). NWJ ≤ DV for the same scores.
func NWJ(joint, marginal, wj, wm []float64) float64 {
	checkWeights(marginal, wm)
	var s, sw float64
	for i, t := range marginal {
		w := weight(wm, i)
		s += w * math.Exp(t-1)
		sw += w
	}
	return wmean(joint, wj) - s/sw
}

// InfoNCE returns the InfoNCE (contrastive predictive coding) lower bound
// on I(Z;S) in nats from the n×n score matrix scores, row-major with
// scores[i·n+j] = T(z_i, s_j), whose diagonal holds the positive pairs:
//
//	InfoNCE = mean_i [ S_ii − log( (1/n) Σ_j e^(S_ij) ) ]
//
// Each row's log-sum-exp is shifted by its maximum. InfoNCE ≤ log n for any
// scores (InfoNCECeiling): a batch of n pairs cannot certify more than
// log n nats. With weights w (one per row of the batch, hence per row and
// column of the matrix):
//
//	InfoNCE = Σ_i w_i [ S_ii − log( Σ_j w_j e^(S_ij) / Σ_j w_j ) ] / Σ_i w_i
//
// the value of the batch with row i repeated w_i times. InfoNCE panics if
// len(scores) ≠ n².
func InfoNCE(scores []float64, n int, w []float64) float64 {
	if n < 0 || len(scores) != n*n {
		panic("adversary: score matrix is not n×n")
	}
	if w != nil && len(w) != n {
		panic("adversary: weight length mismatch")
	}
	var num, den float64
	for i := range n {
		row := scores[i*n : (i+1)*n]
		wi := weight(w, i)
		if wi == 0 {
			continue
		}
		num += wi * (row[i] - logMeanExp(row, w))
		den += wi
	}
	return num / den
}

// InfoNCECeiling returns log n, the largest value InfoNCE can take on a
// batch of n pairs.
func InfoNCECeiling(n int) float64 { return math.Log(float64(n)) }

// JSD returns the Jensen–Shannon (f-GAN, Nowozin et al. 2016) objective
// used by Deep InfoMax,
//
//	JSD = mean_P(−softplus(−T)) − mean_Q softplus(T)
//
// with joint, marginal and the weights as in DV; softplus(x) = log(1+e^x).
// At its optimal critic T = log p(z,s)/(p(z)p(s)) it equals
// 2·JS(P‖Q) − log 4 ≤ 0: a training signal that rises with the dependence
// between Z and S, not a value in nats of I(Z;S).
func JSD(joint, marginal, wj, wm []float64) float64 {
	checkWeights(joint, wj)
	checkWeights(marginal, wm)
	var a, wa, b, wb float64
	for i, t := range joint {
		w := weight(wj, i)
		a -= w * softplus(-t)
		wa += w
	}
	for i, t := range marginal {
		w := weight(wm, i)
		b += w * softplus(t)
		wb += w
	}
	return a/wa - b/wb
}

// SMILE returns Song & Ermon's SMILE estimate of I(Z;S) in nats
// ("Understanding the limitations of variational mutual information
// estimators", ICLR 2020; smile_lower_bound in their reference code,
// github.com/ermongroup/smile-mi-estimator):
//
//	SMILE = mean_P T − log mean_Q clip(e^T, e^(−τ), e^τ)
//	      = mean_P T − log mean_Q e^(clip(T, −τ, τ))
//
// the DV form with the partition term's scores clipped to [−τ, τ], which
// bounds the variance of the partition estimate (they show that the
// variance of the unclipped MINE/NWJ estimates grows exponentially with the
// true MI). Clipping biases the
// partition term in either direction, so SMILE is neither a lower nor an
// upper bound: its bound type is "estimate". As τ → ∞ it is DV. joint,
// marginal and the weights are as in DV; SMILE panics if tau is negative or
// NaN.
func SMILE(joint, marginal []float64, tau float64, wj, wm []float64) float64 {
	if !(tau >= 0) {
		panic("adversary: negative clip")
	}
	checkWeights(marginal, wm)
	mx := math.Inf(-1)
	for _, t := range marginal {
		mx = max(mx, clip(t, tau))
	}
	var s, sw float64
	for i, t := range marginal {
		w := weight(wm, i)
		s += w * math.Exp(clip(t, tau)-mx)
		sw += w
	}
	return wmean(joint, wj) - (mx + math.Log(s/sw))
}

// CLUB returns the contrastive log-ratio upper bound estimate of I(Z;S) of
// Cheng et al. ("CLUB: A Contrastive Log-ratio Upper Bound of Mutual
// Information", ICML 2020) from an n×n matrix logq, row-major with
// logq[i·n+j] = log q(s_j | z_i) for a variational conditional q trained by
// maximum likelihood:
//
//	CLUB = mean_i log q(s_i|z_i) − mean_i mean_j log q(s_j|z_i)
//
// This is their vCLUB in its all-pairs form (every j, including j = i), not
// the sampled CLUB-S that draws one j per i. With weights w (per row of
// the batch):
//
//	CLUB = Σ_i w_i logq_ii / Σ w − Σ_i Σ_j w_i w_j logq_ij / (Σ w)²
//
// With the true conditional q = p(s|z) its population value is at least
// I(Z;S); with a fitted q it remains an upper bound only when q is close
// enough to p(s|z) (Cheng et al. give the condition as a KL inequality), so
// "upper" is a claim about a well-fitted q. CLUB panics if len(logq) ≠ n².
func CLUB(logq []float64, n int, w []float64) float64 {
	if n < 0 || len(logq) != n*n {
		panic("adversary: log q matrix is not n×n")
	}
	if w != nil && len(w) != n {
		panic("adversary: weight length mismatch")
	}
	var pos, all, sw float64
	for i := range n {
		wi := weight(w, i)
		row := logq[i*n : (i+1)*n]
		pos += wi * row[i]
		var r float64
		for j, v := range row {
			r += weight(w, j) * v
		}
		all += wi * r
		sw += wi
	}
	return pos/sw - all/(sw*sw)
}

// BarberAgakov returns the Barber–Agakov lower bound on I(Z;S) in nats for
// a discrete S,
//
//	I(Z;S) ≥ H(S) − CE,   CE = E[−log q(s|z)]
//
// where h is the entropy H(S) in nats and ce the cross-entropy of any
// classifier q(s|z) measured on held-out data (Barber & Agakov 2003).
func BarberAgakov(h, ce float64) float64 { return h - ce }

// wmean returns Σ w_i·x_i / Σ w_i.
func wmean(x, w []float64) float64 {
	checkWeights(x, w)
	var s, sw float64
	for i, v := range x {
		wi := weight(w, i)
		s += wi * v
		sw += wi
	}
	return s / sw
}

// logMeanExp returns log( Σ w_i·e^(x_i) / Σ w_i ), shifted by max x over
// the rows of positive weight.
func logMeanExp(x, w []float64) float64 {
	checkWeights(x, w)
	mx := math.Inf(-1)
	for i, v := range x {
		if weight(w, i) != 0 {
			mx = max(mx, v)
		}
	}
	if math.IsInf(mx, 0) {
		// All −Inf (log 0) or +Inf: the shift would give NaN.
		if len(x) == 0 {
			return math.NaN()
		}
		return mx
	}
	var s, sw float64
	for i, v := range x {
		wi := weight(w, i)
		if wi != 0 {
			s += wi * math.Exp(v-mx)
		}
		sw += wi
	}
	return mx + math.Log(s/sw)
}

// softplus returns log(1 + e^x) without overflow.
func softplus(x float64) float64 {
	if x > 0 {
		return x + math.Log1p(math.Exp(-x))
	}
	return math.Log1p(math.Exp(x))
}

func clip(t, tau float64) float64 { return max(-tau, min(tau, t)) }

func weight(w []float64, i int) float64 {
	if w == nil {
		return 1
	}
	return w[i]
}

func checkWeights(x, w []float64) {
	if w != nil && len(w) != len(x) {
		panic("adversary: weight length mismatch")
	}
}
