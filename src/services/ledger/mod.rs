//! The ledger (台账, DESIGN §11): the cases of a filter as rows, streamed out in bounded memory
//! ([`export`]), and a station's existing register brought in ([`import`]).

pub mod export;
pub mod import;
