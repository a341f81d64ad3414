package navtelecom

import (
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
