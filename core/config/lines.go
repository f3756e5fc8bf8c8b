package config

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// keyLines maps every key of a TOML document to the line (from 1) it is
// written on. Paths join keys with "." and number the elements of arrays
// with "[i]", so the second [[target]]'s secret_file is
// "target[1].signing.secret_file".
//
// BurntSushi/toml keeps key positions private, and keeps one position per
// key path without the array index, so every [[target]] would report the
// line of the last one. This scanner fills that gap. It runs only on input
// the library has already parsed, so it may be lenient; on any input it
// ends, never panics, and at worst leaves a key out (callers then fall back
// to the enclosing table's line).
func keyLines(data []byte) map[string]int {
	lines, _ := scanLines(data)
	return lines
}

// scanLines is keyLines that also reports the first line (0 for none) where
// keys or values nest deeper than maxDepth. The scan stops there: no file
// of ours nests deeper than four, and the TOML parser's time grows with the
// square of a key's depth, so such input is refused before it is parsed.
func scanLines(data []byte) (lines map[string]int, tooDeep int) {
	s := &lineScanner{src: data, line: 1, out: map[string]int{}, arrays: map[string]int{}}
	s.document()
	return s.out, s.tooDeep
}

// maxDepth bounds the nesting of arrays and inline tables, and the number
// of parts of a key path.
const maxDepth = 32

type lineScanner struct {
	src    []byte
	i      int
	line   int
	out    map[string]int
	arrays map[string]int // elements seen so far of each [[array]] path
	// tooDeep is the line where nesting first passed maxDepth; 0 if never.
	tooDeep int
}

// deep records that nesting passed maxDepth at the current line and ends
// the scan.
func (s *lineScanner) deep() {
	if s.tooDeep == 0 {
		s.tooDeep = s.line
	}
	s.i = len(s.src)
}

func (s *lineScanner) eof() bool { return s.i >= len(s.src) }

func (s *lineScanner) peek() byte {
	if s.eof() {
		return 0
	}
	return s.src[s.i]
}

func (s *lineScanner) has(prefix string) bool {
	return strings.HasPrefix(string(s.src[s.i:min(len(s.src), s.i+len(prefix))]), prefix)
}

// advance moves past one byte, counting lines.
func (s *lineScanner) advance() {
	if s.eof() {
		return
	}
	if s.src[s.i] == '\n' {
		s.line++
	}
	s.i++
}

func (s *lineScanner) record(path string, line int) {
	if path == "" || s.tooDeep > 0 {
		return
	}
	if strings.Count(path, ".")+strings.Count(path, "[") >= 2*maxDepth {
		s.deep()
		return
	}
	if _, ok := s.out[path]; !ok {
		s.out[path] = line
	}
}

// spaces skips blanks on the current line.
func (s *lineScanner) spaces() {
	for !s.eof() && (s.peek() == ' ' || s.peek() == '\t') {
		s.i++
	}
}

// blank skips blanks, newlines and comments.
func (s *lineScanner) blank() {
	for !s.eof() {
		switch s.peek() {
		case ' ', '\t', '\r', '\n':
			s.advance()
		case '#':
			s.toEOL()
		default:
			return
		}
	}
}

// toEOL skips to the end of the line, leaving the newline.
func (s *lineScanner) toEOL() {
	for !s.eof() && s.peek() != '\n' {
		s.i++
	}
}

// document reads table headers and key/value lines at the top level.
func (s *lineScanner) document() {
	table := ""
	for {
		s.blank()
		if s.eof() {
			return
		}
		start := s.i
		line := s.line
		if s.peek() == '[' {
			array := s.has("[[")
			if array {
				s.i += 2
			} else {
				s.i++
			}
			keys := s.key()
			table = s.resolve(keys, array)
			s.record(table, line)
			s.toEOL()
		} else {
			keys := s.key()
			if len(keys) > 0 {
				s.recordKey(table, keys, line)
				s.spaces()
				if s.peek() == '=' {
					s.i++
					s.spaces()
					s.value(join(table, keys...), 0)
				}
			}
			s.toEOL()
		}
		if s.i == start {
			s.advance()
		}
	}
}

// recordKey records a (possibly dotted) key under table, with the
// intermediate tables a dotted key defines.
func (s *lineScanner) recordKey(table string, keys []string, line int) {
	p := table
	for _, k := range keys {
		p = join(p, k)
		s.record(p, line)
	}
}

// resolve turns a header's keys into a path: a key that names an array of
// tables refers to its latest element, and a [[header]] adds an element.
func (s *lineScanner) resolve(keys []string, array bool) string {
	p := ""
	for n, k := range keys {
		p = join(p, k)
		if array && n == len(keys)-1 {
			idx := s.arrays[p]
			s.arrays[p] = idx + 1
			p += "[" + strconv.Itoa(idx) + "]"
		} else if c, ok := s.arrays[p]; ok && c > 0 {
			p += "[" + strconv.Itoa(c-1) + "]"
		}
	}
	return p
}

