package reports

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/miaudit/miaudit/metrics"
)

// HTMLReport is what WriteHTML renders: a comparison of settings with its
// figures, the audits behind it and what makes it reproducible, as one
// self-contained page for review.
type HTMLReport struct {
	// Title heads the page; empty means "miaudit report".
	Title string
	// Version is the miaudit version that wrote the report; CommandLine
	// is the command that did, as one line ("miaudit report sweeps/w
	// --out w.html"); empty means not recorded.
	Version     string
	CommandLine string
	// Comparison is the table of settings. WriteHTML panics if it is nil.
	Comparison *Comparison
	// Warnings are shown first, framed, above everything else, as they
	// are: inputs of different datasets, say. A note of Comparison.Notes equal to a
	// warning is not repeated under the table.
	Warnings []string
	// Figures are the plots, in order.
	Figures []HTMLFigure
	// FigureNotes say which figures were left out and why.
	FigureNotes []string
	// Settings are the comparison's settings with their audits, in the
	// order of its rows.
	Settings []HTMLSetting
	// Gates are the results of the policy gates, one per rule; none
	// means no gate was set.
	Gates []HTMLGate
	// Inputs are the audits' provenance, in the order they were read;
	// HTMLSetting.Inputs index into it.
	Inputs []HTMLInput
}

// HTMLFigure is one plot of an HTMLReport.
type HTMLFigure struct {
	// ID names the figure: its anchor in the page is "fig-" + ID, and a
	// caller writing the figure to a file names it ID + ".svg". It must be
	// non-empty and unique, of ASCII letters, digits, '-', '_' and '.'.
	ID string
	// Title is the figure's accessible name (its SVG <title>) and the
	// start of its caption; Caption says what it shows, in words.
	Title   string
	Caption string
	// SVG is the figure: an SVG document, which may start with an XML
	// prolog and comments (dropped when it is inlined). It is trusted
	// markup: it must come from package plot, not from user input.
	SVG []byte
	// Wide lets the figure take the page's whole width; other figures
	// go two in a row where the window is wide enough.
	Wide bool
}

// HTMLSetting is one setting (row) of the comparison with its audits.
type HTMLSetting struct {
	// Name is the row's name; Kind what its audits are ("run", "result").
	Name string
	Kind string
	// Inputs are the indexes in HTMLReport.Inputs of its audits.
	Inputs []int
	// Audit, if not nil, is shown in full (the single-audit report's
	// tables and notes): the first of its audits, Inputs[0].
	Audit *metrics.Result
}

// HTMLInput is the provenance of one audit.
type HTMLInput struct {
	// Path is the result file or run folder; Kind what it is; Setting the
	// name of its setting.
	Path    string
	Kind    string
	Setting string
	// Version is the miaudit version of the audit, RunVersion that of its
	// training run (empty for a plain result).
	Version    string
	RunVersion string
	Seed       uint64
	// Dataset names the data for people.
	Dataset string
	// SHA256 are the input hashes by what they hash ("embeddings",
	// "labels", "data"); Params every hyper-parameter, as text.
	SHA256 map[string]string
	Params map[string]string
}

// HTMLGate is the outcome of one policy gate over every audit.
type HTMLGate struct {
	// Rule is the rule as written ("leakage.writer.attackers.mlp.advantage
	// > 0.2"); Audits the number of audits it was checked against.
	Rule   string
	Audits int
	// Failed are the violations, one per failing audit, each naming it.
	Failed []string
}

