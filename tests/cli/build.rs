//! Build settings users meet: the release binary is stripped (it was 98.7 MB), and a
//! `release-debug` profile keeps what a useful backtrace needs.

#[test]
fn release_binary_is_stripped_and_a_debug_profile_keeps_backtraces() {
    let manifest: toml::Table =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"))
            .unwrap()
            .parse()
            .unwrap();
    let release = &manifest["profile"]["release"];
    assert_eq!(
        release.get("strip").and_then(|s| s.as_str()),
        Some("symbols")
    );
    assert_ne!(
        release.get("debug").and_then(toml::Value::as_bool),
        Some(true)
    );
    let debug = &manifest["profile"]["release-debug"];
    assert_eq!(debug["inherits"].as_str(), Some("release"));
    assert_eq!(debug["strip"].as_str(), Some("none"));
    assert_eq!(debug["debug"].as_str(), Some("line-tables-only"));
}
