package dataset

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
)

// ColumnKind says how a table column becomes features.
type ColumnKind string

const (
	// Numeric columns are standardised: one feature (x − mean)/std.
	Numeric ColumnKind = "numeric"
	// Categorical columns are one-hot coded: one feature per category.
	Categorical ColumnKind = "categorical"
)

// TableSchema says how the raw columns of a table become an example's
// feature vector. FitSchema makes one from training rows; Apply uses it, on
// the same table or another with the same columns. It is saved as JSON
// beside a trained encoder so that embedding applies the same coding.
type TableSchema struct {
	// Columns are the feature columns, in the order their features appear
	// in the vector.
	Columns []SchemaColumn `json:"columns"`
	// Features names the output features, one per vector element: a
	// numeric column's name ("age"), or for each category of a categorical
	// column the column name, "=" and the category ("purpose=car"). It is
	// derived from Columns (see FeatureNames) and stored so that the JSON
	// says what each element means.
	Features []string `json:"features"`
}

// SchemaColumn is how one column is coded.
type SchemaColumn struct {
	// Name is the column's name in the table.
	Name string `json:"name"`
	// Kind is Numeric or Categorical.
	Kind ColumnKind `json:"kind"`
	// Mean and Std standardise a numeric column:
	//
	//	feature = (x − Mean) / Std
	//
	// Std is the population standard deviation of the training values
	// (divisor n, as scikit-learn's StandardScaler), or 1 where that is 0.
	Mean float64 `json:"mean,omitempty"`
	Std  float64 `json:"std,omitempty"`
	// Categories are a categorical column's values, one feature each: a
	// value gives 1 in its category's feature and 0 elsewhere; a value not
	// listed gives all zeros (and is counted by Apply).
	Categories []string `json:"categories,omitempty"`
}

// Dim returns the length of the feature vector.
func (s *TableSchema) Dim() int {
	n := 0
	for _, c := range s.Columns {
		if c.Kind == Categorical {
			n += len(c.Categories)
		} else {
			n++
		}
	}
	return n
}

// FeatureNames returns the names of the output features derived from
// Columns: "age" for a numeric column, "purpose=car" for category "car" of
// a categorical column "purpose".
func (s *TableSchema) FeatureNames() []string {
	names := make([]string, 0, s.Dim())
	for _, c := range s.Columns {
		if c.Kind != Categorical {
			names = append(names, c.Name)
			continue
		}
		for _, cat := range c.Categories {
			names = append(names, c.Name+"="+cat)
		}
	}
	return names
}

// schemaName starts the messages of errors about a schema itself.
const schemaName = "table schema"

// Validate checks that the schema is usable: at least one column; names
// non-empty and distinct; each kind Numeric or Categorical; a numeric
// column with finite Mean, finite positive Std and no categories; a
// categorical column with at least one category, all distinct; and
// Features, if set, equal to FeatureNames. Errors match ErrFormat.
func (s *TableSchema) Validate() error {
	if len(s.Columns) == 0 {
		return formatErrorf(schemaName, "no columns")
	}
	seen := make(map[string]bool, len(s.Columns))
	for j, c := range s.Columns {
		if c.Name == "" {
			return formatErrorf(schemaName, "column %d (0-based) has no name", j)
		}
		if seen[c.Name] {
			return formatErrorf(schemaName, "column %q appears twice", c.Name)
		}
		seen[c.Name] = true
		switch c.Kind {
		case Numeric:
			if math.IsNaN(c.Mean) || math.IsInf(c.Mean, 0) {
				return formatErrorf(schemaName, "column %q: mean %v is not finite", c.Name, c.Mean)
			}
			if !(c.Std > 0) || math.IsInf(c.Std, 0) {
				return formatErrorf(schemaName, "column %q: std %v is not a finite positive number", c.Name, c.Std)
			}
			if len(c.Categories) > 0 {
				return formatErrorf(schemaName, "column %q: numeric but has %d categories", c.Name, len(c.Categories))
			}
		case Categorical:
			if len(c.Categories) == 0 {
				return formatErrorf(schemaName, "column %q: categorical but has no categories", c.Name)
			}
			for k, cat := range c.Categories {
				if slices.Index(c.Categories, cat) < k {
					return formatErrorf(schemaName, "column %q: category %q appears twice", c.Name, cat)
				}
			}
		default:
			return formatErrorf(schemaName, "column %q: unknown kind %q (want %q or %q)", c.Name, c.Kind, Numeric, Categorical)
		}
	}
	if s.Features != nil && !slices.Equal(s.Features, s.FeatureNames()) {
		return formatErrorf(schemaName, "the feature names do not match the columns (%d names for %d features)", len(s.Features), s.Dim())
	}
	return nil
}

