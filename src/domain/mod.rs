//! Pure rules, no I/O: the network's shape, passwords, masking, money, the case workflow, grading,
//! clocks, assignment suggestions, agreements, the subsidy split, mediator records and the
//! mentor-apprentice programme. Handlers and services call these; none restates them.

pub mod access;
pub mod agreement;
pub mod assignment;
pub mod case_edit;
pub mod case_file;
pub mod case_terms;
pub mod clocks;
pub mod grading;
pub mod ledger;
pub mod mediator_record;
pub mod mentorship;
pub mod money;
pub mod name_search;
pub mod network;
pub mod notifications;
pub mod password;
pub mod pii;
pub mod role;
pub mod stats;
pub mod subsidy;
pub mod team;
pub mod term;
pub mod throttle;
pub mod warnings;
pub mod workflow;
