package infomax

// input writes the n examples src to dst as the encoder sees them: centred
// (see centre) when c.Center, else as they are. *tmp is centre's scratch
// space, allocated on first use. dst and src may be the same slice.
func (c Config) input(dst, src []float32, n int, tmp *[]float32) {
	if !c.Center {
		copy(dst, src)
		return
	}
	if *tmp == nil {
		*tmp = make([]float32, c.InputSize())
	}
	centre(dst, src, n, c.Input[0], c.Input[1], c.Input[2], *tmp)
}

// centre writes to dst the n images of src (each of shape c × h × w),
// each shifted so that the centre of mass of its ink — the mean position
// weighted by the positive pixel values, all channels together — sits at
// the image centre ((w − 1)/2, (h − 1)/2), sampled by bilinear
// interpolation (outside the image is 0). An image without ink is copied
// as it is. dst and src may be the same slice; tmp is scratch space of
// c × h × w values.
func centre(dst, src []float32, n, c, h, w int, tmp []float32) {
	hw := h * w
	d := c * hw
	for i := range n {
		img := src[i*d : (i+1)*d]
		var m, my, mx float64
		for ch := range c {
			for y := range h {
				for x := range w {
					if v := float64(img[ch*hw+y*w+x]); v > 0 {
						m += v
						my += v * float64(y)
						mx += v * float64(x)
					}
				}
			}
		}
		out := dst[i*d : (i+1)*d]
		if !(m > 0) {
			copy(out, img)
			continue
		}
		copy(tmp[:d], img)
		tf := transform{scale: 1, ink: 1, dx: float64(w-1)/2 - mx/m, dy: float64(h-1)/2 - my/m}
		for ch := range c {
			tf.apply(out[ch*hw:(ch+1)*hw], tmp[ch*hw:(ch+1)*hw], h, w, nil)
		}
	}
}
