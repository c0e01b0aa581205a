package dataset

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestDerive(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.csv")
	os.WriteFile(path, []byte("x,personal_status\n1,male single\n2,female div/dep/mar\n3,male mar/wid\n"), 0o644)
	dv, err := ParseDerive("sex=personal_status:^(male|female)")
	if err != nil {
		t.Fatal(err)
	}
	d, err := Load("table:"+path, LoadOptions{LabelColumns: []string{"personal_status"}, Derive: []Derive{dv}})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := d.Attrs.Column("sex"); !slices.Equal(got, []string{"male", "female", "male"}) {
		t.Errorf("sex column %q", got)
	}
	if dv.String() != "sex=personal_status:^(male|female)" {
		t.Errorf("String %q", dv.String())
	}
	for _, tc := range []struct{ spec, want string }{
		{"sex", "want NAME=SOURCE:PATTERN"},
		{"sex=personal_status:(", "missing closing )"},
		{"sex=personal_status:^(m)(f)", "2 capture groups"},
	} {
		if _, err := ParseDerive(tc.spec); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want %q", tc.spec, err, tc.want)
		}
	}
	bad, _ := ParseDerive("sex=personal_status:^(man)")
	if _, err := Load("table:"+path, LoadOptions{LabelColumns: []string{"personal_status"}, Derive: []Derive{bad}}); err == nil ||
		!strings.Contains(err.Error(), `row 1: personal_status = "male single" does not match ^(man)`) {
		t.Errorf("non-matching row: %v", err)
	}
	if _, err := Load("table:"+path, LoadOptions{Derive: []Derive{dv}}); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "--label-columns") {
		t.Errorf("source not an attribute: %v", err)
	}
}
