package cli

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/miaudit/miaudit/dataset"
	"github.com/miaudit/miaudit/infomax"
)

// tinyIDX writes an MNIST-layout folder of 8×8 images: 40 train and 10
// test, image i holding a 3×3 square at a place set by i, label i mod 10.
func tinyIDX(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	write := func(name string, n, off int) {
		pix := make([]uint8, n*64)
		lab := make([]uint8, n)
		for k := range n {
			i := k + off
			r, c := i%6, (i/6)%6
			for dy := range 3 {
				for dx := range 3 {
					pix[k*64+(r+dy)*8+c+dx] = 200
				}
			}
			lab[k] = uint8(i % 10)
		}
		var b bytes.Buffer
		if err := dataset.WriteIDXImages(&b, n, 8, 8, pix); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, name+"-images-idx3-ubyte"), b.Bytes(), 0o644)
		b.Reset()
		if err := dataset.WriteIDXLabels(&b, lab); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, name+"-labels-idx1-ubyte"), b.Bytes(), 0o644)
	}
	write("train", 40, 0)
	write("t10k", 10, 40)
	return dir
}

// tinyModel are flags for a small, fast conv model.
var tinyModel = []string{"--conv-channels", "4,6,8", "--code", "5", "--batch", "8"}

func runCtx(t *testing.T, ctx context.Context, args ...string) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := MainContext(ctx, args, &IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
	return out.String(), errOut.String(), code
}

// TestTrainEmbedEndToEnd trains on a tiny IDX folder, encodes it, and
// checks the run folder, the codes and the attributes.
func TestTrainEmbedEndToEnd(t *testing.T) {
	data := tinyIDX(t)
	run := filepath.Join(t.TempDir(), "run")
	args := append([]string{"train", "--data", "idx:" + data, "--epochs", "2", "--out", run, "--checkpoint-every", "3"}, tinyModel...)
	_, errOut, code := runCtx(t, context.Background(), args...)
	if code != ExitOK {
		t.Fatalf("train: exit %d, stderr %q", code, errOut)
	}
	for _, w := range []string{"training a conv DIM encoder on idx:" + data + ": 40 rows, 2 epochs of 5 steps", "step 10/10", "done: 10 steps"} {
		if !strings.Contains(errOut, w) {
			t.Errorf("train stderr lacks %q:\n%s", w, errOut)
		}
	}
	info, err := infomax.ReadRunInfo(run)
	if err != nil || info.Status != infomax.StatusDone || info.Step != 10 || info.Config.Code != 5 || info.Config.LocalLayer != 1 {
		t.Errorf("run.json: %+v, %v", info, err)
	}
	f, _ := os.Open(filepath.Join(run, infomax.LogFile))
	recs, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(recs) != 11 || strings.Join(recs[0], ",") != "step,epoch,loss,local,global,prior,seconds" {
		t.Errorf("log.csv: %d records, header %q, %v", len(recs), recs[0], err)
	}

	z := filepath.Join(t.TempDir(), "Z.npy")
	_, errOut, code = runCtx(t, context.Background(), "embed", "--model", run, "--out", z, "--batch", "7")
	if code != ExitOK {
		t.Fatalf("embed: exit %d, stderr %q", code, errOut)
	}
	m, err := dataset.ReadEmbeddings(z, "")
	if err != nil || m.Rows != 50 || m.Cols != 5 {
		t.Fatalf("codes: %v, %v; want 50 × 5", m, err)
	}
	lab, err := dataset.ReadLabels(strings.TrimSuffix(z, ".npy") + ".csv")
	if err != nil || lab.Rows != 50 || strings.Join(lab.Header, ",") != "label,split" {
		t.Fatalf("labels: %+v, %v", lab, err)
	}
	split, _ := lab.Column("split")
	if split[39] != "train" || split[40] != "test" {
		t.Errorf("split column: rows 39, 40 = %s, %s", split[39], split[40])
	}
	// The codes are the trained encoder's: encode row 0 through the library.
	enc, err := infomax.LoadEncoder(filepath.Join(run, infomax.EncoderFile), 1)
	if err != nil {
		t.Fatal(err)
	}
	defer enc.Close()
	ds, _ := dataset.LoadIDXDir(data)
	want := make([]float32, 5)
	enc.Encode(ds.Example(49), 1, want)
	for j, w := range want {
		if d := m.Row(49)[j] - w; d > 1e-5 || d < -1e-5 {
			t.Errorf("code[49][%d] = %v, library %v", j, m.Row(49)[j], w)
		}
	}
	// embed refuses to overwrite without --force.
	_, errOut, code = runCtx(t, context.Background(), "embed", "--model", run, "--out", z)
	if code != ExitUsage || !strings.Contains(errOut, "--force") {
		t.Errorf("second embed: exit %d, stderr %q", code, errOut)
	}
}

