//! Pure rules, no I/O: the network's shape, passwords, masking, money, and (as they land) the case
//! workflow, grading, clocks and subsidy split. Handlers and services call these; none restates them.

pub mod agreement;
pub mod assignment;
pub mod case_terms;
pub mod clocks;
pub mod grading;
pub mod mediator_record;
pub mod mentorship;
pub mod money;
pub mod network;
pub mod password;
pub mod pii;
pub mod role;
pub mod subsidy;
pub mod workflow;
