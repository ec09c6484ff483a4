use super::*;

fn h(cols: &str) -> Vec<String> {
    cols.split(',').map(str::to_string).collect()
}

#[test]
fn detects_every_acled_generation() {
    let cases = [
            ("data_id,iso,event_id_cnty,event_id_no_cnty,event_date,year,event_type,actor1,country,admin1,admin2,fatalities", "2019-21"),
            ("event_id_cnty,event_date,year,disorder_type,event_type,actor1,country,admin1,admin2,fatalities", "2023+"),
            ("GWNO,EVENT_ID_CNTY,EVENT_ID_NO_CNTY,EVENT_DATE,YEAR,EVENT_TYPE,ACTOR1,COUNTRY,ADMIN1,FATALITIES", "pre-2017"),
            ("EVENT_DATE,YEAR,EVENT_TYPE,SUB_EVENT_TYPE,ACTOR1,COUNTRY,LOCATION,FATALITIES", "without admin"),
            (",actor1,actor2,admin1,admin2,admin3,ally_actor_1,ally_actor_2,country,data_id,event_date,event_id_cnty,event_type,fatalities", "2016-era"),
        ];
    for (header, gen) in cases {
        let header = h(header);
        assert_eq!(detect_preset(&header), Preset::Acled, "{gen}");
        let map = preset_columns(Preset::Acled, &header);
        assert!(map.layout.contains(gen), "{} !~ {gen}", map.layout);
    }
}

#[test]
fn acled_upper_case_columns_keep_their_spelling() {
    let map = preset_columns(
        Preset::Acled,
        &h("EVENT_DATE,COUNTRY,ADMIN1,FATALITIES,EVENT_ID_CNTY,ACTOR1"),
    );
    assert_eq!(map.date, DateSource::Column("EVENT_DATE".into()));
    assert_eq!(
        map.regions,
        vec![
            ("country".into(), "COUNTRY".into()),
            ("admin1".into(), "ADMIN1".into())
        ]
    );
    assert_eq!(map.id.as_deref(), Some("EVENT_ID_CNTY"));
}

#[test]
fn weekly_counts_are_read_back_with_their_regions() {
    let header = h("week_start,iso_week,country,admin1,events,fatalities");
    assert_eq!(detect_preset(&header), Preset::Counts);
    let map = preset_columns(Preset::Counts, &header);
    assert_eq!(map.date, DateSource::Column("week_start".into()));
    assert_eq!(
        map.regions,
        vec![
            ("country".into(), "country".into()),
            ("admin1".into(), "admin1".into())
        ]
    );
    assert_eq!(map.events_count.as_deref(), Some("events"));
    assert_eq!(map.fatalities.as_deref(), Some("fatalities"));
    // A SQL engine's result: week_start, the regions, events.
    let map = preset_columns(Preset::Counts, &h("WEEK_START,provstate,EVENTS"));
    assert_eq!(map.regions, vec![("provstate".into(), "provstate".into())]);
    assert_eq!(map.events_count.as_deref(), Some("EVENTS"));
}

#[test]
fn detects_gtd_ucdp_and_aggregates() {
    assert_eq!(
        detect_preset(&h(
            "eventid,iyear,imonth,iday,country_txt,provstate,gname,nkill"
        )),
        Preset::Gtd
    );
    assert_eq!(
        detect_preset(&h("year,month,day,provstate,city,nkill")),
        Preset::Gtd
    );
    assert_eq!(
        detect_preset(&h(
            "id,side_a,side_b,adm_1,adm_2,country,date_start,date_end,best"
        )),
        Preset::UcdpGed
    );
    let agg = h("WEEK,REGION,COUNTRY,ADMIN1,EVENT_TYPE,SUB_EVENT_TYPE,EVENTS,FATALITIES");
    assert_eq!(detect_preset(&agg), Preset::Acled);
    let map = preset_columns(Preset::Acled, &agg);
    assert_eq!(map.events_count.as_deref(), Some("EVENTS"));
    assert!(!map.fatalities_required);
    assert_eq!(
        detect_preset(&h("time,event_type,target,city")),
        Preset::Generic
    );
}

#[test]
fn strips_ucdp_unit_suffixes() {
    assert_eq!(strip_unit_suffix("Deir ez Zor Governorate"), "Deir ez Zor");
    assert_eq!(strip_unit_suffix("Lunda Sul province"), "Lunda Sul");
    assert_eq!(strip_unit_suffix("Ar Rastan district"), "Ar Rastan");
    assert_eq!(strip_unit_suffix("Aleppo"), "Aleppo");
    assert_eq!(strip_unit_suffix("Governorate"), "Governorate");
}
