package cmdline

import (
	"io"

	"github.com/alecthomas/kong"
)

// Command names a command for kong: its name, one line on what it does,
// and its version line.
type Command struct {
	Name, Description, Version string
}

// Parse fills grammar, a kong flag struct, from args. When the line asked
// for --help or --version, Parse has printed it and returns done with the
// status to exit with; otherwise a line that cannot be read is err.
func Parse(grammar any, c Command, args []string, stdout, stderr io.Writer) (status int, done bool, err error) {
	status = -1
	parser, err := kong.New(grammar,
		kong.Name(c.Name),
		kong.Description(c.Description),
		kong.Vars{"version": c.Version},
		kong.Writers(stdout, stderr),
		kong.Exit(func(code int) { status = code }),
		// As getopt does for iperf3: a flag that takes a value takes the
		// next word, so "-t -1" is a negative duration, refused as such,
		// not a second flag.
		kong.WithHyphenPrefixedParameters(true),
	)
	if err != nil {
		return 0, false, err
	}
	_, err = parser.Parse(args)
	if status >= 0 {
		return status, true, nil
	}
	return 0, false, err
}
