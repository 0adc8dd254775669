module github.com/goperf/goperf

go 1.26.0

require (
	github.com/alecthomas/kong v1.17.0
	golang.org/x/sys v0.50.0
)

require (
	github.com/google/pprof v0.0.0-20261105003125-4bf881d7fb0b
	github.com/montanaflynn/stats v0.14.0
	go.uber.org/goleak v1.3.0
)

require golang.org/x/term v0.48.0