// FitSchema fits a schema to the rows train of t (nil means every row).
// cols gives each feature column's Name and Kind, in output order; FitSchema
// fills in the Mean and Std of numeric columns and, for a categorical
// column whose Categories is nil, the sorted distinct values in the train
// rows. Categories given in advance (as an ARFF file declares them) are kept
// in their order.
//
// Every value is data: missing-value markers must be removed or filled in
// first (LoadTable does so). A numeric column value that is not a finite
// number, an unknown column (ErrNotFound, listing the available ones), or a
// train row out of range is an error.
func FitSchema(t *Table, cols []SchemaColumn, train []int) (*TableSchema, error) {
	return fitSchema(t, cols, train, rowWhere)
}

// rowWhere names row i of a table in an error message.
func rowWhere(i int) string { return fmt.Sprintf("row %d (0-based)", i) }

func fitSchema(t *Table, cols []SchemaColumn, train []int, where func(int) string) (*TableSchema, error) {
	if train == nil {
		train = make([]int, t.Rows)
		for i := range train {
			train[i] = i
		}
	}
	if len(train) == 0 {
		return nil, formatErrorf(t.Path, "no training rows to fit the table schema on")
	}
	for _, i := range train {
		if i < 0 || i >= t.Rows {
			return nil, fmt.Errorf("%s: train row %d out of range [0, %d)", t.Path, i, t.Rows)
		}
	}
	if err := checkColumns(t, columnNames(cols)); err != nil {
		return nil, err
	}
	s := &TableSchema{Columns: make([]SchemaColumn, len(cols))}
	for j, c := range cols {
		values := t.cols[t.index(c.Name)]
		out := SchemaColumn{Name: c.Name, Kind: c.Kind}
		switch c.Kind {
		case Numeric:
			if len(c.Categories) > 0 {
				return nil, fmt.Errorf("%s: column %q: categories given for a numeric column", t.Path, c.Name)
			}
			var sum float64
			for _, i := range train {
				v, err := parseFinite(values[i])
				if err != nil {
					return nil, formatErrorf(t.Path, "%s, column %q: %v", where(i), c.Name, err)
				}
				sum += v
			}
			// Two passes: the mean, then the mean squared deviation.
			n := float64(len(train))
			out.Mean = sum / n
			var ss float64
			for _, i := range train {
				v, _ := parseFinite(values[i])
				ss += (v - out.Mean) * (v - out.Mean)
			}
			out.Std = math.Sqrt(ss / n)
			if out.Std == 0 {
				out.Std = 1
			}
		case Categorical:
			if c.Categories != nil {
				out.Categories = slices.Clone(c.Categories)
				break
			}
			seen := map[string]bool{}
			for _, i := range train {
				if v := values[i]; !seen[v] {
					seen[v] = true
					out.Categories = append(out.Categories, v)
				}
			}
			slices.Sort(out.Categories)
		default:
			return nil, fmt.Errorf("%s: column %q: unknown kind %q (want %q or %q)", t.Path, c.Name, c.Kind, Numeric, Categorical)
		}
		s.Columns[j] = out
	}
	s.Features = s.FeatureNames()
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return s, nil
}

