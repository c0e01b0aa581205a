package plot

import (
	"bytes"
	"encoding/xml"
	"errors"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/miaudit/miaudit/metrics"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

var nan = math.NaN()

// golden compares got with testdata/name_golden.svg byte for byte, or
// rewrites the file with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+"_golden.svg")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from %s (run go test -update after checking it): got %d bytes, want %d", name, path, len(got), len(want))
	}
}

// element is one SVG element: its name, attributes, style properties and
// character data.
type element struct {
	name  string
	attr  map[string]string
	style map[string]string
	text  string
}

// parseSVG decodes an SVG document with encoding/xml into its elements, in
// document order. It fails the test if the document is not well-formed or
// has no <svg> root.
func parseSVG(t *testing.T, svg []byte) []element {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(svg))
	var els []element
	var open []int // indexes in els of the open elements
	for {
		tok, err := d.Token()
		if err != nil {
			if err.Error() == "EOF" {
				break
			}
			t.Fatalf("svg is not well-formed XML: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			e := element{name: tok.Name.Local, attr: map[string]string{}, style: map[string]string{}}
			for _, a := range tok.Attr {
				e.attr[a.Name.Local] = a.Value
			}
			for _, kv := range strings.Split(e.attr["style"], ";") {
				if k, v, ok := strings.Cut(strings.TrimSpace(kv), ":"); ok {
					e.style[k] = v
				}
			}
			els = append(els, e)
			open = append(open, len(els)-1)
		case xml.EndElement:
			open = open[:len(open)-1]
		case xml.CharData:
			if len(open) > 0 {
				els[open[len(open)-1]].text += string(tok)
			}
		}
	}
	if len(els) == 0 || els[0].name != "svg" {
		t.Fatal("no <svg> root element")
	}
	return els
}

// texts returns how many <text> elements hold each string.
func texts(els []element) map[string]int {
	m := map[string]int{}
	for _, e := range els {
		if e.name == "text" {
			m[e.text]++
		}
	}
	return m
}

// hex is a palette colour as vgsvg writes it.
func hex(i int) string {
	c, _ := seriesColor(i)
	return "#" + strings.ToUpper(strconv.FormatUint(uint64(c.R)<<16|uint64(c.G)<<8|uint64(c.B)|1<<24, 16)[1:])
}

const (
	whiskerHex = "#444444"
	chanceHex  = "#888888"
)

// isArc reports whether a path draws a circle (a marker glyph).
func isArc(e element) bool { return strings.Contains(e.attr["d"], "A") }

// filled counts the filled paths of colour c, arcs (markers) or polygons
// (bars, legend swatches).
func filled(els []element, c string, arcs bool) int {
	n := 0
	for _, e := range els {
		if e.name == "path" && e.style["fill"] == c && e.style["stroke"] == "" && isArc(e) == arcs {
			n++
		}
	}
	return n
}

// stroked returns the stroked paths of colour c, arcs (ring markers) or
// polylines.
func stroked(els []element, c string, arcs bool) []element {
	var out []element
	for _, e := range els {
		if e.name == "path" && e.style["stroke"] == c && isArc(e) == arcs {
			out = append(out, e)
		}
	}
	return out
}

// firstSegment parses the first "Mx,yLx,y" of a path's data.
func firstSegment(t *testing.T, d string) (x0, y0, x1, y1 float64) {
	t.Helper()
	m, l, ok := strings.Cut(strings.TrimPrefix(d, "M"), "L")
	if !ok {
		t.Fatalf("path %q does not start with a segment", d)
	}
	l, _, _ = strings.Cut(l, "M")
	l, _, _ = strings.Cut(l, "L")
	parse := func(s string) (float64, float64) {
		a, b, _ := strings.Cut(s, ",")
		x, err1 := strconv.ParseFloat(a, 64)
		y, err2 := strconv.ParseFloat(b, 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("bad point %q in path %q", s, d)
		}
		return x, y
	}
	x0, y0 = parse(m)
	x1, y1 = parse(l)
	return
}

