package metrics

import "math"

// Weighted statistics of the test rows. A nil w means every weight is 1; a
// bootstrap resample passes the rows' multiplicities.

func weightAt(w []float64, i int) float64 {
	if w == nil {
		return 1
	}
	return w[i]
}

// weightedMean is the weighted fraction of true values; NaN if the weights
// sum to zero.
func weightedMean(x []bool, w []float64) float64 {
	var s, n float64
	for i, v := range x {
		wi := weightAt(w, i)
		n += wi
		if v {
			s += wi
		}
	}
	if n == 0 {
		return math.NaN()
	}
	return s / n
}

// weightedMeanF is the weighted mean of x; NaN if the weights sum to zero.
func weightedMeanF(x []float64, w []float64) float64 {
	var s, n float64
	for i, v := range x {
		wi := weightAt(w, i)
		n += wi
		s += wi * v
	}
	if n == 0 {
		return math.NaN()
	}
	return s / n
}

// classWeights returns the total weight of each class among y.
func classWeights(y []int, k int, w []float64) []float64 {
	c := make([]float64, k)
	for i, v := range y {
		c[v] += weightAt(w, i)
	}
	return c
}

// majority is the accuracy of always predicting the most frequent class of
// y: max_c P(y = c).
func majority(y []int, k int, w []float64) float64 {
	c := classWeights(y, k, w)
	var m, n float64
	for _, v := range c {
		m = math.Max(m, v)
		n += v
	}
	if n == 0 {
		return math.NaN()
	}
	return m / n
}

// entropy is the plug-in entropy −Σ_c p_c log p_c of y in nats.
func entropy(y []int, k int, w []float64) float64 {
	c := classWeights(y, k, w)
	var n float64
	for _, v := range c {
		n += v
	}
	if n == 0 {
		return math.NaN()
	}
	var h float64
	for _, v := range c {
		if v > 0 {
			p := v / n
			h -= p * math.Log(p)
		}
	}
	return h
}

// balancedAccuracy is the mean over the classes present in y of the recall
// P(correct | y = c), as scikit-learn's balanced_accuracy_score.
func balancedAccuracy(correct []bool, y []int, k int, w []float64) float64 {
	tot := make([]float64, k)
	hit := make([]float64, k)
	for i, v := range y {
		wi := weightAt(w, i)
		tot[v] += wi
		if correct[i] {
			hit[v] += wi
		}
	}
	var s float64
	var m int
	for c := range k {
		if tot[c] > 0 {
			s += hit[c] / tot[c]
			m++
		}
	}
	if m == 0 {
		return math.NaN()
	}
	return s / float64(m)
}

// advantage is (acc − maj)/(1 − maj): 0 for the majority guess, 1 for a
// perfect attacker; NaN when the majority class is everything.
func advantage(acc, maj float64) float64 {
	if maj >= 1 {
		return math.NaN()
	}
	return (acc - maj) / (1 - maj)
}
