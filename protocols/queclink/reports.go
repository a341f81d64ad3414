package queclink

// reportNames interns the report types seen in the field, so that the
// "report" attribute of a known type costs no allocation.
var reportNames = func() map[string]string {
	m := map[string]string{}
	for _, r := range []string{
		"GTFRI", "GTGEO", "GTSPD", "GTSOS", "GTRTL", "GTPNL", "GTNMR", "GTDIS", "GTDOG",
		"GTIGL", "GTERI", "GTHBM", "GTIGN", "GTIGF", "GTVGN", "GTVGF", "GTPNA", "GTPFA",
		"GTBPL", "GTBTC", "GTSTC", "GTSTT", "GTINF", "GTGSM", "GTWIF", "GTLBS", "GTCAN",
		"GTDAT", "GTDTT", "GTLBC", "GTIDA", "GTTEM", "GTJDR", "GTJDS", "GTSWG", "GTTMP",
		"GTLSW", "GTTSW", "GTOBD", "GTSTR", "GTCTN", "GTBAA", "GTBID", "GTDAR", "GTMPN",
		"GTMPF", "GTEPN", "GTEPF", "GTIDN", "GTIDF", "GTSTP", "GTLSP", "GTPDP", "GTHBD",
	} {
		m[r] = r
	}
	return m
}()

// reportName returns the interned name, or a copy for an unknown type.
func reportName(b []byte) string {
	if s, ok := reportNames[string(b)]; ok {
		return s
	}
	return string(b)
}

// alarmName maps report types that are alarms to the common alarm names.
func alarmName(report []byte) string {
	switch string(report) {
	case "GTSOS":
		return "sos"
	case "GTSPD":
		return "overspeed"
	case "GTPNA":
		return "power_on"
	case "GTPFA":
		return "power_off"
	case "GTMPF", "GTEPF":
		return "power_cut"
	case "GTBPL":
		return "low_battery"
	case "GTHBM":
		return "harsh_behaviour"
	case "GTGEO":
		return "geofence"
	}
	return ""
}
