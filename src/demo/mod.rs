//! Demo and published-figure data sets, loaded through the real services: the demo street of a
//! plain `cargo run` ([`street`]) with its cases ([`cases`]), mentorships ([`mentorships`]) and
//! subsidy periods ([`subsidy`]); the Jiubao profile and the bulk generator for benchmarks
//! (`mediation seed`). Nothing here is used while serving requests.

pub mod bulk;
pub mod cases;
pub mod jiubao;
pub mod mentorships;
pub mod street;
pub mod subsidy;

pub use street::{
    load_if_empty, load_street_with_cases, DemoStreet, DemoSummary, DEMO_ACCOUNTS, DEMO_PASSWORD,
};
