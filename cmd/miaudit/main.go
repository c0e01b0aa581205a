// Command miaudit audits learned representations for leakage of protected
// attributes and trains representations that hide them. Run `miaudit help`.
package main

import (
	"os"

	"github.com/miaudit/miaudit/internal/cli"
	_ "github.com/miaudit/miaudit/internal/fastblas" // OpenBLAS under -tags openblas
)

func main() {
	os.Exit(cli.Main(os.Args[1:], cli.System()))
}
