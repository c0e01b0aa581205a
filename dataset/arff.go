package dataset

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
)

// ARFF is a table read from a Weka ARFF file (Attribute-Relation File
// Format, https://waikato.github.io/weka-wiki/formats_and_processing/arff_stable/).
type ARFF struct {
	// Relation is the name given by @relation.
	Relation string
	// Attributes are the declared columns, in file order.
	Attributes []ARFFAttribute
	// Data holds the instances: one column per attribute, named as
	// declared, every value as a string with its quotes removed. A missing
	// value (an unquoted ?) is the string "?".
	Data *Table

	lines []int // lines[i] is the 1-based file line of instance i
}

// ARFFAttribute is one declared column of an ARFF file.
type ARFFAttribute struct {
	// Name is the attribute's name, quotes removed.
	Name string
	// Type is the declared type, lower case: "numeric", "real", "integer"
	// (all three read as numbers), "nominal" (a {…} list), "string" or
	// "date".
	Type string
	// Values are a nominal attribute's declared values, in declared order;
	// nil for other types.
	Values []string
}

// IsNumeric reports whether the attribute holds numbers: its type is
// numeric, real or integer.
func (a ARFFAttribute) IsNumeric() bool {
	return a.Type == "numeric" || a.Type == "real" || a.Type == "integer"
}

// arffMissing is how ARFF writes a missing value, and how ReadARFF stores it.
const arffMissing = "?"

// gzipMagic starts every gzip stream (RFC 1952, section 2.3.1).
var gzipMagic = []byte{0x1f, 0x8b}

// ReadARFF reads a Weka ARFF file from path; a gzip-compressed file
// (.arff.gz) is recognised by its content and decompressed.
//
// The header is an @relation line, then one @attribute line per column:
//
//	@attribute NAME numeric | real | integer | string | date [FORMAT] | {V1, V2, …}
//
// then @data and one instance per line, values separated by commas.
// Keywords and type names are case-insensitive; names and values may be
// quoted with single or double quotes (a backslash escapes the next
// character: \' \" \\, and \n \t \r stand for the control characters);
// spaces around a value are dropped; % starts a comment that runs to the
// end of the line; blank lines are skipped. An unquoted ? is a missing
// value. Numeric values must be finite numbers (integer attributes are not
// checked for a fractional part, as in Weka), nominal values must be
// declared; string and date values are kept as written.
//
// Not supported, and reported as errors matching ErrFormat: sparse
// instances ({index value, …}), instance weights ({w} after an
// instance), relational attributes. Every error about the content matches
// ErrFormat, starts with path and names the line; errors opening or reading
// the file are those of package os.
func ReadARFF(path string) (*ARFF, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readARFF(path, f)
}

// readARFF reads an ARFF file, perhaps gzipped, from r; name is used in
// errors and as the table's path.
func readARFF(name string, r io.Reader) (*ARFF, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if magic, _ := br.Peek(len(gzipMagic)); bytes.Equal(magic, gzipMagic) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, wrapFormat(name, "bad gzip header", err)
		}
		defer zr.Close()
		br = bufio.NewReaderSize(zr, 64<<10)
	}
	p := &arffParser{name: name, r: br}
	a, err := p.parse()
	if err != nil {
		if _, ok := errors.AsType[*dataError](err); ok {
			return nil, err
		}
		if errors.Is(err, gzip.ErrChecksum) || errors.Is(err, gzip.ErrHeader) {
			return nil, wrapFormat(name, "corrupt gzip data", err)
		}
		return nil, readError(name, err)
	}
	return a, nil
}

// arffParser reads an ARFF file line by line.
type arffParser struct {
	name string
	r    *bufio.Reader
	line int // number of the line last read, 1-based
}

// next returns the next line that is neither blank nor a comment, with
// surrounding space removed, or io.EOF.
func (p *arffParser) next() (string, error) {
	for {
		s, err := p.r.ReadString('\n')
		if s == "" && err != nil {
			return "", err
		}
		if err != nil && err != io.EOF {
			return "", err
		}
		p.line++
		s = strings.TrimSpace(s)
		if s != "" && s[0] != '%' {
			return s, nil
		}
	}
}

// errorf returns a format error naming the current line.
func (p *arffParser) errorf(format string, args ...any) error {
	return formatErrorf(p.name, "line %d: "+format, append([]any{p.line}, args...)...)
}

