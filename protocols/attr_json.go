package protocols

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"unicode/utf8"
)

func sortedKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func decodeAttr(key string, raw json.RawMessage) (Attr, error) {
	if len(raw) == 0 {
		return Attr{}, fmt.Errorf("attribute %q: empty value", key)
	}
	switch raw[0] {
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return Attr{}, fmt.Errorf("attribute %q: %w", key, err)
		}
		return String(key, s), nil
	case 't', 'f':
		return Bool(key, raw[0] == 't'), nil
	case 'n':
		return Float(key, 0), nil
	}
	text := string(raw)
	if n, err := strconv.ParseInt(text, 10, 64); err == nil {
		return Int(key, n), nil
	}
	if n, err := strconv.ParseUint(text, 10, 64); err == nil {
		return Uint(key, n), nil
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return Attr{}, fmt.Errorf("attribute %q: not a scalar: %.20s", key, text)
	}
	return Float(key, f), nil
}

// ioKeys caches the names of numbered IO attributes ("io1", "io239") so that
// decoders name them without allocating.
var ioKeys = func() [2048]string {
	var keys [2048]string
	for i := range keys {
		keys[i] = "io" + strconv.Itoa(i)
	}
	return keys
}()

// IOKey returns the attribute name of raw IO element id ("io239"). Ids below
// 2048 come from a table; larger ones allocate.
func IOKey(id int) string {
	if id >= 0 && id < len(ioKeys) {
		return ioKeys[id]
	}
	return "io" + strconv.Itoa(id)
}

// appendJSONString appends s as a JSON string literal: quotes, backslashes
// and control characters escaped, invalid UTF-8 replaced by U+FFFD.
func appendJSONString(dst []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	dst = append(dst, '"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			dst = append(dst, '\\', byte(r))
		case r < 0x20:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[r>>4], hexDigits[r&0xF])
		default:
			dst = utf8.AppendRune(dst, r)
		}
	}
	return append(dst, '"')
}
