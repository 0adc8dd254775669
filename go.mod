module github.com/goperf/goperf

go 1.26.0

require (
	github.com/alecthomas/kong v1.17.0
	golang.org/x/sys v0.50.0
)

require go.uber.org/goleak v1.3.0
