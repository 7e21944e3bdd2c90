//! Demo and published-figure data sets loaded by `mediation seed`: the Jiubao profile and the
//! bulk generator for benchmarks.

pub mod bulk;
pub mod jiubao;