// TestTrainInterruptResume interrupts a run at once (Ctrl-C), resumes it,
// and compares the encoder with an uninterrupted run's.
func TestTrainInterruptResume(t *testing.T) {
	data := tinyIDX(t)
	straight := filepath.Join(t.TempDir(), "a")
	base := append([]string{"train", "--data", "idx:" + data, "--epochs", "2", "-q"}, tinyModel...)
	if _, errOut, code := runCtx(t, context.Background(), append(base, "--out", straight)...); code != ExitOK {
		t.Fatalf("straight run: exit %d %q", code, errOut)
	}
	resumed := filepath.Join(t.TempDir(), "b")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, errOut, code := runCtx(t, ctx, append(base, "--out", resumed)...)
	if code != ExitInterrupted || !strings.Contains(errOut, "interrupted at step 0 of 10") || !strings.Contains(errOut, "miaudit train --out "+resumed+" --resume") {
		t.Fatalf("interrupted run: exit %d, stderr %q", code, errOut)
	}
	if _, errOut, code := runCtx(t, context.Background(), "train", "--out", resumed, "--resume", "--lr", "0.1"); code != ExitUsage || !strings.Contains(errOut, "--lr cannot change a run being resumed") {
		t.Errorf("resume with --lr: exit %d, stderr %q", code, errOut)
	}
	if _, errOut, code := runCtx(t, context.Background(), "train", "--out", resumed, "--resume", "-q"); code != ExitOK {
		t.Fatalf("resume: exit %d, stderr %q", code, errOut)
	}
	a, _ := os.ReadFile(filepath.Join(straight, infomax.EncoderFile))
	b, _ := os.ReadFile(filepath.Join(resumed, infomax.EncoderFile))
	if len(a) == 0 || !bytes.Equal(a, b) {
		t.Error("the resumed run's encoder differs from the uninterrupted run's")
	}
	if _, errOut, code := runCtx(t, context.Background(), "train", "--out", resumed, "--resume"); code != ExitUsage || !strings.Contains(errOut, "is done") {
		t.Errorf("resuming a finished run: exit %d, stderr %q", code, errOut)
	}
}

func TestTrainEmbedErrors(t *testing.T) {
	data := tinyIDX(t)
	full := t.TempDir()
	os.WriteFile(filepath.Join(full, "x"), nil, 0o644)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"train", "--epochs", "0"}, ExitUsage, "--epochs 0"},
		{[]string{"train", "--data", "idx:" + data, "--out", full}, ExitUsage, "is not empty"},
		{[]string{"train", "--data", "idx:" + data, "--conv-channels", "4"}, ExitUsage, "at least 2 layers"},
		{[]string{"train", "--data", "idx:" + data, "--estimator", "mine", "--out", filepath.Join(full, "r")}, ExitUsage, "unknown estimator"},
		{[]string{"train", "--data", "idx:" + t.TempDir(), "--out", filepath.Join(full, "r")}, ExitData, "train-images-idx3-ubyte"},
		{[]string{"train", "--data", "nope", "--out", filepath.Join(full, "r")}, ExitData, `unknown kind "nope"`},
		{[]string{"train", "--resume", "--out", t.TempDir()}, ExitUsage, "no run here"},
		{[]string{"embed", "--out", "z.npy"}, ExitUsage, "--model is required"},
		{[]string{"embed", "--model", full, "--out", "z.txt"}, ExitUsage, "want a .npy file"},
		{[]string{"embed", "--model", full, "--out", filepath.Join(full, "z.npy")}, ExitUsage, "encoder.safetensors"},
	} {
		_, errOut, code := runCtx(t, context.Background(), tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and %q", tc.args, code, errOut, tc.code, tc.want)
		}
	}
}

