//! Demo and published-figure data sets loaded by `mediation seed`.

pub mod jiubao;
