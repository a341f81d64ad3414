package main

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
)

// entry is the part of a corpus sample (protocols/*/testdata/corpus.jsonl,
// copied from the project's shared corpus) that the end-to-end tests use.
// The protocol packages check decoded values against the rest.
type entry struct {
	ID        string  `json:"id"`
	Transport string  `json:"transport"`
	Kind      string  `json:"kind"`
	Hex       string  `json:"payload_hex"`
	Text      *string `json:"payload_text"`
	HTTP      *struct {
		Method    string            `json:"method"`
		PathQuery string            `json:"path_query"`
		Headers   map[string]string `json:"headers"`
		Body      *string           `json:"body"`
	} `json:"http"`
	Prelude []prelude `json:"session_prelude"`
	Expect  struct {
		Result string  `json:"result"`
		AckHex *string `json:"ack_hex"`
	} `json:"expect"`
}

func loadCorpus(path string) ([]entry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []entry
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 4<<20)
	for sc.Scan() {
		var e entry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		out = append(out, e)
	}
	return out, sc.Err()
}

func (e *entry) Payload() []byte {
	if e.Text != nil {
		return []byte(*e.Text)
	}
	b, err := hex.DecodeString(e.Hex)
	if err != nil {
		panic(err)
	}
	return b
}

func (e *entry) Negative() bool {
	switch e.Expect.Result {
	case "reject", "incomplete", "inconsistent":
		return true
	}
	return e.Kind == "negative"
}

func (e *entry) WantsPosition() bool {
	switch e.Expect.Result {
	case "position", "positions", "position_attribute", "position_with_attributes":
		return true
	}
	return false
}

type prelude struct {
	Hex  string  `json:"payload_hex"`
	Text *string `json:"payload_text"`
}

func (p prelude) payload() []byte {
	if p.Text != nil {
		return []byte(*p.Text)
	}
	b, err := hex.DecodeString(p.Hex)
	if err != nil {
		panic(err)
	}
	return b
}
