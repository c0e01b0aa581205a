package knn

import (
	"errors"
	"math"
	"slices"

	"github.com/miaudit/miaudit/dataset"
)

// ErrEmptyGallery is returned by ReID when the gallery has no rows.
var ErrEmptyGallery = errors.New("knn: empty gallery")

// ReIDResult holds the re-identification rank of each probe.
type ReIDResult struct {
	// Rank[i] is the 1-based rank of probe i's identity among the gallery
	// identities, 0 if that identity has no gallery row, and MaxRank+1 for
	// any rank beyond MaxRank when MaxRank > 0.
	Rank []int
	// GalleryIdentities is G, the number of distinct gallery identities.
	GalleryIdentities int
	// Absent is the number of probes whose identity has no gallery row.
	Absent int
	// MaxRank is the maxRank ReID was called with; 0 if ranks are exact.
	MaxRank int
}

// RateAt returns the fraction of probes re-identified within rank r, the
// point r of the cumulative match characteristic:
//
//	RateAt(r) = Σ_i w_i·[1 ≤ Rank[i] ≤ r] / Σ_i w_i
//
// Probes absent from the gallery count as misses at every rank. weights
// are per-probe multiplicities, such as the counts of a bootstrap resample;
// if weights is nil then all of the weights are 1. RateAt returns 0 for
// r < 1 and NaN when the weights sum to 0 (or there are no probes). It
// panics if weights is not nil and len(weights) != len(Rank), if a weight
// is negative, or if MaxRank > 0 and r > MaxRank.
func (res ReIDResult) RateAt(r int, weights []int) float64 {
	if weights != nil && len(weights) != len(res.Rank) {
		panic("knn: slice length mismatch")
	}
	if res.MaxRank > 0 && r > res.MaxRank {
		panic("knn: rank beyond maxRank")
	}
	var hit, total int
	for i, rk := range res.Rank {
		w := 1
		if weights != nil {
			w = weights[i]
			if w < 0 {
				panic("knn: negative weight")
			}
		}
		total += w
		if rk >= 1 && rk <= r {
			hit += w
		}
	}
	if total == 0 {
		return math.NaN()
	}
	if r < 1 {
		return 0
	}
	return float64(hit) / float64(total)
}

// Chance returns the expected RateAt(r) of a ranking of the gallery
// identities drawn uniformly at random:
//
//	Chance(r) = (len(Rank) − Absent)/len(Rank) · min(r, G)/G
//
// with G = GalleryIdentities. It returns 0 for r < 1 and NaN if there are
// no probes.
func (res ReIDResult) Chance(r int) float64 {
	if len(res.Rank) == 0 {
		return math.NaN()
	}
	if r < 1 || res.GalleryIdentities == 0 {
		return 0
	}
	present := float64(len(res.Rank)-res.Absent) / float64(len(res.Rank))
	return present * float64(min(r, res.GalleryIdentities)) / float64(res.GalleryIdentities)
}

// ReID ranks, for each probe row x.Row(probes[i]) of identity probeIDs[i],
// the gallery identities by their best cosine similarity to the probe,
//
//	sim(p, g) = (p·g)·(1/‖g‖)·(1/‖p‖)
//	best(p, I) = max over gallery rows g of identity I of sim(p, g)
//	Rank = 1 + #{I ≠ probeID : best(p, I) ≥ best(p, probeID)}
//
// and returns the rank of the probe's own identity. Ties count against the
// probe (pessimistic): an identity whose best similarity equals that of the
// true identity is ranked ahead of it. A probe whose identity has no
// gallery row (open set) gets rank 0 and counts as a miss at every rank. A
// zero row has similarity 0 with everything, so a zero probe ties all G
// identities and gets rank G. Probes and gallery should be disjoint rows;
// a probe row that is also in the gallery matches itself.
//
// Ranks beyond maxRank > 0 are reported as maxRank+1; maxRank ≤ 0 gives
// exact ranks (they cost no more).
//
// Dot products are float32 blas32 Gemm products of probe blocks with
// chunks of the gallery sorted by identity; inverse norms are computed
// once in float64 and applied in float32. Similarities are thus accurate
// to about 1e-6 (the float32 rounding bound is d·6e-8 for d columns);
// identities whose best similarities differ by less may be ordered either
// way, but always the same way for the same input. Exactly equal rows give
// exactly equal similarities, so ties between them are always detected.
//
// ReID returns ErrEmptyGallery if gallery is empty, and an error wrapping
// ErrNonFinite if a probe or gallery row holds a NaN or an infinity. It
// panics if len(gallery) != len(galleryIDs), if len(probes) !=
// len(probeIDs) or if an index is not a row of x.
func ReID(x *dataset.Matrix, gallery []int, galleryIDs []int, probes []int, probeIDs []int, maxRank int) (ReIDResult, error) {
	return reidBlocked(x, gallery, galleryIDs, probes, probeIDs, maxRank, defaultBlocking)
}

