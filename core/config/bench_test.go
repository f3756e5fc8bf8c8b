package config

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// BenchmarkParseAndPlan measures a file of 1000 targets, all unchanged, the
// common case of re-applying a committed file.
func BenchmarkParseAndPlan(b *testing.B) {
	var sb strings.Builder
	secrets := map[string]Secret{}
	for i := 0; i < 1000; i++ {
		name := fmt.Sprintf("t%04d", i)
		sb.WriteString(entry(name, "https://receiver.example.com/"+name, "[target.signing]", `secret_file = "s"`))
		secrets[name] = Secret{Value: secretA}
	}
	data := []byte(sb.String())
	specs, err := ParseTargets(data, "t.toml")
	if err != nil {
		b.Fatal(err)
	}
	in := Input{Specs: specs, Secrets: secrets, Defaults: defaults}
	for _, s := range specs {
		in.Current = append(in.Current, stored(s.Target.Name, s.Target.BaseURL, secretA))
	}
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		specs, _ := ParseTargets(data, "t.toml")
		in.Specs = specs
		if p := MakePlan(context.Background(), in, nil); p.Writes() || len(p.Problems) > 0 {
			b.Fatal("plan is not unchanged")
		}
	}
}