// sweep is a made-up λ sweep for the frontier: the numbers are invented
// to look like one (leakage falls and accuracy falls as λ grows) and chosen
// so that the Pareto set is known by hand:
//   - λ = 3 (0.22, 0.70) is dominated by λ = 1 (0.20 ≤ 0.22, 0.81 ≥ 0.70);
//   - "PCA" (0.40, 0.80) is dominated by λ = 0.3 (0.35 ≤ 0.40, 0.86 ≥ 0.80);
//   - no point has X ≤ 0.35 and Y ≥ 0.86 but λ = 0.3 itself, and so on
//     for λ = 0, 0.1, 1 and 10: those five are Pareto;
//   - λ = 30 has an undefined leakage (NaN) and is left out.
//
// Each CI is the point ± 0.07 in x and ± 0.02–0.04 in y (invented); PCA
// has none.
func sweep() []Point {
	return []Point{
		{Label: "λ = 0", X: 0.62, XLow: 0.55, XHigh: 0.69, Y: 0.91, YLow: 0.89, YHigh: 0.93},
		{Label: "λ = 0.1", X: 0.48, XLow: 0.41, XHigh: 0.55, Y: 0.90, YLow: 0.88, YHigh: 0.92},
		{Label: "λ = 0.3", X: 0.35, XLow: 0.28, XHigh: 0.42, Y: 0.86, YLow: 0.83, YHigh: 0.89},
		{Label: "λ = 1", X: 0.20, XLow: 0.13, XHigh: 0.27, Y: 0.81, YLow: 0.78, YHigh: 0.84},
		{Label: "λ = 3", X: 0.22, XLow: 0.15, XHigh: 0.29, Y: 0.70, YLow: 0.66, YHigh: 0.74},
		{Label: "λ = 10", X: 0.05, XLow: 0.01, XHigh: 0.12, Y: 0.55, YLow: 0.51, YHigh: 0.59},
		{Label: "λ = 30", X: nan, XLow: nan, XHigh: nan, Y: 0.50, YLow: 0.47, YHigh: 0.53},
		{Label: "PCA", X: 0.40, XLow: nan, XHigh: nan, Y: 0.80, YLow: nan, YHigh: nan},
	}
}

func TestMarkPareto(t *testing.T) {
	pts := sweep()
	MarkPareto(pts)
	want := []bool{true, true, true, true, false, true, false, false}
	for i, p := range pts {
		if p.Pareto != want[i] {
			t.Errorf("%s: Pareto = %v, want %v", p.Label, p.Pareto, want[i])
		}
	}
	// Equal points are both Pareto; a point better on one axis and equal
	// on the other dominates.
	pts = []Point{{X: 1, Y: 1}, {X: 1, Y: 1}, {X: 1, Y: 0.5}, {X: 2, Y: 1}}
	MarkPareto(pts)
	for i, want := range []bool{true, true, false, false} {
		if pts[i].Pareto != want {
			t.Errorf("ties case %d: Pareto = %v, want %v", i, pts[i].Pareto, want)
		}
	}
}

func TestFrontier(t *testing.T) {
	pts := sweep()
	MarkPareto(pts)
	o := Options{Title: "Privacy–utility frontier", XLabel: "attacker advantage (sex)", YLabel: "task accuracy (digit)"}
	svg, err := Frontier(pts, o)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "frontier", svg)
	again, err := Frontier(pts, o)
	if err != nil || !bytes.Equal(svg, again) {
		t.Errorf("a second rendering differs (err %v)", err)
	}

	els := parseSVG(t, svg)
	tx := texts(els)
	for _, s := range []string{"λ = 0", "λ = 0.1", "λ = 0.3", "λ = 1", "λ = 3", "λ = 10", "PCA",
		"Privacy–utility frontier", "attacker advantage (sex)", "task accuracy (digit)",
		"Pareto frontier", "Pareto-optimal", "dominated", "confidence interval",
		"(1 of 8 points not shown: undefined leakage or utility)"} {
		if tx[s] != 1 {
			t.Errorf("text %q appears %d times, want 1", s, tx[s])
		}
	}
	if tx["λ = 30"] != 0 {
		t.Errorf("the undefined point λ = 30 is labelled")
	}
	// One marker per drawn point, plus one in the legend: 5 Pareto
	// points filled, 2 dominated as rings.
	if got := filled(els, hex(0), true); got != 5+1 {
		t.Errorf("%d filled markers, want 5 + 1 in the legend", got)
	}
	if got := len(stroked(els, hex(0), true)); got != 2+1 {
		t.Errorf("%d ring markers, want 2 + 1 in the legend", got)
	}
	// Whiskers: 6 points have CIs in x and y; the legend adds a vertical
	// one. Each whisker is one path whose first segment is its bar.
	var vert, horiz int
	for _, e := range stroked(els, whiskerHex, false) {
		x0, y0, x1, y1 := firstSegment(t, e.attr["d"])
		switch {
		case x0 == x1 && y0 != y1:
			vert++
		case y0 == y1 && x0 != x1:
			horiz++
		default:
			t.Errorf("whisker %q is neither vertical nor horizontal", e.attr["d"])
		}
	}
	if vert != 6+1 || horiz != 6 {
		t.Errorf("%d vertical and %d horizontal whiskers, want 6 + 1 and 6", vert, horiz)
	}
	// The frontier line (and its legend thumbnail) joins the 5 Pareto
	// points in increasing x: 5 vertices, x increasing.
	lines := stroked(els, hex(1), false)
	if len(lines) != 2 {
		t.Fatalf("%d frontier line paths, want 1 + 1 in the legend", len(lines))
	}
	d := lines[0].attr["d"]
	if n := strings.Count(d, "M") + strings.Count(d, "L"); n != 5 {
		t.Errorf("frontier line %q has %d vertices, want 5", d, n)
	}
	prev := math.Inf(-1)
	for _, v := range strings.FieldsFunc(d, func(r rune) bool { return r == 'M' || r == 'L' }) {
		x, _ := strconv.ParseFloat(strings.Split(v, ",")[0], 64)
		if !(x > prev) {
			t.Errorf("frontier line %q not in increasing x", d)
		}
		prev = x
	}
}

