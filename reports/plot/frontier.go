package plot

import (
	"cmp"
	"fmt"
	"slices"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Point is one run or setting on the privacy–utility frontier.
type Point struct {
	// Label is drawn beside the point ("λ = 0.3"); empty means none.
	Label string
	// X is the leakage (an attacker's advantage, or an MI figure in
	// nats), lower is better; XLow and XHigh are the bounds of its
	// confidence interval, NaN when there is none.
	X, XLow, XHigh float64
	// Y is the task utility (a probe's accuracy), higher is better; YLow
	// and YHigh are the bounds of its confidence interval, NaN when there
	// is none.
	Y, YLow, YHigh float64
	// Pareto marks a point of the frontier: drawn filled and joined by the
	// frontier line, where other points are drawn as rings. MarkPareto
	// sets it.
	Pareto bool
}

// MarkPareto sets the Pareto field of each point: true when no other
// point is at least as good on both axes and better on one,
//
//	Pareto(p) = ¬∃q: q.X ≤ p.X ∧ q.Y ≥ p.Y ∧ (q.X < p.X ∨ q.Y > p.Y)
//
// with lower X (leakage) and higher Y (utility) better. Confidence
// intervals are ignored. Points with an undefined (non-finite) X or Y are
// never Pareto and do not dominate. Equal points are all Pareto or none.
// It takes O(n²) time.
func MarkPareto(points []Point) {
	for i := range points {
		p := &points[i]
		p.Pareto = finite(p.X) && finite(p.Y)
		if !p.Pareto {
			continue
		}
		for _, q := range points {
			if finite(q.X) && finite(q.Y) && q.X <= p.X && q.Y >= p.Y && (q.X < p.X || q.Y > p.Y) {
				p.Pareto = false
				break
			}
		}
	}
}

// Frontier draws the privacy–utility frontier: one marker per point,
// filled for Pareto points and a ring for the others, with horizontal and
// vertical whiskers for the confidence intervals of X and Y, the label of
// each point beside it, and the frontier line joining the Pareto points
// in order of increasing X (then Y). The legend on the right names the
// markers, the line and the whiskers. The default axis labels are
// "leakage" and "utility".
//
// Points whose X or Y is not finite are left out, with a note under the
// title. Frontier returns an error wrapping ErrNoData if no point is left,
// and an error if an interval has low > high or only one finite bound.
func Frontier(points []Point, o Options) ([]byte, error) {
	var (
		drawn   []Point
		skipped int
		xcis    []interval
		ycis    []interval
	)
	for i, p := range points {
		if !finite(p.X) || !finite(p.Y) {
			skipped++
			continue
		}
		xci, err := ci(p.Y, p.XLow, p.XHigh)
		if err != nil {
			return nil, fmt.Errorf("plot: point %d (%q) x: %w", i, p.Label, err)
		}
		yci, err := ci(p.X, p.YLow, p.YHigh)
		if err != nil {
			return nil, fmt.Errorf("plot: point %d (%q) y: %w", i, p.Label, err)
		}
		if xci != nil {
			xcis = append(xcis, *xci)
		}
		if yci != nil {
			ycis = append(ycis, *yci)
		}
		drawn = append(drawn, p)
	}
	if len(drawn) == 0 {
		return nil, fmt.Errorf("frontier of %d points, none with finite x and y: %w", len(points), ErrNoData)
	}
	var notes []string
	if skipped > 0 {
		notes = append(notes, fmt.Sprintf("(%d of %d points not shown: undefined leakage or utility)", skipped, len(points)))
	}
	p := newPlot(o, "leakage", "utility", notes, true)
	// Legend thumbnails, added in this order at the end.
	var frontThumb, lineThumb, otherThumb, ciThumb gplot.Thumbnailer

	if len(xcis) > 0 {
		w := newWhiskers(false, xcis)
		p.Add(w)
		ciThumb = w
	}
	if len(ycis) > 0 {
		w := newWhiskers(true, ycis)
		p.Add(w)
		ciThumb = w // the thumbnail is vertical either way
	}

	var front, other plotter.XYs
	for _, d := range drawn {
		if d.Pareto {
			front = append(front, plotter.XY{X: d.X, Y: d.Y})
		} else {
			other = append(other, plotter.XY{X: d.X, Y: d.Y})
		}
	}
	color := palette[0]
	lineColor := palette[1]
	if len(front) > 1 {
		slices.SortStableFunc(front, func(a, b plotter.XY) int {
			return cmp.Or(cmp.Compare(a.X, b.X), cmp.Compare(a.Y, b.Y))
		})
		l, err := plotter.NewLine(front)
		if err != nil {
			return nil, fmt.Errorf("plot: frontier line: %w", err)
		}
		l.LineStyle = draw.LineStyle{Color: lineColor, Width: vg.Points(1.5)}
		p.Add(l)
		lineThumb = l
	}
	if len(front) > 0 {
		s, err := plotter.NewScatter(front)
		if err != nil {
			return nil, fmt.Errorf("plot: frontier points: %w", err)
		}
		s.GlyphStyle = draw.GlyphStyle{Color: color, Radius: vg.Points(3), Shape: draw.CircleGlyph{}}
		p.Add(s)
		frontThumb = s
	}
	if len(other) > 0 {
		s, err := plotter.NewScatter(other)
		if err != nil {
			return nil, fmt.Errorf("plot: dominated points: %w", err)
		}
		s.GlyphStyle = draw.GlyphStyle{Color: color, Radius: vg.Points(3), Shape: draw.RingGlyph{}}
		p.Add(s)
		otherThumb = s
	}

	lab := newLabels()
	for _, d := range drawn {
		if d.Label != "" {
			lab.add(d.X, d.Y, d.Label)
		}
	}
	if len(lab.texts) > 0 {
		p.Add(lab)
	}
	niceRange(&p.X)
	niceRange(&p.Y)
	leg := newLegend()
	for _, e := range []struct {
		name  string
		thumb gplot.Thumbnailer
	}{
		{"Pareto-optimal", frontThumb},
		{"dominated", otherThumb},
		{"Pareto frontier", lineThumb},
		{"confidence interval", ciThumb},
	} {
		if e.thumb != nil {
			leg.Add(e.name, e.thumb)
		}
	}
	return render(p, leg, o)
}

// ci returns the interval [low, high] at position at, nil if both bounds
// are NaN, and an error if only one is finite, a bound is infinite or
// low > high.
func ci(at, low, high float64) (*interval, error) {
	switch {
	case low != low && high != high: // both NaN
		return nil, nil
	case !finite(low) || !finite(high):
		return nil, fmt.Errorf("confidence interval [%v, %v] has a bound that is not finite", low, high)
	case low > high:
		return nil, fmt.Errorf("confidence interval [%v, %v] has low > high", low, high)
	}
	return &interval{at: at, low: low, high: high}, nil
}
