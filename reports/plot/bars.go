package plot

import (
	"fmt"
	"image/color"
	"math"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/miaudit/miaudit/metrics"
)

// Bar is the value of one series for one group, with the bounds of its
// confidence interval. NaN means undefined: an undefined Value draws no
// bar but "n/a" in its place; undefined bounds (both NaN) draw no whisker.
type Bar struct {
	Group            string
	Value, Low, High float64
}

// BarSeries is one measure across the groups, drawn in one colour and
// named in the legend: "selection rate", "TPR", "FPR".
type BarSeries struct {
	Name string
	Bars []Bar
}

// GroupBars draws grouped bars: one cluster per group along the x axis,
// in the order of the first series, with one bar per series in each
// cluster, from 0 to the value, and the confidence interval as a whisker.
// An undefined value draws "n/a" (vertical) in its slot and a note under
// the title. The legend on the right names the series. The default axis
// labels are "group" and "rate".
//
// Every series must list the same groups in the same order; GroupBars
// returns an error otherwise, an error wrapping ErrNoData if there is no
// series, no group or no finite value, and an error for an infinite value
// or a bad interval (low > high, one bound NaN).
func GroupBars(series []BarSeries, o Options) ([]byte, error) {
	if len(series) == 0 || len(series[0].Bars) == 0 {
		return nil, fmt.Errorf("grouped bars of %d series: %w", len(series), ErrNoData)
	}
	groups := make([]string, len(series[0].Bars))
	for g, b := range series[0].Bars {
		groups[g] = b.Group
	}
	gb := &groupedBars{groups: len(groups), series: len(series)}
	var cis []interval
	defined := 0
	for s, ser := range series {
		if len(ser.Bars) != len(groups) {
			return nil, fmt.Errorf("plot: series %q has %d bars, series %q has %d", ser.Name, len(ser.Bars), series[0].Name, len(groups))
		}
		c, _ := seriesColor(s)
		gb.colors = append(gb.colors, c)
		for g, b := range ser.Bars {
			if b.Group != groups[g] {
				return nil, fmt.Errorf("plot: series %q bar %d is group %q, series %q has %q", ser.Name, g, b.Group, series[0].Name, groups[g])
			}
			if math.IsInf(b.Value, 0) {
				return nil, fmt.Errorf("plot: series %q group %q: infinite value", ser.Name, b.Group)
			}
			gb.values = append(gb.values, b.Value)
			if math.IsNaN(b.Value) {
				continue
			}
			defined++
			iv, err := ci(gb.x(s, g), b.Low, b.High)
			if err != nil {
				return nil, fmt.Errorf("plot: series %q group %q: %w", ser.Name, b.Group, err)
			}
			if iv != nil {
				cis = append(cis, *iv)
			}
		}
	}
	if defined == 0 {
		return nil, fmt.Errorf("grouped bars: every value undefined: %w", ErrNoData)
	}
	var notes []string
	if defined < len(gb.values) {
		notes = append(notes, "(n/a: undefined, e.g. a TPR in a group without positives)")
	}
	p := newPlot(o, "group", "rate", notes, false)
	p.NominalX(groups...)
	p.X.Min, p.X.Max = -0.5, float64(len(groups))-0.5
	gb.na = text.Style{
		Font:     font.From(sans, noteSize),
		Handler:  gplot.DefaultTextHandler,
		Rotation: math.Pi / 2,
		XAlign:   draw.XLeft,
		YAlign:   draw.YCenter,
	}
	p.Add(gb)
	niceRange(&p.Y)
	leg := newLegend()
	for s, ser := range series {
		leg.Add(ser.Name, swatch(gb.colors[s]))
	}
	if len(cis) > 0 {
		w := newWhiskers(true, cis)
		p.Add(w)
		leg.Add("confidence interval", w)
	}
	return render(p, leg, o)
}

// FairnessBars draws the selection rate, TPR and FPR of each group of f
// with GroupBars. The default title names the target, the positive value
// and the grouping; the default y label is "rate".
func FairnessBars(f metrics.Fairness, o Options) ([]byte, error) {
	if o.Title == "" {
		o.Title = fmt.Sprintf("%s = %s by %s (%s)", f.Target, f.Positive, f.Group, f.Kind)
	}
	if o.XLabel == "" {
		o.XLabel = f.Group
	}
	series := []BarSeries{{Name: "selection rate"}, {Name: "TPR"}, {Name: "FPR"}}
	for _, g := range f.ByGroup {
		for i, iv := range []metrics.Interval{g.SelectionRate, g.TPR, g.FPR} {
			series[i].Bars = append(series[i].Bars, Bar{Group: g.Group, Value: iv.Value, Low: iv.Low, High: iv.High})
		}
	}
	return GroupBars(series, o)
}

// barWidth is the share of a cluster's slot (1 on the x axis) taken by its
// bars; each bar takes barFill of its own share.
const (
	barWidth = 0.8
	barFill  = 0.85
)

// groupedBars draws the bars of GroupBars: values[s*groups+g] is series s
// in group g, centred at x(s, g). Each bar is one filled SVG path; an
// undefined value draws na text "n/a" instead.
type groupedBars struct {
	groups, series int
	values         []float64
	colors         []color.RGBA
	na             text.Style
}

func (b *groupedBars) x(s, g int) float64 {
	w := barWidth / float64(b.series)
	return float64(g) + (float64(s)-float64(b.series-1)/2)*w
}

// Plot implements gplot.Plotter.
func (b *groupedBars) Plot(c draw.Canvas, p *gplot.Plot) {
	trX, trY := p.Transforms(&c)
	half := barWidth / float64(b.series) * barFill / 2
	for s := range b.series {
		for g := range b.groups {
			v := b.values[s*b.groups+g]
			x := b.x(s, g)
			if math.IsNaN(v) {
				c.FillText(b.na, vg.Point{X: trX(x), Y: trY(0) + vg.Points(3)}, "n/a")
				continue
			}
			x0, x1 := trX(x-half), trX(x+half)
			y0, y1 := trY(0), trY(v)
			c.FillPolygon(b.colors[s], []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}})
		}
	}
}

// DataRange implements gplot.DataRanger: the slots of the groups, and the
// values with 0.
func (b *groupedBars) DataRange() (xmin, xmax, ymin, ymax float64) {
	ymin, ymax = 0, 0
	for _, v := range b.values {
		if !math.IsNaN(v) {
			ymin, ymax = math.Min(ymin, v), math.Max(ymax, v)
		}
	}
	if ymin == ymax {
		ymax = 1 // all zero: show the usual range of a rate
	}
	return -0.5, float64(b.groups) - 0.5, ymin, ymax
}

// swatch is a legend thumbnail: a filled square.
type swatch color.RGBA

// Thumbnail implements gplot.Thumbnailer.
func (s swatch) Thumbnail(c *draw.Canvas) {
	h := c.Max.Y - c.Min.Y
	x := c.Center().X
	c.FillPolygon(color.RGBA(s), []vg.Point{
		{X: x - h/2, Y: c.Min.Y}, {X: x + h/2, Y: c.Min.Y},
		{X: x + h/2, Y: c.Max.Y}, {X: x - h/2, Y: c.Max.Y},
	})
}
