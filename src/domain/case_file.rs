//! The case file (卷宗) and what it must hold before it counts as complete: per grade, the records
//! every case needs and those a resolved case needs besides. The requirements are a setting; the
//! default is DESIGN §10's: a session record for every grade, and the agreement for `resolved`.

use serde::{Deserialize, Serialize};

use super::case_terms::Grade;
use super::workflow::Outcome;

/// A kind of record a file may be required to hold, in the order an inspection reads them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileItem {
    /// At least one session record (调解笔录).
    SessionRecord,
    /// The agreement (调解协议书) in force.
    Agreement,
    /// At least one follow-up record (回访记录).
    FollowUp,
    /// At least one attached document (evidence, ID copies, signed papers).
    Attachment,
}

impl FileItem {
    pub const ALL: [FileItem; 4] = [
        FileItem::SessionRecord,
        FileItem::Agreement,
        FileItem::FollowUp,
        FileItem::Attachment,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FileItem::SessionRecord => "session_record",
            FileItem::Agreement => "agreement",
            FileItem::FollowUp => "follow_up",
            FileItem::Attachment => "attachment",
        }
    }

    pub fn parse(s: &str) -> Option<FileItem> {
        FileItem::ALL.into_iter().find(|i| i.as_str() == s)
    }
}

/// What an attached file is (the uploader says so).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttachmentKind {
    Evidence,
    /// A copy of an identity document.
    Id,
    PaySlip,
    /// A photo of the signed agreement.
    AgreementPhoto,
    Other,
}

impl AttachmentKind {
    pub const ALL: [AttachmentKind; 5] = [
        AttachmentKind::Evidence,
        AttachmentKind::Id,
        AttachmentKind::PaySlip,
        AttachmentKind::AgreementPhoto,
        AttachmentKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AttachmentKind::Evidence => "evidence",
            AttachmentKind::Id => "id",
            AttachmentKind::PaySlip => "pay_slip",
            AttachmentKind::AgreementPhoto => "agreement_photo",
            AttachmentKind::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<AttachmentKind> {
        AttachmentKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// What one grade requires.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GradeRequirements {
    /// Whatever the outcome.
    pub always: Vec<FileItem>,
    /// Besides, when the case was closed as resolved.
    pub resolved: Vec<FileItem>,
}

/// What each grade requires (stored as a setting).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRequirements {
    pub simple: GradeRequirements,
    pub ordinary: GradeRequirements,
    pub complex: GradeRequirements,
    pub major: GradeRequirements,
}

impl Default for FileRequirements {
    fn default() -> FileRequirements {
        let each = || GradeRequirements {
            always: vec![FileItem::SessionRecord],
            resolved: vec![FileItem::Agreement],
        };
        FileRequirements {
            simple: each(),
            ordinary: each(),
            complex: each(),
            major: each(),
        }
    }
}

impl FileRequirements {
    pub fn of(&self, grade: Grade) -> &GradeRequirements {
        match grade {
            Grade::Simple => &self.simple,
            Grade::Ordinary => &self.ordinary,
            Grade::Complex => &self.complex,
            Grade::Major => &self.major,
        }
    }

    pub fn of_mut(&mut self, grade: Grade) -> &mut GradeRequirements {
        match grade {
            Grade::Simple => &mut self.simple,
            Grade::Ordinary => &mut self.ordinary,
            Grade::Complex => &mut self.complex,
            Grade::Major => &mut self.major,
        }
    }

    /// Each list in the inspection order, without repeats.
    pub fn normalized(mut self) -> FileRequirements {
        for grade in Grade::ALL {
            let r = self.of_mut(grade);
            r.always.sort();
            r.always.dedup();
            r.resolved.sort();
            r.resolved.dedup();
            let always = r.always.clone();
            r.resolved.retain(|i| !always.contains(i));
        }
        self
    }
}

/// What a case's file holds now.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FileFacts {
    pub sessions: u64,
    pub has_agreement: bool,
    pub follow_ups: u64,
    pub attachments: u64,
}

impl FileFacts {
    fn holds(&self, item: FileItem) -> bool {
        match item {
            FileItem::SessionRecord => self.sessions > 0,
            FileItem::Agreement => self.has_agreement,
            FileItem::FollowUp => self.follow_ups > 0,
            FileItem::Attachment => self.attachments > 0,
        }
    }
}

/// What the file of a case of `grade` that ended (or has not yet ended) with `outcome` lacks, in
/// the inspection order; empty when it is complete.
pub fn missing(
    requirements: &FileRequirements,
    grade: Grade,
    outcome: Option<Outcome>,
    facts: &FileFacts,
) -> Vec<FileItem> {
    let r = requirements.of(grade);
    let mut needed: Vec<FileItem> = r.always.clone();
    if outcome == Some(Outcome::Resolved) {
        needed.extend(r.resolved.iter().copied());
    }
    needed.sort();
    needed.dedup();
    needed.retain(|i| !facts.holds(*i));
    needed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attachment_kinds_parse_by_their_api_names() {
        for k in AttachmentKind::ALL {
            assert_eq!(AttachmentKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(AttachmentKind::parse("selfie"), None);
    }

    #[test]
    fn by_default_every_case_needs_a_session_record_and_a_resolved_one_the_agreement() {
        let r = FileRequirements::default();
        let empty = FileFacts::default();
        assert_eq!(
            missing(&r, Grade::Simple, None, &empty),
            vec![FileItem::SessionRecord]
        );
        assert_eq!(
            missing(&r, Grade::Major, Some(Outcome::Resolved), &empty),
            vec![FileItem::SessionRecord, FileItem::Agreement]
        );
        assert_eq!(
            missing(&r, Grade::Ordinary, Some(Outcome::Failed), &empty),
            vec![FileItem::SessionRecord]
        );
        let full = FileFacts {
            sessions: 1,
            has_agreement: true,
            ..FileFacts::default()
        };
        assert!(missing(&r, Grade::Complex, Some(Outcome::Resolved), &full).is_empty());
    }

    #[test]
    fn an_admin_may_require_a_follow_up_for_complex_cases_only() {
        let mut r = FileRequirements::default();
        r.complex.resolved.push(FileItem::FollowUp);
        let facts = FileFacts {
            sessions: 2,
            has_agreement: true,
            ..FileFacts::default()
        };
        assert_eq!(
            missing(&r, Grade::Complex, Some(Outcome::Resolved), &facts),
            vec![FileItem::FollowUp]
        );
        assert!(missing(&r, Grade::Simple, Some(Outcome::Resolved), &facts).is_empty());
    }

    #[test]
    fn requirements_are_kept_in_order_without_repeats() {
        let r = FileRequirements {
            simple: GradeRequirements {
                always: vec![
                    FileItem::FollowUp,
                    FileItem::SessionRecord,
                    FileItem::FollowUp,
                ],
                resolved: vec![FileItem::SessionRecord, FileItem::Agreement],
            },
            ..FileRequirements::default()
        }
        .normalized();
        assert_eq!(
            r.simple.always,
            vec![FileItem::SessionRecord, FileItem::FollowUp]
        );
        assert_eq!(r.simple.resolved, vec![FileItem::Agreement]);
        assert_eq!(FileItem::parse("follow_up"), Some(FileItem::FollowUp));
        assert_eq!(FileItem::parse("x"), None);
    }
}
