package store

import (
	"bytes"
	"crypto/rand"
	"testing"
)

// FuzzSeal checks that sealing round-trips any value, that the associated
// data binds it (another row's ad does not open it) and that unsealing
// arbitrary bytes fails cleanly instead of panicking.
func FuzzSeal(f *testing.F) {
	f.Add([]byte("TESTSECRET-0123456789abcdef0123456789"), "tgt_1", "cred_1", []byte{1, 2, 3})
	f.Add([]byte{}, "", "", []byte{})
	key := make([]byte, keySize)
	rand.Read(key)
	f.Fuzz(func(t *testing.T, plain []byte, target, cred string, junk []byte) {
		ad := credentialAD(target, cred)
		sealed, err := seal(key, plain, ad)
		if err != nil {
			t.Fatal(err)
		}
		got, err := unseal(key, sealed, ad)
		if err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("round trip: %v", err)
		}
		if len(plain) >= 8 && bytes.Contains(sealed, plain) {
			t.Fatal("plaintext visible in the sealed value")
		}
		if _, err := unseal(key, sealed, credentialAD(target+"x", cred)); err == nil {
			t.Fatal("opened under another row's associated data")
		}
		if _, err := unseal(key, sealed, draftAD(target)); err == nil {
			t.Fatal("a credential opened as a draft")
		}
		_, _ = unseal(key, junk, ad) // must not panic
	})
}
