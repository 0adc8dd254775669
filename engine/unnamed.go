package engine

// unnamedCaps bound the connections that have not sent their cookie: each
// costs a goroutine and a descriptor for at most the control timeout, and
// beyond the caps the next are closed as they come, so a flood of silent
// connections costs the server a bounded amount and never its descriptors.
type unnamedCaps struct {
	perHost int // from one host
	total   int // from all hosts
}

// A client opens its data connections back to back and sends each its
// cookie at once, but the server's goroutines may not have read any
// cookie before all have arrived: a test of MaxStreams in each direction
// holds 2*MaxStreams+1 at once. One host may hold two such tests (two
// users behind one address), and all hosts together a quarter of the
// descriptors the process may open, within minTotal and maxTotal.
const (
	unnamedPerHost = 2 * (2*MaxStreams + 1)
	minTotal       = unnamedPerHost
	maxTotal       = 8 * unnamedPerHost
)

// defaultUnnamedCaps sizes the caps from the descriptor limit, which the
// Go runtime raises to the hard limit at start.
func defaultUnnamedCaps() unnamedCaps {
	total := maxTotal
	if n, ok := fileLimit(); ok {
		total = min(max(n/4, minTotal), maxTotal)
	}
	return unnamedCaps{perHost: min(unnamedPerHost, total), total: total}
}
