// Package all lists every protocol Dozor serves, for the server's default
// listeners and for `dozor decode --list`. It is the one place that imports
// every protocol package.
package all

import (
	"sort"

	"dozor/protocols"
	"dozor/protocols/arnavi"
	"dozor/protocols/egts"
	"dozor/protocols/galileosky"
	"dozor/protocols/gt06"
	"dozor/protocols/h02"
	"dozor/protocols/navtelecom"
	"dozor/protocols/nmea"
	"dozor/protocols/osmand"
	"dozor/protocols/queclink"
	"dozor/protocols/teltonika"
	"dozor/protocols/wialon"
)

// Protocols returns every registered protocol, ordered by default port.
func Protocols() []protocols.Protocol {
	list := []protocols.Protocol{
		teltonika.Protocol,
		osmand.Protocol,
		egts.Protocol,
		wialon.Protocol,
		gt06.Protocol,
		h02.Protocol,
		nmea.Protocol,
		galileosky.Protocol,
		navtelecom.Protocol,
		arnavi.Protocol,
		queclink.Protocol,
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
