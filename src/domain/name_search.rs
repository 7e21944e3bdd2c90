//! Searching party names by any part of them (the case list's `q=`): a name contains the query
//! exactly when one of its suffixes starts with it, so the suffixes of every name are stored and
//! a search is the index range of the suffixes that start with the query. Case is ignored (names
//! and queries are lowercased alike).

/// The text a name or a query is compared as: trimmed and lowercased.
pub fn normalized(text: &str) -> String {
    text.trim().to_lowercase()
}

/// Every suffix of the normalized name, longest first (`王大锤` → `王大锤`, `大锤`, `锤`); none for
/// an empty name.
pub fn suffixes(name: &str) -> Vec<String> {
    let name = normalized(name);
    name.char_indices()
        .map(|(at, _)| name[at..].to_owned())
        .collect()
}

/// The end of the range of texts that start with `prefix`: `prefix` followed by the last Unicode
/// character, which sorts after everything a stored suffix can continue with (texts compare by
/// their UTF-8 bytes).
pub fn prefix_end(prefix: &str) -> String {
    format!("{prefix}{}", char::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_has_one_suffix_per_character() {
        assert_eq!(suffixes(" 王大锤 "), ["王大锤", "大锤", "锤"]);
        assert_eq!(
            suffixes("ABC Ltd"),
            ["abc ltd", "bc ltd", "c ltd", " ltd", "ltd", "td", "d"]
        );
        assert!(suffixes("  ").is_empty());
    }

    #[test]
    fn a_query_inside_a_name_is_the_start_of_one_of_its_suffixes() {
        let q = normalized("大锤");
        let end = prefix_end(&q);
        let hits: Vec<String> = suffixes("王大锤")
            .into_iter()
            .filter(|s| *s >= q && *s < end)
            .collect();
        assert_eq!(hits, ["大锤"]);
        assert!(suffixes("王大").iter().all(|s| !(*s >= q && *s < end)));
    }
}
