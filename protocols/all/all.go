// Package all lists every protocol Dozor serves, for the server's default
// listeners and for `dozor decode --list`. It is the one place that imports
// every protocol package.
package all

import (
	"sort"

	"dozor/protocols"
	"dozor/protocols/osmand"
	"dozor/protocols/teltonika"
)

// Protocols returns every registered protocol, ordered by default port.
func Protocols() []protocols.Protocol {
	list := []protocols.Protocol{
		teltonika.Protocol,
		osmand.Protocol,
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Port < list[j].Port })
	return list
}

// Lookup returns the protocol registered under name.
func Lookup(name string) (protocols.Protocol, bool) {
	for _, p := range Protocols() {
		if p.Name == name {
			return p, true
		}
	}
	return protocols.Protocol{}, false
}