// fairness is a made-up fairness result whose rates come from hand counts
// (the CIs are invented):
//   - "A": 10 rows, 4 positive; 5 predicted positive, 3 of them truly:
//     selection 5/10, TPR 3/4, FPR 2/6;
//   - "B": 8 rows, 2 positive; 2 predicted positive, 1 truly: selection
//     2/8, TPR 1/2, FPR 1/6;
//   - "C": 3 rows, none positive; 1 predicted positive: selection 1/3,
//     TPR undefined (NaN), FPR 1/3. Its selection rate has no CI.
func fairness() metrics.Fairness {
	iv := func(v, lo, hi float64) metrics.Interval { return metrics.Interval{Value: v, Low: lo, High: hi} }
	return metrics.Fairness{
		Target: "income", Group: "sex", Positive: ">50K", Kind: "binary",
		ByGroup: []metrics.GroupRates{
			{Group: "A", N: 10, SelectionRate: iv(5./10, 0.2, 0.8), TPR: iv(3./4, 0.4, 1), FPR: iv(2./6, 0.05, 0.65)},
			{Group: "B", N: 8, SelectionRate: iv(2./8, 0.05, 0.55), TPR: iv(1./2, 0, 1), FPR: iv(1./6, 0, 0.5)},
			{Group: "C", N: 3, SelectionRate: iv(1./3, nan, nan), TPR: iv(nan, nan, nan), FPR: iv(1./3, 0, 1)},
		},
	}
}

func TestFairnessBars(t *testing.T) {
	svg, err := FairnessBars(fairness(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "bars", svg)
	els := parseSVG(t, svg)
	tx := texts(els)
	for _, s := range []string{"income = >50K by sex (binary)", "sex", "rate", "A", "B", "C",
		"selection rate", "TPR", "FPR", "confidence interval", "n/a",
		"(n/a: undefined, e.g. a TPR in a group without positives)"} {
		if tx[s] != 1 {
			t.Errorf("text %q appears %d times, want 1", s, tx[s])
		}
	}
	// One bar per defined value plus one legend swatch per series:
	// selection rate 3, TPR 2 (C undefined), FPR 3.
	for i, want := range []int{3, 2, 3} {
		if got := filled(els, hex(i), false); got != want+1 {
			t.Errorf("series %d: %d filled bars, want %d + 1 in the legend", i, got, want)
		}
	}
	// Whiskers: the 7 defined values with a CI, plus the legend's.
	if got := len(stroked(els, whiskerHex, false)); got != 7+1 {
		t.Errorf("%d whiskers, want 7 + 1", got)
	}
}

// training is a made-up training log, shaped like one: a DIM estimate
// rising and flattening, with NaN at steps 500 and 700 (not logged), so
// that step 600 is a lone point; the training adversary's estimate; and a
// fresh attacker's bound logged at three checkpoints.
func training() []Curve {
	steps := []float64{0, 100, 200, 300, 400, 500, 600, 700, 800, 900}
	return []Curve{
		{Name: "DIM (JSD)", X: steps, Y: []float64{0.10, 0.35, 0.52, 0.61, 0.66, nan, 0.70, nan, 0.73, 0.74}},
		{Name: "adversary (MINE)", X: steps, Y: []float64{0.40, 0.31, 0.22, 0.18, 0.15, 0.12, 0.11, 0.10, 0.09, 0.09}},
		{Name: "fresh attacker (BA)", X: []float64{0, 500, 900}, Y: []float64{0.45, 0.30, 0.21}, Markers: true},
	}
}

func TestCurves(t *testing.T) {
	svg, err := Curves(training(), Options{Title: "Training", YLabel: "estimate (nats)"})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "curves", svg)
	els := parseSVG(t, svg)
	tx := texts(els)
	for _, s := range []string{"Training", "step", "estimate (nats)", "DIM (JSD)", "adversary (MINE)", "fresh attacker (BA)"} {
		if tx[s] != 1 {
			t.Errorf("text %q appears %d times, want 1", s, tx[s])
		}
	}
	for _, c := range []struct {
		series, lines, markers int
	}{
		// DIM: segments 0–400 and 800–900 and the legend's line; the
		// lone point at 600 gets a marker.
		{0, 2 + 1, 1},
		// adversary: one line and the legend's.
		{1, 1 + 1, 0},
		// attacker: one line and 3 markers, and the legend's of each.
		{2, 1 + 1, 3 + 1},
	} {
		if got := len(stroked(els, hex(c.series), false)); got != c.lines {
			t.Errorf("series %d: %d lines, want %d", c.series, got, c.lines)
		}
		if got := filled(els, hex(c.series), true); got != c.markers {
			t.Errorf("series %d: %d markers, want %d", c.series, got, c.markers)
		}
	}
}

