//! A term of the closed vocabulary (a grade, a status, a source…): its stored and API name, and
//! where its label lives. Labels are in the locale files only (`locales/*/`), under
//! `<LABEL_KEY>-<name>`; `crate::i18n::label` looks them up.

pub trait Term: Copy {
    /// The prefix of the term's label keys: `source` for `source-walk_in`.
    const LABEL_KEY: &'static str;

    /// The snake_case name the database, the API and the label key use.
    fn name(self) -> &'static str;
}
