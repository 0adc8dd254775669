package output

import (
	"strconv"
	"strings"
	"time"
)

// Strftime formats t as C's strftime does in the C locale, for iperf3's
// --timestamps formats: %a %A %b %B %c %d %D %e %F %H %I %j %k %l %m %M
// %n %p %r %R %s %S %t %T %u %w %y %Y %z %Z %%. Other conversions are
// written as they are.
func Strftime(format string, t time.Time) string {
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		if format[i] != '%' || i+1 == len(format) {
			b.WriteByte(format[i])
			continue
		}
		i++
		if s, ok := conversion(format[i], t); ok {
			b.WriteString(s)
		} else {
			b.WriteByte('%')
			b.WriteByte(format[i])
		}
	}
	return b.String()
}

// conversion is one strftime conversion of t.
func conversion(c byte, t time.Time) (string, bool) {
	pad2 := func(n int) string { return two(n, '0') }
	switch c {
	case 'a':
		return t.Format("Mon"), true
	case 'A':
		return t.Format("Monday"), true
	case 'b', 'h':
		return t.Format("Jan"), true
	case 'B':
		return t.Format("January"), true
	case 'c':
		return t.Format("Mon Jan _2 15:04:05 2006"), true
	case 'd':
		return pad2(t.Day()), true
	case 'D':
		return t.Format("01/02/06"), true
	case 'e':
		return two(t.Day(), ' '), true
	case 'F':
		return t.Format("2006-01-02"), true
	case 'H':
		return pad2(t.Hour()), true
	case 'I':
		return pad2((t.Hour()+11)%12 + 1), true
	case 'j':
		return t.Format("002"), true
	case 'k':
		return two(t.Hour(), ' '), true
	case 'l':
		return two((t.Hour()+11)%12+1, ' '), true
	case 'm':
		return pad2(int(t.Month())), true
	case 'M':
		return pad2(t.Minute()), true
	case 'n':
		return "\n", true
	case 'p':
		return t.Format("PM"), true
	case 'r':
		return t.Format("03:04:05 PM"), true
	case 'R':
		return t.Format("15:04"), true
	case 's':
		return strconv.FormatInt(t.Unix(), 10), true
	case 'S':
		return pad2(t.Second()), true
	case 't':
		return "\t", true
	case 'T':
		return t.Format("15:04:05"), true
	case 'u':
		return strconv.Itoa((int(t.Weekday())+6)%7 + 1), true
	case 'w':
		return strconv.Itoa(int(t.Weekday())), true
	case 'y':
		return pad2(t.Year() % 100), true
	case 'Y':
		return strconv.Itoa(t.Year()), true
	case 'z':
		return t.Format("-0700"), true
	case 'Z':
		return t.Format("MST"), true
	case '%':
		return "%", true
	}
	return "", false
}

// two writes n, 0 to 99, in two places, padded with pad.
func two(n int, pad byte) string {
	if n < 10 {
		return string([]byte{pad, byte('0' + n)})
	}
	return strconv.Itoa(n)
}