func (p *arffParser) parse() (*ARFF, error) {
	a := &ARFF{}
	seen := map[string]bool{}
	relation := false
header:
	for {
		s, err := p.next()
		if err == io.EOF {
			switch {
			case !relation:
				return nil, formatErrorf(p.name, "no @relation line (not an ARFF file?)")
			default:
				return nil, formatErrorf(p.name, "no @data line after the %d attribute declarations", len(a.Attributes))
			}
		}
		if err != nil {
			return nil, err
		}
		keyword, rest := cutSpace(s)
		switch strings.ToLower(keyword) {
		case "@relation":
			if relation {
				return nil, p.errorf("a second @relation line")
			}
			name, _, err := p.value(rest, 0, " \t")
			if err != nil {
				return nil, err
			}
			a.Relation, relation = name, true
		case "@attribute":
			if !relation {
				return nil, p.errorf("@attribute before @relation")
			}
			attr, err := p.attribute(rest)
			if err != nil {
				return nil, err
			}
			if seen[attr.Name] {
				return nil, p.errorf("duplicate attribute name %q", attr.Name)
			}
			seen[attr.Name] = true
			a.Attributes = append(a.Attributes, attr)
		case "@data":
			if !relation {
				return nil, p.errorf("@data before @relation")
			}
			if len(a.Attributes) == 0 {
				return nil, p.errorf("@data before any @attribute declaration")
			}
			break header
		default:
			if !relation {
				return nil, p.errorf("want @relation, got %q (not an ARFF file?)", clip(s))
			}
			return nil, p.errorf("want @attribute or @data, got %q", clip(s))
		}
	}
	if err := p.data(a); err != nil {
		return nil, err
	}
	return a, nil
}

// attribute parses the rest of an @attribute line: a name and a type.
func (p *arffParser) attribute(s string) (ARFFAttribute, error) {
	name, i, err := p.value(s, 0, " \t{")
	if err != nil {
		return ARFFAttribute{}, err
	}
	if name == "" {
		return ARFFAttribute{}, p.errorf("@attribute without a name")
	}
	typ := strings.TrimSpace(stripComment(s[i:]))
	if typ == "" {
		return ARFFAttribute{}, p.errorf("attribute %q has no type", name)
	}
	if typ[0] == '{' {
		values, err := p.nominal(s, i+strings.IndexByte(s[i:], '{')+1)
		if err != nil {
			return ARFFAttribute{}, err
		}
		for j, v := range values {
			if slices.Index(values, v) < j {
				return ARFFAttribute{}, p.errorf("attribute %q declares value %q twice", name, v)
			}
		}
		return ARFFAttribute{Name: name, Type: "nominal", Values: values}, nil
	}
	word, _ := cutSpace(typ)
	switch t := strings.ToLower(word); t {
	case "numeric", "real", "integer", "string", "date":
		if t != "date" && word != typ {
			return ARFFAttribute{}, p.errorf("attribute %q: unexpected %q after type %s", name, clip(strings.TrimSpace(typ[len(word):])), word)
		}
		return ARFFAttribute{Name: name, Type: t}, nil
	case "relational":
		return ARFFAttribute{}, p.errorf("attribute %q: relational attributes are not supported", name)
	default:
		return ARFFAttribute{}, p.errorf("attribute %q: unknown type %q (want numeric, real, integer, string, date or {values})", name, clip(word))
	}
}

// nominal parses a nominal value list starting just after its "{" at s[i].
func (p *arffParser) nominal(s string, i int) ([]string, error) {
	var values []string
	for {
		v, j, err := p.value(s, i, ",}")
		if err != nil {
			return nil, err
		}
		j = skipSpace(s, j)
		if j >= len(s) || s[j] == '%' {
			return nil, p.errorf("nominal value list without a closing }")
		}
		if v == "" {
			if s[j] == '}' && len(values) == 0 {
				return nil, p.errorf("empty nominal value list {}")
			}
			return nil, p.errorf("empty value in nominal value list")
		}
		values = append(values, v)
		switch s[j] {
		case ',':
			i = j + 1
			continue
		case '}':
			if rest := strings.TrimSpace(stripComment(s[j+1:])); rest != "" {
				return nil, p.errorf("unexpected %q after the nominal value list", clip(rest))
			}
			return values, nil
		default:
			return nil, p.errorf("unexpected %q in nominal value list (want , or })", s[j])
		}
	}
}

