package redisstore

import (
	"fmt"

	"github.com/ghjobs/ghjobs/wrapper"
)

// errPrefix begins every error text of the package, once.
const errPrefix = "ghjobs: redisstore: "

// errorf returns an error whose text is errPrefix and the format's; %w wraps as fmt.Errorf does.
func errorf(format string, args ...any) error {
	return fmt.Errorf(errPrefix+format, args...)
}

// inputError is a mistake in the Store's setup: errors.Is(err, wrapper.ErrInvalidInput)
// matches it, and its text starts "ghjobs: redisstore: " (not ErrInvalidInput's own text, so
// that "ghjobs: " comes once).
type inputError struct{ msg string }

func (e *inputError) Error() string { return errPrefix + e.msg }
func (e *inputError) Unwrap() error { return wrapper.ErrInvalidInput }

// invalid returns an inputError with the format's text.
func invalid(format string, args ...any) error {
	return &inputError{fmt.Sprintf(format, args...)}
}
