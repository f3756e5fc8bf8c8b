package config

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/webriskops/webhook-setup/core/codes"
)

// document is a parsed TOML file: its values as a generic tree (so every
// key, known or not, can be judged with its own line) and the line of
// every key.
type document struct {
	file  string
	root  map[string]any
	lines map[string]int
}

// parse reads data as TOML. A syntax error is one ConfigInvalid problem
// on the line the parser names.
func parse(data []byte, file string) (*document, []Problem) {
	if len(data) > MaxFileSize {
		return nil, []Problem{newProblem(file, 0, codes.ConfigInvalid, "",
			"the file is %d bytes; files over %d bytes are refused", len(data), MaxFileSize)}
	}
	lines, deep := scanLines(data)
	if deep > 0 {
		return nil, []Problem{newProblem(file, deep, codes.ConfigInvalid, "",
			"keys or values are nested more than %d deep", maxDepth)}
	}
	root := map[string]any{}
	if _, err := toml.Decode(string(data), &root); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, []Problem{newProblem(file, errorLine(data, pe), codes.ConfigInvalid, pe.LastKey,
				"not valid TOML: %s", pe.Message)}
		}
		return nil, []Problem{newProblem(file, 0, codes.ConfigInvalid, "", "not valid TOML: %v", err)}
	}
	return &document{file: file, root: root, lines: lines}, nil
}

// errorLine is the line of a parse error's first byte. The parser's own
// line number is one too far when the error is at a line's end.
func errorLine(data []byte, pe toml.ParseError) int {
	if pe.Position.Start < 0 || pe.Position.Start > len(data) {
		return pe.Position.Line
	}
	return 1 + bytes.Count(data[:pe.Position.Start], []byte("\n"))
}

// line returns the line of path, or of the nearest enclosing key that has
// one, or 0.
func (d *document) line(path string) int {
	for path != "" {
		if n, ok := d.lines[path]; ok {
			return n
		}
		path = parentPath(path)
	}
	return 0
}

// parentPath drops the last key (or array index) of path.
func parentPath(path string) string {
	for i := len(path) - 1; i >= 0; i-- {
		switch path[i] {
		case '.':
			return path[:i]
		case '[':
			return path[:i]
		}
	}
	return ""
}

// typeName names the TOML type of a decoded value for error messages.
func typeName(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case int64:
		return "an integer"
	case float64:
		return "a float"
	case bool:
		return "a boolean"
	case time.Time:
		return "a date-time"
	case map[string]any:
		return "a table"
	case []map[string]any, []any:
		return "an array"
	}
	return fmt.Sprintf("a %T", v)
}

// tables returns v as a list of tables when it is an array of tables
// ([[x]] or x = [{...}]), with ok false otherwise.
func tables(v any) ([]map[string]any, bool) {
	switch t := v.(type) {
	case []map[string]any:
		return t, true
	case []any:
		out := make([]map[string]any, 0, len(t))
		for _, e := range t {
			m, ok := e.(map[string]any)
			if !ok {
				return nil, false
			}
			out = append(out, m)
		}
		return out, true
	}
	return nil, false
}