// Apply codes every row of t with the schema and returns the feature
// vectors, row after row (t.Rows × s.Dim() values), and for each
// categorical column that had values outside its categories, how many rows
// had one (those rows get all zeros for that column).
//
// The schema's columns must exist in t (an error matching ErrNotFound lists
// those available); a numeric column's values must be finite numbers (an
// error matching ErrFormat names the row, 0-based, and column).
func (s *TableSchema) Apply(t *Table) (x []float32, unseen map[string]int, err error) {
	return s.apply(t, rowWhere)
}

func (s *TableSchema) apply(t *Table, where func(int) string) ([]float32, map[string]int, error) {
	if err := s.Validate(); err != nil {
		return nil, nil, err
	}
	if err := checkColumns(t, columnNames(s.Columns)); err != nil {
		return nil, nil, err
	}
	d := s.Dim()
	x := make([]float32, t.Rows*d)
	unseen := map[string]int{}
	off := 0 // first feature of the current column
	for _, c := range s.Columns {
		values := t.cols[t.index(c.Name)]
		switch c.Kind {
		case Numeric:
			for i, raw := range values {
				v, err := parseFinite(raw)
				if err != nil {
					return nil, nil, formatErrorf(t.Path, "%s, column %q: %v", where(i), c.Name, err)
				}
				x[i*d+off] = float32((v - c.Mean) / c.Std)
			}
			off++
		case Categorical:
			index := make(map[string]int, len(c.Categories))
			for k, cat := range c.Categories {
				index[cat] = k
			}
			for i, v := range values {
				if k, ok := index[v]; ok {
					x[i*d+off+k] = 1
				} else {
					unseen[c.Name]++
				}
			}
			off += len(c.Categories)
		}
	}
	return x, unseen, nil
}

// parseFinite parses a finite number.
func parseFinite(s string) (float64, error) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, fmt.Errorf("%q is not a number", clip(s))
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%q is not a finite number", clip(s))
	}
	return v, nil
}

// columnNames returns the names of cols.
func columnNames(cols []SchemaColumn) []string {
	names := make([]string, len(cols))
	for j, c := range cols {
		names[j] = c.Name
	}
	return names
}

// checkColumns returns an error matching ErrNotFound naming every one of
// names that t lacks and listing t's columns, or an error if a name is
// repeated.
func checkColumns(t *Table, names []string) error {
	var unknown []string
	for k, name := range names {
		if slices.Index(names, name) < k {
			return fmt.Errorf("%s: column %q named twice", t.Path, name)
		}
		if !t.Has(name) {
			unknown = append(unknown, strconv.Quote(name))
		}
	}
	switch len(unknown) {
	case 0:
		return nil
	case 1:
		return newError(ErrNotFound, t.Path, "no column %s (available: %s)", unknown[0], strings.Join(t.Header, ", "))
	default:
		return newError(ErrNotFound, t.Path, "no columns %s (available: %s)", strings.Join(unknown, ", "), strings.Join(t.Header, ", "))
	}
}

// splitColumn is the attribute column that divides a table's rows into
// "train" and "test".
const splitColumn = "split"

// splitStream is the second word of the PCG seed of the table split, so
// that it differs from other uses of the same Seed ("split" in ASCII).
const splitStream = 0x73706c6974

// tableConfig holds LoadTable settings not (yet) in LoadOptions.
type tableConfig struct {
	// dropMissing drops the rows with a missing feature value instead of
	// failing.
	dropMissing bool
}

// tableReport says what loadTable did that the Dataset does not show.
type tableReport struct {
	// missing lists the feature columns with missing values, and on which
	// lines; with dropMissing those rows were dropped.
	missing []missingColumn
	// dropped is the number of rows dropped.
	dropped int
	// splitDrawn is true if the table had no "split" column and one was
	// drawn at random.
	splitDrawn bool
	// unseen counts, per categorical column, the rows whose value was not
	// among the schema's categories (coded as all zeros).
	unseen map[string]int
}

