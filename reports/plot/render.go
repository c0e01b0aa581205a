package plot

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"math"
	"strings"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// ErrNoData is returned (wrapped) when a figure has nothing to draw: no
// points, bars or curves, or only undefined ones.
var ErrNoData = errors.New("plot: nothing to draw")

// Default size of a figure: 6 in × 4 in, 432 × 288 pt.
const (
	DefaultWidth  = 6 * vg.Inch
	DefaultHeight = 4 * vg.Inch
)

// Options are the texts and the size of a figure. The zero value of each
// field means its default.
type Options struct {
	// Title is drawn above the plot; empty means no title (a note about
	// left-out data is still drawn there).
	Title string
	// XLabel and YLabel name the axes; empty means the figure's default
	// label, given in each function's documentation.
	XLabel, YLabel string
	// Width and Height are the size of the SVG; zero means DefaultWidth
	// and DefaultHeight. Negative sizes are an error, and so is a legend
	// (a strip on the right) that would take more than half the width.
	Width, Height vg.Length
}

// Fonts: Liberation Sans (metrics bundled with gonum/plot, so layout does
// not depend on the fonts installed), in points.
var sans = font.Font{Typeface: "Liberation", Variant: "Sans"}

const (
	titleSize  = 12
	labelSize  = 10
	tickSize   = 9
	legendSize = 9
	noteSize   = 8
)

// The Okabe–Ito palette, distinguishable with the common colour vision
// deficiencies, then black. Series cycle through it; past it, their lines
// are dashed.
var palette = []color.RGBA{
	{0x00, 0x72, 0xB2, 0xFF}, // blue
	{0xD5, 0x5E, 0x00, 0xFF}, // vermillion
	{0x00, 0x9E, 0x73, 0xFF}, // bluish green
	{0xCC, 0x79, 0xA7, 0xFF}, // reddish purple
	{0xE6, 0x9F, 0x00, 0xFF}, // orange
	{0x56, 0xB4, 0xE9, 0xFF}, // sky blue
	{0x00, 0x00, 0x00, 0xFF}, // black
}

var (
	gridColor    = color.RGBA{0xDD, 0xDD, 0xDD, 0xFF}
	whiskerColor = color.RGBA{0x44, 0x44, 0x44, 0xFF}
	chanceColor  = color.RGBA{0x88, 0x88, 0x88, 0xFF}
)

// seriesColor returns the colour of series i and, past the palette, a dash
// pattern.
func seriesColor(i int) (color.RGBA, []vg.Length) {
	c := palette[i%len(palette)]
	if i < len(palette) {
		return c, nil
	}
	return c, []vg.Length{vg.Points(4), vg.Points(2)}
}

// newPlot returns a plot with miaudit's fonts, the axis labels (the
// defaults where o leaves them empty), the title with the notes under it,
// and a light grid (vertical lines only if vgrid).
func newPlot(o Options, xlabel, ylabel string, notes []string, vgrid bool) *gplot.Plot {
	p := gplot.New()
	title := o.Title
	if len(notes) > 0 {
		title = strings.TrimPrefix(title+"\n"+strings.Join(notes, "\n"), "\n")
	}
	p.Title.Text = title
	p.Title.TextStyle.Font = font.From(sans, titleSize)
	if o.XLabel != "" {
		xlabel = o.XLabel
	}
	if o.YLabel != "" {
		ylabel = o.YLabel
	}
	p.X.Label.Text, p.Y.Label.Text = xlabel, ylabel
	for _, a := range []*gplot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(sans, labelSize)
		a.Tick.Label.Font = font.From(sans, tickSize)
	}
	g := plotter.NewGrid()
	g.Horizontal.Color, g.Horizontal.Width = gridColor, vg.Points(0.5)
	g.Vertical.Color, g.Vertical.Width = gridColor, vg.Points(0.5)
	if !vgrid {
		g.Vertical.Color = nil
	}
	p.Add(g)
	return p
}

// newLegend returns an empty legend in miaudit's style, for the strip at
// the right of the figure.
func newLegend() *gplot.Legend {
	l := gplot.NewLegend()
	l.TextStyle.Font = font.From(sans, legendSize)
	l.Top, l.Left = true, true
	l.ThumbnailWidth = vg.Points(18)
	l.Padding = vg.Points(2)
	return &l
}

// vgsvg names the one font family whose metrics laid the text out;
// render adds its metric-compatible stand-ins (Arial, Helvetica) and the
// generic family, so that a viewer without Liberation Sans keeps the
// layout, or at worst uses its own sans-serif font.
const (
	svgFamily   = `style="font-family:Liberation Sans;`
	svgFamilies = `style="font-family:'Liberation Sans',Arial,Helvetica,sans-serif;`
)

// legendSlack widens the legend strip beyond the width of its text in
// Liberation Sans.
const legendSlack = 1.2

// legendGap is the space between the plot and the legend strip, and after
// the legend.
const legendGap = vg.Length(8)

// render draws p, with leg (if it has entries) in a strip on its right, on
// an SVG canvas of o's size, and returns the SVG document. A panic inside
// gonum/plot becomes an error: the figure is lost, not the report.
func render(p *gplot.Plot, leg *gplot.Legend, o Options) (svg []byte, err error) {
	w, h := o.Width, o.Height
	if w < 0 || h < 0 {
		return nil, fmt.Errorf("plot: negative size %v × %v", w, h)
	}
	if w == 0 {
		w = DefaultWidth
	}
	if h == 0 {
		h = DefaultHeight
	}
	defer func() {
		if r := recover(); r != nil {
			svg, err = nil, fmt.Errorf("plot: render: %v", r)
		}
	}()
	c := vgsvg.NewWith(vgsvg.UseWH(w, h))
	dc := draw.New(c)
	// One white background under the plot and the legend strip.
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	p.BackgroundColor = nil
	pc, lc := dc, dc
	var lw vg.Length
	if leg != nil {
		lw = leg.Rectangle(dc).Size().X
	}
	if lw > 0 {
		// Room for a fallback font wider than Liberation Sans (DejaVu
		// Sans is about 15 % wider).
		lw = lw*legendSlack + 2*legendGap
		if lw > w/2 {
			return nil, fmt.Errorf("plot: legend too wide (%.0f pt) for a figure %.0f pt wide", lw.Points(), w.Points())
		}
		pc = draw.Crop(dc, 0, -lw, 0, 0)
		lc = draw.Crop(dc, w-lw+legendGap, 0, 0, 0)
		// Align the legend's top with the top of the data area.
		if p.Title.Text != "" {
			leg.YOffs = -(p.Title.TextStyle.Rectangle(p.Title.Text).Size().Y + p.Title.Padding)
		}
	}
	p.Draw(pc)
	if lw > 0 {
		leg.Draw(lc)
	}
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("plot: write svg: %w", err)
	}
	return bytes.ReplaceAll(buf.Bytes(), []byte(svgFamily), []byte(svgFamilies)), nil
}

// finite reports whether v is neither NaN nor infinite.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
