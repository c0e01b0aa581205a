package probe

import (
	"context"
	"fmt"

	"github.com/miaudit/miaudit/dataset"
)

// cvGradTol is the relative gradient tolerance (see Settings.GradTol) of the
// fits inside SelectC; scikit-learn's own fits stop near 1e-4.
const cvGradTol = 1e-5

// SelectC chooses the inverse regularisation strength C of Fit from grid by
// stratified cross-validation, as scikit-learn 1.2's
// GridSearchCV(LogisticRegression(max_iter=1000), {"C": grid}, cv=folds)
// with its default accuracy scoring:
//
//	acc_f(C) = (1/|V_f|) Σ_{i∈V_f} [predict_C,f(x_i) = y_i]
//	meanAcc(C) = (1/folds) Σ_f acc_f(C)
//	best = the first C of grid with the highest meanAcc
//
// where V_f are the rows of test fold f of StratifiedKFold(y, folds) and the
// model predict_C,f is fitted on the other rows (rows, y as in Fit). A
// validation row of a class absent from its fold's training part can only be
// misclassified, as in scikit-learn. Each fold's fits are warm-started along
// the grid, which changes their cost but not, beyond the tolerance of Fit,
// their result; non-converged fits are scored as they are, as scikit-learn
// does after its ConvergenceWarning.
//
// The cross-validation fits stop at the looser tolerance cvGradTol: only
// their validation accuracy is used, which moves far less than the weights
// between the two tolerances, and the loose fits take a third of the time.
//
// If grid has a single value it is returned with a nil meanAcc and no fit.
// SelectC returns ctx.Err() if ctx is cancelled, and the errors of
// StratifiedKFold and Fit. It panics if grid is empty or len(rows) ≠ len(y).
func SelectC(ctx context.Context, x *dataset.Matrix, rows []int, y []int, k int, grid []float64, folds int) (best float64, meanAcc []float64, err error) {
	if len(grid) == 0 {
		panic("probe: empty grid")
	}
	if len(rows) != len(y) {
		panic("probe: slice length mismatch")
	}
	if len(grid) == 1 {
		return grid[0], nil, nil
	}
	if err := ctx.Err(); err != nil {
		return 0, nil, err
	}
	test, err := StratifiedKFold(y, folds)
	if err != nil {
		return 0, nil, err
	}
	// acc[g*folds+f] is the accuracy of grid[g] on fold f.
	acc := make([]float64, len(grid)*folds)
	var trRows, trY, vaRows, vaY, pred []int
	for f := range folds {
		trRows, trY, vaRows, vaY = trRows[:0], trY[:0], vaRows[:0], vaY[:0]
		for i, r := range rows {
			if test[i] == f {
				vaRows = append(vaRows, r)
				vaY = append(vaY, y[i])
			} else {
				trRows = append(trRows, r)
				trY = append(trY, y[i])
			}
		}
		pred = append(pred[:0], make([]int, len(vaRows))...)
		var warm *Model
		for g, c := range grid {
			m, err := FitWith(ctx, x, trRows, trY, k, c, warm, &Settings{GradTol: cvGradTol})
			if err != nil {
				if cerr := ctx.Err(); cerr != nil {
					return 0, nil, cerr
				}
				return 0, nil, fmt.Errorf("probe: fold %d, C=%g: %w", f, c, err)
			}
			warm = m
			m.Predict(x, vaRows, pred)
			correct := 0
			for i, p := range pred {
				if p == vaY[i] {
					correct++
				}
			}
			if len(vaRows) > 0 {
				acc[g*folds+f] = float64(correct) / float64(len(vaRows))
			}
		}
	}
	meanAcc = make([]float64, len(grid))
	bestG := 0
	for g := range grid {
		// Summed in fold order then divided, as NumPy's mean over the
		// folds, so that ties are broken exactly as scikit-learn's rank.
		var s float64
		for f := range folds {
			s += acc[g*folds+f]
		}
		meanAcc[g] = s / float64(folds)
		if meanAcc[g] > meanAcc[bestG] {
			bestG = g
		}
	}
	return grid[bestG], meanAcc, nil
}