// missingColumn is a column with missing values and their file lines.
type missingColumn struct {
	name  string
	lines []int
}

// LoadTable reads a table from a CSV file (.csv: a header line, then one
// row per example) or an ARFF file (.arff, or gzipped .arff.gz; see
// ReadARFF) and codes its feature columns as a Dataset named "table:PATH"
// of shape (D), with Hash the SHA-256 of the file and Schema the coding.
//
// The feature columns are opt.Features, or if that is empty every column
// that is neither in opt.LabelColumns nor "split". The attribute columns
// are opt.LabelColumns, values kept as written, then "split". A column may
// be both a feature and an attribute. An unknown column name is an error
// matching ErrNotFound that lists the available columns.
//
// Train rows: if the table has a column "split", its values must be
// "train" or "test", and the train rows fit the schema. Otherwise a split
// is drawn: n/5 rows (rounded down) chosen uniformly at random without
// stratification are "test", the rest "train", from a Fisher–Yates shuffle
// driven by PCG (math/rand/v2) seeded with (opt.Seed, 0x73706c6974); the
// split is recorded as the attribute column "split".
//
// Coding (see TableSchema): if opt.Schema is set it is applied as it is
// (its columns must exist, and opt.Features must be empty or name the same
// columns in the same order); otherwise a schema is fitted on the train
// rows. A column is numeric (standardised) or categorical (one-hot):
//
//   - ARFF: as declared. numeric, real and integer are numeric; a nominal
//     column's categories are its declared values in declared order (so
//     the layout does not depend on the split); a string column's are the
//     sorted values seen in the train rows; a date column cannot be a
//     feature.
//   - CSV: numeric if every non-missing value parses as a number, else
//     categorical with the sorted values seen in the train rows.
//
// A category not in the schema (seen only in test rows, or in another
// file) codes as all zeros.
//
// Missing values — in CSV an empty cell, "?", "NA" or NaN in any letter
// case; in ARFF "?" — are not guessed: a feature column holding any is an
// error matching ErrFormat that lists each such column with its count and
// first few lines. Missing values in attribute columns are kept as written.
//
// Other errors about the content match ErrFormat and name the file and
// line (CSV: an empty file, no data rows, a row with the wrong number of
// fields, duplicate or empty column names, bad quoting; ARFF: see
// ReadARFF). Errors reading the file are those of package os.
//
// With opt.DropMissing, rows with a missing feature value are dropped
// instead, and the Dataset's Notes say how many, from which columns.
func LoadTable(path string, opt LoadOptions) (*Dataset, error) {
	d, rep, err := loadTable(path, opt, tableConfig{dropMissing: opt.DropMissing})
	if err != nil {
		return nil, err
	}
	d.Notes = rep.notes(path)
	return d, nil
}

// notes turns the report into sentences for the user.
func (r *tableReport) notes(path string) []string {
	var out []string
	if r.dropped > 0 {
		cols := make([]string, len(r.missing))
		for i, m := range r.missing {
			cols[i] = fmt.Sprintf("%s (%d)", m.name, len(m.lines))
		}
		out = append(out, fmt.Sprintf("%s: dropped %d rows with missing values in %s", path, r.dropped, strings.Join(cols, ", ")))
	}
	if r.splitDrawn {
		out = append(out, fmt.Sprintf("%s: no \"split\" column; a seeded random 80/20 train/test split was drawn", path))
	}
	names := make([]string, 0, len(r.unseen))
	for n := range r.unseen {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		if r.unseen[n] > 0 {
			out = append(out, fmt.Sprintf("%s: %d rows have a value of %s that the schema has not seen; they code as all zeros", path, r.unseen[n], n))
		}
	}
	return out
}