// rocCurves are two made-up verification ROC curves, as metrics.ReID
// carries them: (0, 0) to (1, 1), FPR and TPR nondecreasing. The first
// has a TPR of 0.2 at FPR 1e-3 and starts with TPR 0.05 at FPR 0; the
// second is the curve of scikit-learn's roc_auc_score docstring example
// (0,0), (0,½), (½,½), (½,1), (1,1) (see metrics/roc).
func rocCurves() []Curve {
	// pts turns (fpr, tpr) pairs into ROC points.
	pts := func(v ...float64) []metrics.ROCPoint {
		out := make([]metrics.ROCPoint, len(v)/2)
		for i := range out {
			out[i] = metrics.ROCPoint{FPR: v[2*i], TPR: v[2*i+1]}
		}
		return out
	}
	return []Curve{
		ROCCurve("encoder A", pts(0, 0, 0, 0.05, 1e-4, 0.08, 1e-3, 0.2, 1e-2, 0.45, 0.1, 0.8, 0.3, 0.93, 1, 1)),
		ROCCurve("docstring example", pts(0, 0, 0, 0.5, 0.5, 0.5, 0.5, 1, 1, 1)),
	}
}

func TestROC(t *testing.T) {
	for _, logFPR := range []bool{false, true} {
		name := "roc"
		if logFPR {
			name = "roc_log"
		}
		svg, err := ROC(rocCurves(), logFPR, Options{Title: "Re-identification (verification)"})
		if err != nil {
			t.Fatal(err)
		}
		golden(t, name, svg)
		els := parseSVG(t, svg)
		tx := texts(els)
		for _, s := range []string{"Re-identification (verification)", "false positive rate", "true positive rate", "encoder A", "docstring example", "chance"} {
			if tx[s] != 1 {
				t.Errorf("%s: text %q appears %d times, want 1", name, s, tx[s])
			}
		}
		// One line per curve, and one in the legend.
		for i := range 2 {
			if got := len(stroked(els, hex(i), false)); got != 1+1 {
				t.Errorf("%s: curve %d: %d lines, want 1 + 1", name, i, got)
			}
		}
		// The chance line (dashed), and with a log axis the dotted FPR
		// mark and its label, and the decade tick labels.
		var chance, mark int
		for _, e := range stroked(els, chanceHex, false) {
			switch e.style["stroke-dasharray"] {
			case "4,3":
				chance++
			case "1,2":
				mark++
			}
		}
		wantMark := 0
		if logFPR {
			wantMark = 1 + 1
			for _, s := range []string{"FPR = 0.001", "0.0001", "0.001", "0.01", "0.1", "1"} {
				if tx[s] < 1 {
					t.Errorf("%s: no text %q", name, s)
				}
			}
		}
		if chance != 1+1 || mark != wantMark {
			t.Errorf("%s: %d chance lines and %d FPR marks, want 2 and %d", name, chance, mark, wantMark)
		}
	}
}

