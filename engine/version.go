package engine

import "github.com/goperf/goperf/engine/version"

// Version is goperf's version.
const Version = version.Number

// versionString is the version as reports show it.
func versionString() string {
	return "goperf " + Version
}

// systemInfo describes the host like uname -a, for JSON reports.
func systemInfo() string { return version.System() }
