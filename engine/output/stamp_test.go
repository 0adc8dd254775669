package output

import (
	"bytes"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestStrftime holds Strftime against the C library's, through date(1)
// in the C locale and UTC, at times that exercise padding (single-digit
// days and hours, the morning and the afternoon).
func TestStrftime(t *testing.T) {
	if _, err := exec.LookPath("date"); err != nil {
		t.Skip("no date(1) to compare with")
	}
	const format = "%a|%A|%b|%B|%c|%d|%D|%e|%F|%H|%I|%j|%k|%l|%m|%M|%p|%r|%R|%s|%S|%T|%u|%w|%y|%Y|%z|%Z|%%"
	for _, sec := range []int64{1764633600 + 3*3600 + 4*60 + 5, 1767225599, 1709251200 + 13*3600} {
		at := time.Unix(sec, 0).UTC()
		cmd := exec.Command("date", "-u", "-d", "@"+itoa(sec), "+"+format)
		cmd.Env = []string{"LC_ALL=C", "TZ=UTC"}
		want, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		if got := Strftime(format, at); got != strings.TrimSuffix(string(want), "\n") {
			t.Errorf("%v:\n got %s\nwant %s", at, got, want)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestStamped puts the stamp where each line starts, across writes that
// split and join lines.
func TestStamped(t *testing.T) {
	var out bytes.Buffer
	n := 0
	now := func() time.Time { n++; return time.Unix(int64(n), 0).UTC() }
	w := Stamped(&out, "%s> ", now)
	for _, s := range []string{"one\ntw", "o\n", "\n", "three\nfour\n"} {
		if k, err := w.Write([]byte(s)); err != nil || k != len(s) {
			t.Fatalf("write %q: %d, %v", s, k, err)
		}
	}
	if want := "1> one\n2> two\n3> \n4> three\n5> four\n"; out.String() != want {
		t.Errorf("got %q, want %q", out.String(), want)
	}
}
