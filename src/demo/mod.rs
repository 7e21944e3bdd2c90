//! Demo and published-figure data sets, loaded through the real services: the demo street of a
//! plain `cargo run` ([`street`]) with its cases ([`cases`]), mentorships ([`mentorships`]) and
//! subsidy periods ([`subsidy`]); the Jiubao profile and the bulk generator for benchmarks
//! (`mediation seed`). Nothing here is used while serving requests.

/// Where the demo streets' volunteer mediators come from (乡贤, 楼道长, 志愿者, 社会组织, 驻村律师,
/// 退休干部), in the order the fixtures hand them out.
pub const VOLUNTEER_BACKGROUNDS: [entity::terms::Background; 6] = [
    entity::terms::Background::LocalGentry,
    entity::terms::Background::HomeownerCommittee,
    entity::terms::Background::Volunteer,
    entity::terms::Background::SocialOrg,
    entity::terms::Background::Lawyer,
    entity::terms::Background::RetiredCadre,
];

pub mod bulk;
pub mod cases;
pub mod jiubao;
pub mod mentorships;
pub mod street;
pub mod subsidy;

pub use street::{
    load_if_empty, load_street_with_cases, DemoStreet, DemoSummary, DEMO_ACCOUNTS, DEMO_PASSWORD,
};
