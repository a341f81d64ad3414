package queclink

import (
	"encoding/hex"

	"dozor/protocols/internal/corpus"
)

func loadSeeds() ([][]byte, error) {
	entries, err := corpus.Load("testdata/corpus.jsonl")
	if err != nil {
		return nil, err
	}
	var out [][]byte
	for _, e := range entries {
		out = append(out, e.Payload())
		for _, p := range e.Prelude {
			out = append(out, p.Bytes())
		}
	}
	return out, nil
}

func mustHex(h string) []byte {
	b, err := hex.DecodeString(h)
	if err != nil {
		panic(err)
	}
	return b
}
