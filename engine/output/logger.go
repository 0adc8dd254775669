package output

// Logger receives diagnostics: a server's per-client problems, a client's
// warnings. Reports go to the io.Writer of Output instead. A nil function
// discards its messages.
type Logger struct {
	Errorf   func(format string, args ...any) // something went wrong; one line each
	Verbosef func(format string, args ...any) // detail for -V
}

// Error logs a problem through Errorf, if set.
func (l Logger) Error(format string, args ...any) {
	if l.Errorf != nil {
		l.Errorf(format, args...)
	}
}

// Verbose logs detail through Verbosef, if set.
func (l Logger) Verbose(format string, args ...any) {
	if l.Verbosef != nil {
		l.Verbosef(format, args...)
	}
}
