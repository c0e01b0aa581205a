package plot

import (
	"fmt"
	"math"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/miaudit/miaudit/metrics"
)

// Curve is one named series of (X[i], Y[i]) points, drawn as a line in the
// order given: training step against the DIM estimate, or false positive
// rate against true positive rate. A point with a NaN or infinite
// coordinate is a gap: it is not drawn and the line is split there.
type Curve struct {
	// Name is the legend entry; empty means none.
	Name string
	X, Y []float64
	// Markers draws a marker at every point, for sparse series such as
	// fresh-attacker checkpoints. A point with no defined neighbour gets a
	// marker in any case, so that it is seen.
	Markers bool
}

// Curves draws curves as lines, one colour each (dashed past the seventh),
// with the legend on the right. The default axis labels are "step" and
// "estimate (nats)".
//
// Curves returns an error if a curve has len(X) != len(Y), and one
// wrapping ErrNoData if there is no curve or no finite point.
func Curves(curves []Curve, o Options) ([]byte, error) {
	p := newPlot(o, "step", "estimate (nats)", nil, true)
	leg := newLegend()
	if err := addCurves(p, leg, curves, nil); err != nil {
		return nil, err
	}
	niceRange(&p.X)
	niceRange(&p.Y)
	return render(p, leg, o)
}

// Limits of the ROC plot's log-scaled FPR axis: rates below MinLogFPR are
// drawn at MinLogFPR, its left edge; MarkFPR is marked with a dotted line,
// the budget of the reported TPR at FPR ≤ 1e-3.
const (
	MinLogFPR = 1e-4
	MarkFPR   = 1e-3
)

// ROC draws ROC curves, X the false positive rate and Y the true positive
// rate, with the chance diagonal TPR = FPR. If logFPR, the FPR axis is
// log-scaled from MinLogFPR to 1 (smaller rates, such as the curve's
// start at 0, are drawn at MinLogFPR) and FPR = MarkFPR is marked with a
// dotted vertical line. The default axis labels are "false positive rate"
// and "true positive rate".
//
// ROC returns an error for a rate outside [0, 1], besides the errors of
// Curves.
func ROC(curves []Curve, logFPR bool, o Options) ([]byte, error) {
	for _, c := range curves {
		for i := range c.X {
			if i < len(c.Y) && (c.X[i] < 0 || c.X[i] > 1 || c.Y[i] < 0 || c.Y[i] > 1) {
				return nil, fmt.Errorf("plot: ROC curve %q point %d (%v, %v) outside [0, 1]", c.Name, i, c.X[i], c.Y[i])
			}
		}
	}
	p := newPlot(o, "false positive rate", "true positive rate", nil, true)
	leg := newLegend()
	p.Y.Min, p.Y.Max = 0, 1
	p.X.Min, p.X.Max = 0, 1
	p.X.Tick.Marker, p.Y.Tick.Marker = niceTicks{}, niceTicks{}
	var clamp func(float64) float64
	chance := plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 1}}
	if logFPR {
		p.X.Min = MinLogFPR
		p.X.Scale = gplot.LogScale{}
		p.X.Tick.Marker = logTicks{}
		clamp = func(x float64) float64 { return math.Max(x, MinLogFPR) }
		// TPR = FPR is a curve on a log axis: 10 points per decade.
		chance = chance[:0]
		n := int(math.Round(-math.Log10(MinLogFPR) * 10))
		for k := 0; k <= n; k++ {
			x := math.Pow(10, math.Log10(MinLogFPR)*(1-float64(k)/float64(n)))
			chance = append(chance, plotter.XY{X: x, Y: x})
		}
	}
	cl, err := plotter.NewLine(chance)
	if err != nil {
		return nil, fmt.Errorf("plot: chance line: %w", err)
	}
	cl.LineStyle = draw.LineStyle{Color: chanceColor, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(4), vg.Points(3)}}
	p.Add(cl)
	if err := addCurves(p, leg, curves, clamp); err != nil {
		return nil, err
	}
	leg.Add("chance", cl)
	if logFPR {
		m, err := plotter.NewLine(plotter.XYs{{X: MarkFPR, Y: 0}, {X: MarkFPR, Y: 1}})
		if err != nil {
			return nil, fmt.Errorf("plot: FPR mark: %w", err)
		}
		m.LineStyle = draw.LineStyle{Color: chanceColor, Width: vg.Points(0.8), Dashes: []vg.Length{vg.Points(1), vg.Points(2)}}
		p.Add(m)
		leg.Add(fmt.Sprintf("FPR = %g", MarkFPR), m)
	}
	return render(p, leg, o)
}

// ROCCurve returns the curve of ROC points (a metrics.ReID's ROC) under
// name, for ROC.
func ROCCurve(name string, pts []metrics.ROCPoint) Curve {
	c := Curve{Name: name, X: make([]float64, len(pts)), Y: make([]float64, len(pts))}
	for i, pt := range pts {
		c.X[i], c.Y[i] = pt.FPR, pt.TPR
	}
	return c
}

// addCurves adds the lines (split at undefined points) and markers of
// curves to p and their entries to leg, with x mapped through clamp if it
// is not nil.
func addCurves(p *gplot.Plot, leg *gplot.Legend, curves []Curve, clamp func(float64) float64) error {
	if len(curves) == 0 {
		return fmt.Errorf("no curves: %w", ErrNoData)
	}
	drawn := false
	for i, c := range curves {
		if len(c.X) != len(c.Y) {
			return fmt.Errorf("plot: curve %q has %d x and %d y values", c.Name, len(c.X), len(c.Y))
		}
		col, dashes := seriesColor(i)
		line := draw.LineStyle{Color: col, Width: vg.Points(1.5), Dashes: dashes}
		glyph := draw.GlyphStyle{Color: col, Radius: vg.Points(2.5), Shape: draw.CircleGlyph{}}
		var (
			seg     plotter.XYs
			markers plotter.XYs
			thumb   []gplot.Thumbnailer
		)
		flush := func() error {
			switch len(seg) {
			case 0:
			case 1:
				if !c.Markers {
					markers = append(markers, seg[0]) // a lone point
				}
			default:
				l, err := plotter.NewLine(seg)
				if err != nil {
					return fmt.Errorf("plot: curve %q: %w", c.Name, err)
				}
				l.LineStyle = line
				p.Add(l)
				if thumb == nil {
					thumb = append(thumb, l)
				}
			}
			seg = nil
			return nil
		}
		for k := range c.X {
			x, y := c.X[k], c.Y[k]
			if !finite(x) || !finite(y) {
				if err := flush(); err != nil {
					return err
				}
				continue
			}
			if clamp != nil {
				x = clamp(x)
			}
			seg = append(seg, plotter.XY{X: x, Y: y})
			if c.Markers {
				markers = append(markers, plotter.XY{X: x, Y: y})
			}
		}
		if err := flush(); err != nil {
			return err
		}
		if len(markers) > 0 {
			s, err := plotter.NewScatter(markers)
			if err != nil {
				return fmt.Errorf("plot: curve %q: %w", c.Name, err)
			}
			s.GlyphStyle = glyph
			p.Add(s)
			if c.Markers || len(thumb) == 0 {
				thumb = append(thumb, s)
			}
		}
		if len(thumb) > 0 {
			drawn = true
			if c.Name != "" {
				leg.Add(c.Name, thumb...)
			}
		}
	}
	if !drawn {
		return fmt.Errorf("%d curves, no finite point: %w", len(curves), ErrNoData)
	}
	return nil
}
