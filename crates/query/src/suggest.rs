//! What a mistyped filter name was probably meant to be.

use crate::Field;

/// Names people reach for that the language spells otherwise. A name typed
/// close to one of these is pointed at the filter, as is a name close to
/// the filter's own.
const ALIASES: &[(&str, Field)] = &[
    ("sender", Field::From),
    ("author", Field::From),
    ("user", Field::From),
    ("by", Field::From),
    ("channel", Field::In),
    ("chat", Field::In),
    ("room", Field::In),
    ("group", Field::In),
    ("conversation", Field::In),
    ("since", Field::After),
    ("until", Field::Before),
    ("date", Field::On),
    ("day", Field::On),
    ("tags", Field::Tag),
    ("language", Field::Lang),
];

/// Edit distance with adjacent transpositions counted as one edit (optimal
/// string alignment), over characters: `form` is one edit from `from`, as
/// a slip of the fingers is. The same measure as the index's fuzzy terms.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Three rows: the one before the previous is needed for transpositions.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current: Vec<usize> = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            let mut best = (previous[j] + cost).min(previous[j + 1] + 1).min(current[j] + 1);
            if i > 0 && j > 0 && a[i - 1] == *cb && b[j - 1] == *ca {
                best = best.min(before[j - 1] + 1);
            }
            current[j + 1] = best;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

/// The filter `name` (not itself a filter) most probably meant: the one
/// whose name or alias is fewest edits away, within one edit for names of
/// up to four letters and two for longer ones. `None` when nothing is that
/// close.
pub(crate) fn nearest_field(name: &str) -> Option<Field> {
    let name = name.to_lowercase();
    let allowed = if name.chars().count() <= 4 { 1 } else { 2 };
    let names = Field::ALL.into_iter().map(|field| (field.name(), field));
    names
        .chain(ALIASES.iter().copied())
        .map(|(candidate, field)| (edit_distance(&name, candidate), field))
        .filter(|(distance, _)| *distance <= allowed)
        // `min_by_key` keeps the first of equals: filter names before aliases.
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, field)| field)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transpositions_cost_one_edit() {
        assert_eq!(edit_distance("form", "from"), 1);
        assert_eq!(edit_distance("from", "from"), 0);
        assert_eq!(edit_distance("befor", "before"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("ca", "abc"), 3);
        assert_eq!(edit_distance("пароль", "паролъ"), 1);
    }

    #[test]
    fn mistyped_names_point_at_their_filter() {
        assert_eq!(nearest_field("form"), Some(Field::From));
        assert_eq!(nearest_field("FORM"), Some(Field::From));
        assert_eq!(nearest_field("sendr"), Some(Field::From));
        assert_eq!(nearest_field("befor"), Some(Field::Before));
        assert_eq!(nearest_field("platfrom"), Some(Field::Platform));
        assert_eq!(nearest_field("channel"), Some(Field::In));
        assert_eq!(nearest_field("subject"), None);
        assert_eq!(nearest_field("re"), None);
    }
}
