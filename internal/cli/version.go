package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/miaudit/miaudit/internal/fastblas"
)

// Version is miaudit's version, set at link time with
// -ldflags "-X github.com/miaudit/miaudit/internal/cli.Version=v1.2.3";
// otherwise taken from the module's build information.
var Version = ""

// version returns the version string recorded in results.
func version() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// NewCmdVersion builds `miaudit version`.
func NewCmdVersion(ios *IOStreams) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print miaudit's version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintf(ios.Out, "miaudit %s (%s, %s/%s, linear algebra: %s)\n", version(), runtime.Version(), runtime.GOOS, runtime.GOARCH, fastblas.Name())
			return err
		},
	}
}