func TestErrors(t *testing.T) {
	for _, test := range []struct {
		name   string
		f      func() ([]byte, error)
		noData bool
	}{
		{"frontier empty", func() ([]byte, error) { return Frontier(nil, Options{}) }, true},
		{"frontier all NaN", func() ([]byte, error) { return Frontier([]Point{{X: nan, Y: 1}, {X: 1, Y: nan}}, Options{}) }, true},
		{"frontier low > high", func() ([]byte, error) {
			return Frontier([]Point{{X: 0.5, XLow: 0.6, XHigh: 0.4, Y: 1, YLow: nan, YHigh: nan}}, Options{})
		}, false},
		{"frontier one bound", func() ([]byte, error) {
			return Frontier([]Point{{X: 0.5, XLow: nan, XHigh: nan, Y: 1, YLow: 0.9, YHigh: nan}}, Options{})
		}, false},
		{"frontier infinite bound", func() ([]byte, error) {
			return Frontier([]Point{{X: 0.5, XLow: 0.4, XHigh: math.Inf(1), Y: 1, YLow: nan, YHigh: nan}}, Options{})
		}, false},
		{"frontier negative size", func() ([]byte, error) {
			return Frontier([]Point{{X: 0.5, XLow: nan, XHigh: nan, Y: 1, YLow: nan, YHigh: nan}}, Options{Width: -1})
		}, false},
		{"bars empty", func() ([]byte, error) { return GroupBars(nil, Options{}) }, true},
		{"bars no groups", func() ([]byte, error) { return GroupBars([]BarSeries{{Name: "a"}}, Options{}) }, true},
		{"bars all NaN", func() ([]byte, error) {
			return GroupBars([]BarSeries{{Name: "a", Bars: []Bar{{Group: "g", Value: nan, Low: nan, High: nan}}}}, Options{})
		}, true},
		{"bars length mismatch", func() ([]byte, error) {
			return GroupBars([]BarSeries{
				{Name: "a", Bars: []Bar{{Group: "g", Value: 1, Low: nan, High: nan}}},
				{Name: "b", Bars: []Bar{{Group: "g", Value: 1, Low: nan, High: nan}, {Group: "h", Value: 1, Low: nan, High: nan}}},
			}, Options{})
		}, false},
		{"bars group mismatch", func() ([]byte, error) {
			return GroupBars([]BarSeries{
				{Name: "a", Bars: []Bar{{Group: "g", Value: 1, Low: nan, High: nan}}},
				{Name: "b", Bars: []Bar{{Group: "h", Value: 1, Low: nan, High: nan}}},
			}, Options{})
		}, false},
		{"bars infinite", func() ([]byte, error) {
			return GroupBars([]BarSeries{{Name: "a", Bars: []Bar{{Group: "g", Value: math.Inf(1), Low: nan, High: nan}}}}, Options{})
		}, false},
		{"curves empty", func() ([]byte, error) { return Curves(nil, Options{}) }, true},
		{"curves mismatch", func() ([]byte, error) { return Curves([]Curve{{X: []float64{1, 2}, Y: []float64{1}}}, Options{}) }, false},
		{"curves all NaN", func() ([]byte, error) {
			return Curves([]Curve{{X: []float64{1, 2}, Y: []float64{nan, nan}}, {}}, Options{})
		}, true},
		{"roc outside", func() ([]byte, error) {
			return ROC([]Curve{{X: []float64{0, 1.5}, Y: []float64{0, 1}}}, false, Options{})
		}, false},
		{"roc empty", func() ([]byte, error) { return ROC(nil, true, Options{}) }, true},
		{"legend too wide", func() ([]byte, error) {
			return Curves([]Curve{{Name: strings.Repeat("long name ", 20), X: []float64{1, 2}, Y: []float64{1, 2}}}, Options{})
		}, false},
	} {
		svg, err := test.f()
		if err == nil || svg != nil {
			t.Errorf("%s: got %d bytes and error %v, want an error", test.name, len(svg), err)
			continue
		}
		if got := errors.Is(err, ErrNoData); got != test.noData {
			t.Errorf("%s: errors.Is(%v, ErrNoData) = %v, want %v", test.name, err, got, test.noData)
		}
		if strings.Contains(err.Error(), "render:") {
			t.Errorf("%s: gonum/plot panicked: %v", test.name, err)
		}
	}
}

