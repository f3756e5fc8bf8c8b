package recipes

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// pageRef is a documentation address as the harnesses and docs write it,
// with or without its scheme.
var pageRef = regexp.MustCompile(`(?:https?://)?(?:[a-z0-9-]+\.)+(?:com|io)/[A-Za-z0-9._~/#%-]*[A-Za-z0-9/]`)

// Each harness says which platform pages it follows; docs/recipes.md must
// cite the same pages, so the two cannot drift apart (the n8n harness once
// cited a page the docs did not).
func TestHarnessesCiteTheDocsPages(t *testing.T) {
	docs, err := os.ReadFile(filepath.Join("..", "..", "docs", "recipes.md"))
	if err != nil {
		t.Fatal(err)
	}
	harnesses, _ := filepath.Glob(filepath.Join("testdata", "*_harness.js"))
	if len(harnesses) == 0 {
		t.Fatal("no harnesses in testdata")
	}
	for _, h := range harnesses {
		src, err := os.ReadFile(h)
		if err != nil {
			t.Fatal(err)
		}
		// The header: the comment lines before the code starts.
		var header strings.Builder
		for _, line := range strings.Split(string(src), "\n") {
			if !strings.HasPrefix(line, "//") {
				break
			}
			header.WriteString(line + "\n")
		}
		for _, ref := range pageRef.FindAllString(header.String(), -1) {
			bare := strings.TrimPrefix(strings.TrimPrefix(ref, "https://"), "http://")
			if !strings.Contains(string(docs), bare) {
				t.Errorf("%s cites %s, which docs/recipes.md does not", filepath.Base(h), ref)
			}
		}
	}
}
