package reports

import (
	"bytes"
	"strings"
)

// mdEscaper backslash-escapes the characters that would end a table cell
// (|) or start inline markup (` * _ < > and the backslash itself).
var mdEscaper = strings.NewReplacer(
	`\`, `\\`,
	"|", `\|`,
	"`", "\\`",
	"*", `\*`,
	"_", `\_`,
	"<", `\<`,
	">", `\>`,
	"\r\n", " ",
	"\n", " ",
	"\r", " ",
)

func mdEscape(s string) string { return mdEscaper.Replace(s) }

// writeMarkdown renders d as GitHub-flavoured Markdown: a level-1 heading,
// a level-2 heading and a pipe table per grid (numeric columns
// right-aligned), and the notes as a list.
func writeMarkdown(buf *bytes.Buffer, d document) {
	buf.WriteString("# " + mdEscape(d.title) + "\n")
	for _, g := range d.tables {
		buf.WriteString("\n## " + mdEscape(g.title) + "\n\n")
		mdRow(buf, g.header)
		buf.WriteString("|")
		for i := range g.header {
			if i < len(g.numeric) && g.numeric[i] {
				buf.WriteString(" ---: |")
			} else {
				buf.WriteString(" --- |")
			}
		}
		buf.WriteString("\n")
		for _, row := range g.rows {
			mdRow(buf, row)
		}
	}
	buf.WriteString("\n## Notes\n\n")
	for _, n := range d.notes {
		buf.WriteString("- " + mdEscape(n) + "\n")
	}
}

func mdRow(buf *bytes.Buffer, cells []string) {
	buf.WriteString("|")
	for _, c := range cells {
		buf.WriteString(" " + mdEscape(c) + " |")
	}
	buf.WriteString("\n")
}
