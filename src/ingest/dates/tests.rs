use super::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// Found by fuzzing: chrono reads a leading '-' as a negative year.
#[test]
fn signed_and_out_of_calendar_years_are_not_dates() {
    assert_eq!(parse_date("-04/03/2", None), Err(DateError::Unparsable));
    assert_eq!(parse_date("+2020-01-01", None), Err(DateError::Unparsable));
    assert_eq!(
        parse_date("-0004-03-02", Some("%Y-%m-%d")),
        Err(DateError::Unparsable)
    );
    assert_eq!(parse_date("0001-01-01", None), Ok(d(1, 1, 1)));
}

#[test]
fn every_acled_generation() {
    assert_eq!(parse_date("9-May-20", None), Ok(d(2020, 5, 9)));
    assert_eq!(parse_date("05-Jan-22", None), Ok(d(2022, 1, 5)));
    assert_eq!(parse_date("01-January-2015", None), Ok(d(2015, 1, 1)));
    assert_eq!(parse_date("21 March 2020", None), Ok(d(2020, 3, 21)));
    assert_eq!(parse_date("2022-09-23", None), Ok(d(2022, 9, 23)));
    assert_eq!(parse_date(" 2022-09-23 ", None), Ok(d(2022, 9, 23)));
    // Saved from a spreadsheet: day-month-two-digit-year, decidable when the day is > 12.
    assert_eq!(parse_date("31-12-19", None), Ok(d(2019, 12, 31)));
}

#[test]
fn other_sources() {
    assert_eq!(parse_date("20191024", None), Ok(d(2019, 10, 24)));
    assert_eq!(parse_date("2004-01-01T00:20:00Z", None), Ok(d(2004, 1, 1)));
    assert_eq!(parse_date("2020/03/21", None), Ok(d(2020, 3, 21)));
    assert_eq!(parse_date("2020.03.21", None), Ok(d(2020, 3, 21)));
    assert_eq!(parse_date("March 21, 2020", None), Ok(d(2020, 3, 21)));
    assert_eq!(parse_date("21.03.2020", None), Ok(d(2020, 3, 21)));
}

#[test]
fn numeric_dates_need_an_order_unless_decidable() {
    assert_eq!(parse_date("25/12/2020", None), Ok(d(2020, 12, 25)));
    assert_eq!(parse_date("12/25/2020", None), Ok(d(2020, 12, 25)));
    assert_eq!(parse_date("5.1.2020", None), Err(DateError::Ambiguous));
    assert_eq!(parse_date("01/02/2020", None), Err(DateError::Ambiguous));
    assert_eq!(
        parse_date("03-03-20", None),
        Ok(d(2020, 3, 3)),
        "same both ways"
    );
    assert_eq!(
        parse_date("01/02/2020", Some("%d/%m/%Y")),
        Ok(d(2020, 2, 1))
    );
    assert_eq!(
        parse_date("01/02/2020", Some("%m/%d/%Y")),
        Ok(d(2020, 1, 2))
    );
    let mut r = DateReader::new(None, 2026);
    r.set_order(Some(FieldOrder::MonthFirst));
    assert_eq!(r.parse("01/02/2020"), Ok(d(2020, 1, 2)));
    assert_eq!(r.parse("1/2/20"), Ok(d(2020, 1, 2)));
    assert_eq!(r.parse("25/12/2020"), Err(DateError::OutOfOrder));
    assert_eq!(r.parse("13/13/2020"), Err(DateError::Unparsable));
    // ISO and text dates are read whatever the numeric order.
    assert_eq!(r.parse("2020-01-02"), Ok(d(2020, 1, 2)));
    assert_eq!(r.parse("2-Jan-20"), Ok(d(2020, 1, 2)));
}

#[test]
fn two_digit_years_are_the_latest_not_after_the_latest_year() {
    let r = DateReader::new(None, 2026);
    assert_eq!(r.parse("31-12-26"), Ok(d(2026, 12, 31)));
    assert_eq!(r.parse("31-12-27"), Ok(d(1927, 12, 31)));
    assert_eq!(r.parse("9-May-70"), Ok(d(1970, 5, 9)));
    assert_eq!(
        r.parse("9-May-50"),
        Ok(d(1950, 5, 9)),
        "chrono alone says 2050"
    );
    let fixed = DateReader::new(Some("%d/%m/%y".into()), 2026);
    assert_eq!(fixed.parse("01/02/30"), Ok(d(1930, 2, 1)));
    // Without an as-of year: POSIX.
    assert_eq!(parse_date("1-Jan-68", None), Ok(d(2068, 1, 1)));
    assert_eq!(parse_date("1-Jan-69", None), Ok(d(1969, 1, 1)));
    assert_eq!(pivot_year(0, 2000), 2000);
    assert_eq!(pivot_year(1, 2000), 1901);
    // 29 February of a two-digit year follows the pivoted year.
    assert_eq!(r.parse("29-02-24"), Ok(d(2024, 2, 29)));
    assert_eq!(r.parse("29-02-28"), Ok(d(1928, 2, 29)));
    assert_eq!(r.parse("29-02-27"), Err(DateError::Unparsable));
}

