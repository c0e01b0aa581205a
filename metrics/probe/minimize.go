package probe

import (
	"context"
	"errors"
	"math"
	"slices"
	"sync"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/optimize"
)

// Parameters of the minimisation: those of the L-BFGS-B code behind SciPy's
// fmin_l_bfgs_b (scikit-learn's lbfgs solver) without bounds.
const (
	// lbfgsStore is the number of correction pairs kept (SciPy's maxcor,
	// used by scikit-learn).
	lbfgsStore = 10
	// lsDecrease, lsCurvature and lsStepTol are the ftol, gtol and xtol
	// with which L-BFGS-B calls the Moré–Thuente line search (MINPACK-2
	// dcsrch).
	lsDecrease  = 1e-3
	lsCurvature = 0.9
	lsStepTol   = 0.1
	// maxLineEvals caps the evaluations of one line search (SciPy's maxls).
	maxLineEvals = 20
)

// errNonFinite is returned by minimize when the objective or its gradient
// is not finite at the starting point.
var errNonFinite = errors.New("non-finite objective or gradient at the starting point")

// solver minimises a smooth function by gonum's L-BFGS
// (optimize.LBFGS with Store 10) and Moré–Thuente line search
// (optimize.MoreThuente), set up as L-BFGS-B without bounds:
//
//   - the first step along −∇f has length 1/‖∇f‖₂, later trials start at 1;
//   - the line search takes at most 20 evaluations; it ends, as dcsrch's
//     warnings end it in L-BFGS-B, at a step that lowers f when the
//     interval of uncertainty becomes too small (gonum reports a failure),
//     provided the step keeps the curvature sᵀy positive that the next
//     L-BFGS update needs;
//   - if a line search fails, L-BFGS is restarted from the best point with
//     its memory discarded, along −∇f; a failure right after a restart
//     ends the minimisation (no further progress possible);
//   - a non-finite value along the search direction (overflow far from
//     the minimum) restarts the line search at a shorter step.
//
// gonum calls Func and Grad in turn at each point; both are served by one
// evaluation of the objective, cached with a copy of its point. Evaluations
// run one at a time (optimize.Settings.Concurrent is 0), so a minimisation
// is deterministic. Its buffers are recycled across fits by getSolver and
// putSolver.
type solver struct {
	lbfgs optimize.LBFGS
	ls    lineSearch

	// The last evaluation: f(x) and ∇f(x) in g.
	fg    func(x, g []float64) float64
	x, g  []float64
	f     float64
	valid bool
	evals int
}

var solverPool = sync.Pool{New: func() any { return new(solver) }}

// getSolver returns a solver for functions of dim variables.
func getSolver(dim int) *solver {
	s := solverPool.Get().(*solver)
	s.x, s.g = grow(s.x, dim), grow(s.g, dim)
	return s
}

// putSolver recycles s, which must no longer be used.
func putSolver(s *solver) {
	s.fg = nil
	solverPool.Put(s)
}

// eval evaluates fg at x unless x is the point last evaluated.
func (s *solver) eval(x []float64) {
	if s.valid && slices.Equal(x, s.x) {
		return
	}
	copy(s.x, x)
	s.valid = false
	s.f = s.fg(s.x, s.g)
	s.valid = true
	s.evals++
}

// solution reports a minimisation.
type solution struct {
	X           []float64 // the best point found
	GradNorm    float64   // ‖∇f‖∞ at X
	Converged   bool      // whether GradNorm < gtol
	Iterations  int       // L-BFGS iterations, over all restarts
	Evaluations int       // evaluations of f and ∇f (together)
}

