package nn

import (
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
)

// smallModel returns the parameters of a fresh MLP 5→4→3 and a Conv2d,
// initialised from seed.
func smallModel(t *testing.T, seed uint64) *Params {
	t.Helper()
	g := G.NewGraph()
	rng := rand.New(rand.NewPCG(seed, 0))
	m, err := NewMLP(g, "mlp", []int{5, 4, 3}, nil, rng, nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewConv2d(g, "conv", 2, 3, 3, rng, &Conv2dOptions{Stride: 2, Padding: 1})
	if err != nil {
		t.Fatal(err)
	}
	p, err := ParamsOf(m, c)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func paramBits(t *testing.T, p *Params) map[string][]uint32 {
	t.Helper()
	out := map[string][]uint32{}
	for _, name := range p.Names() {
		f, err := Float32s(p.Node(name))
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range f {
			out[name] = append(out[name], math.Float32bits(v))
		}
	}
	return out
}

func sameBits(a, b map[string][]uint32) bool {
	if len(a) != len(b) {
		return false
	}
	for k, va := range a {
		vb := b[k]
		if len(va) != len(vb) {
			return false
		}
		for i := range va {
			if va[i] != vb[i] {
				return false
			}
		}
	}
	return true
}

type testConfig struct {
	Widths []int   `json:"widths"`
	Lambda float64 `json:"lambda"`
}

func TestCheckpointRoundTripBitExact(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "enc.safetensors")
	src := smallModel(t, 1)
	// Special values must survive bit for bit: −0, a subnormal, ±Inf, a NaN payload.
	w, _ := Float32s(src.Node("mlp.0.weight"))
	w[0] = float32(math.Copysign(0, -1))
	w[1] = math.Float32frombits(1)
	w[2] = float32(math.Inf(1))
	w[3] = float32(math.Inf(-1))
	w[4] = math.Float32frombits(0x7fc00123)
	cfg := testConfig{Widths: []int{5, 4, 3}, Lambda: 0.25}
	if err := SaveCheckpoint(path, src, cfg); err != nil {
		t.Fatal(err)
	}
	dst := smallModel(t, 2)
	if sameBits(paramBits(t, src), paramBits(t, dst)) {
		t.Fatal("seeds 1 and 2 gave the same weights")
	}
	var got testConfig
	if err := LoadCheckpoint(path, dst, &got); err != nil {
		t.Fatal(err)
	}
	if !sameBits(paramBits(t, src), paramBits(t, dst)) {
		t.Error("loaded parameters differ from the saved ones")
	}
	if got.Lambda != cfg.Lambda || len(got.Widths) != 3 || got.Widths[2] != 3 {
		t.Errorf("config %+v, want %+v", got, cfg)
	}
	var only testConfig
	if err := LoadConfig(path, &only); err != nil || only.Lambda != 0.25 {
		t.Errorf("LoadConfig: %+v, %v", only, err)
	}
	// The plain safetensors file loads on its own too.
	dst2 := smallModel(t, 3)
	if err := LoadParams(path, dst2); err != nil {
		t.Fatal(err)
	}
	if !sameBits(paramBits(t, src), paramBits(t, dst2)) {
		t.Error("LoadParams: parameters differ from the saved ones")
	}
	// Only the two files remain: no temporary files.
	ents, _ := os.ReadDir(dir)
	if len(ents) != 2 {
		t.Errorf("%d files in the folder, want 2", len(ents))
	}
}

func TestSafetensorsLayout(t *testing.T) {
	// The file follows the safetensors format: u64 LE header length, JSON
	// header, then data; check by hand rather than through the library.
	path := filepath.Join(t.TempDir(), "p.safetensors")
	p := smallModel(t, 1)
	if err := SaveParams(path, p, map[string]string{"note": "x"}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n := binary.LittleEndian.Uint64(b)
	hdr := string(b[8 : 8+n])
	for _, want := range []string{`"mlp.0.weight":{"dtype":"F32","shape":[5,4]`, `"conv.weight":{"dtype":"F32","shape":[3,2,3,3]`, `"__metadata__":{"note":"x"}`} {
		if !strings.Contains(hdr, want) {
			t.Errorf("header %s lacks %s", hdr, want)
		}
	}
	if want := 8 + int(n) + 4*p.Size(); len(b) != want {
		t.Errorf("file has %d bytes, want %d", len(b), want)
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.safetensors")
	if err := SaveCheckpoint(path, smallModel(t, 1), nil); err != nil {
		t.Fatal(err)
	}

	// A model with a differently shaped layer.
	g := G.NewGraph()
	rng := rand.New(rand.NewPCG(9, 0))
	m, _ := NewMLP(g, "mlp", []int{5, 6, 3}, nil, rng, nil)
	c, _ := NewConv2d(g, "conv", 2, 3, 3, rng, nil)
	other, _ := ParamsOf(m, c)
	before := paramBits(t, other)
	err := LoadCheckpoint(path, other, nil)
	if !errors.Is(err, ErrIncompatible) || !strings.Contains(err.Error(), "mlp.0.weight") || !strings.Contains(err.Error(), path) {
		t.Errorf("shape mismatch: got %v, want ErrIncompatible naming mlp.0.weight and the file", err)
	}
	if !sameBits(before, paramBits(t, other)) {
		t.Error("a failed load changed the parameters")
	}

	// A model with a parameter the file lacks.
	g2 := G.NewGraph()
	extra, _ := NewLinear(g2, "head", 3, 1, rng, nil)
	p2, _ := ParamsOf(extra)
	if err := LoadParams(path, p2); !errors.Is(err, ErrIncompatible) || !strings.Contains(err.Error(), "head.weight") {
		t.Errorf("missing tensor: got %v", err)
	}

	// A missing file.
	if err := LoadCheckpoint(filepath.Join(dir, "nope.safetensors"), p2, nil); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: got %v", err)
	}
}

func TestLoadCorruptFilesNeverPanic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.safetensors")
	src := smallModel(t, 1)
	if err := SaveCheckpoint(path, src, nil); err != nil {
		t.Fatal(err)
	}
	good, _ := os.ReadFile(path)
	hdrEnd := 8 + int(binary.LittleEndian.Uint64(good))
	bad := filepath.Join(dir, "bad.safetensors")
	dst := smallModel(t, 2)
	before := paramBits(t, dst)

	// Every truncation is an error wrapping ErrCorrupt.
	for n := 0; n < len(good); n += max(1, len(good)/97) {
		if err := os.WriteFile(bad, good[:n], 0o644); err != nil {
			t.Fatal(err)
		}
		if err := LoadParams(bad, dst); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("truncated to %d bytes: got %v, want ErrCorrupt", n, err)
		}
	}
	// Flipping any header byte gives an error or, for padding, a correct
	// load; never a panic.
	for i := 0; i < hdrEnd; i++ {
		b := append([]byte(nil), good...)
		b[i] ^= 0x5a
		if err := os.WriteFile(bad, b, 0o644); err != nil {
			t.Fatal(err)
		}
		_ = LoadParams(bad, smallModel(t, 2))
	}
	if !sameBits(before, paramBits(t, dst)) {
		t.Error("failed loads changed the parameters")
	}
	// A flipped data bit passes the safetensors header checks but not the
	// checkpoint's SHA-256.
	b := append([]byte(nil), good...)
	b[len(b)-3] ^= 0x01
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := LoadCheckpoint(path, dst, nil); !errors.Is(err, ErrCorrupt) {
		t.Errorf("flipped data bit: got %v, want ErrCorrupt", err)
	}
	// A damaged sidecar.
	if err := os.WriteFile(ConfigPath(path), []byte(`{"format":`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := LoadCheckpoint(path, dst, nil); !errors.Is(err, ErrCorrupt) {
		t.Errorf("damaged sidecar: got %v, want ErrCorrupt", err)
	}
}

func TestParamsRejectsDuplicates(t *testing.T) {
	g := G.NewGraph()
	rng := rand.New(rand.NewPCG(1, 0))
	a, _ := NewLinear(g, "same", 2, 2, rng, nil)
	b, _ := NewLinear(g, "same", 2, 2, rng, nil)
	if _, err := ParamsOf(a, b); err == nil || !strings.Contains(err.Error(), "same.weight") {
		t.Errorf("got %v, want a duplicate-name error", err)
	}
	p, err := ParamsOf(a)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(p.Names(), " "); got != "same.weight same.bias" || p.Size() != 6 {
		t.Errorf("names %q, size %d", got, p.Size())
	}
}

func TestResumeIsBitExact(t *testing.T) {
	// 3 steps, checkpoint (model + Adam), 4 more steps; against a fresh
	// model of another seed restored from the checkpoint and run the same 4
	// steps on the same batches.
	sz := dvSizes{B: 16, D: 12, H: 10, Z: 4, S: 3, TH: 8}
	dir := t.TempDir()
	model, opt := filepath.Join(dir, "model.safetensors"), filepath.Join(dir, "adam.safetensors")
	a, err := newDVModel(sz, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer a.machine.Close()
	rng := rand.New(rand.NewPCG(5, 0))
	for range 3 {
		a.batch(rng)
		if err := a.step(); err != nil {
			t.Fatal(err)
		}
	}
	if err := SaveCheckpoint(model, a.params, nil); err != nil {
		t.Fatal(err)
	}
	if err := a.opt.Save(opt); err != nil {
		t.Fatal(err)
	}
	b, err := newDVModel(sz, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer b.machine.Close()
	if err := LoadCheckpoint(model, b.params, nil); err != nil {
		t.Fatal(err)
	}
	if err := b.opt.Load(opt); err != nil {
		t.Fatal(err)
	}
	if b.opt.StepCount() != 3 {
		t.Errorf("restored step count %d, want 3", b.opt.StepCount())
	}
	rngA := rand.New(rand.NewPCG(6, 0))
	rngB := rand.New(rand.NewPCG(6, 0))
	for i := range 4 {
		a.batch(rngA)
		b.batch(rngB)
		if err := a.step(); err != nil {
			t.Fatal(err)
		}
		if err := b.step(); err != nil {
			t.Fatal(err)
		}
		if la, lb := a.machine.Loss(), b.machine.Loss(); la != lb {
			t.Errorf("step %d: resumed loss %v, uninterrupted %v", i, lb, la)
		}
	}
	if !sameBits(paramBits(t, a.params), paramBits(t, b.params)) {
		t.Error("resumed parameters differ from the uninterrupted run's")
	}
	// An Adam state file does not fit another model.
	c, err := newDVModel(dvSizes{B: 16, D: 12, H: 9, Z: 4, S: 3, TH: 8}, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer c.machine.Close()
	if err := c.opt.Load(opt); !errors.Is(err, ErrIncompatible) {
		t.Errorf("Adam state for another model: got %v, want ErrIncompatible", err)
	}
}
