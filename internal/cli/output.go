package cli

import (
	"io"
	"os"
	"path/filepath"

	"github.com/miaudit/miaudit/internal/atomicfile"
)

// checkOut fails early, before any work, if path cannot be written: its
// folder is missing, or it exists and force is false.
func checkOut(path string, force bool) error {
	if path == "" {
		return nil
	}
	dir := filepath.Dir(path)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return usageErrorf("--out %s: folder %s does not exist", path, dir)
	}
	if st, err := os.Stat(path); err == nil {
		if st.IsDir() {
			return usageErrorf("--out %s is a folder", path)
		}
		if !force {
			return usageErrorf("--out %s exists: refusing to overwrite it without --force", path)
		}
	}
	return nil
}

// writeOutput writes data to path atomically (a temporary file in the same
// folder, then a rename), or to out when path is empty.
func writeOutput(out io.Writer, path string, data []byte) error {
	if path == "" {
		_, err := out.Write(data)
		return err
	}
	return atomicfile.WriteFile(path, data)
}

// sameFile reports whether a and b name the same existing file.
func sameFile(a, b string) bool {
	sa, err := os.Stat(a)
	if err != nil {
		return false
	}
	sb, err := os.Stat(b)
	if err != nil {
		return false
	}
	return os.SameFile(sa, sb)
}