// TestTrainEmbedTable trains the MLP encoder on a small CSV table and
// embeds it: embed reads the table with the run's label columns and schema.
func TestTrainEmbedTable(t *testing.T) {
	var b strings.Builder
	b.WriteString("x1,x2,colour,label\n")
	for i := range 40 {
		fmt.Fprintf(&b, "%d,%d,%s,%s\n", i, (i*7)%11, []string{"red", "green", "blue"}[i%3], []string{"yes", "no"}[i%2])
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "t.csv")
	os.WriteFile(path, []byte(b.String()), 0o644)
	run := filepath.Join(dir, "run")
	_, errOut, code := runCtx(t, context.Background(), "train", "--data", "table:"+path, "--label-columns", "label",
		"--hidden", "8", "--code", "3", "--batch", "8", "--out", run, "-q")
	if code != ExitOK || !strings.Contains(errOut, "split was drawn") {
		t.Fatalf("train: exit %d, stderr %q", code, errOut)
	}
	info, _ := infomax.ReadRunInfo(run)
	// 40 rows, 8 test (n/5): 32 train rows, 4 steps; features x1, x2 and
	// the three colours.
	if info.Config.Encoder != infomax.MLPEncoder || info.Config.Alpha != 0 || info.Step != 4 || info.Data.Schema.Dim() != 5 {
		t.Errorf("run: encoder %s, α %g, %d steps, %d features", info.Config.Encoder, info.Config.Alpha, info.Step, info.Data.Schema.Dim())
	}
	z := filepath.Join(dir, "Z.npy")
	if _, errOut, code := runCtx(t, context.Background(), "embed", "--model", run, "--out", z, "-q"); code != ExitOK {
		t.Fatalf("embed: exit %d, stderr %q", code, errOut)
	}
	m, err := dataset.ReadEmbeddings(z, "")
	lab, err2 := dataset.ReadLabels(filepath.Join(dir, "Z.csv"))
	if err != nil || err2 != nil || m.Rows != 40 || m.Cols != 3 || strings.Join(lab.Header, ",") != "label,split" {
		t.Fatalf("codes %v (%v), labels %v (%v)", m, err, lab, err2)
	}
	if _, errOut, code := runCtx(t, context.Background(), "train", "--data", "table:"+path, "--alpha", "0.5", "--out", filepath.Join(dir, "r2")); code != ExitUsage || !strings.Contains(errOut, "tables have no feature map") {
		t.Errorf("--alpha on a table: exit %d, stderr %q", code, errOut)
	}
}

// TestTrainInitOnly writes the untrained encoder: its weights are the
// initial weights of a training run with the same seed (compared through
// the state a run interrupted before its first step saves).
func TestTrainInitOnly(t *testing.T) {
	data := tinyIDX(t)
	init := filepath.Join(t.TempDir(), "init")
	base := append([]string{"train", "--data", "idx:" + data, "-q", "--seed", "4"}, tinyModel...)
	if _, errOut, code := runCtx(t, context.Background(), append(base, "--init-only", "--out", init)...); code != ExitOK {
		t.Fatalf("init-only: exit %d, stderr %q", code, errOut)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	stopped := filepath.Join(t.TempDir(), "stopped")
	if _, errOut, code := runCtx(t, ctx, append(base, "--out", stopped)...); code != ExitInterrupted {
		t.Fatalf("interrupted: exit %d, stderr %q", code, errOut)
	}
	a, _ := os.ReadFile(filepath.Join(init, infomax.EncoderFile))
	b, _ := os.ReadFile(filepath.Join(stopped, infomax.EncoderFile))
	info, _ := infomax.ReadRunInfo(init)
	if len(a) == 0 || !bytes.Equal(a, b) || info.Status != infomax.StatusInitial || info.Step != 0 {
		t.Errorf("init-only encoder equal to step 0's: %v; status %s, step %d", bytes.Equal(a, b), info.Status, info.Step)
	}
	// Resuming an initial run trains it.
	if _, errOut, code := runCtx(t, context.Background(), "train", "--out", init, "--resume", "-q"); code != ExitOK {
		t.Fatalf("resume: exit %d, stderr %q", code, errOut)
	}
	if info, _ := infomax.ReadRunInfo(init); info.Status != infomax.StatusDone || info.Step != 5 {
		t.Errorf("after resume: status %s, step %d", info.Status, info.Step)
	}
}
