package recur

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestRFC5545Examples runs the examples of RFC 5545 §3.8.5.3 (all with
// DTSTART;TZID=America/New_York at 09:00). Expected dates are copied from
// the RFC. For unbounded rules the RFC lists a prefix, which is compared.
//
// One deliberate difference: RFC 5545 counts DTSTART as an occurrence even
// when it does not match the rule; this package (like python-dateutil and
// rrule-go) does not. The RFC's own Friday-13th example EXDATEs its DTSTART
// for exactly that reason, so the expected lists are unchanged.
func TestRFC5545Examples(t *testing.T) {
	ny := mustLoad(t, "America/New_York")
	tests := []struct {
		name, start, rule, exdate string
		want                      []string
	}{
		{"daily for 10 occurrences", "19970902T090000", "RRULE:FREQ=DAILY;COUNT=10", "",
			dates(t, "19970902-19970911")},
		{"daily until December 24, 1997", "19970902T090000", "FREQ=DAILY;UNTIL=19971224T000000Z", "",
			dates(t, "19970902-19971223")},
		{"every other day, forever", "19970902T090000", "FREQ=DAILY;INTERVAL=2", "",
			dates(t, "19970902", "19970904", "19970906", "19970908", "19970910", "19970912", "19970914",
				"19970916", "19970918", "19970920", "19970922", "19970924", "19970926", "19970928", "19970930",
				"19971002", "19971004", "19971006")},
		{"every 10 days, 5 occurrences", "19970902T090000", "FREQ=DAILY;INTERVAL=10;COUNT=5", "",
			dates(t, "19970902", "19970912", "19970922", "19971002", "19971012")},
		{"every day in January for 3 years (yearly)", "19980101T090000",
			"FREQ=YEARLY;UNTIL=20000131T140000Z;BYMONTH=1;BYDAY=SU,MO,TU,WE,TH,FR,SA", "",
			dates(t, "19980101-19980131", "19990101-19990131", "20000101-20000131")},
		{"every day in January for 3 years (daily)", "19980101T090000",
			"FREQ=DAILY;UNTIL=20000131T140000Z;BYMONTH=1", "",
			dates(t, "19980101-19980131", "19990101-19990131", "20000101-20000131")},
		{"weekly for 10 occurrences", "19970902T090000", "FREQ=WEEKLY;COUNT=10", "",
			dates(t, "19970902", "19970909", "19970916", "19970923", "19970930", "19971007", "19971014",
				"19971021", "19971028", "19971104")},
		{"weekly until December 24, 1997", "19970902T090000", "FREQ=WEEKLY;UNTIL=19971224T000000Z", "",
			dates(t, "19970902", "19970909", "19970916", "19970923", "19970930", "19971007", "19971014",
				"19971021", "19971028", "19971104", "19971111", "19971118", "19971125", "19971202",
				"19971209", "19971216", "19971223")},
		{"every other week, forever", "19970902T090000", "FREQ=WEEKLY;INTERVAL=2;WKST=SU", "",
			dates(t, "19970902", "19970916", "19970930", "19971014", "19971028", "19971111", "19971125",
				"19971209", "19971223", "19980106", "19980120", "19980203", "19980217")},
		{"weekly on Tuesday and Thursday for five weeks (until)", "19970902T090000",
			"FREQ=WEEKLY;UNTIL=19971007T000000Z;WKST=SU;BYDAY=TU,TH", "",
			dates(t, "19970902", "19970904", "19970909", "19970911", "19970916", "19970918", "19970923",
				"19970925", "19970930", "19971002")},
		{"weekly on Tuesday and Thursday for five weeks (count)", "19970902T090000",
			"FREQ=WEEKLY;COUNT=10;WKST=SU;BYDAY=TU,TH", "",
			dates(t, "19970902", "19970904", "19970909", "19970911", "19970916", "19970918", "19970923",
				"19970925", "19970930", "19971002")},
		{"every other week on MO, WE, FR until December 24, 1997", "19970901T090000",
			"FREQ=WEEKLY;INTERVAL=2;UNTIL=19971224T000000Z;WKST=SU;BYDAY=MO,WE,FR", "",
			dates(t, "19970901", "19970903", "19970905", "19970915", "19970917", "19970919", "19970929",
				"19971001", "19971003", "19971013", "19971015", "19971017", "19971027", "19971029",
				"19971031", "19971110", "19971112", "19971114", "19971124", "19971126", "19971128",
				"19971208", "19971210", "19971212", "19971222")},
		{"every other week on TU and TH for 8 occurrences", "19970902T090000",
			"FREQ=WEEKLY;INTERVAL=2;COUNT=8;WKST=SU;BYDAY=TU,TH", "",
			dates(t, "19970902", "19970904", "19970916", "19970918", "19970930", "19971002", "19971014", "19971016")},
		{"monthly on the first Friday for 10 occurrences", "19970905T090000", "FREQ=MONTHLY;COUNT=10;BYDAY=1FR", "",
			dates(t, "19970905", "19971003", "19971107", "19971205", "19980102", "19980206", "19980306",
				"19980403", "19980501", "19980605")},
		{"monthly on the first Friday until December 24, 1997", "19970905T090000",
			"FREQ=MONTHLY;UNTIL=19971224T000000Z;BYDAY=1FR", "",
			dates(t, "19970905", "19971003", "19971107", "19971205")},
		{"every other month on the first and last Sunday, 10 occurrences", "19970907T090000",
			"FREQ=MONTHLY;INTERVAL=2;COUNT=10;BYDAY=1SU,-1SU", "",
			dates(t, "19970907", "19970928", "19971102", "19971130", "19980104", "19980125", "19980301",
				"19980329", "19980503", "19980531")},
		{"monthly on the second-to-last Monday for 6 months", "19970922T090000",
			"FREQ=MONTHLY;COUNT=6;BYDAY=-2MO", "",
			dates(t, "19970922", "19971020", "19971117", "19971222", "19980119", "19980216")},
		{"monthly on the third-to-last day, forever", "19970928T090000", "FREQ=MONTHLY;BYMONTHDAY=-3", "",
			dates(t, "19970928", "19971029", "19971128", "19971229", "19980129", "19980226")},
		{"monthly on the 2nd and 15th for 10 occurrences", "19970902T090000",
			"FREQ=MONTHLY;COUNT=10;BYMONTHDAY=2,15", "",
			dates(t, "19970902", "19970915", "19971002", "19971015", "19971102", "19971115", "19971202",
				"19971215", "19980102", "19980115")},
		{"monthly on the first and last day for 10 occurrences", "19970930T090000",
			"FREQ=MONTHLY;COUNT=10;BYMONTHDAY=1,-1", "",
			dates(t, "19970930", "19971001", "19971031", "19971101", "19971130", "19971201", "19971231",
				"19980101", "19980131", "19980201")},
		{"every 18 months on the 10th to 15th, 10 occurrences", "19970910T090000",
			"FREQ=MONTHLY;INTERVAL=18;COUNT=10;BYMONTHDAY=10,11,12,13,14,15", "",
			dates(t, "19970910-19970915", "19990310-19990313")},
		{"every Tuesday, every other month", "19970902T090000", "FREQ=MONTHLY;INTERVAL=2;BYDAY=TU", "",
			dates(t, "19970902", "19970909", "19970916", "19970923", "19970930", "19971104", "19971111",
				"19971118", "19971125", "19980106", "19980113", "19980120", "19980127", "19980303",
				"19980310", "19980317", "19980324", "19980331")},
		{"yearly in June and July for 10 occurrences", "19970610T090000", "FREQ=YEARLY;COUNT=10;BYMONTH=6,7", "",
			dates(t, "19970610", "19970710", "19980610", "19980710", "19990610", "19990710", "20000610",
				"20000710", "20010610", "20010710")},
		{"every other year on January, February and March, 10 occurrences", "19970310T090000",
			"FREQ=YEARLY;INTERVAL=2;COUNT=10;BYMONTH=1,2,3", "",
			dates(t, "19970310", "19990110", "19990210", "19990310", "20010110", "20010210", "20010310",
				"20030110", "20030210", "20030310")},
		{"every third year on the 1st, 100th and 200th day, 10 occurrences", "19970101T090000",
			"FREQ=YEARLY;INTERVAL=3;COUNT=10;BYYEARDAY=1,100,200", "",
			dates(t, "19970101", "19970410", "19970719", "20000101", "20000409", "20000718", "20030101",
				"20030410", "20030719", "20060101")},
		{"every 20th Monday of the year, forever", "19970519T090000", "FREQ=YEARLY;BYDAY=20MO", "",
			dates(t, "19970519", "19980518", "19990517")},
		{"Monday of week number 20, forever", "19970512T090000", "FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO", "",
			dates(t, "19970512", "19980511", "19990517")},
		{"every Thursday in March, forever", "19970313T090000", "FREQ=YEARLY;BYMONTH=3;BYDAY=TH", "",
			dates(t, "19970313", "19970320", "19970327", "19980305", "19980312", "19980319", "19980326",
				"19990304", "19990311", "19990318", "19990325")},
		{"every Thursday, but only during June, July, and August", "19970605T090000",
			"FREQ=YEARLY;BYDAY=TH;BYMONTH=6,7,8", "",
			dates(t, "19970605", "19970612", "19970619", "19970626", "19970703", "19970710", "19970717",
				"19970724", "19970731", "19970807", "19970814", "19970821", "19970828",
				"19980604", "19980611", "19980618", "19980625", "19980702", "19980709", "19980716",
				"19980723", "19980730", "19980806", "19980813", "19980820", "19980827",
				"19990603", "19990610", "19990617", "19990624", "19990701", "19990708", "19990715",
				"19990722", "19990729", "19990805", "19990812", "19990819", "19990826")},
		{"every Friday the 13th, forever", "19970902T090000", "FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13",
			"EXDATE;TZID=America/New_York:19970902T090000",
			dates(t, "19980213", "19980313", "19981113", "19990813", "20001013")},
		{"the first Saturday that follows the first Sunday of the month", "19970913T090000",
			"FREQ=MONTHLY;BYDAY=SA;BYMONTHDAY=7,8,9,10,11,12,13", "",
			dates(t, "19970913", "19971011", "19971108", "19971213", "19980110", "19980207", "19980307",
				"19980411", "19980509", "19980613")},
		{"US presidential election day", "19961105T090000",
			"FREQ=YEARLY;INTERVAL=4;BYMONTH=11;BYDAY=TU;BYMONTHDAY=2,3,4,5,6,7,8", "",
			dates(t, "19961105", "20001107", "20041102")},
		{"third instance of TU, WE or TH for the next 3 months", "19970904T090000",
			"FREQ=MONTHLY;COUNT=3;BYDAY=TU,WE,TH;BYSETPOS=3", "",
			dates(t, "19970904", "19971007", "19971106")},
		{"second-to-last weekday of the month", "19970929T090000",
			"FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-2", "",
			dates(t, "19970929", "19971030", "19971127", "19971230", "19980129", "19980226", "19980330")},
		{"WKST makes a difference (WKST=MO)", "19970805T090000",
			"FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO", "",
			dates(t, "19970805", "19970810", "19970819", "19970824")},
		{"WKST makes a difference (WKST=SU)", "19970805T090000",
			"FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU", "",
			dates(t, "19970805", "19970817", "19970819", "19970831")},
		{"an invalid date (February 30) is ignored", "20070115T090000",
			"FREQ=MONTHLY;BYMONTHDAY=15,30;COUNT=5", "",
			dates(t, "20070115", "20070130", "20070215", "20070315", "20070330")},
		// §3.3.10: "the last work day of the month". Expected dates checked
		// against a calendar for 2024.
		{"last work day of the month (BYSETPOS=-1)", "20240101T090000",
			"FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", "",
			dates(t, "20240131", "20240229", "20240329", "20240430", "20240531", "20240628", "20240731",
				"20240830", "20240930", "20241031", "20241129", "20241231")},
		{"last day of the month (BYMONTHDAY=-1)", "20240131T090000", "FREQ=MONTHLY;BYMONTHDAY=-1", "",
			dates(t, "20240131", "20240229", "20240331", "20240430", "20240531", "20240630", "20240731",
				"20240831", "20240930", "20241031", "20241130", "20241231", "20250131", "20250228")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var ex []time.Time
			if tc.exdate != "" {
				var err error
				if ex, err = ParseExDates(tc.exdate, ny); err != nil {
					t.Fatal(err)
				}
			}
			s := mustSeries(t, tc.start, tc.rule, time.Hour, ny, ex...)
			var got []Occurrence
			if s.Bounded() {
				// Bounded: the RFC lists every occurrence; compare them all.
				got = s.All(s.End())
				if end := s.End(); !end.Equal(got[len(got)-1].End) {
					t.Errorf("End() = %s, want the last occurrence's end %s", end, got[len(got)-1].End)
				}
			} else {
				for o := range s.Occurrences(time.Time{}) {
					if got = append(got, o); len(got) == len(tc.want) {
						break
					}
				}
			}
			if diff := cmp.Diff(tc.want, localDates(t, got, ny, "09:00:00")); diff != "" {
				t.Errorf("occurrences (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRFCUntilAcrossFallBack pins the UTC side of the RFC's "daily until
// December 24" example: 09:00 EDT is 13:00Z, 09:00 EST is 14:00Z.
func TestRFCUntilAcrossFallBack(t *testing.T) {
	ny := mustLoad(t, "America/New_York")
	s := mustSeries(t, "19970902T090000", "FREQ=DAILY;UNTIL=19971224T000000Z", time.Hour, ny)
	got := s.Between(utc(t, "1997-10-25T00:00:00Z"), utc(t, "1997-10-28T00:00:00Z"))
	want := []Occurrence{
		{utc(t, "1997-10-25T13:00:00Z"), utc(t, "1997-10-25T14:00:00Z")},
		{utc(t, "1997-10-26T14:00:00Z"), utc(t, "1997-10-26T15:00:00Z")},
		{utc(t, "1997-10-27T14:00:00Z"), utc(t, "1997-10-27T15:00:00Z")},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if end := s.End(); !end.Equal(utc(t, "1997-12-23T15:00:00Z")) {
		t.Errorf("End() = %s", end)
	}
}
