//! Numbers and names for people: counts without needless decimals, statistics to about four
//! significant digits, names shortened with an ellipsis or cleared of control characters.
//! A leaf: every exporter, chart and report formats through here, and it depends on nothing.

/// Formats a count: integers without decimals, others with up to 6 significant decimals.
pub fn format_number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        let s = format!("{x:.6}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// Formats a number for machines (CSV): the shortest text that reads back as the same
/// `f64`, in plain notation from 1e-5 to 1e16 and scientific (`1.5e-7`) outside;
/// `inf`/`-inf` for infinities, empty for none or NaN.
pub fn format_full(x: Option<f64>) -> String {
    match x {
        // Whole numbers (most counts) as integers: the same digits `{v}` gives, faster.
        Some(v) if v.fract() == 0.0 && v.abs() < 1e15 && (v != 0.0 || v.is_sign_positive()) => {
            (v as i64).to_string()
        }
        None => String::new(),
        Some(v) if v.is_nan() => String::new(),
        Some(v) if v.is_infinite() => if v > 0.0 { "inf" } else { "-inf" }.into(),
        Some(v) if v != 0.0 && !(1e-5..1e16).contains(&v.abs()) => format!("{v:e}"),
        Some(v) => format!("{v}"),
    }
}

/// Formats a statistic for tables (people): 4 significant digits in plain notation where
/// that reads well, scientific below 1e-4; `inf` for infinity, empty for none.
pub fn format_stat(x: Option<f64>) -> String {
    match x {
        None => String::new(),
        Some(v) if v.is_infinite() => {
            if v > 0.0 {
                "inf".into()
            } else {
                "-inf".into()
            }
        }
        Some(v) if v.is_nan() => String::new(),
        Some(0.0) => "0".into(),
        Some(v) if v.abs() < 1e-4 => format!("{v:.3e}"),
        Some(v) if v.abs() >= 1000.0 => format!("{v:.1}"),
        Some(v) => {
            let digits = (3 - v.abs().log10().floor() as i32).clamp(0, 6) as usize;
            let s = format!("{v:.digits$}");
            if s.contains('.') {
                s.trim_end_matches('0').trim_end_matches('.').to_string()
            } else {
                s
            }
        }
    }
}

#[cfg(test)]
mod full_tests {
    use super::format_full;

    #[test]
    fn whole_numbers_print_as_display_prints_them() {
        let mut x = 1.0_f64;
        let mut values = vec![
            0.0,
            -0.0,
            1.0,
            -1.0,
            999_999_999_999_999.0,
            1e15,
            -1e15,
            1e16,
        ];
        while x < 1e17 {
            values.extend([x, -x, x + 1.0, x - 1.0, (x * 0.7).floor()]);
            x *= 3.0;
        }
        for v in values {
            let plain = if v != 0.0 && !(1e-5..1e16).contains(&v.abs()) {
                format!("{v:e}")
            } else {
                format!("{v}")
            };
            assert_eq!(format_full(Some(v)), plain, "{v:?}");
        }
    }

    #[test]
    fn full_precision_round_trips() {
        for x in [
            21.6994_f64,
            0.1 + 0.2,
            1.0 / 3.0,
            4.0,
            0.0,
            -0.25,
            1.5e-7,
            3.2e-300,
            1e20,
            123456.789,
        ] {
            let s = format_full(Some(x));
            assert_eq!(s.parse::<f64>().unwrap(), x, "{s}");
        }
        assert_eq!(format_full(Some(21.6994)), "21.6994");
        assert_eq!(format_full(Some(4.0)), "4");
        assert_eq!(format_full(Some(1.5e-7)), "1.5e-7");
        assert_eq!(format_full(Some(f64::INFINITY)), "inf");
        assert_eq!(format_full(Some(f64::NAN)), "");
        assert_eq!(format_full(None), "");
    }
}

/// Shortens a name to `max` characters with an ellipsis, on a character boundary.
pub fn ellipsize(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

/// Replaces control characters (newlines, NUL, ...) with spaces: names are data and must not
/// break a table row or a chart label.
pub fn without_controls(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statistics_read_well() {
        assert_eq!(format_stat(Some(2.90421)), "2.904");
        assert_eq!(format_stat(Some(0.012345)), "0.01235");
        assert_eq!(format_stat(Some(0.00001234)), "1.234e-5");
        assert_eq!(format_stat(Some(f64::INFINITY)), "inf");
        assert_eq!(format_stat(Some(19.0)), "19");
        assert_eq!(format_stat(Some(1234.5)), "1234.5");
        assert_eq!(format_stat(None), "");
        assert_eq!(ellipsize("Deir ez Zor", 5), "Deir…");
    }

    #[test]
    fn numbers_read_like_counts() {
        assert_eq!(format_number(3.0), "3");
        assert_eq!(format_number(2.5), "2.5");
        assert_eq!(format_number(0.1 + 0.2), "0.3");
    }

    #[test]
    fn control_characters_become_spaces() {
        assert_eq!(without_controls("North\nEast\0x"), "North East x");
    }
}
