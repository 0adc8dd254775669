// Package cmdline reads goperf's and goecho's command lines the same way:
// kong fills a command's flag struct, --help and --version print to the
// command's own writers and end the command with a status instead of
// exiting the process, so that the commands run whole inside tests.
//
// Only the commands import it; it imports kong and nothing of goperf.
package cmdline