#[test]
fn a_column_settles_on_the_order_that_reads_every_value() {
    let mut e = OrderEvidence::default();
    assert_eq!(e.decision(), OrderDecision::NotNeeded);
    e.observe("2020-01-05", None, 0);
    e.observe("9-May-20", None, 1);
    assert_eq!(e.decision(), OrderDecision::NotNeeded, "not numeric");
    e.observe("03-03-19", None, 2);
    assert_eq!(e.ambiguous_example(), None, "read the same both ways");
    e.observe("01-02-19", None, 2);
    e.observe("05-06-19", None, 3);
    assert_eq!(e.decision(), OrderDecision::Open);
    e.observe("31-12-19", None, 4);
    assert_eq!(e.decision(), OrderDecision::Settled(FieldOrder::DayFirst));
    assert_eq!(e.decisive_example(), Some(("31-12-19".to_string(), 5)));
    assert_eq!(e.ambiguous_example(), Some(("01-02-19".to_string(), 3)));
    e.locate(|r| r + 10);
    assert_eq!(e.ambiguous_example(), Some(("01-02-19".to_string(), 12)));
    // A few values in the other order do not overturn the column: the majority wins
    // (day first reads 4 + 5, month first 3 + 3).
    for _ in 0..5 {
        e.observe("25-12-19", None, 9);
    }
    for _ in 0..3 {
        e.observe("12/31/2019", None, 9);
    }
    assert_eq!(e.decision(), OrderDecision::Settled(FieldOrder::DayFirst));
    for _ in 0..4 {
        e.observe("12/30/2019", None, 9);
    }
    assert_eq!(e.decision(), OrderDecision::Settled(FieldOrder::MonthFirst));
}

#[test]
fn a_year_column_places_two_digit_years() {
    // `19-12-31` alone reads day first (19 December 2031, pivoted to 1931); a year column
    // of 2019 shows the year comes first.
    let mut e = OrderEvidence::default();
    e.observe("19-12-31", Some(2019), 1);
    e.observe("19-01-05", Some(2019), 2);
    assert_eq!(e.decision(), OrderDecision::Settled(FieldOrder::YearFirst));
    let mut r = DateReader::new(None, 2026);
    r.set_order(Some(FieldOrder::YearFirst));
    assert_eq!(r.parse("19-01-05"), Ok(d(2019, 1, 5)));
    // With the year last, the year column rules out nothing but the year-first reading.
    let mut e = OrderEvidence::default();
    e.observe("01-02-19", Some(2019), 1);
    assert_eq!(e.decision(), OrderDecision::Open);
    e.observe("13-02-19", Some(2019), 2);
    assert_eq!(e.decision(), OrderDecision::Settled(FieldOrder::DayFirst));
}

#[test]
fn an_ambiguous_column_names_a_value_both_ways_and_the_flags() {
    let mut e = OrderEvidence::default();
    e.observe("01-02-19", None, 6);
    let msg = e.ambiguity_message("event_date");
    assert!(msg.contains("line 7: '01-02-19'"), "{msg}");
    assert!(msg.contains("1 February 2019 day first"), "{msg}");
    assert!(msg.contains("2 January 2019 month first"), "{msg}");
    assert!(msg.contains("--date-format %d-%m-%y (day first)"), "{msg}");
    assert!(
        msg.contains("--date-format %m-%d-%y (month first)"),
        "{msg}"
    );
    assert_eq!(FieldOrder::MonthFirst.pattern_for("1/2/2020"), "%m/%d/%Y");
    assert_eq!(FieldOrder::YearFirst.pattern_for("19.12.31"), "%y.%m.%d");
}