// minimize minimises fg (which returns f(x) and stores ∇f(x) in its second
// argument) from x0 until ‖∇f‖∞ < gtol or maxIter iterations, or until no
// further progress is possible. It returns ctx.Err() if ctx is cancelled
// (fg may then return anything) and errNonFinite if f or ∇f is not finite
// at x0.
func (s *solver) minimize(ctx context.Context, fg func(x, g []float64) float64, x0 []float64, gtol float64, maxIter int) (solution, error) {
	s.fg, s.valid, s.evals = fg, false, 0
	p := optimize.Problem{
		Func: func(x []float64) float64 {
			s.eval(x)
			return s.f
		},
		Grad: func(grad, x []float64) {
			s.eval(x)
			copy(grad, s.g)
		},
		// Status is called after every evaluation.
		Status: func() (optimize.Status, error) {
			if err := ctx.Err(); err != nil {
				return optimize.Failure, err
			}
			return optimize.NotTerminated, nil
		},
	}
	settings := &optimize.Settings{
		// The infinity norm, tested as ‖∇f‖∞ < GradientThreshold.
		GradientThreshold: gtol,
		// Only the gradient decides convergence: the default
		// FunctionConverge would stop after 100 iterations without an
		// absolute decrease of 1e-10.
		Converger: optimize.NeverTerminate{},
	}
	// The method's own gradient test (GradStopThreshold, default 1e-12)
	// is disabled: it skips the starting point, so that a warm start at
	// the minimiser would still take an iteration, while Minimize tests
	// GradientThreshold at every major iteration, the start included.
	// Fields are set one by one so that the method's buffers are reused.
	s.lbfgs.Store = lbfgsStore
	s.lbfgs.Linesearcher = &s.ls
	s.lbfgs.GradStopThreshold = math.NaN()

	var sol solution
	x := x0
	for {
		// Minimize counts the starting point as a major iteration.
		settings.MajorIterations = max(maxIter-sol.Iterations, 0) + 1
		res, err := optimize.Minimize(p, x, settings, &s.lbfgs)
		if cerr := ctx.Err(); cerr != nil {
			return solution{}, cerr
		}
		var ef optimize.ErrFunc
		var eg optimize.ErrGrad
		if errors.As(err, &ef) || errors.As(err, &eg) {
			return solution{}, errNonFinite
		}
		if err != nil && !lineSearchFailed(err) {
			return solution{}, err
		}
		iters := res.MajorIterations - 1
		sol.X = res.X
		sol.GradNorm = floats.Norm(res.Gradient, math.Inf(1))
		sol.Converged = res.Status == optimize.GradientThreshold
		sol.Iterations += iters
		sol.Evaluations = s.evals
		if err == nil || iters == 0 {
			// Converged, out of iterations, or a line search failed
			// along −∇f from the best point.
			return sol, nil
		}
		// Restart from the best point, known, with empty memory.
		x = res.X
		settings.InitValues = &optimize.Location{F: res.F, Gradient: res.Gradient}
	}
}

// lineSearchFailed reports whether err is gonum's report that L-BFGS could
// find no acceptable step.
func lineSearchFailed(err error) bool {
	return errors.Is(err, optimize.ErrLinesearcherFailure) ||
		errors.Is(err, optimize.ErrLinesearcherBound) ||
		errors.Is(err, optimize.ErrNoProgress) ||
		errors.Is(err, optimize.ErrNonDescentDirection)
}

// lineSearch is gonum's Moré–Thuente line search with L-BFGS-B's
// parameters, evaluation cap and acceptance of its warnings, guarded against
// non-finite values (see solver). It implements optimize.Linesearcher.
type lineSearch struct {
	mt     optimize.MoreThuente
	f0, g0 float64 // φ(0), φ′(0)
	step   float64 // the trial step last evaluated
	best   float64 // the finite step with the lowest φ so far
	fbest  float64
	evals  int
}

var _ optimize.Linesearcher = (*lineSearch)(nil)

// Init starts a search from φ(0) = f, φ′(0) = g < 0 with trial step.
func (ls *lineSearch) Init(f, g, step float64) optimize.Operation {
	ls.f0, ls.g0 = f, g
	ls.step, ls.best, ls.fbest = step, 0, f
	ls.evals = 0
	// gonum's LinesearchMethod evaluates the first trial step as given,
	// so MaximumStep (left at gonum's 1e20; L-BFGS-B's 1e10) must not
	// clamp it: the first step 1/‖∇f‖₂ exceeds 1e20 only if ‖∇f‖₂ <
	// 1e-20.
	ls.mt = optimize.MoreThuente{DecreaseFactor: lsDecrease, CurvatureFactor: lsCurvature, StepTolerance: lsStepTol}
	return ls.mt.Init(f, g, step)
}

// Iterate takes φ and φ′ at the trial step and returns the next operation.
func (ls *lineSearch) Iterate(f, g float64) (optimize.Operation, float64, error) {
	ls.evals++
	if math.IsNaN(f) || math.IsInf(f, 0) || math.IsNaN(g) || math.IsInf(g, 0) {
		if ls.evals >= maxLineEvals {
			return optimize.NoOperation, ls.step, optimize.ErrLinesearcherFailure
		}
		// Overflow far along the direction: start again at a step
		// shrunk towards the best one.
		ls.step = ls.best + 0.1*(ls.step-ls.best)
		ls.mt.Init(ls.f0, ls.g0, ls.step)
		return optimize.FuncEvaluation | optimize.GradEvaluation, ls.step, nil
	}
	if f < ls.fbest {
		ls.best, ls.fbest = ls.step, f
	}
	op, step, err := ls.mt.Iterate(f, g)
	switch {
	case err != nil:
		// No progress is possible: the interval of uncertainty is too
		// small, in which case gonum has returned to the best step
		// and φ, φ′ are its values, or the step is at its bound.
		// L-BFGS-B takes the step anyway; take it if it lowers φ and
		// sᵀy = step·(φ′ − φ′(0)) passes the test of L-BFGS-B's
		// update, which gonum's LBFGS always makes.
		if f < ls.f0 && g-ls.g0 > 0x1p-52*-ls.g0 {
			return optimize.MajorIteration, ls.step, nil
		}
		return optimize.NoOperation, ls.step, err
	case op == optimize.MajorIteration:
		return op, step, nil
	case ls.evals >= maxLineEvals:
		return optimize.NoOperation, ls.step, optimize.ErrLinesearcherFailure
	}
	ls.step = step
	return op, step, nil
}
