package nn

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/miaudit/miaudit/internal/atomicfile"
)

// checkpointFormat names the sidecar's layout; a reader refuses others.
const checkpointFormat = "miaudit-nn-checkpoint/1"

// sidecar is the JSON file written beside a checkpoint's tensors.
type sidecar struct {
	Format string `json:"format"`
	// Tensors is the base name of the safetensors file.
	Tensors string `json:"tensors"`
	// SHA256 is the hex digest of the safetensors file: it ties the pair
	// together and detects damage the safetensors header cannot (a flipped
	// bit in the data).
	SHA256 string          `json:"sha256"`
	Config json.RawMessage `json:"config,omitempty"`
}

// ConfigPath returns the path of the JSON sidecar of the checkpoint whose
// tensors are at path: path with ".safetensors" replaced by ".json"
// (or ".json" appended if path has another extension).
func ConfigPath(path string) string {
	return strings.TrimSuffix(path, ".safetensors") + ".json"
}

// SaveCheckpoint writes p's values to path (a safetensors file, by
// convention named *.safetensors) and a JSON sidecar at ConfigPath(path)
// holding config (marshalled with encoding/json; nil for none) and the
// SHA-256 of the tensors file. Each file is written atomically, tensors
// first; LoadCheckpoint detects a pair left mismatched by a crash between
// the two.
func SaveCheckpoint(path string, p *Params, config any) error {
	ts := make(map[string]rawTensor, p.Len())
	for _, name := range p.names {
		t, err := nodeTensor(p.nodes[name])
		if err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
		ts[name] = t
	}
	return saveCheckpoint(path, ts, map[string]string{"format": checkpointFormat}, config)
}

func saveCheckpoint(path string, ts map[string]rawTensor, meta map[string]string, config any) error {
	sc := sidecar{Format: checkpointFormat, Tensors: filepath.Base(path)}
	if config != nil {
		b, err := json.Marshal(config)
		if err != nil {
			return fmt.Errorf("write %s: config: %w", ConfigPath(path), err)
		}
		sc.Config = b
	}
	// Serialise in memory so that the digest and the file are of the same
	// bytes.
	var buf bytes.Buffer
	if err := serialize(&buf, ts, meta); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	sum := sha256.Sum256(buf.Bytes())
	sc.SHA256 = hex.EncodeToString(sum[:])
	if err := atomicfile.WriteFile(path, buf.Bytes()); err != nil {
		return err
	}
	js, err := json.MarshalIndent(sc, "", "  ")
	if err != nil {
		return fmt.Errorf("write %s: %w", ConfigPath(path), err)
	}
	return atomicfile.WriteFile(ConfigPath(path), append(js, '\n'))
}

// LoadCheckpoint reads a checkpoint written by SaveCheckpoint: it checks the
// sidecar at ConfigPath(path) against the tensors file at path, decodes the
// sidecar's config into config (unless config is nil) and sets p's values
// as LoadParams does. On error p is unchanged. Errors wrap ErrCorrupt (a
// damaged, truncated or mismatched file) or ErrIncompatible (a tensor
// missing or of another shape).
func LoadCheckpoint(path string, p *Params, config any) error {
	tf, sc, err := openCheckpoint(path)
	if err != nil {
		return err
	}
	if config != nil && len(sc.Config) > 0 {
		if err := json.Unmarshal(sc.Config, config); err != nil {
			return fmt.Errorf("read %s: config: %w", ConfigPath(path), err)
		}
	}
	return loadParams(tf, p)
}

// LoadConfig decodes only the config of the checkpoint at path (its JSON
// sidecar) into config, so that a caller can build the model before
// loading its parameters.
func LoadConfig(path string, config any) error {
	cp := ConfigPath(path)
	sc, err := readSidecar(cp)
	if err != nil {
		return err
	}
	if len(sc.Config) == 0 {
		return fmt.Errorf("read %s: no config", cp)
	}
	if err := json.Unmarshal(sc.Config, config); err != nil {
		return fmt.Errorf("read %s: config: %w", cp, err)
	}
	return nil
}

func readSidecar(cp string) (sidecar, error) {
	var sc sidecar
	b, err := os.ReadFile(cp)
	if err != nil {
		return sc, err
	}
	if err := json.Unmarshal(b, &sc); err != nil {
		return sc, fmt.Errorf("read %s: %w: %v", cp, ErrCorrupt, err)
	}
	if sc.Format != checkpointFormat {
		return sc, fmt.Errorf("read %s: %w: format %q, want %q", cp, ErrCorrupt, sc.Format, checkpointFormat)
	}
	return sc, nil
}

func openCheckpoint(path string) (*tensorFile, sidecar, error) {
	cp := ConfigPath(path)
	sc, err := readSidecar(cp)
	if err != nil {
		return nil, sc, err
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, sc, err
	}
	sum := sha256.Sum256(b)
	if got := hex.EncodeToString(sum[:]); got != sc.SHA256 {
		return nil, sc, fmt.Errorf("read %s: %w: SHA-256 %s does not match %s's %s", path, ErrCorrupt, got[:12], filepath.Base(cp), short(sc.SHA256))
	}
	tf, err := parseSafetensors(path, b)
	if err != nil {
		return nil, sc, err
	}
	return tf, sc, nil
}

func short(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}