// key reads a dotted key of bare and quoted parts.
func (s *lineScanner) key() []string {
	var keys []string
	for {
		s.spaces()
		var k string
		switch c := s.peek(); {
		case c == '"':
			k = s.basicString()
		case c == '\'':
			k = s.literalString()
		case isBare(c):
			start := s.i
			for !s.eof() && isBare(s.peek()) {
				s.i++
			}
			k = string(s.src[start:s.i])
		default:
			return keys
		}
		keys = append(keys, k)
		if len(keys) > maxDepth {
			s.deep()
			return nil
		}
		s.spaces()
		if s.peek() != '.' {
			return keys
		}
		s.i++
	}
}

func isBare(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// value skips one value, recording the keys of inline tables and the
// elements of arrays under path.
func (s *lineScanner) value(path string, depth int) {
	if depth >= maxDepth && (s.peek() == '[' || s.peek() == '{') {
		s.deep()
		return
	}
	switch {
	case s.has(`"""`):
		s.multiline(`"""`, true)
	case s.has(`'''`):
		s.multiline(`'''`, false)
	case s.peek() == '"':
		s.basicString()
	case s.peek() == '\'':
		s.literalString()
	case s.peek() == '[':
		s.i++
		for n := 0; ; n++ {
			s.blank()
			if s.eof() {
				return
			}
			if s.peek() == ']' {
				s.i++
				return
			}
			if s.peek() == ',' {
				s.i++
				n--
				continue
			}
			start := s.i
			elem := path + "[" + strconv.Itoa(n) + "]"
			if path != "" {
				s.record(elem, s.line)
			}
			s.value(elem, depth+1)
			if s.i == start {
				s.advance()
			}
		}
	case s.peek() == '{':
		s.i++
		for {
			s.blank()
			if s.eof() {
				return
			}
			if s.peek() == '}' {
				s.i++
				return
			}
			if s.peek() == ',' {
				s.i++
				continue
			}
			start, line := s.i, s.line
			keys := s.key()
			if len(keys) > 0 {
				s.recordKey(path, keys, line)
				s.spaces()
				if s.peek() == '=' {
					s.i++
					s.blank()
					s.value(join(path, keys...), depth+1)
				}
			}
			if s.i == start {
				s.advance()
			}
		}
	default:
		for !s.eof() {
			switch s.peek() {
			case ',', ']', '}', '#', '\n', '\r':
				return
			}
			s.i++
		}
	}
}

// multiline skips a multi-line string opened by delim.
func (s *lineScanner) multiline(delim string, escapes bool) {
	s.i += len(delim)
	for !s.eof() {
		if escapes && s.peek() == '\\' {
			s.advance()
			s.advance()
			continue
		}
		if s.has(delim) {
			s.i += len(delim)
			// Up to two more quotes belong to the content.
			for n := 0; n < 2 && !s.eof() && s.peek() == delim[0]; n++ {
				s.i++
			}
			return
		}
		s.advance()
	}
}

// basicString reads a "..." string on one line and returns its value.
func (s *lineScanner) basicString() string {
	s.i++
	var b strings.Builder
	for !s.eof() {
		c := s.peek()
		switch c {
		case '"':
			s.i++
			return b.String()
		case '\n':
			return b.String()
		case '\\':
			s.i++
			s.escape(&b)
			continue
		}
		b.WriteByte(c)
		s.i++
	}
	return b.String()
}

// escape decodes one escape sequence after the backslash.
func (s *lineScanner) escape(b *strings.Builder) {
	if s.eof() {
		return
	}
	c := s.peek()
	s.i++
	hex := 0
	switch c {
	case 'b':
		b.WriteByte('\b')
	case 't':
		b.WriteByte('\t')
	case 'n':
		b.WriteByte('\n')
	case 'f':
		b.WriteByte('\f')
	case 'r':
		b.WriteByte('\r')
	case 'e':
		b.WriteByte(0x1b)
	case 'x':
		hex = 2
	case 'u':
		hex = 4
	case 'U':
		hex = 8
	case '\n':
		s.line++
	default:
		b.WriteByte(c)
	}
	if hex == 0 || s.i+hex > len(s.src) {
		return
	}
	n, err := strconv.ParseUint(string(s.src[s.i:s.i+hex]), 16, 32)
	s.i += hex
	if err == nil && n <= utf8.MaxRune {
		b.WriteRune(rune(n))
	}
}

// literalString reads a '...' string on one line and returns its value.
func (s *lineScanner) literalString() string {
	s.i++
	start := s.i
	for !s.eof() && s.peek() != '\'' && s.peek() != '\n' {
		s.i++
	}
	v := string(s.src[start:s.i])
	if s.peek() == '\'' {
		s.i++
	}
	return v
}

// join appends keys to a path with dots.
func join(path string, keys ...string) string {
	for _, k := range keys {
		if path == "" {
			path = k
		} else {
			path += "." + k
		}
	}
	return path
}