// TestEdgeCases renders degenerate but valid input: each must give a
// well-formed SVG, without gonum/plot panicking (render would report
// that as an error).
func TestEdgeCases(t *testing.T) {
	for _, test := range []struct {
		name string
		f    func() ([]byte, error)
	}{
		{"one point", func() ([]byte, error) {
			return Frontier([]Point{{X: 0.5, XLow: nan, XHigh: nan, Y: 0.5, YLow: nan, YHigh: nan, Pareto: true}}, Options{})
		}},
		{"equal points", func() ([]byte, error) {
			p := Point{Label: "a", X: 0.3, XLow: 0.3, XHigh: 0.3, Y: 0.7, YLow: 0.7, YHigh: 0.7}
			pts := []Point{p, p}
			MarkPareto(pts)
			return Frontier(pts, Options{})
		}},
		{"huge values", func() ([]byte, error) {
			return Frontier([]Point{{X: 1e300, XLow: nan, XHigh: nan, Y: -1e300, YLow: nan, YHigh: nan}, {X: -1e300, XLow: nan, XHigh: nan, Y: 1e300, YLow: nan, YHigh: nan}}, Options{})
		}},
		{"all-zero bars", func() ([]byte, error) {
			return GroupBars([]BarSeries{{Name: "a", Bars: []Bar{{Group: "g", Value: 0, Low: 0, High: 0}}}}, Options{})
		}},
		{"negative bars", func() ([]byte, error) {
			return GroupBars([]BarSeries{{Name: "diff", Bars: []Bar{{Group: "g", Value: -0.2, Low: -0.3, High: 0.1}, {Group: "h", Value: 0.1, Low: nan, High: nan}}}}, Options{})
		}},
		{"single lone point", func() ([]byte, error) { return Curves([]Curve{{X: []float64{3}, Y: []float64{3}}}, Options{}) }},
		{"constant curve", func() ([]byte, error) {
			return Curves([]Curve{{Name: "c", X: []float64{1, 2, 3}, Y: []float64{2, 2, 2}}}, Options{})
		}},
		{"many curves", func() ([]byte, error) {
			var cs []Curve
			for i := range 9 {
				cs = append(cs, Curve{Name: "c" + strconv.Itoa(i), X: []float64{0, 1}, Y: []float64{float64(i), float64(i + 1)}})
			}
			return Curves(cs, Options{})
		}},
		{"roc at zero only", func() ([]byte, error) {
			return ROC([]Curve{{X: []float64{0, 0}, Y: []float64{0, 1}}}, true, Options{})
		}},
		{"small size", func() ([]byte, error) {
			return ROC(rocCurves(), true, Options{Width: 300, Height: 150})
		}},
	} {
		svg, err := test.f()
		if err != nil {
			t.Errorf("%s: %v", test.name, err)
			continue
		}
		parseSVG(t, svg)
	}
}

// TestTicks pins the tick labels: steps of 1, 2, 2.5 or 5 × 10^k giving
// about five labels (worked by hand: range/5 rounded up to such a step),
// and log ticks labelled at the decades only.
func TestTicks(t *testing.T) {
	for _, test := range []struct {
		min, max float64
		want     string
	}{
		// 0.43/5 = 0.086 → step 0.1.
		{0.5, 0.93, "0.5 0.6 0.7 0.8 0.9"},
		// 1/5 = 0.2 → step 0.2; zero prints with the step's decimals.
		{0, 1, "0.0 0.2 0.4 0.6 0.8 1.0"},
		// 900/5 = 180 → step 200.
		{0, 900, "0 200 400 600 800"},
		// 0.1/5 = 0.02 → step 0.02; −0.04 ≤ v ≤ 0.06.
		{-0.04, 0.06, "-0.04 -0.02 0.00 0.02 0.04 0.06"},
		// 0.11/5 = 0.022 → step 0.025, three decimals.
		{0, 0.11, "0.000 0.025 0.050 0.075 0.100"},
	} {
		var got []string
		for _, tk := range (niceTicks{}).Ticks(test.min, test.max) {
			got = append(got, tk.Label)
		}
		if s := strings.Join(got, " "); s != test.want {
			t.Errorf("ticks of [%v, %v] = %q, want %q", test.min, test.max, s, test.want)
		}
	}
	var got []string
	for _, tk := range (logTicks{}).Ticks(MinLogFPR, 1) {
		if tk.Label != "" {
			got = append(got, tk.Label)
		}
	}
	if s := strings.Join(got, " "); s != "0.0001 0.001 0.01 0.1 1" {
		t.Errorf("log ticks of [1e-4, 1] = %q", s)
	}
}
