package cli

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// browserTimeout bounds the whole browser test: start, load, checks,
// screenshot and PDF (about 3 s on the dev machine).
const browserTimeout = 60 * time.Second

// browserEnv makes the browser test a failure instead of a skip when
// Chromium is missing, so that CI cannot skip it silently.
const browserEnv = "MIAUDIT_BROWSER_TESTS"

// browserViewport is a laptop's screen.
const browserWidth, browserHeight = 1366, 768

// pageStats are the counts the browser test reads from the rendered page.
type pageStats struct {
	Tables          int      `json:"tables"`
	ComparisonRows  int      `json:"comparisonRows"`
	SVGs            int      `json:"svgs"`
	Figures         int      `json:"figures"`
	FigureTitles    []string `json:"figureTitles"`
	Captions        int      `json:"captions"`
	SmallFigures    []string `json:"smallFigures"`
	EmptyTexts      int      `json:"emptyTexts"`
	Settings        int      `json:"settings"`
	GlossaryTerms   int      `json:"glossaryTerms"`
	ProvenanceRows  int      `json:"provenanceRows"`
	CommandLine     string   `json:"commandLine"`
	Warning         string   `json:"warning"`
	Scripts         int      `json:"scripts"`
	ScrollWidth     int      `json:"scrollWidth"`
	InnerWidth      int      `json:"innerWidth"`
	HiddenSettings  int      `json:"hiddenSettings"`
	ComparisonTexts []string `json:"comparisonTexts"`
}

// pageStatsJS reads pageStats in the page.
const pageStatsJS = `(() => {
  const q = s => Array.from(document.querySelectorAll(s));
  const figs = q('figure.plot');
  return {
    tables: q('table').length,
    comparisonRows: q('table.comparison tbody tr').length,
    svgs: q('svg').length,
    figures: figs.length,
    figureTitles: figs.map(f => { const t = f.querySelector(':scope > svg > title'); return t ? t.textContent : ''; }),
    captions: figs.filter(f => f.querySelector('figcaption') && f.querySelector('figcaption').textContent.trim().length > 40).length,
    smallFigures: figs.filter(f => { const r = f.querySelector('svg').getBoundingClientRect(); return r.width < 300 || r.height < 150; }).map(f => f.id),
    emptyTexts: q('figure.plot svg text').filter(t => t.textContent.trim() !== '' && t.getBBox().width === 0).length,
    settings: q('details.setting').length,
    glossaryTerms: q('#glossary dt').length,
    provenanceRows: q('#reproducibility table.provenance tbody tr').length,
    commandLine: (q('#reproducibility dl.repro code')[1] || {textContent: ''}).textContent,
    warning: (document.querySelector('#warnings') || {textContent: ''}).textContent,
    scripts: document.scripts.length,
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    hiddenSettings: q('details.setting table.inputs').filter(t => !t.checkVisibility()).length,
    comparisonTexts: q('table.comparison tbody tr td:nth-child(2)').map(td => td.textContent),
  };
})()`