// loadTable is LoadTable with settings not yet in LoadOptions; it also
// reports what it did.
func loadTable(path string, opt LoadOptions, cfg tableConfig) (*Dataset, *tableReport, error) {
	src, err := readTableFile(path)
	if err != nil {
		return nil, nil, err
	}
	t := src.table
	features, labels, err := tableColumns(t, opt)
	if err != nil {
		return nil, nil, err
	}

	for _, name := range features {
		if src.arff == nil {
			break
		}
		if a := src.arff[t.index(name)]; a.Type == "date" {
			return nil, nil, fmt.Errorf("%s: column %q is a date attribute and cannot be a feature (make it a label column, or choose the features)", path, name)
		}
	}

	rep := &tableReport{}
	rep.missing = findMissing(t, features, src.lines, src.isMissing)
	if len(rep.missing) > 0 {
		if !cfg.dropMissing {
			return nil, nil, missingError(path, rep.missing)
		}
		t, src.lines = dropMissing(t, features, src.lines, src.isMissing)
		rep.dropped = src.table.Rows - t.Rows
		if t.Rows == 0 {
			return nil, nil, formatErrorf(path, "every row has a missing feature value; none left after dropping them")
		}
	}
	where := func(i int) string { return fmt.Sprintf("line %d", src.lines[i]) }

	split, err := splitValues(t, src.lines, opt.Seed)
	if err != nil {
		return nil, nil, err
	}
	rep.splitDrawn = !t.Has(splitColumn)

	schema := opt.Schema
	if schema == nil {
		var train []int
		for i, s := range split {
			if s == "train" {
				train = append(train, i)
			}
		}
		if len(train) == 0 {
			return nil, nil, formatErrorf(path, "no train rows (every value of column %q is \"test\")", splitColumn)
		}
		specs := columnSpecs(t, features, src)
		if schema, err = fitSchema(t, specs, train, where); err != nil {
			return nil, nil, err
		}
	}
	x, unseen, err := schema.apply(t, where)
	if err != nil {
		return nil, nil, err
	}
	rep.unseen = unseen

	header := slices.Clone(labels)
	cols := make([][]string, 0, len(labels)+1)
	for _, name := range labels {
		cols = append(cols, slices.Clone(t.cols[t.index(name)]))
	}
	if !slices.Contains(labels, splitColumn) {
		header = append(header, splitColumn)
		cols = append(cols, split)
	}
	attrs, err := NewTable(path, header, cols)
	if err != nil {
		return nil, nil, err
	}
	return &Dataset{
		Name:   "table:" + path,
		Shape:  []int{schema.Dim()},
		N:      t.Rows,
		X:      x,
		Attrs:  attrs,
		Hash:   src.hash,
		Schema: schema,
	}, rep, nil
}

// tableSource is a table as read from its file.
type tableSource struct {
	table     *Table
	lines     []int             // lines[i] is the file line of row i, 1-based
	arff      []ARFFAttribute   // the declared attributes; nil for CSV
	isMissing func(string) bool // whether a value marks a missing value
	hash      string            // hex SHA-256 of the file
}

