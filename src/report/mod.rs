//! Report building blocks shared by every markdown output.

pub mod markdown;
