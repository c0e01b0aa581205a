package plot

import (
	"math"
	"strconv"

	gplot "gonum.org/v1/plot"
)

// niceTicks labels every multiple of a "nice" step (1, 2, 2.5 or 5 times a
// power of ten) chosen to give about five labels across the axis.
type niceTicks struct{}

// niceStep returns the step of niceTicks for the range [min, max], and
// the number of decimals its labels need; 0 if the range is empty or not
// finite.
func niceStep(min, max float64) (step float64, decimals int) {
	r := max - min
	if !(r > 0) || math.IsInf(r, 0) {
		return 0, 0
	}
	raw := r / 5
	e := math.Floor(math.Log10(raw))
	mag := math.Pow(10, e)
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*mag >= raw*(1-1e-9) {
			step = m * mag
			decimals = int(-e)
			if m == 2.5 {
				decimals++
			}
			if m == 10 {
				decimals--
			}
			break
		}
	}
	return step, decimals
}

// Ticks implements gplot.Ticker. Ranges the step cannot serve (empty,
// huge or tiny against the values) fall back to gonum's default ticks.
func (niceTicks) Ticks(min, max float64) []gplot.Tick {
	step, dec := niceStep(min, max)
	if step == 0 {
		return gplot.DefaultTicks{}.Ticks(min, max)
	}
	k0, k1 := math.Ceil(min/step-1e-9), math.Floor(max/step+1e-9)
	if !(k1-k0 >= 0 && k1-k0 <= 20) || math.Abs(k0) > 1e15 || math.Abs(k1) > 1e15 {
		return gplot.DefaultTicks{}.Ticks(min, max)
	}
	var ticks []gplot.Tick
	for k := k0; k <= k1; k++ {
		v := k * step
		ticks = append(ticks, gplot.Tick{Value: v, Label: formatTick(v, dec)})
	}
	return ticks
}

// formatTick writes v with dec decimals, or in %g form when that would be
// long.
func formatTick(v float64, dec int) string {
	if v == 0 {
		v = 0 // −0 prints as 0
	}
	if dec < 0 || dec > 6 || math.Abs(v) >= 1e6 {
		return strconv.FormatFloat(v, 'g', 6, 64)
	}
	return strconv.FormatFloat(v, 'f', dec, 64)
}

// niceRange widens the axis a to multiples of its nice step and sets its
// ticks to niceTicks.
func niceRange(a *gplot.Axis) {
	a.Tick.Marker = niceTicks{}
	step, _ := niceStep(a.Min, a.Max)
	if step == 0 {
		return
	}
	lo, hi := math.Floor(a.Min/step+1e-9)*step, math.Ceil(a.Max/step-1e-9)*step
	if !math.IsInf(lo, 0) && !math.IsInf(hi, 0) {
		a.Min, a.Max = lo, hi
	}
}

// logTicks labels each power of ten in the range ("0.0001", "0.001", …,
// "1") and marks 2–9 times it without a label.
type logTicks struct{}

// Ticks implements gplot.Ticker.
func (logTicks) Ticks(min, max float64) []gplot.Tick {
	if !(min > 0) || !(max > min) {
		return nil
	}
	var ticks []gplot.Tick
	for e := int(math.Floor(math.Log10(min) + 1e-9)); e <= int(math.Ceil(math.Log10(max)-1e-9)); e++ {
		d := math.Pow10(e)
		for m := 1; m <= 9; m++ {
			v := float64(m) * d
			if v < min*(1-1e-9) || v > max*(1+1e-9) {
				continue
			}
			t := gplot.Tick{Value: v}
			if m == 1 {
				t.Label = strconv.FormatFloat(v, 'g', -1, 64)
			}
			ticks = append(ticks, t)
		}
	}
	return ticks
}
