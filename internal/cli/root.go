// Package cli holds miaudit's cobra commands: flag parsing, options and IO
// streams. The maths lives in the library packages; nothing here computes a
// figure.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

// Exit codes, mapped from errors in exactly one place (Main).
const (
	ExitOK    = 0
	ExitData  = 1 // bad data, failed computation
	ExitUsage = 2 // bad flags or arguments
	ExitGate  = 3 // a --fail-if policy gate was violated
)

// IOStreams are the streams a command reads and writes: results go to Out,
// progress and warnings to ErrOut, so that piping --format json stays clean.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
}

// System returns the process's standard streams.
func System() *IOStreams {
	return &IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}
}

// UsageError is a problem with the command line: a bad flag value, a missing
// flag, an unknown column named by a flag. It exits with ExitUsage.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

func usageErrorf(format string, a ...any) error {
	return &UsageError{Err: fmt.Errorf(format, a...)}
}

// NewRootCmd builds the command tree.
func NewRootCmd(ios *IOStreams) *cobra.Command {
	root := &cobra.Command{
		Use:   "miaudit",
		Short: "Audit embeddings for leakage of protected attributes",
		Long: `miaudit audits learned representations: how useful embeddings are for a
task, how much they leak a protected attribute (fresh attackers, mutual
information bounds, re-identification) and how fair a probe on them is, each
figure with a bootstrap confidence interval.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(ios.Out)
	root.SetErr(ios.ErrOut)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &UsageError{Err: err} })
	root.AddCommand(NewCmdVersion(ios))
	root.AddCommand(NewCmdAudit(ios, nil))
	root.AddCommand(NewCmdSelftest(ios, nil))
	root.AddCommand(NewCmdData(ios, nil))
	root.AddCommand(NewCmdTrain(ios, nil))
	root.AddCommand(NewCmdEmbed(ios, nil))
	root.AddCommand(NewCmdSweep(ios, nil))
	root.AddCommand(NewCmdReport(ios, nil))
	return root
}

// Main runs the command line args and returns the process exit code. Ctrl-C
// cancels the command's context; long work stops cleanly.
func Main(args []string, ios *IOStreams) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return MainContext(ctx, args, ios)
}

// MainContext is Main with the context the command runs under.
func MainContext(ctx context.Context, args []string, ios *IOStreams) int {
	root := NewRootCmd(ios)
	root.SetArgs(args)
	ctx = withCommandLine(ctx, args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	if _, ok := err.(*interruptedError); !ok {
		fmt.Fprintf(ios.ErrOut, "miaudit: %v\n", err)
	}
	return exitCode(err)
}

func exitCode(err error) int {
	var ue *UsageError
	var ge *GateError
	var ie *interruptedError
	switch {
	case errors.As(err, &ie):
		return ExitInterrupted
	case errors.As(err, &ge):
		return ExitGate
	case errors.As(err, &ue), isCobraUsage(err):
		return ExitUsage
	default:
		return ExitData
	}
}

// GateError reports violated --fail-if policy gates.
type GateError struct{ Failed []string }

func (e *GateError) Error() string {
	return fmt.Sprintf("%d policy gate(s) failed", len(e.Failed))
}