// TestReportBrowser opens the html report of a fixture (a sweep of runs
// with every figure, a plain result with markup in its name, mixed
// datasets, a gate) in headless Chromium: no console error, no request
// but the file itself, the expected tables, rows and figures rendered at
// a laptop's width without a horizontal scroll bar, the settings expanded
// when printed; it saves a full-page screenshot and a PDF.
func TestReportBrowser(t *testing.T) {
	exe, lookErr := exec.LookPath("chromium")
	if lookErr != nil {
		if v := os.Getenv(browserEnv); v != "" && v != "0" {
			t.Fatalf("%s=%s but chromium is not on PATH (%v): install it (Debian: apt-get install chromium)", browserEnv, v, lookErr)
		}
		t.Skipf("chromium not on PATH (Debian: apt-get install chromium); set %s=1 to fail instead of skipping", browserEnv)
	}

	dir := t.TempDir()
	sweep := filepath.Join(dir, "sweep")
	writeReportFigureSweep(t, sweep)
	res := reportFigureResult(5, reportFig{0.85, 0.8, 0.9}, reportFig{0.2, 0.15, 0.25})
	res.Input.Embeddings = "Z<script>alert(1)</script>.npy"
	plain := filepath.Join(dir, "plain.json")
	writeJSONFile(t, plain, res)
	out := filepath.Join(dir, "report.html")
	_, errOut, code := run(t, "report", plain, sweep, "--allow-mixed", "--out", out, "--fail-if", "utility.digit.accuracy < 0.5")
	if code != ExitOK {
		t.Fatalf("miaudit report: exit %d: %s", code, errOut)
	}
	inputs, err := LoadReportInputs([]string{plain, sweep})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := BuildReport(inputs, true, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	// Figures: two frontiers, fairness per setting, training curves per
	// setting of runs, one ROC (writer).
	wantFigures := 2 + len(rep.Groups) + (len(rep.Groups) - 1) + 1
	// Tables: the comparison; per setting its inputs, the first audit's
	// figures and its fairness by group; the gates; the provenance, the
	// input hashes, the shared and the differing hyper-parameters.
	wantTables := 1 + 3*len(rep.Groups) + 1 + 4

	pageURL := (&url.URL{Scheme: "file", Path: out}).String()
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(browserWidth, browserHeight),
	)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()
	// The first Run starts the browser; the timeout is on the allocator's
	// parent, so it ends the browser too.
	timer := time.AfterFunc(browserTimeout, cancelAlloc)
	defer timer.Stop()

	var (
		mu       sync.Mutex
		problems []string
		requests []string
	)
	if err := chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
				var args []string
				for _, a := range ev.Args {
					args = append(args, string(a.Value)+a.Description)
				}
				problems = append(problems, fmt.Sprintf("console.%s: %s", ev.Type, strings.Join(args, " ")))
			}
		case *runtime.EventExceptionThrown:
			problems = append(problems, fmt.Sprintf("exception: %s", ev.ExceptionDetails.Text))
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.EntryLevelError {
				problems = append(problems, fmt.Sprintf("log %s: %s (%s)", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL))
			}
		case *network.EventRequestWillBeSent:
			requests = append(requests, ev.Request.URL)
		case *page.EventJavascriptDialogOpening:
			problems = append(problems, "a dialog opened: "+ev.Message)
		}
	}); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	call := func(f func(ctx context.Context, t *chromedp.Target) error) chromedp.Action[chromedp.Void] {
		return chromedp.Func(f)
	}
	if err := chromedp.Do(ctx,
		call(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, network.Enable, network.EnableParams{})
			return err
		}),
		chromedp.Navigate(pageURL),
	); err != nil {
		t.Fatalf("open %s: %v", pageURL, err)
	}

	stats, err := chromedp.Run(ctx, chromedp.Evaluate[pageStats](pageStatsJS))
	if err != nil {
		t.Fatalf("read the page: %v", err)
	}
	if stats.ComparisonRows != len(rep.Groups) {
		t.Errorf("comparison rows %d, want %d (one per setting)", stats.ComparisonRows, len(rep.Groups))
	}
	for i, g := range rep.Groups {
		if i < len(stats.ComparisonTexts) && stats.ComparisonTexts[i] != g.Name {
			t.Errorf("comparison row %d is %q, want %q", i+1, stats.ComparisonTexts[i], g.Name)
		}
	}
	if stats.Tables != wantTables {
		t.Errorf("%d tables, want %d", stats.Tables, wantTables)
	}
	if stats.Figures != wantFigures || stats.SVGs != wantFigures || stats.Captions != wantFigures {
		t.Errorf("%d figures, %d SVGs, %d captions; want %d of each", stats.Figures, stats.SVGs, stats.Captions, wantFigures)
	}
	for i, title := range stats.FigureTitles {
		if title == "" {
			t.Errorf("figure %d has no <title>", i+1)
		}
	}
	if len(stats.SmallFigures) > 0 || stats.EmptyTexts > 0 {
		t.Errorf("figures rendered too small: %q; %d texts without width", stats.SmallFigures, stats.EmptyTexts)
	}
	if stats.Settings != len(rep.Groups) || stats.HiddenSettings != len(rep.Groups) {
		t.Errorf("%d settings sections, %d collapsed; want %d, all collapsed on screen", stats.Settings, stats.HiddenSettings, len(rep.Groups))
	}
	if stats.GlossaryTerms < 10 || stats.ProvenanceRows != len(rep.Inputs) {
		t.Errorf("%d glossary terms, %d provenance rows (want ≥ 10, %d)", stats.GlossaryTerms, stats.ProvenanceRows, len(rep.Inputs))
	}
	if !strings.HasPrefix(stats.CommandLine, "miaudit report "+plain+" "+sweep+" --allow-mixed") {
		t.Errorf("command line %q", stats.CommandLine)
	}
	if !strings.Contains(stats.Warning, "different datasets") {
		t.Errorf("warning block %q", stats.Warning)
	}
	if stats.Scripts != 0 {
		t.Errorf("%d scripts in the page", stats.Scripts)
	}
	if stats.ScrollWidth > stats.InnerWidth {
		t.Errorf("the page is %d px wide in a %d px window: it scrolls sideways", stats.ScrollWidth, stats.InnerWidth)
	}

	// The screenshot shows the settings' sections open.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('details').forEach(d => d.open = true), 0`)); err != nil {
		t.Fatalf("open the settings: %v", err)
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}

	// Printed, closed sections are expanded; the PDF is made.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('details').forEach(d => d.open = false), 0`)); err != nil {
		t.Fatalf("close the settings: %v", err)
	}
	var printed int
	err = chromedp.Do(ctx, call(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
		return err
	}))
	if err == nil {
		printed, err = chromedp.Run(ctx, chromedp.Evaluate[int](`Array.from(document.querySelectorAll('details.setting table.inputs')).filter(t => t.checkVisibility()).length`))
	}
	if err != nil {
		t.Fatalf("print media: %v", err)
	}
	if printed != len(rep.Groups) {
		t.Errorf("printed, %d of %d settings' sections are expanded", printed, len(rep.Groups))
	}
	pdf, err := chromedp.Run(ctx, chromedp.PrintToPDF(chromedp.PDFPrintBackground(), func(p *page.PrintToPDFParams) { p.PreferCSSPageSize = new(true) }))
	if err != nil {
		t.Fatalf("print to PDF: %v", err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) || len(pdf) < 10_000 {
		t.Errorf("the PDF has %d bytes and starts with %q", len(pdf), pdf[:min(len(pdf), 8)])
	}

	// The listener works: an error logged on purpose reaches it.
	const probe = "miaudit: the listener's check"
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[int]("console.error(\""+probe+"\"), 0")); err != nil {
		t.Fatalf("console probe: %v", err)
	}
	seen := func() bool {
		mu.Lock()
		defer mu.Unlock()
		return slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, probe) })
	}
	for deadline := time.Now().Add(5 * time.Second); !seen() && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	if !seen() {
		t.Errorf("the console listener missed a console.error call")
	}

	mu.Lock()
	defer mu.Unlock()
	for _, p := range problems {
		if !strings.Contains(p, probe) {
			t.Errorf("browser: %s", p)
		}
	}
	for _, r := range requests {
		if r != pageURL && !strings.HasPrefix(r, "data:") {
			t.Errorf("the page requested %s", r)
		}
	}
	if len(requests) == 0 {
		t.Errorf("no request seen: the network listener did not run")
	}

	shots := os.Getenv("MIAUDIT_SCREENSHOT_DIR")
	if shots == "" {
		shots = t.TempDir()
	}
	for name, b := range map[string][]byte{"report-browser.png": shot, "report-browser.pdf": pdf} {
		path := filepath.Join(shots, name)
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s (%d bytes)", path, len(b))
	}
}