// data reads the instances after @data into a.
func (p *arffParser) data(a *ARFF) error {
	n := len(a.Attributes)
	cols := make([][]string, n)
	var fields []arffField
	for {
		s, err := p.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if s[0] == '{' {
			return p.errorf("sparse instances ({index value, …}) are not supported; save the data in dense form")
		}
		fields, err = p.fields(s, fields[:0])
		if err != nil {
			return err
		}
		if len(fields) == n+1 && !fields[n].quoted && strings.HasPrefix(fields[n].text, "{") {
			return p.errorf("instance weights ({weight} after the values) are not supported")
		}
		if len(fields) != n {
			return p.errorf("%s, want %d (one per attribute)", valueCount(len(fields)), n)
		}
		for j, f := range fields {
			attr := &a.Attributes[j]
			v := f.text
			switch {
			case !f.quoted && v == arffMissing:
			case !f.quoted && strings.HasPrefix(v, "{"):
				return p.errorf("attribute %q: value %q: instance weights and sparse data are not supported", attr.Name, clip(v))
			case attr.IsNumeric():
				x, err := strconv.ParseFloat(v, 64)
				if err != nil && !errors.Is(err, strconv.ErrRange) {
					return p.errorf("attribute %q (%s): %q is not a number", attr.Name, attr.Type, clip(v))
				}
				if math.IsNaN(x) || math.IsInf(x, 0) {
					return p.errorf("attribute %q (%s): %q is not a finite number", attr.Name, attr.Type, clip(v))
				}
			case attr.Type == "nominal":
				if !slices.Contains(attr.Values, v) {
					return p.errorf("attribute %q: value %q is not declared (want one of %s)", attr.Name, clip(v), listValues(attr.Values))
				}
			}
			cols[j] = append(cols[j], v)
		}
		a.lines = append(a.lines, p.line)
	}
	if len(a.lines) == 0 {
		return formatErrorf(p.name, "no instances after @data")
	}
	header := make([]string, n)
	for j, attr := range a.Attributes {
		header[j] = attr.Name
	}
	t, err := NewTable(p.name, header, cols)
	if err != nil {
		return formatErrorf(p.name, "%v", err)
	}
	a.Data = t
	return nil
}

// arffField is one value of an instance.
type arffField struct {
	text   string
	quoted bool
}

// fields splits an instance line into its comma-separated values,
// appending them to dst.
func (p *arffParser) fields(s string, dst []arffField) ([]arffField, error) {
	i := 0
	for {
		start := skipSpace(s, i)
		v, j, err := p.value(s, i, ",")
		if err != nil {
			return nil, err
		}
		quoted := start < len(s) && (s[start] == '\'' || s[start] == '"')
		if v == "" && !quoted {
			return nil, p.errorf("value %d is empty (write ? for a missing value)", len(dst)+1)
		}
		dst = append(dst, arffField{text: v, quoted: quoted})
		j = skipSpace(s, j)
		if j >= len(s) || s[j] == '%' {
			return dst, nil
		}
		if s[j] != ',' {
			return nil, p.errorf("unexpected %q after value %d (want a comma)", s[j], len(dst))
		}
		i = j + 1
	}
}

// value reads one name or value starting at s[i], after any spaces: a
// quoted string, or unquoted text up to the end of the line, a % comment or
// any byte in stops, with surrounding spaces removed. It returns the text
// and the index just after it.
func (p *arffParser) value(s string, i int, stops string) (string, int, error) {
	i = skipSpace(s, i)
	if i < len(s) && (s[i] == '\'' || s[i] == '"') {
		q := s[i]
		var b strings.Builder
		for j := i + 1; j < len(s); j++ {
			c := s[j]
			switch {
			case c == q:
				return b.String(), j + 1, nil
			case c == '\\' && j+1 < len(s):
				j++
				switch c = s[j]; c {
				case 'n':
					c = '\n'
				case 't':
					c = '\t'
				case 'r':
					c = '\r'
				}
			}
			b.WriteByte(c)
		}
		return "", 0, p.errorf("unterminated quoted string %s", clip(s[i:]))
	}
	j := i
	for j < len(s) && s[j] != '%' && strings.IndexByte(stops, s[j]) < 0 {
		j++
	}
	return strings.TrimSpace(s[i:j]), j, nil
}

// stripComment removes a % comment from s, which must not contain quotes
// that matter (a type name, or what follows a closing brace).
func stripComment(s string) string {
	if i := strings.IndexByte(s, '%'); i >= 0 {
		return s[:i]
	}
	return s
}

// cutSpace splits s at its first space or tab.
func cutSpace(s string) (word, rest string) {
	if i := strings.IndexAny(s, " \t"); i >= 0 {
		return s[:i], s[i+1:]
	}
	return s, ""
}

// skipSpace returns the index of the first byte at or after i that is not a
// space or tab.
func skipSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return i
}

// clip shortens s for an error message.
func clip(s string) string {
	const max = 40
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}

// listValues lists declared values for an error message, quoting each and
// eliding all but the first few.
func listValues(v []string) string {
	const max = 8
	var b strings.Builder
	for i, s := range v {
		if i == max {
			b.WriteString(", …")
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Quote(s))
	}
	return b.String()
}

// valueCount says how many values an instance has: "1 value", "3 values".
func valueCount(n int) string {
	if n == 1 {
		return "1 value"
	}
	return strconv.Itoa(n) + " values"
}
