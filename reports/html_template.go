package reports

import "html/template"

// htmlTemplate lays out an htmlPage. Everything it needs is inline: the
// style sheet below, the figures' SVG; it has no script and names no
// external resource.
var htmlTemplate = template.Must(template.New("page").Parse(htmlPageTemplate))

const htmlPageTemplate = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="generator" content="miaudit {{.Version}}">
<title>{{.Title}}</title>
<style>
:root { color-scheme: light; }
body { margin: 0; background: #fff; color: #1b1b1b; line-height: 1.45;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Liberation Sans", sans-serif; }
main { max-width: 96rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
p, ul.notes, dl.glossary dd, figcaption { max-width: 52rem; }
h1 { font-size: 1.7rem; margin: .6rem 0 .2rem; }
h2 { font-size: 1.3rem; margin: 2.4rem 0 .6rem; padding-bottom: .2rem; border-bottom: 1px solid #d0d4da; }
h3 { font-size: 1.05rem; margin: 1.4rem 0 .4rem; }
p.meta, span.meta { color: #555; font-size: .9rem; }
code, .mono, .hash { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: .82rem; }
.hash { word-break: break-all; }
.scroll { overflow-x: auto; max-width: 100%; margin: .4rem 0 .8rem; }
table { border-collapse: collapse; font-size: .84rem; }
caption { caption-side: top; text-align: left; font-weight: 600; padding: .2rem 0 .4rem; }
th, td { padding: .3rem .55rem; border-bottom: 1px solid #e3e6ea; text-align: left; vertical-align: top; }
thead th { background: #eef1f5; font-weight: 600; vertical-align: bottom; border-bottom: 2px solid #c9ced6; }
tbody tr:nth-child(even) { background: #f7f8fa; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; }
table.comparison td.name { font-weight: 600; white-space: nowrap; }
table.comparison td:first-child { text-align: center; color: #0072b2; font-weight: 700; }
ul.notes { font-size: .88rem; color: #333; padding-left: 1.2rem; }
ul.notes li { margin: .2rem 0; }
.warning { border: 2px solid #d55e00; background: #fff3ea; border-radius: 4px; padding: .4rem 1rem; margin: 1rem 0; }
nav.toc ul { list-style: none; padding: 0; margin: .6rem 0; display: flex; flex-wrap: wrap; gap: .3rem 1.2rem; font-size: .9rem; }
a { color: #0b5cad; }
div.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 36rem), 1fr)); gap: 1.2rem 2.5rem; align-items: start; }
figure.plot { margin: .8rem 0; min-width: 0; }
figure.plot.wide { grid-column: 1 / -1; }
figure.plot svg { display: block; max-width: 100%; height: auto; }
figcaption { font-size: .88rem; color: #333; margin-top: .3rem; }
details { border: 1px solid #d0d4da; border-radius: 4px; padding: .3rem .9rem; margin: .6rem 0; }
details[open] { padding-bottom: .8rem; }
summary { cursor: pointer; font-weight: 600; padding: .2rem 0; }
dl.glossary dt { font-weight: 600; margin-top: .7rem; }
dl.glossary dd { margin: .15rem 0 0 1.2rem; max-width: 52rem; }
dl.repro dt { font-weight: 600; margin-top: .4rem; }
dl.repro dd { margin: .1rem 0 0 1.2rem; }
.pass { color: #00734d; font-weight: 600; }
.fail { color: #b00020; font-weight: 700; }
footer { margin-top: 3rem; color: #666; font-size: .8rem; }
@page { size: A4 landscape; margin: 12mm; }
@media print {
  body { font-size: 9.5pt; }
  main { max-width: none; padding: 0; }
  nav.toc { display: none; }
  a { color: inherit; text-decoration: none; }
  .scroll { overflow: visible; }
  table { font-size: 7pt; }
  table.comparison { width: 100%; }
  td.num { white-space: normal; }
  thead { display: table-header-group; }
  tr, figure.plot, .warning, dl.glossary dd { break-inside: avoid; }
  h2, h3, caption { break-after: avoid; }
  h2 { break-before: auto; }
  div.figures { grid-template-columns: repeat(2, minmax(0, 1fr)); gap: .4rem 1.2rem; }
  details { border: none; padding: 0; }
  details::details-content { content-visibility: visible; display: block; }
  summary { list-style: none; cursor: auto; font-size: 1.05rem; }
  summary::-webkit-details-marker { display: none; }
}
</style>
</head>
<body>
<main>
<header>
<h1>{{.Title}}</h1>
<p class="meta">{{.Summary}} · written by miaudit {{.Version}}</p>
</header>
{{- if .Warnings}}
<div class="warning" id="warnings">
{{- range .Warnings}}
<p>{{.}}</p>
{{- end}}
</div>
{{- end}}
<nav class="toc"><ul>
<li><a href="#comparison">Comparison</a></li>
<li><a href="#figures">Figures</a></li>
<li><a href="#settings">Settings and their audits</a></li>
{{- if .Gates}}
<li><a href="#gates">Policy gates</a></li>
{{- end}}
<li><a href="#glossary">What the figures mean</a></li>
<li><a href="#reproducibility">Reproducibility</a></li>
</ul></nav>

<section id="comparison">
<h2>Comparison</h2>
<div class="scroll">
{{template "table" .Comparison}}
</div>
<ul class="notes">
{{- range .ComparisonNotes}}
<li>{{.}}</li>
{{- end}}
</ul>
</section>

<section id="figures">
<h2>Figures</h2>
{{- if .Figures}}
<div class="figures">
{{- range .Figures}}
<figure class="plot{{if .Wide}} wide{{end}}" id="fig-{{.ID}}">
{{.SVG}}
<figcaption><strong>{{.Title}}.</strong> {{.Caption}}</figcaption>
</figure>
{{- end}}
</div>
{{- else}}
<p>No figures.</p>
{{- end}}
{{- if .FigureNotes}}
<ul class="notes">
{{- range .FigureNotes}}
<li>{{.}}</li>
{{- end}}
</ul>
{{- end}}
</section>

<section id="settings">
<h2>Settings and their audits</h2>
{{- range .Settings}}
<details class="setting" id="{{.Anchor}}">
<summary>{{.Name}} <span class="meta">({{.Kind}}, {{.Audits}} audit{{if ne .Audits 1}}s{{end}})</span></summary>
<div class="scroll">
{{template "table" .Inputs}}
</div>
{{- if .Audit}}
<h3>The audit of {{.AuditOf}}</h3>
{{- range .Audit}}
<div class="scroll">
{{template "table" .}}
</div>
{{- end}}
<ul class="notes">
{{- range .AuditNotes}}
<li>{{.}}</li>
{{- end}}
</ul>
{{- end}}
</details>
{{- end}}
</section>
{{- if .Gates}}

<section id="gates">
<h2>Policy gates</h2>
<p>{{if .GatesFailed}}<span class="fail">{{.GatesFailed}} of {{len .Gates}} rule(s) failed.</span>{{else}}<span class="pass">Every rule passed.</span>{{end}} A rule states a failing condition; it is checked against every audit.</p>
<div class="scroll">
<table class="gates">
<thead><tr><th scope="col">rule</th><th scope="col" class="num">audits</th><th scope="col">result</th><th scope="col">violations</th></tr></thead>
<tbody>
{{- range .Gates}}
<tr><td class="mono">{{.Rule}}</td><td class="num">{{.Audits}}</td>{{if .Failed}}<td class="fail">fail</td><td>{{range $i, $f := .Failed}}{{if $i}}<br>{{end}}{{$f}}{{end}}</td>{{else}}<td class="pass">pass</td><td>—</td>{{end}}</tr>
{{- end}}
</tbody>
</table>
</div>
</section>
{{- end}}

<section id="glossary">
<h2>What the figures mean</h2>
<dl class="glossary">
{{- range .Glossary}}
<dt>{{.Term}}</dt>
<dd>{{.Text}}</dd>
{{- end}}
</dl>
{{- if .Estimators}}
<h3>The MI estimates of this report</h3>
<dl class="glossary">
{{- range .Estimators}}
<dt>{{.Term}}</dt>
<dd>{{.Text}}</dd>
{{- end}}
</dl>
{{- end}}
<h3 id="intervals">What the confidence intervals cover</h3>
{{- range .Intervals}}
<p>{{.}}</p>
{{- end}}
</section>

<section id="reproducibility">
<h2>Reproducibility</h2>
<dl class="repro">
<dt>miaudit version of this report</dt><dd><code>{{.Version}}</code></dd>
<dt>Command line</dt><dd><code>{{.CommandLine}}</code></dd>
</dl>
<h3>Audits: versions and seeds</h3>
<div class="scroll">
{{template "table" .Inputs}}
</div>
<h3>Input SHA-256s</h3>
{{- if .Hashes.Rows}}
<div class="scroll">
{{template "table" .Hashes}}
</div>
{{- else}}
<p>None recorded.</p>
{{- end}}
<h3>Hyper-parameters shared by every audit</h3>
{{- if .SharedParams.Rows}}
<div class="scroll">
{{template "table" .SharedParams}}
</div>
{{- else}}
<p>None.</p>
{{- end}}
{{- if .VaryingParams.Rows}}
<h3>Hyper-parameters that differ between audits</h3>
<div class="scroll">
{{template "table" .VaryingParams}}
</div>
{{- end}}
</section>
<footer>Written by miaudit {{.Version}}: one self-contained file, no script, nothing fetched.</footer>
</main>
</body>
</html>
{{define "table"}}<table class="{{.Class}}">
{{- if .Title}}
<caption>{{.Title}}</caption>
{{- end}}
<thead><tr>{{range .Header}}<th scope="col"{{if .Class}} class="{{.Class}}"{{end}}>{{template "lines" .Lines}}</th>{{end}}</tr></thead>
<tbody>
{{- range .Rows}}
<tr>{{range .}}<td{{if .Class}} class="{{.Class}}"{{end}}{{if .Tip}} title="{{.Tip}}"{{end}}>{{template "lines" .Lines}}</td>{{end}}</tr>
{{- end}}
</tbody>
</table>{{end}}
{{- define "lines"}}{{range $i, $l := .}}{{if $i}}<br>{{end}}{{$l}}{{end}}{{end}}`
