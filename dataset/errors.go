package dataset

import (
	"errors"
	"fmt"
)

// Sentinel errors that callers branch on with errors.Is. Every error that
// ReadEmbeddings, ReadLabels, Table.Column and Intersect return about the
// content of a file or a requested name matches exactly one of them; errors
// from the operating system (missing or unreadable file) match neither and
// are returned as the *fs.PathError that os produced, so
// errors.Is(err, fs.ErrNotExist) works.
var (
	// ErrFormat reports a file whose content is malformed or unsupported:
	// bad magic, unsupported dtype or shape, truncated data, ragged or
	// non-numeric CSV, NaN or ±Inf values, an empty table, duplicate
	// column names, an unsupported file extension.
	ErrFormat = errors.New("malformed or unsupported data")

	// ErrNotFound reports that a name the caller asked for — an array key
	// in an .npz archive or a column of a label table — does not exist,
	// or that no key was given where one is needed to choose. The message
	// lists the names that are available.
	ErrNotFound = errors.New("no such array or column")
)

// dataError is an error about a file's content. Its message starts with the
// file name; it matches kind (ErrFormat or ErrNotFound) and, if set, cause.
type dataError struct {
	msg   string
	kind  error
	cause error
}

func (e *dataError) Error() string { return e.msg }

func (e *dataError) Unwrap() []error {
	if e.cause == nil {
		return []error{e.kind}
	}
	return []error{e.kind, e.cause}
}

// newError returns a *dataError matching kind whose message is
// "name: " followed by the formatted text.
func newError(kind error, name, format string, args ...any) error {
	return &dataError{msg: name + ": " + fmt.Sprintf(format, args...), kind: kind}
}

// formatErrorf returns an error matching ErrFormat whose message is
// "name: " followed by the formatted text.
func formatErrorf(name, format string, args ...any) error {
	return newError(ErrFormat, name, format, args...)
}

// wrapFormat returns an error matching ErrFormat and cause whose message is
// "name: what: " followed by cause's message.
func wrapFormat(name, what string, cause error) error {
	return &dataError{msg: name + ": " + what + ": " + cause.Error(), kind: ErrFormat, cause: cause}
}
