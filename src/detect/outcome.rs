//! Typed outcomes of detection: why a method could not judge a week fully ([`Note`]) and the
//! final word on a judged week ([`Outcome`]). Their `Display` is the sentence outputs show;
//! decisions (the report's "short history" list, the alarm count) match on the variants,
//! never on the words.

use std::fmt;

use serde::{Serialize, Serializer};

/// Why a method could not judge a week, or judged it only in part.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Note {
    /// The method needs more weeks before this one than the series has.
    ShortHistory,
    /// Farrington/Noufaily: fewer than `years` years of weeks before this one.
    ShortHistoryYears {
        /// Years the reference weeks reach back.
        years: usize,
    },
    /// Farrington/Noufaily: no event in the same weeks of past years (the fit is degenerate).
    TooSparse {
        /// Years the reference weeks reach back.
        years: usize,
    },
    /// Farrington/Noufaily: the GLM did not converge.
    NoFit,
    /// Farrington/Noufaily: the fit gave no finite threshold.
    Degenerate,
    /// Farrington/Noufaily's own minimum-count rule (`limit54`): too few cases for a threshold.
    FewCases {
        /// Cases needed.
        cases: f64,
        /// In this many weeks.
        weeks: usize,
    },
    /// EARS C3: a baseline with zero variance and `--min-sigma 0`.
    C3Undefined,
}

impl Note {
    /// Whether the note means "not enough history" (the report lists those regions).
    pub fn is_short_history(self) -> bool {
        matches!(self, Note::ShortHistory | Note::ShortHistoryYears { .. })
    }
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Note::ShortHistory => write!(f, "history too short for this method"),
            Note::ShortHistoryYears { years } => write!(
                f,
                "history too short: needs {years} years of weeks before this one"
            ),
            Note::TooSparse { years } => write!(
                f,
                "baseline too sparse: no events in the same weeks of the past {years} years"
            ),
            Note::NoFit => write!(f, "the baseline model did not converge"),
            Note::Degenerate => write!(f, "the baseline model is degenerate (no finite threshold)"),
            Note::FewCases { cases, weeks } => {
                write!(f, "fewer than {cases} events in the last {weeks} weeks")
            }
            Note::C3Undefined => write!(
                f,
                "C3 undefined: a baseline has zero variance (use --min-sigma > 0)"
            ),
        }
    }
}

/// The final word on a judged week, after multiplicity control and the minimum count.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Outcome {
    /// Significantly above the expected range: an alarm.
    Alarm,
    /// Within the expected range.
    WithinRange,
    /// Above the bound, but not significant once the regions judged that week are allowed for.
    NotSignificant {
        /// The Benjamini-Hochberg q-value.
        q: f64,
        /// Regions judged that week.
        judged: usize,
        /// The false-discovery level.
        level: f64,
    },
    /// Above the bound, but too few events in the last weeks to be news.
    TooFewEvents {
        /// Events needed.
        min_count: f64,
        /// In this many weeks.
        weeks: usize,
    },
    /// The method could not judge the week.
    Unjudged(Note),
}

impl Outcome {
    /// Whether the week is an alarm.
    pub fn is_alarm(self) -> bool {
        self == Outcome::Alarm
    }

    /// Whether the week was left unjudged for lack of history.
    pub fn is_short_history(self) -> bool {
        matches!(self, Outcome::Unjudged(n) if n.is_short_history())
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Alarm => write!(f, "above the expected range"),
            Outcome::WithinRange => write!(f, "within the expected range"),
            Outcome::NotSignificant { q, judged, level } => write!(
                f,
                "above the bound, but not significant across {judged} regions (q = {q:.3} > {level})"
            ),
            Outcome::TooFewEvents { min_count, weeks } => {
                write!(f, "fewer than {min_count} events in the last {weeks} weeks")
            }
            Outcome::Unjudged(note) => note.fmt(f),
        }
    }
}

/// Serialises as its sentence (the `reason` of findings in JSON).
impl Serialize for Outcome {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Serialises as its sentence.
impl Serialize for Note {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_kinds() {
        assert_eq!(
            Outcome::NotSignificant {
                q: 0.0612,
                judged: 14,
                level: 0.05
            }
            .to_string(),
            "above the bound, but not significant across 14 regions (q = 0.061 > 0.05)"
        );
        assert!(Outcome::Unjudged(Note::ShortHistoryYears { years: 4 }).is_short_history());
        assert!(!Outcome::Unjudged(Note::TooSparse { years: 4 }).is_short_history());
        assert!(Outcome::Alarm.is_alarm() && !Outcome::WithinRange.is_alarm());
        assert_eq!(
            serde_json::to_string(&Outcome::WithinRange).unwrap(),
            "\"within the expected range\""
        );
    }
}