// readTableFile reads a CSV or ARFF table, choosing by the extension.
func readTableFile(path string) (*tableSource, error) {
	lower := strings.ToLower(path)
	isCSV := strings.HasSuffix(lower, ".csv")
	isARFF := strings.HasSuffix(lower, ".arff") || strings.HasSuffix(lower, ".arff.gz")
	if !isCSV && !isARFF {
		return nil, formatErrorf(path, "unsupported table file (want a name ending in .csv, .arff or .arff.gz)")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(b)
	src := &tableSource{hash: hex.EncodeToString(sum[:])}
	if isCSV {
		src.table, src.lines, err = readCSVTable(path, bytes.NewReader(b))
		src.isMissing = csvMissing
	} else {
		var a *ARFF
		a, err = readARFF(path, bytes.NewReader(b))
		if a != nil {
			src.table, src.lines, src.arff = a.Data, a.lines, a.Attributes
		}
		src.isMissing = func(v string) bool { return v == arffMissing }
	}
	if err != nil {
		return nil, err
	}
	return src, nil
}

// csvMissing reports whether a CSV value marks a missing value: empty, "?",
// "NA", or NaN in any letter case.
func csvMissing(v string) bool {
	return v == "" || v == "?" || v == "NA" || strings.EqualFold(v, "nan")
}

// readCSVTable reads a CSV table as ReadLabels does, and the file line of
// each row.
func readCSVTable(path string, r io.Reader) (*Table, []int, error) {
	cr, err := newCSVReader(r)
	if err != nil {
		return nil, nil, ioError(path, err)
	}
	header, err := cr.Read()
	if err == io.EOF {
		return nil, nil, formatErrorf(path, "empty file (want a header line naming the columns)")
	}
	if err != nil {
		return nil, nil, csvError(path, err)
	}
	for j, name := range header {
		name = strings.TrimSpace(name)
		header[j] = name
		if name == "" {
			return nil, nil, formatErrorf(path, "column %d (0-based) has an empty header name", j)
		}
		if k := slices.Index(header[:j], name); k >= 0 {
			return nil, nil, formatErrorf(path, "duplicate column name %q (columns %d and %d, 0-based)", name, k, j)
		}
	}
	cols := make([][]string, len(header))
	var lines []int
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, csvError(path, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != len(header) {
			return nil, nil, formatErrorf(path, "line %d: %s, want %d (one per header column)", line, fieldCount(len(rec)), len(header))
		}
		for j, v := range rec {
			cols[j] = append(cols[j], strings.TrimSpace(v))
		}
		lines = append(lines, line)
	}
	if len(lines) == 0 {
		return nil, nil, formatErrorf(path, "no data rows after the header")
	}
	t, err := NewTable(path, header, cols)
	if err != nil {
		return nil, nil, formatErrorf(path, "%v", err)
	}
	return t, lines, nil
}

// tableColumns returns the feature and attribute columns LoadTable uses.
func tableColumns(t *Table, opt LoadOptions) (features, labels []string, err error) {
	if err := checkColumns(t, opt.LabelColumns); err != nil {
		return nil, nil, err
	}
	labels = slices.Clone(opt.LabelColumns)
	switch {
	case opt.Schema != nil:
		features = columnNames(opt.Schema.Columns)
		if len(opt.Features) > 0 && !slices.Equal(opt.Features, features) {
			return nil, nil, fmt.Errorf("%s: the features %s differ from the schema's columns %s", t.Path, strings.Join(opt.Features, ", "), strings.Join(features, ", "))
		}
	case len(opt.Features) > 0:
		features = slices.Clone(opt.Features)
	default:
		for _, h := range t.Header {
			if h != splitColumn && !slices.Contains(labels, h) {
				features = append(features, h)
			}
		}
		if len(features) == 0 {
			return nil, nil, fmt.Errorf("%s: no feature columns (every column is a label column or %q)", t.Path, splitColumn)
		}
	}
	if slices.Contains(features, splitColumn) {
		return nil, nil, fmt.Errorf("%s: column %q divides train from test rows and cannot be a feature", t.Path, splitColumn)
	}
	if err := checkColumns(t, features); err != nil {
		return nil, nil, err
	}
	return features, labels, nil
}

// findMissing returns the feature columns holding missing values, in
// feature order, with the lines of those values.
func findMissing(t *Table, features []string, lines []int, isMissing func(string) bool) []missingColumn {
	var out []missingColumn
	for _, name := range features {
		var at []int
		for i, v := range t.cols[t.index(name)] {
			if isMissing(v) {
				at = append(at, lines[i])
			}
		}
		if len(at) > 0 {
			out = append(out, missingColumn{name: name, lines: at})
		}
	}
	return out
}

// maxListedLines is how many lines a missing-value error lists per column.
const maxListedLines = 5

// missingError reports missing values: "missing values in columns age
// (3 rows, lines 5, 17, 200), …".
func missingError(path string, missing []missingColumn) error {
	var b strings.Builder
	b.WriteString("missing values in column")
	if len(missing) > 1 {
		b.WriteString("s")
	}
	for k, m := range missing {
		if k > 0 {
			b.WriteString(",")
		}
		n := len(m.lines)
		rows, lines := "rows", "lines"
		if n == 1 {
			rows, lines = "row", "line"
		}
		fmt.Fprintf(&b, " %s (%d %s, %s ", m.name, n, rows, lines)
		for i, l := range m.lines[:min(n, maxListedLines)] {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(strconv.Itoa(l))
		}
		if n > maxListedLines {
			b.WriteString(", …")
		}
		b.WriteString(")")
	}
	b.WriteString("; fill them in or drop those rows")
	return formatErrorf(path, "%s", b.String())
}

// dropMissing returns t and lines without the rows that have a missing
// value in a feature column.
func dropMissing(t *Table, features []string, lines []int, isMissing func(string) bool) (*Table, []int) {
	var keep []int
rows:
	for i := range t.Rows {
		for _, name := range features {
			if isMissing(t.cols[t.index(name)][i]) {
				continue rows
			}
		}
		keep = append(keep, i)
	}
	cols := make([][]string, len(t.cols))
	for j, c := range t.cols {
		cols[j] = make([]string, len(keep))
		for k, i := range keep {
			cols[j][k] = c[i]
		}
	}
	kept := make([]int, len(keep))
	for k, i := range keep {
		kept[k] = lines[i]
	}
	return &Table{Path: t.Path, Header: t.Header, Rows: len(keep), cols: cols}, kept
}

// splitValues returns the table's "split" column, checked, or a drawn one.
func splitValues(t *Table, lines []int, seed uint64) ([]string, error) {
	if t.Has(splitColumn) {
		split := slices.Clone(t.cols[t.index(splitColumn)])
		for i, v := range split {
			if v != "train" && v != "test" {
				return nil, formatErrorf(t.Path, "line %d: column %q is %q (want \"train\" or \"test\")", lines[i], splitColumn, clip(v))
			}
		}
		return split, nil
	}
	return drawSplit(t.Rows, seed), nil
}

// drawSplit marks n/5 of n rows (rounded down), chosen at random, "test"
// and the rest "train". The rows are the first n/5 of a Fisher–Yates
// shuffle of 0…n−1 that swaps element i (from n−1 down to 1) with element
// u mod (i+1), u the next output of PCG seeded with (seed, splitStream): a
// fixed function of PCG's output, which math/rand/v2 keeps stable across Go
// releases. (The modulo bias, below (i+1)/2⁶⁴, is negligible.)
func drawSplit(n int, seed uint64) []string {
	src := rand.NewPCG(seed, splitStream)
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	for i := n - 1; i > 0; i-- {
		j := int(src.Uint64() % uint64(i+1))
		perm[i], perm[j] = perm[j], perm[i]
	}
	split := make([]string, n)
	for i := range split {
		split[i] = "train"
	}
	for _, i := range perm[:n/5] {
		split[i] = "test"
	}
	return split
}

// columnSpecs says how each feature column is to be coded, before fitting.
func columnSpecs(t *Table, features []string, src *tableSource) []SchemaColumn {
	specs := make([]SchemaColumn, len(features))
	for k, name := range features {
		specs[k].Name = name
		if src.arff != nil {
			a := src.arff[t.index(name)]
			switch {
			case a.IsNumeric():
				specs[k].Kind = Numeric
			case a.Type == "nominal":
				specs[k].Kind, specs[k].Categories = Categorical, a.Values
			default: // string; dates were refused by loadTable
				specs[k].Kind = Categorical
			}
			continue
		}
		specs[k].Kind = Numeric
		for _, v := range t.cols[t.index(name)] {
			if !src.isMissing(v) && !isNumber(v) {
				specs[k].Kind = Categorical
				break
			}
		}
	}
	return specs
}