#[test]
fn portal_date_times_count_on_the_date_as_written() {
    // Chicago's Socrata export: month first, 12-hour clock with seconds.
    let mut e = OrderEvidence::default();
    e.observe("09/05/2015 01:30:00 PM", None, 0);
    e.observe("12/31/2015 11:59:00 PM", None, 1);
    assert_eq!(e.decision(), OrderDecision::Settled(FieldOrder::MonthFirst));
    let mut r = DateReader::new(None, 2026);
    r.set_order(Some(FieldOrder::MonthFirst));
    assert_eq!(r.parse("09/05/2015 01:30:00 PM"), Ok(d(2015, 9, 5)));
    // Midnight and noon on the 12-hour clock; no time-zone shift either way.
    assert_eq!(r.parse("12/31/2015 12:00:00 AM"), Ok(d(2015, 12, 31)));
    assert_eq!(r.parse("12/31/2015 11:59 pm"), Ok(d(2015, 12, 31)));
    assert_eq!(r.parse("12/31/2015 11:59PM"), Ok(d(2015, 12, 31)));
    // Day first, 24-hour, without seconds.
    assert_eq!(parse_date("31/12/2019 23:15", None), Ok(d(2019, 12, 31)));
    assert_eq!(parse_date("31/12/2019 00:00:59", None), Ok(d(2019, 12, 31)));
    assert_eq!(parse_date("31/12/19 7:05", None), Ok(d(2019, 12, 31)));
    // The --date-format a note names reads the value too.
    for (value, order, want) in [
        (
            "09/05/2015 01:30:00 PM",
            FieldOrder::MonthFirst,
            "%m/%d/%Y %I:%M:%S %p",
        ),
        ("31/12/2019 23:15", FieldOrder::DayFirst, "%d/%m/%Y %H:%M"),
        (
            "31-12-19 23:15:02",
            FieldOrder::DayFirst,
            "%d-%m-%y %H:%M:%S",
        ),
        (
            "12/31/2015 11:59PM",
            FieldOrder::MonthFirst,
            "%m/%d/%Y %I:%M%p",
        ),
    ] {
        let pattern = order.pattern_for(value);
        assert_eq!(pattern, want, "{value}");
        assert!(
            parse_date(value, Some(&pattern)).is_ok(),
            "{value} {pattern}"
        );
    }
    // Not a time of day: the value is not a date.
    for bad in [
        "31/12/2019 24:00",
        "31/12/2019 13:00 PM",
        "31/12/2019 00:30 AM",
        "31/12/2019 23:5",
        "31/12/2019 23:60",
        "31/12/2019 23:15:61",
        "31/12/2019 23:15:00:00",
        "31/12/2019  23:15",
        "31/12/2019 noon",
        "31/12/2019 23:15 XM",
    ] {
        assert_eq!(parse_date(bad, None), Err(DateError::Unparsable), "{bad}");
    }
}

#[test]
fn a_year_column_gives_two_digit_years_their_century() {
    let r = DateReader::new(None, 2008);
    // Without the column, 09 in a file that can hold dates up to 2008 is 1909 ...
    let dated = r.parse_dated("13-06-09").unwrap();
    assert_eq!(dated.date, d(1909, 6, 13));
    assert!(dated.two_digit_year);
    // ... with it, the row's year decides.
    assert_eq!(dated.in_year(Some(2009)), Ok(d(2009, 6, 13)));
    assert_eq!(dated.in_year(None), Ok(d(1909, 6, 13)));
    assert_eq!(dated.in_year(Some(2010)), Err(DateError::YearMismatch));
    assert_eq!(
        r.parse_dated("9-May-99").unwrap().in_year(Some(1999)),
        Ok(d(1999, 5, 9))
    );
    // Four-digit years stand as written.
    let four = r.parse_dated("13-06-2009").unwrap();
    assert!(!four.two_digit_year);
    assert_eq!(four.in_year(Some(1999)), Ok(d(2009, 6, 13)));
    assert!(!r.parse_dated("2009-06-13").unwrap().two_digit_year);
    // 29 February 2000 exists, 1900 has none.
    let leap = r.parse_dated("29-02-00").unwrap();
    assert_eq!(leap.in_year(Some(2000)), Ok(d(2000, 2, 29)));
    assert_eq!(leap.in_year(Some(1900)), Err(DateError::Unparsable));
    let fixed = DateReader::new(Some("%d/%m/%y".into()), 2008);
    let dated = fixed.parse_dated("01/02/15").unwrap();
    assert_eq!(dated.date, d(1915, 2, 1));
    assert_eq!(dated.in_year(Some(2015)), Ok(d(2015, 2, 1)));
}

#[test]
fn rejects_garbage_and_impossible_dates() {
    for bad in [
        "",
        "NA",
        "2020-02-30",
        "31-Feb-20",
        "tomorrow",
        "2020-13-01",
        "20201301",
        "2020-01-01x",
        "1-2-3",
        "01-02-201",
        "01/02-2020",
        "1.2.3.4",
        "31/31/2020",
    ] {
        assert_eq!(parse_date(bad, None), Err(DateError::Unparsable), "{bad}");
    }
    assert_eq!(
        parse_date("2020-01-01", Some("%d/%m/%Y")),
        Err(DateError::Unparsable)
    );
}

#[test]
fn leap_days() {
    assert_eq!(parse_date("29-Feb-20", None), Ok(d(2020, 2, 29)));
    assert_eq!(parse_date("2019-02-29", None), Err(DateError::Unparsable));
}