// WriteHTML renders doc as one HTML5 page to w: a self-contained file
// that fetches nothing (inline CSS, inline SVG, no script, no external
// URL), readable on a laptop and printable.
//
// The page holds, in order: the title, the warnings, a table of contents,
// the comparison table with its notes (as the other formats print them),
// the figures with their captions, one collapsible section per setting
// (its audits with seed and path, and the first audit's full figure
// table), the gates' results, a glossary of the metrics and of what the
// confidence intervals cover, and the reproducibility block: the report's
// version and command line, and per audit its version, seed, input
// SHA-256s and every hyper-parameter (those shared by all audits once,
// the others in a table with a column per audit). Printed, the wide
// tables wrap instead of scrolling and the settings' sections are
// expanded (with CSS, in browsers that support ::details-content).
//
// Every text of doc is escaped; a figure's SVG is inlined only if it is
// an SVG document without script (its XML prolog, comments and namespace
// declarations, implied in HTML, are dropped, and its title is added as
// <title>). The same doc gives the same bytes. WriteHTML returns an error,
// leaving w untouched, for a figure that is not an SVG document or whose
// ID is empty, repeated or has other characters than those allowed.
func WriteHTML(w io.Writer, doc *HTMLReport) error {
	if doc == nil || doc.Comparison == nil {
		panic("reports: nil HTMLReport or Comparison")
	}
	page, err := newHTMLPage(doc)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := htmlTemplate.Execute(&buf, page); err != nil {
		return fmt.Errorf("render html report: %w", err)
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// htmlPage is the template's data: doc laid out as tables and texts.
type htmlPage struct {
	Title           string
	Summary         string
	Version         string
	CommandLine     string
	Warnings        []string
	Comparison      htmlTable
	ComparisonNotes []string
	Figures         []htmlFigure
	FigureNotes     []string
	Settings        []htmlSetting
	Gates           []HTMLGate
	GatesFailed     int
	Glossary        []htmlTerm
	Estimators      []htmlTerm
	Intervals       []string
	Inputs          htmlTable
	Hashes          htmlTable
	SharedParams    htmlTable
	VaryingParams   htmlTable
}

type htmlFigure struct {
	ID, Title, Caption string
	SVG                template.HTML
	Wide               bool
}

type htmlSetting struct {
	Anchor     string
	Name, Kind string
	Audits     int
	Inputs     htmlTable
	AuditOf    string
	Audit      []htmlTable
	AuditNotes []string
}

// htmlTable is a table: a title (a caption, may be empty), a header of
// cells that may have several lines, rows of cells.
type htmlTable struct {
	Class  string
	Title  string
	Header []htmlCell
	Rows   [][]htmlCell
}

// htmlCell is one cell: its lines of text (joined by <br>) and a class
// ("num" for numbers, "mono" for paths, "hash" for hashes).
type htmlCell struct {
	Lines []string
	Class string
	Tip   string // a title attribute
}

type htmlTerm struct{ Term, Text string }

func htmlText(s, class string) htmlCell { return htmlCell{Lines: strings.Split(s, "\n"), Class: class} }

// gridTable turns one of the human formats' grids into an htmlTable.
func gridTable(g grid, class string) htmlTable {
	t := htmlTable{Class: class, Title: g.title}
	num := func(j int) string {
		if j < len(g.numeric) && g.numeric[j] {
			return "num"
		}
		return ""
	}
	for j, h := range g.header {
		t.Header = append(t.Header, htmlText(h, num(j)))
	}
	for _, r := range g.rows {
		var row []htmlCell
		for j, s := range r {
			row = append(row, htmlText(s, num(j)))
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

func newHTMLPage(doc *HTMLReport) (*htmlPage, error) {
	c := doc.Comparison
	p := &htmlPage{
		Title:       orDefault(doc.Title, "miaudit report"),
		Version:     orUnknown(doc.Version),
		CommandLine: orUnknown(doc.CommandLine),
		Warnings:    doc.Warnings,
		FigureNotes: doc.FigureNotes,
		Gates:       doc.Gates,
	}
	audits := 0
	for _, r := range c.Rows {
		audits += r.Audits
	}
	p.Summary = fmt.Sprintf("%s, %s", plural(len(c.Rows), "setting"), plural(audits, "audit"))

	// The comparison, with the headings stacked: attribute over measure.
	d := comparisonDocument(c, true)
	p.Comparison = gridTable(d.tables[0], "comparison")
	for i, r := range c.Rows {
		if r.Pareto {
			p.Comparison.Rows[i][0].Tip = "Pareto-optimal"
		}
		p.Comparison.Rows[i][1].Class = "name"
	}
	for _, n := range d.notes {
		if !slices.Contains(doc.Warnings, n) {
			p.ComparisonNotes = append(p.ComparisonNotes, n)
		}
	}

	ids := make(map[string]bool)
	for i, f := range doc.Figures {
		if !validFigureID(f.ID) {
			return nil, fmt.Errorf("reports: figure %d: id %q is empty or has characters other than ASCII letters, digits, '-', '_' and '.'", i+1, f.ID)
		}
		if ids[f.ID] {
			return nil, fmt.Errorf("reports: two figures have the id %q", f.ID)
		}
		ids[f.ID] = true
		svg, err := inlineSVG(f.SVG, f.Title)
		if err != nil {
			return nil, fmt.Errorf("reports: figure %q: %w", f.ID, err)
		}
		p.Figures = append(p.Figures, htmlFigure{ID: f.ID, Title: f.Title, Caption: f.Caption, SVG: svg, Wide: f.Wide})
	}

	for i, s := range doc.Settings {
		hs := htmlSetting{Anchor: "setting-" + strconv.Itoa(i+1), Name: s.Name, Kind: s.Kind, Audits: len(s.Inputs)}
		hs.Inputs = htmlTable{Class: "inputs", Header: []htmlCell{htmlText("audit", ""), htmlText("seed", "num"), htmlText("path", "")}}
		for _, k := range s.Inputs {
			if k < 0 || k >= len(doc.Inputs) {
				return nil, fmt.Errorf("reports: setting %q: input %d of %d", s.Name, k, len(doc.Inputs))
			}
			in := doc.Inputs[k]
			hs.Inputs.Rows = append(hs.Inputs.Rows, []htmlCell{htmlText(inputLabel(k), ""), htmlText(strconv.FormatUint(in.Seed, 10), "num"), htmlText(in.Path, "mono")})
		}
		if s.Audit != nil {
			if len(s.Inputs) > 0 {
				in := doc.Inputs[s.Inputs[0]]
				hs.AuditOf = fmt.Sprintf("%s (seed %d, %s)", inputLabel(s.Inputs[0]), in.Seed, in.Path)
			}
			ad := newDocument(s.Audit)
			for _, g := range ad.tables {
				hs.Audit = append(hs.Audit, gridTable(g, "audit"))
			}
			hs.AuditNotes = ad.notes
		}
		p.Settings = append(p.Settings, hs)
	}
	for _, g := range doc.Gates {
		if len(g.Failed) > 0 {
			p.GatesFailed++
		}
	}

	p.Glossary = glossary
	p.Estimators = estimatorTerms(c)
	p.Intervals = intervalTexts(c)
	p.Inputs, p.Hashes, p.SharedParams, p.VaryingParams = provenanceTables(doc.Inputs)
	return p, nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}

// inputLabel is how the page names input k (from 0): "#1", "#2", …
func inputLabel(k int) string { return "#" + strconv.Itoa(k+1) }

// validFigureID reports whether id is a figure id WriteHTML accepts.
func validFigureID(id string) bool {
	if id == "" {
		return false
	}
	for _, r := range id {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
		default:
			return false
		}
	}
	return true
}

// svgNamespaces are the namespace declarations of package plot's SVG
// root, implied for an <svg> element inside an HTML page.
var svgNamespaces = []string{
	`xmlns="http://www.w3.org/2000/svg"`,
	`xmlns:xlink="http://www.w3.org/1999/xlink"`,
}

// inlineSVG returns the SVG document b as markup to place inside an HTML
// page: without its XML prolog, leading comments and namespace
// declarations, with role="img" and a <title> (title, escaped) as the
// root's first child. It returns an error if b is not an SVG document (an
// <svg> root, after an optional prolog and comments, closed at its end) or
// holds a <script> or <foreignObject> element.
func inlineSVG(b []byte, title string) (template.HTML, error) {
	s := strings.TrimSpace(strings.TrimPrefix(string(b), "\uFEFF"))
	if strings.HasPrefix(s, "<?xml") {
		end := strings.Index(s, "?>")
		if end < 0 {
			return "", errors.New("not an SVG document: its XML prolog is not closed")
		}
		s = strings.TrimSpace(s[end+2:])
	}
	for strings.HasPrefix(s, "<!--") {
		end := strings.Index(s, "-->")
		if end < 0 {
			return "", errors.New("not an SVG document: a comment is not closed")
		}
		s = strings.TrimSpace(s[end+3:])
	}
	if !strings.HasPrefix(s, "<svg") || len(s) < 5 || !strings.ContainsRune(" \t\r\n>", rune(s[4])) {
		return "", fmt.Errorf("not an SVG document: it starts with %q", firstLine([]byte(s)))
	}
	if !strings.HasSuffix(s, "</svg>") {
		return "", errors.New("not an SVG document: it does not end with </svg>")
	}
	lower := strings.ToLower(s)
	for _, bad := range []string{"<script", "<foreignobject"} {
		if strings.Contains(lower, bad) {
			return "", fmt.Errorf("the SVG holds a %s> element", bad)
		}
	}
	end := tagEnd(s)
	if end < 0 {
		return "", errors.New("not an SVG document: its <svg> tag is not closed")
	}
	root := s[:end]
	for _, ns := range svgNamespaces {
		root = strings.Replace(root, ns, "", 1)
	}
	root = strings.TrimRight(root, " \t\r\n")
	var out strings.Builder
	out.WriteString(root)
	out.WriteString(` role="img">`)
	if title != "" {
		out.WriteString("<title>" + template.HTMLEscapeString(title) + "</title>")
	}
	out.WriteString(s[end+1:])
	return template.HTML(out.String()), nil
}

// tagEnd is the index in s of the '>' that closes the tag s starts with,
// skipping quoted attribute values; -1 if there is none.
func tagEnd(s string) int {
	var quote byte
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return i
		}
	}
	return -1
}

// firstLine is the first line of b, cut at 40 bytes.
func firstLine(b []byte) string {
	line, _, _ := bytes.Cut(b, []byte("\n"))
	if len(line) > 40 {
		line = append(line[:40:40], "…"...)
	}
	return string(line)
}

// glossary says what each metric means, in words.
var glossary = []htmlTerm{
	{"Linear probe accuracy (utility)",
		"How useful the embeddings Z are for the task: a multinomial logistic regression on standardised features (train statistics), its L2 strength chosen by 5-fold cross-validation, fitted on the train split and scored on the test split. Read it beside the majority-class baseline, the accuracy of always predicting the commonest class: a probe at the baseline has learnt nothing."},
	{"Attacker accuracy and majority baseline",
		"How well a fresh attacker recovers the protected attribute S from Z: a classifier trained after the fact on the train split, scored on the test split — the linear attacker is the probe above, the MLP attacker a one-hidden-layer network (256 ReLU units, early stopping). The majority baseline is the test share of the commonest value of S: what guessing achieves."},
	{"Attacker advantage",
		"(accuracy − majority) / (1 − majority): 0 means the attacker does no better than guessing the commonest value, 1 means it names every test row's value; below 0, worse than guessing. The comparison's leakage axis is the largest mean advantage of the attackers on the first protected attribute."},
	{"Attacker AUC",
		"The macro one-vs-rest ROC AUC of the attacker's scores, over the classes that have both positive and negative test rows: 0.5 is chance, 1 a perfect ranking."},
	{"Mutual information I(Z;S)",
		"How much Z tells about S, in nats (natural-log units), read against H(S), the plug-in entropy of S on the test rows: the most Z could reveal. Every estimate carries its bound type: a lower bound means the true MI is at least that large (up to sampling error), an upper bound at most that large (as far as its model fits), an estimate neither. The estimators of this report are listed below."},
	{"Re-identification: rank-1 and rank-5",
		"For attributes with many repeated values (identities): each test row is a probe, the train rows the gallery; the gallery identities are ranked by their best cosine similarity to the probe. Rank-1 is the share of probes whose identity comes first, rank-5 the share within the five best, beside the chance rate of a random ranking (the share of probes whose identity is in the gallery over the number of gallery identities). A probe whose identity is absent from the gallery counts as a miss."},
	{"Verification AUC and TPR at FPR = 1e-3",
		"Sampled pairs of test rows, half of one identity, scored by cosine similarity: the AUC is the probability that a same-identity pair scores above a different-identity pair (0.5 chance); TPR at FPR = 1e-3 is the share of same-identity pairs accepted at the threshold that accepts at most one different-identity pair in a thousand — the operating point of an attacker who must rarely be wrong. The ROC figures show the whole curve on a log FPR axis."},
	{"Fairness gaps",
		"Following fairlearn's definitions, on the utility probe's test predictions (or given predictions): the demographic parity difference is the largest minus the smallest selection rate (share predicted positive) over the groups, its ratio the smallest over the largest; the equalized odds difference is the larger of the TPR difference and the FPR difference between groups; the equal opportunity difference is the TPR difference. 0 is parity. A group without positive (negative) rows has an undefined TPR (FPR) and is left out, where fairlearn would count it as 0. A multiclass target is scored one class against the rest; its worst class is the one with the largest equalized odds difference."},
	{"Training adversary against fresh attackers",
		"A run's training adversary is the head the encoder was trained against; its column is the mean of its last logged estimates, with its bound type. The fresh attackers and MI estimators of the audit are trained afterwards on the final codes and never saw training. Minimising a lower bound does not make the MI low: an adversary that the encoder fooled ends near 0 while fresh attackers still recover S — a fooled adversary shows as that gap."},
	{"Pareto-optimal (*)",
		"A setting that no other setting dominates: none has a utility at least as high and a leakage at least as low, one of the two strictly. The frontier figures join these settings."},
}

// estimatorWords describes MI estimators by the start of their name.
var estimatorWords = []struct{ prefix, text string }{
	{"barber-agakov", "H(S) minus the attacker's cross-entropy on the test rows (its posterior mixed with a little uniform mass, so that values unseen in training count finitely): any attacker gives a valid lower bound, a better attacker a tighter one."},
	{"knn", "Ross (2014), the estimator behind scikit-learn's mutual_info_classif, applied to the whole embedding: a point estimate from k-nearest-neighbour distances, neither a lower nor an upper bound."},
	{"mine", "Donsker–Varadhan with MINE's moving-average gradient (Belghazi et al. 2018): a critic T(z, s) trained on the train rows, E_P[T] − log E_Q[e^T] on the test rows; a lower bound."},
	{"dv", "Donsker–Varadhan: E_P[T] − log E_Q[e^T] with a trained critic; a lower bound."},
	{"nwj", "Nguyen–Wainwright–Jordan (f-divergence): E_P[T] − E_Q[e^(T−1)] with a trained critic; a lower bound."},
	{"infonce", "InfoNCE: a contrastive lower bound that can never exceed log of its batch size, its ceiling: a value at the ceiling says only that the MI is at least that large."},
	{"smile", "SMILE (Song & Ermon 2020): Donsker–Varadhan with the partition term's critic clipped to [−τ, τ]; lower variance, but an estimate, not a bound."},
	{"club", "CLUB (Cheng et al. 2020) with a classifier q(s|z) (the MLP attacker): an upper-bound style estimate, an upper bound as far as q matches the true p(s|z)."},
}

// estimatorTerms describes each MI column of c: its estimator in words,
// its bound type, H(S) of its attribute and its ceiling.
func estimatorTerms(c *Comparison) []htmlTerm {
	var terms []htmlTerm
	for _, col := range c.Columns {
		if col.Section != sectionLeakage || !strings.HasPrefix(col.Measure, "I(Z;S)") {
			continue
		}
		text := ""
		for _, e := range estimatorWords {
			if strings.HasPrefix(col.Estimator, e.prefix) {
				text = e.text
				break
			}
		}
		if text == "" {
			text = "An MI estimate of this miaudit's audit."
		}
		text += " Bound type: " + boundWords(col.Bound) + "."
		for _, e := range c.Entropies {
			if e.Attribute == col.Attribute {
				h := fmtNum(e.Nats.Mean) + " nats"
				if e.Nats.SD > 0 {
					h = humanCell(e.Nats, e.Nats.N) + " nats over the audits"
				}
				text += fmt.Sprintf(" H(%s) = %s.", e.Attribute, h)
			}
		}
		if col.CeilingNats != nil {
			text += fmt.Sprintf(" Ceiling: %s nats.", fmtNum(*col.CeilingNats))
		}
		terms = append(terms, htmlTerm{Term: col.Name, Text: text})
	}
	return terms
}

// intervalTexts says what the comparison's confidence intervals cover.
func intervalTexts(c *Comparison) []string {
	iv := c.Intervals
	var ts []string
	switch {
	case len(iv.MixedLevels) > 0:
		var ls []string
		for _, l := range iv.MixedLevels {
			ls = append(ls, levelLabel(l))
		}
		ts = append(ts, fmt.Sprintf("No cell has a confidence interval: the audits' intervals have different levels (%s), which cannot be averaged.", strings.Join(ls, ", ")))
	case iv.Level > 0:
		s := fmt.Sprintf("Each audit's intervals are percentile bootstrap %ss over its test rows, with the fitted probes held fixed: they cover the sampling of the test set, not refitting the probes or retraining the encoder.", strings.TrimSuffix(levelLabel(iv.Level), " CI")+" interval")
		if iv.Covers != "" {
			s += " In the audits' own words: " + strings.TrimSuffix(iv.Covers, ".") + "."
		}
		ts = append(ts, s)
	default:
		ts = append(ts, "No cell has a confidence interval: the audits drew no bootstrap resamples.")
	}
	ts = append(ts,
		"A setting with one audit shows its value and, in brackets, that audit's own interval.",
		"A setting with several audits (seeds) shows the mean ± the sample standard deviation over its seeds — the spread that retraining with another seed brings — and in brackets the mean of the seeds' lower bounds and the mean of their upper bounds: the typical interval of one seed's audit, not an interval for the mean over seeds.",
		"Figures measured outside the audits (the training adversary's estimate) and H(S) have no interval.",
	)
	return ts
}

// provenanceTables lays out the inputs' provenance: one row per input
// (label, setting, kind, seed, versions, dataset, path); one row per
// input hash (label, what it hashes, SHA-256); the params every input has
// with one value (key, value); and the others, one row per key and one
// column per input ("—" where an input lacks the key).
func provenanceTables(inputs []HTMLInput) (list, hashes, shared, varying htmlTable) {
	list = htmlTable{Class: "provenance", Header: []htmlCell{
		htmlText("audit", ""), htmlText("setting", ""), htmlText("kind", ""), htmlText("seed", "num"),
		htmlText("miaudit\n(audit)", ""), htmlText("miaudit\n(training)", ""), htmlText("dataset", ""), htmlText("path", ""),
	}}
	hashes = htmlTable{Class: "hashes", Header: []htmlCell{htmlText("audit", ""), htmlText("of", ""), htmlText("SHA-256", "")}}
	var keys []string
	for k, in := range inputs {
		for _, h := range slices.Sorted(maps.Keys(in.SHA256)) {
			hashes.Rows = append(hashes.Rows, []htmlCell{htmlText(inputLabel(k), ""), htmlText(h, ""), htmlText(in.SHA256[h], "hash")})
		}
		run := in.RunVersion
		if run == "" {
			run = "—"
		}
		list.Rows = append(list.Rows, []htmlCell{
			htmlText(inputLabel(k), ""), htmlText(in.Setting, ""), htmlText(in.Kind, ""), htmlText(strconv.FormatUint(in.Seed, 10), "num"),
			htmlText(orUnknown(in.Version), ""), htmlText(run, ""), htmlText(in.Dataset, "mono"), htmlText(in.Path, "mono"),
		})
		for key := range in.Params {
			if !slices.Contains(keys, key) {
				keys = append(keys, key)
			}
		}
	}
	slices.Sort(keys)
	shared = htmlTable{Class: "params", Header: []htmlCell{htmlText("hyper-parameter", ""), htmlText("value (every audit)", "")}}
	varying = htmlTable{Class: "params", Header: []htmlCell{htmlText("hyper-parameter", "")}}
	for k := range inputs {
		varying.Header = append(varying.Header, htmlText(inputLabel(k), ""))
	}
	for _, key := range keys {
		v0, ok0 := inputs[0].Params[key]
		same := ok0
		for _, in := range inputs[1:] {
			if v, ok := in.Params[key]; !ok || v != v0 {
				same = false
				break
			}
		}
		if same {
			shared.Rows = append(shared.Rows, []htmlCell{htmlText(key, "mono"), htmlText(v0, "mono")})
			continue
		}
		row := []htmlCell{htmlText(key, "mono")}
		for _, in := range inputs {
			v, ok := in.Params[key]
			if !ok {
				v = "—"
			}
			row = append(row, htmlText(v, "mono"))
		}
		varying.Rows = append(varying.Rows, row)
	}
	return list, hashes, shared, varying
}
