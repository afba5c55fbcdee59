//! The parsed form of a query.

/// A parsed query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Query {
    /// Matches everything (the empty query, or the positive side of a
    /// query that only excludes).
    All,
    /// A text condition on the message body.
    Text(Text),
    /// A structured filter.
    Filter(Filter),
    /// Everything that the inner query does not match.
    Not(Box<Query>),
    /// All of these (implicit between adjacent terms, or `AND`).
    And(Vec<Query>),
    /// Any of these (`OR`).
    Or(Vec<Query>),
}

/// A text condition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Text {
    /// A bare word: stemmed, case- and accent-insensitive.
    Word(String),
    /// `"..."`: the exact word forms in this order (not stemmed; still case-
    /// and accent-insensitive). A single quoted word is an exact-form word.
    Phrase(String),
    /// `word*`: words starting with this (the `*` removed).
    Prefix(String),
    /// `word~`: words within a small edit distance (the `~` removed).
    Fuzzy(String),
}

/// A filter name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    /// `from:` a person, account id, handle or name.
    From,
    /// `in:` a conversation id or name.
    In,
    /// `after:DATE`: on or after the start of DATE.
    After,
    /// `before:DATE`: before the start of DATE.
    Before,
    /// `on:DATE`: within DATE.
    On,
    /// `has:link`, `has:attachment`, `has:note`.
    Has,
    /// `tag:TAG`.
    Tag,
    /// `status:STATUS` (review status).
    Status,
    /// `lang:CODE`.
    Lang,
    /// `platform:NAME`.
    Platform,
    /// `source:LABEL`: messages from the ingested input with that label.
    Source,
}

impl Field {
    /// Every filter, in the order help texts list them.
    pub const ALL: [Field; 11] = [
        Field::From,
        Field::In,
        Field::After,
        Field::Before,
        Field::On,
        Field::Has,
        Field::Tag,
        Field::Status,
        Field::Lang,
        Field::Platform,
        Field::Source,
    ];

    /// The name as written before the colon.
    pub fn name(self) -> &'static str {
        match self {
            Field::From => "from",
            Field::In => "in",
            Field::After => "after",
            Field::Before => "before",
            Field::On => "on",
            Field::Has => "has",
            Field::Tag => "tag",
            Field::Status => "status",
            Field::Lang => "lang",
            Field::Platform => "platform",
            Field::Source => "source",
        }
    }

    /// The field called `name` (case-insensitive), if it is one.
    pub fn from_name(name: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.name().eq_ignore_ascii_case(name))
    }
}

/// `field:value`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filter {
    /// Which filter.
    pub field: Field,
    /// The value with surrounding quotes removed.
    pub value: String,
    /// Byte position of the filter in the query text, for error messages.
    pub position: usize,
}

/// Something the lenient parser worked around.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Byte position in the query text.
    pub position: usize,
    /// What was wrong and what the parser did about it.
    pub message: String,
}
