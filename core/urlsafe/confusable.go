package urlsafe

import (
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/net/idna"
)

// Look-alike hosts. hooks.zаpier.com with a Cyrillic "а" is a different
// host from hooks.zapier.com that no one can tell apart on screen, so
// evidence meant for Zapier could go to whoever registered the look-alike.
// A host is a look-alike when one of its labels
//
//   - mixes scripts: Latin, Cyrillic, Greek or Armenian letters next to
//     letters of another script (Latin next to Han, Hiragana, Katakana or
//     Hangul is how Japanese and Korean names are written, and is not), or
//   - is written wholly in Cyrillic, Greek or Armenian letters that all
//     look like Latin ones ("раураl" in Cyrillic reads as "paypal").
//
// This is the mixed-script and whole-script test of Unicode TS #39 cut down
// to what matters for host names typed by operators, with a table of the
// common Latin look-alikes from Cyrillic, Greek and Armenian (latinLookAlike)
// rather than the full confusables data: golang.org/x/text has no
// confusables table.

// latinLookAlike maps lowercase letters of other scripts to the Latin
// letter they pass for in host names.
var latinLookAlike = map[rune]rune{
	// Cyrillic
	'а': 'a', 'е': 'e', 'і': 'i', 'ј': 'j', 'к': 'k', 'о': 'o', 'р': 'p', 'с': 'c', 'у': 'y',
	'х': 'x', 'ѕ': 's', 'һ': 'h', 'ԁ': 'd', 'ԛ': 'q', 'ԝ': 'w', 'ӏ': 'l', 'ь': 'b', 'ү': 'y',
	// Greek
	'α': 'a', 'β': 'b', 'γ': 'y', 'ε': 'e', 'ι': 'i', 'κ': 'k', 'ν': 'v', 'ο': 'o', 'ρ': 'p', 'τ': 't',
	'υ': 'u', 'χ': 'x', 'ω': 'w',
	// Armenian
	'օ': 'o', 'ս': 'u', 'հ': 'h', 'ո': 'n', 'ց': 'g', 'զ': 'q',
}

// confusableScripts are the scripts whose letters pass for Latin ones.
var confusableScripts = []struct {
	name  string
	table *unicode.RangeTable
}{
	{"Cyrillic", unicode.Cyrillic}, {"Greek", unicode.Greek}, {"Armenian", unicode.Armenian},
}

// cjkScripts may stand next to Latin in one label.
var cjkScripts = []*unicode.RangeTable{unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul}

// LookAlikeHost returns why host could pass for another host name, naming
// the host in its xn-- form, what it looks like and the letters at fault,
// or "" when it could not. host is a host name as typed or in its xn--
// form; IP literals and plain ASCII names are never look-alikes.
func LookAlikeHost(host string) string {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if isASCII(host) && !strings.Contains(host, "xn--") {
		return ""
	}
	labels := strings.Split(host, ".")
	reads := make([]string, len(labels))
	why := ""
	for i, l := range labels {
		if strings.HasPrefix(l, "xn--") {
			if u, err := idna.Punycode.ToUnicode(l); err == nil {
				l = u
			}
		}
		reads[i] = skeleton(l)
		if why == "" {
			why = labelWhy(l)
		}
	}
	if why == "" {
		return ""
	}
	shown := host
	if a, err := idna.Lookup.ToASCII(host); err == nil {
		shown = a
	}
	return fmt.Sprintf("%s looks like %s: %s", shown, strings.Join(reads, "."), why)
}

// labelWhy says what makes label l a look-alike, naming the letters of
// other scripts by code point, or "".
func labelWhy(l string) string {
	var confusable, latin, cjk, other bool
	script := ""
	allLookAlike := true
	letters := 0
	var odd []string // the letters that are not Latin, as U+XXXX
	for _, r := range l {
		if !unicode.IsLetter(r) {
			continue
		}
		letters++
		if _, ok := latinLookAlike[r]; !ok {
			allLookAlike = false
		}
		switch {
		case unicode.Is(unicode.Latin, r):
			latin = true
			continue
		case inAnyScript(r, cjkScripts):
			cjk = true
			continue
		}
		if len(odd) < 4 {
			odd = append(odd, fmt.Sprintf("%c U+%04X", r, r))
		}
		found := false
		for _, s := range confusableScripts {
			if unicode.Is(s.table, r) {
				if script != "" && script != s.name {
					other = true // two confusable scripts
				}
				script, confusable, found = s.name, true, true
			}
		}
		if !found {
			other = true
		}
	}
	letterList := strings.Join(odd, ", ")
	switch {
	case confusable && (latin || cjk || other):
		return fmt.Sprintf("the label %q mixes %s letters (%s) with letters of another script", l, script, letterList)
	case latin && other:
		return fmt.Sprintf("the label %q mixes Latin letters with letters of another script (%s)", l, letterList)
	case confusable && allLookAlike && letters > 0:
		return fmt.Sprintf("the label %q is written in %s letters that look like Latin ones (%s)", l, script, letterList)
	}
	return ""
}

func inAnyScript(r rune, tables []*unicode.RangeTable) bool {
	for _, t := range tables {
		if unicode.Is(t, r) {
			return true
		}
	}
	return false
}

// skeleton is l with every look-alike letter replaced by the Latin letter
// it passes for.
func skeleton(l string) string {
	return strings.Map(func(r rune) rune {
		if lat, ok := latinLookAlike[r]; ok {
			return lat
		}
		return r
	}, l)
}
