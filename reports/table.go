package reports

import (
	"bytes"
	"fmt"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
)

// writeTable renders d for a terminal: each grid as a tablewriter table with
// its title above it, then the notes as a list.
//
// Column widths follow tablewriter's measure of the text, which for the
// East-Asian-ambiguous characters used here (—, ×, −) depends on the locale
// it detects; tests pin it.
func writeTable(buf *bytes.Buffer, d document) error {
	fmt.Fprintf(buf, "%s\n", d.title)
	for _, g := range d.tables {
		fmt.Fprintf(buf, "\n%s\n", g.title)
		align := make(tw.Alignment, len(g.header))
		for i := range align {
			align[i] = tw.AlignLeft
			if i < len(g.numeric) && g.numeric[i] {
				align[i] = tw.AlignRight
			}
		}
		t := tablewriter.NewTable(buf,
			tablewriter.WithHeaderAutoFormat(tw.Off),
			tablewriter.WithHeaderAlignmentConfig(tw.CellAlignment{PerColumn: align}),
			tablewriter.WithRowAlignmentConfig(tw.CellAlignment{PerColumn: align}),
			tablewriter.WithRowAutoWrap(tw.WrapNormal),
		)
		widths := tw.NewMapper[int, int]()
		for i, w := range g.maxWidths {
			if w > 0 {
				widths.Set(i, w)
			}
		}
		t.Configure(func(cfg *tablewriter.Config) { cfg.Row.ColMaxWidths.PerColumn = widths })
		t.Header(g.header)
		if err := t.Bulk(g.rows); err != nil {
			return err
		}
		if err := t.Render(); err != nil {
			return err
		}
	}
	buf.WriteString("\nNotes\n")
	for _, n := range d.notes {
		fmt.Fprintf(buf, "- %s\n", n)
	}
	return nil
}
