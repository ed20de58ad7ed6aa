package recur_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/gatehouse/gatehouse/internal/recur"
)

func Example() {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	rule, err := recur.Parse("RRULE:FREQ=WEEKLY;BYDAY=SU;COUNT=3")
	if err != nil {
		panic(err)
	}
	s, err := recur.New(recur.Spec{
		Start:    recur.Local{Year: 2024, Month: time.March, Day: 24, Hour: 7},
		Duration: 90 * time.Minute,
		Location: berlin,
		Rule:     rule,
	})
	if err != nil {
		panic(err)
	}
	// Clocks go forward on 31 March: still 07:00 local, an hour earlier in UTC.
	for _, o := range s.All(s.End()) {
		fmt.Println(o.Start.Format(time.RFC3339), o.Start.In(berlin).Format("Mon 15:04 MST"))
	}
	fmt.Println(s.Bounded(), s.End().Format(time.RFC3339))
	// Output:
	// 2024-03-24T06:00:00Z Sun 07:00 CET
	// 2024-03-31T05:00:00Z Sun 07:00 CEST
	// 2024-04-07T05:00:00Z Sun 07:00 CEST
	// true 2024-04-07T06:30:00Z
}

func ExampleParse_error() {
	_, err := recur.Parse("FREQ=MONTHLY;BYDAY=XX")
	var re *recur.Error
	if errors.As(err, &re) {
		fmt.Println(re.Part, re.Value)
	}
	_, err = recur.Parse("FREQ=HOURLY")
	fmt.Println(err)
	// Output:
	// BYDAY XX
	// recur: FREQ="HOURLY": sub-daily frequencies are not supported for bookings
}
