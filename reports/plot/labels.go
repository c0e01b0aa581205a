package plot

import (
	"image/color"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// labels draws a text beside each of a set of points, above and to the
// right, on a translucent white box so that it stays legible over lines
// and whiskers. Each label is one filled path (the box) and one <text>.
type labels struct {
	x, y  []float64
	texts []string
	style text.Style
	off   vg.Point // from the point to the text's bottom-left corner
	pad   vg.Length
}

var labelBox = color.NRGBA{R: 0xFF, G: 0xFF, B: 0xFF, A: 0xC0}

func newLabels() *labels {
	return &labels{
		style: text.Style{Font: font.From(sans, noteSize), Handler: gplot.DefaultTextHandler},
		off:   vg.Point{X: vg.Points(5), Y: vg.Points(4)},
		pad:   vg.Points(1),
	}
}

func (l *labels) add(x, y float64, s string) {
	l.x, l.y, l.texts = append(l.x, x), append(l.y, y), append(l.texts, s)
}

// box returns the rectangle of label i relative to its point: the text's
// extent, widened by legendSlack for a wider fallback font, and padded.
func (l *labels) box(i int) vg.Rectangle {
	r := l.style.Rectangle(l.texts[i])
	w := (r.Max.X - r.Min.X) * legendSlack
	return vg.Rectangle{
		Min: vg.Point{X: l.off.X + r.Min.X - l.pad, Y: l.off.Y + r.Min.Y - l.pad},
		Max: vg.Point{X: l.off.X + r.Min.X + w + l.pad, Y: l.off.Y + r.Max.Y + l.pad},
	}
}

// Plot implements gplot.Plotter.
func (l *labels) Plot(c draw.Canvas, p *gplot.Plot) {
	trX, trY := p.Transforms(&c)
	for i, s := range l.texts {
		pt := vg.Point{X: trX(l.x[i]), Y: trY(l.y[i])}
		b := l.box(i)
		c.FillPolygon(labelBox, []vg.Point{
			pt.Add(b.Min), pt.Add(vg.Point{X: b.Max.X, Y: b.Min.Y}),
			pt.Add(b.Max), pt.Add(vg.Point{X: b.Min.X, Y: b.Max.Y}),
		})
		c.FillText(l.style, pt.Add(l.off), s)
	}
}

// DataRange implements gplot.DataRanger.
func (l *labels) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax = minMax(l.x)
	ymin, ymax = minMax(l.y)
	return
}

// GlyphBoxes implements gplot.GlyphBoxer, so that the plot makes room for
// labels at its edges.
func (l *labels) GlyphBoxes(p *gplot.Plot) []gplot.GlyphBox {
	out := make([]gplot.GlyphBox, len(l.texts))
	for i := range l.texts {
		out[i] = gplot.GlyphBox{X: p.X.Norm(l.x[i]), Y: p.Y.Norm(l.y[i]), Rectangle: l.box(i)}
	}
	return out
}

func minMax(v []float64) (lo, hi float64) {
	lo, hi = v[0], v[0]
	for _, x := range v[1:] {
		lo, hi = min(lo, x), max(hi, x)
	}
	return lo, hi
}