// maxBestFloats bounds the per-worker table of best similarities
// (query block × G float32): probe blocks shrink when G is large.
const maxBestFloats = 1 << 22

func reidBlocked(x *dataset.Matrix, gallery []int, galleryIDs []int, probes []int, probeIDs []int, maxRank int, bl blocking) (ReIDResult, error) {
	checkMatrix(x)
	if len(gallery) != len(galleryIDs) || len(probes) != len(probeIDs) {
		panic("knn: slice length mismatch")
	}
	checkRows(x, gallery)
	checkRows(x, probes)
	if len(gallery) == 0 {
		return ReIDResult{}, ErrEmptyGallery
	}
	maxRank = max(maxRank, 0)

	// Dense identities 0..G-1 in increasing order of ID.
	ids := slices.Clone(galleryIDs)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	G := len(ids)
	dense := make(map[int]int32, G)
	for i, id := range ids {
		dense[id] = int32(i)
	}
	// Gallery sorted by identity (stable), so that each identity is a run.
	denseOf := make([]int32, len(gallery))
	order := make([]int, len(gallery))
	for i, id := range galleryIDs {
		denseOf[i] = dense[id]
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return int(denseOf[a]) - int(denseOf[b])
	})
	gRows := make([]int, len(gallery))
	gID := make([]int32, len(gallery))
	for j, i := range order {
		gRows[j] = gallery[i]
		gID[j] = denseOf[i]
	}
	invG, err := invNorms32(x, gRows)
	if err != nil {
		return ReIDResult{}, err
	}
	invP, err := invNorms32(x, probes)
	if err != nil {
		return ReIDResult{}, err
	}

	res := ReIDResult{Rank: make([]int, len(probes)), GalleryIdentities: G, MaxRank: maxRank}
	pID := make([]int32, len(probes))
	for i, id := range probeIDs {
		g, ok := dense[id]
		if !ok {
			g = -1
			res.Absent++
		}
		pID[i] = g
	}

	if len(probes) == 0 {
		return res, nil
	}
	bq := bl.query
	if bq*G > maxBestFloats {
		bq = max(tile, maxBestFloats/G/tile*tile)
	}
	bq = min(bq, len(probes))
	bc := min(bl.ref, len(gRows))
	nBlocks := (len(probes) + bq - 1) / bq
	d := x.Cols
	parallel(nBlocks, func() func(int) {
		qb := make([]float32, bq*d)
		rb := make([]float32, bc*d)
		scores := make([]float32, bq*bc)
		bestBuf := make([]float32, bq*G)
		type run struct{ id, lo, hi int }
		runs := make([]run, 0, 64)
		return func(t int) {
			q := probes[t*bq : min((t+1)*bq, len(probes))]
			qid := pID[t*bq : min((t+1)*bq, len(probes))]
			gather32(qb, x, q)
			best := bestBuf[:len(q)*G]
			for i := range best {
				best[i] = float32(math.Inf(-1))
			}
			for c0 := 0; c0 < len(gRows); c0 += bc {
				c1 := min(c0+bc, len(gRows))
				nc := c1 - c0
				gather32(rb, x, gRows[c0:c1])
				s := scores[:len(q)*nc]
				dots32(s, qb, rb, len(q), nc, d)
				runs = runs[:0]
				for lo := c0; lo < c1; {
					hi := lo + 1
					for hi < c1 && gID[hi] == gID[lo] {
						hi++
					}
					runs = append(runs, run{int(gID[lo]), lo - c0, hi - c0})
					lo = hi
				}
				inv := invG[c0:c1]
				for a := range q {
					row := s[a*nc : (a+1)*nc]
					bestA := best[a*G : (a+1)*G]
					for _, r := range runs {
						m := bestA[r.id]
						for j := r.lo; j < r.hi; j++ {
							if v := row[j] * inv[j]; v > m {
								m = v
							}
						}
						bestA[r.id] = m
					}
				}
			}
			// The probe's inverse norm is applied last: it is common to all
			// of the probe's similarities, so max commutes with it.
			for a, id := range qid {
				i := t*bq + a
				if id < 0 {
					res.Rank[i] = 0
					continue
				}
				ip := invP[i]
				bestA := best[a*G : (a+1)*G]
				bt := bestA[id] * ip
				ahead := 0
				for g, v := range bestA {
					if v*ip >= bt && g != int(id) {
						ahead++
					}
				}
				rk := 1 + ahead
				if maxRank > 0 && rk > maxRank {
					rk = maxRank + 1
				}
				res.Rank[i] = rk
			}
		}
	})
	return res, nil
}
