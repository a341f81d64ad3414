package planner

import "time"

// Legal contact hours with debtors in their local time (issue 8): 08:00 to
// 22:00 on working days, 09:00 to 20:00 on Saturdays, Sundays and public
// holidays. A visit must begin and end inside them.
const (
	WorkdayOpen  = 8 * time.Hour
	WorkdayClose = 22 * time.Hour
	RestdayOpen  = 9 * time.Hour
	RestdayClose = 20 * time.Hour
)

// ContactWindow returns the window of service start times (in plan time:
// units of unit since origin) that keeps a visit of length service inside
// the legal contact hours of the debtor's local day. The local day is the
// date of origin+12h in zone, so an origin at local midnight of the server
// picks the same date for debtors a few hours east or west. holiday marks
// that date as a public holiday where the debtor lives.
func ContactWindow(origin time.Time, unit time.Duration, zone *time.Location,
	holiday bool, service int64,
) Window {
	local := origin.Add(12 * time.Hour).In(zone)
	open, closing := WorkdayOpen, WorkdayClose
	if wd := local.Weekday(); wd == time.Saturday || wd == time.Sunday || holiday {
		open, closing = RestdayOpen, RestdayClose
	}
	day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, zone)
	toPlan := func(t time.Time) int64 { return int64(t.Sub(origin) / unit) }
	// Round the opening up and the closing down to whole units.
	o := day.Add(open).Sub(origin)
	first := int64(o / unit)
	if o%unit != 0 && o > 0 {
		first++
	}
	return Window{Open: first, Close: toPlan(day.Add(closing)) - service}
}
