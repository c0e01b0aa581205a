package plot

import (
	"math"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// interval is one confidence interval [low, high] drawn at position at of
// the other axis.
type interval struct{ at, low, high float64 }

// whiskers draws confidence intervals as error bars with caps, from their
// absolute bounds (gonum's error bars take distances from the point, and
// a percentile bootstrap interval need not contain its point estimate).
// Each interval is one SVG path: the bar, then the two caps. Vertical
// whiskers span y at x = at; horizontal ones span x at y = at.
type whiskers struct {
	vertical bool
	ivs      []interval
	line     draw.LineStyle
	cap      vg.Length // full width of a cap
}

func newWhiskers(vertical bool, ivs []interval) *whiskers {
	return &whiskers{
		vertical: vertical,
		ivs:      ivs,
		line:     draw.LineStyle{Color: whiskerColor, Width: vg.Points(0.8)},
		cap:      vg.Points(5),
	}
}

// Plot implements gplot.Plotter.
func (w *whiskers) Plot(c draw.Canvas, p *gplot.Plot) {
	trX, trY := p.Transforms(&c)
	c.SetLineStyle(w.line)
	h := w.cap / 2
	for _, iv := range w.ivs {
		var path vg.Path
		if w.vertical {
			x, lo, hi := trX(iv.at), trY(iv.low), trY(iv.high)
			path.Move(vg.Point{X: x, Y: lo})
			path.Line(vg.Point{X: x, Y: hi})
			path.Move(vg.Point{X: x - h, Y: lo})
			path.Line(vg.Point{X: x + h, Y: lo})
			path.Move(vg.Point{X: x - h, Y: hi})
			path.Line(vg.Point{X: x + h, Y: hi})
		} else {
			y, lo, hi := trY(iv.at), trX(iv.low), trX(iv.high)
			path.Move(vg.Point{X: lo, Y: y})
			path.Line(vg.Point{X: hi, Y: y})
			path.Move(vg.Point{X: lo, Y: y - h})
			path.Line(vg.Point{X: lo, Y: y + h})
			path.Move(vg.Point{X: hi, Y: y - h})
			path.Line(vg.Point{X: hi, Y: y + h})
		}
		c.Stroke(path)
	}
}

// DataRange implements gplot.DataRanger.
func (w *whiskers) DataRange() (xmin, xmax, ymin, ymax float64) {
	amin, amax := math.Inf(1), math.Inf(-1)
	bmin, bmax := math.Inf(1), math.Inf(-1)
	for _, iv := range w.ivs {
		amin, amax = math.Min(amin, iv.at), math.Max(amax, iv.at)
		bmin, bmax = math.Min(bmin, iv.low), math.Max(bmax, iv.high)
	}
	if w.vertical {
		return amin, amax, bmin, bmax
	}
	return bmin, bmax, amin, amax
}

// GlyphBoxes implements gplot.GlyphBoxer, so that caps at the edge of the
// data area are not clipped.
func (w *whiskers) GlyphBoxes(p *gplot.Plot) []gplot.GlyphBox {
	h := w.cap / 2
	r := vg.Rectangle{Min: vg.Point{X: -h, Y: -h}, Max: vg.Point{X: h, Y: h}}
	var out []gplot.GlyphBox
	for _, iv := range w.ivs {
		for _, b := range []float64{iv.low, iv.high} {
			if w.vertical {
				out = append(out, gplot.GlyphBox{X: p.X.Norm(iv.at), Y: p.Y.Norm(b), Rectangle: r})
			} else {
				out = append(out, gplot.GlyphBox{X: p.X.Norm(b), Y: p.Y.Norm(iv.at), Rectangle: r})
			}
		}
	}
	return out
}

// Thumbnail implements gplot.Thumbnailer: a vertical whisker.
func (w *whiskers) Thumbnail(c *draw.Canvas) {
	x := c.Center().X
	lo, hi := c.Min.Y+1, c.Max.Y-1
	h := w.cap / 2
	c.SetLineStyle(w.line)
	var path vg.Path
	path.Move(vg.Point{X: x, Y: lo})
	path.Line(vg.Point{X: x, Y: hi})
	path.Move(vg.Point{X: x - h, Y: lo})
	path.Line(vg.Point{X: x + h, Y: lo})
	path.Move(vg.Point{X: x - h, Y: hi})
	path.Line(vg.Point{X: x + h, Y: hi})
	c.Stroke(path)
}
