//! Text to [`Query`]: a lenient parser that never fails and never recurses.
//!
//! Two passes. The lexer turns the text into terms, `OR`s, `AND`s and
//! parentheses;
//! every per-word rule (negation, punctuation, `*`, `~`, filters, quotes)
//! lives there. The assembler then builds the tree with an explicit stack of
//! open groups, so no input, however deeply nested, can exhaust the call
//! stack; groups deeper than [`MAX_DEPTH`] are reported and flattened so the
//! tree handed to later (recursive) consumers stays shallow.
//!
//! Grammar, loosely (`OR` binds tighter than AND, implicit or written):
//!
//! ```text
//! query   = chain (["AND"] chain)*      implicit AND
//! chain   = operand ("OR" operand)*
//! operand = ["-"] ( "(" query ")" | "\"" phrase "\"" | field ":" value | word ["*" | "~"] )
//! ```

use crate::suggest::nearest_field;
use crate::{Field, Filter, Problem, Query, Text};

/// How many parentheses may be open at once. Deeper ones are ignored (their
/// content joins the enclosing group) with a problem, which keeps both the
/// parser and everything that walks the tree afterwards free of deep
/// recursion.
const MAX_DEPTH: usize = 64;

/// The `has:` values the index knows about.
const HAS_VALUES: [&str; 3] = ["link", "attachment", "note"];

/// Parses `input`. Never fails: problems are worked around and returned,
/// ordered by position, each with a byte offset (on a char boundary) into
/// `input`.
///
/// The result is normalised: no input yields [`Query::All`]; a single term
/// is returned bare; nested `And`s and `Or`s are flattened; an `And` whose
/// items are all negations starts with [`Query::All`].
pub fn parse(input: &str) -> (Query, Vec<Problem>) {
    let mut problems = Vec::new();
    let tokens = lex(input, &mut problems);
    let query = assemble(tokens, &mut problems);
    // Group problems are found when the group closes, which may be long
    // after later problems were found; the UI wants them in reading order.
    problems.sort_by_key(|p| p.position);
    (query, problems)
}

/// The term `text` lexes to, if it is exactly one term (possibly negated).
/// The renderer uses this to check that a bare spelling reads back as the
/// same term before choosing it.
pub(crate) fn single_term(text: &str) -> Option<Query> {
    let mut problems = Vec::new();
    let mut tokens = lex(text, &mut problems);
    match (tokens.pop(), tokens.is_empty()) {
        (Some(Token::Term(query)), true) => Some(query),
        _ => None,
    }
}

enum Token {
    /// A word, phrase or filter, already wrapped in `Not` if negated.
    Term(Query),
    /// `OR` at this position.
    Or(usize),
    /// `AND` at this position.
    And(usize),
    /// `(` (or `-(`) at this position.
    Open { negated: bool, position: usize },
    /// `)` at this position.
    Close(usize),
}

fn report(problems: &mut Vec<Problem>, position: usize, message: impl Into<String>) {
    problems.push(Problem { position, message: message.into() });
}

fn negate_if(negated: bool, query: Query) -> Query {
    if negated { Query::Not(Box::new(query)) } else { query }
}

/// Punctuation that may surround a word in prose but never belongs to what
/// the user is searching for, so it is stripped from both ends of a word.
/// Inner punctuation is left alone (`e-mail`, `12:30`, `example.com`). `*`
/// and `~` are not here: they are operators, handled separately.
fn is_edge_punctuation(c: char) -> bool {
    matches!(
        c,
        '.' | ',' | ';' | ':' | '!' | '?' | '\'' | '`' | '[' | ']' | '{' | '}' | '-'
            // Typographic quotes and dashes, as phones and word processors type them.
            | '‘' | '’' | '‚' | '‛' | '“' | '”' | '„' | '‟' | '«' | '»' | '‹' | '›'
            | '‐' | '‑' | '‒' | '–' | '—' | '―' | '…' | '¡' | '¿'
            // CJK and full-width forms.
            | '、' | '。' | '，' | '．' | '！' | '？' | '：' | '；' | '（' | '）'
            | '「' | '」' | '『' | '』' | '【' | '】' | '《' | '》' | '〈' | '〉'
            // Arabic, Urdu, Devanagari, Greek.
            | '،' | '؛' | '؟' | '۔' | '।' | '॥' | '\u{37e}'
    )
}

fn is_delimiter(c: char) -> bool {
    c.is_whitespace() || matches!(c, '(' | ')' | '"')
}

fn lex(input: &str, problems: &mut Vec<Problem>) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut pos = 0;
    while let Some(c) = input[pos..].chars().next() {
        pos = match c {
            c if c.is_whitespace() => pos + c.len_utf8(),
            '(' => {
                tokens.push(Token::Open { negated: false, position: pos });
                pos + 1
            }
            ')' => {
                tokens.push(Token::Close(pos));
                pos + 1
            }
            '"' => {
                let (phrase, next) = lex_phrase(input, pos, problems);
                tokens.extend(phrase.map(Token::Term));
                next
            }
            _ => lex_chunk(input, pos, &mut tokens, problems),
        };
    }
    tokens
}

/// Reads a quoted string whose opening `"` is at `quote`. Returns the text
/// with whitespace runs collapsed and trimmed (so `" a  b "` and `"a b"` are
/// the same phrase), where lexing continues, and whether it was closed.
fn quoted(input: &str, quote: usize) -> (String, usize, bool) {
    let start = quote + 1;
    let rest = &input[start..];
    let (body, next, closed) = match rest.find('"') {
        Some(end) => (&rest[..end], start + end + 1, true),
        None => (rest, input.len(), false),
    };
    (body.split_whitespace().collect::<Vec<_>>().join(" "), next, closed)
}

/// Lexes `"phrase"` with its opening quote at `quote`.
fn lex_phrase(input: &str, quote: usize, problems: &mut Vec<Problem>) -> (Option<Query>, usize) {
    let (text, next, closed) = quoted(input, quote);
    match (text.is_empty(), closed) {
        (true, false) => report(problems, quote, "lone `\"` ignored"),
        (true, true) => report(problems, quote, "empty phrase `\"\"` ignored"),
        (false, false) => {
            report(problems, quote, "unterminated quote: the phrase runs to the end of the query")
        }
        (false, true) => {}
    }
    let phrase = (!text.is_empty()).then_some(Query::Text(Text::Phrase(text)));
    (phrase, next)
}

/// Lexes the run of non-delimiters starting at `start` (plus a quoted part
/// right after it for `-"phrase"` and `field:"value"`). Returns where
/// lexing continues.
fn lex_chunk(
    input: &str,
    start: usize,
    tokens: &mut Vec<Token>,
    problems: &mut Vec<Problem>,
) -> usize {
    let end = input[start..].find(is_delimiter).map_or(input.len(), |i| start + i);
    let chunk = &input[start..end];
    let follows = input[end..].chars().next();

    // Any number of leading dashes is one negation: `--x` is a typo for
    // `-x` far more often than a deliberate double negative.
    let body = chunk.trim_start_matches('-');
    let negated = body.len() < chunk.len();
    let body_start = end - body.len();
    if body.is_empty() {
        return match follows {
            Some('(') => {
                tokens.push(Token::Open { negated, position: end });
                end + 1
            }
            Some('"') => {
                let (phrase, next) = lex_phrase(input, end, problems);
                tokens.extend(phrase.map(|p| Token::Term(negate_if(negated, p))));
                next
            }
            // A dash on its own is prose (`clinton - emails`), not a mistake.
            _ => end,
        };
    }

    let core_offset = body
        .find(|c: char| !(is_edge_punctuation(c) || c == '*' || c == '~'))
        .unwrap_or(body.len());
    let core = &body[core_offset..];
    let core_start = body_start + core_offset;
    if let Some((i, op)) = body[..core_offset].char_indices().find(|&(_, c)| c == '*' || c == '~') {
        let message = if core.is_empty() {
            format!("lone `{op}` ignored: it goes right after a word, as in `word{op}`")
        } else {
            format!("leading `{op}` ignored: it goes right after a word, as in `word{op}`")
        };
        report(problems, body_start + i, message);
    }
    if core.is_empty() {
        // Only punctuation, such as `...` or `—`.
        return end;
    }

    // Only a known field name makes a filter, so URLs, times and `re:`
    // stay words.
    if let Some(colon) = core.find(':') {
        let (name, value) = (&core[..colon], &core[colon + 1..]);
        if let Some(field) = Field::from_name(name) {
            let spec = FilterSpec {
                field,
                negated,
                position: core_start,
                value_start: core_start + colon + 1,
            };
            return lex_filter(input, spec, end, tokens, problems);
        }
        if looks_like_filter(name, value, follows) {
            report(problems, core_start, unknown_filter(name));
        }
    }

    let word = core.trim_end_matches(is_edge_punctuation);
    let (make, stem): (fn(String) -> Text, &str) = if let Some(stem) = word.strip_suffix('*') {
        (Text::Prefix, stem)
    } else if let Some(stem) = word.strip_suffix('~') {
        (Text::Fuzzy, stem)
    } else {
        match word {
            "OR" if !negated => {
                tokens.push(Token::Or(core_start));
                return end;
            }
            "AND" if !negated => {
                tokens.push(Token::And(core_start));
                return end;
            }
            // Kept a word, since `DO NOT DISTURB` typed in capitals would
            // otherwise silently exclude `disturb`; but said, since
            // `clinton NOT trump` was meant to.
            "NOT" if !negated => report(
                problems,
                core_start,
                "`NOT` is searched as a word: to exclude a term, put `-` before it (`-word`)",
            ),
            _ => {}
        }
        (Text::Word, word)
    };
    // `end.*` and `foo**` mean the same as `end*` and `foo*`. The stem
    // cannot become empty: `core` starts with a character kept here.
    let stem = stem.trim_end_matches(|c| is_edge_punctuation(c) || c == '*' || c == '~');
    tokens.push(Token::Term(negate_if(negated, Query::Text(make(stem.to_string())))));
    end
}

/// Names before a colon that are not meant as filters: URI schemes written
/// without `//` and the subject prefixes of forwarded mail.
const NOT_FILTERS: [&str; 13] = [
    "mailto", "tel", "sms", "xmpp", "magnet", "urn", "data", "bitcoin", "sip", "geo", "re", "fw",
    "fwd",
];

/// Whether `name:value` (`follows` being the character after it) reads as
/// an attempt at a filter: a name of two or more letters and a value, bare
/// or quoted. Times (`12:30`), URLs (`http://x`), `C:\path`, `std::io` and
/// a word ending in a colon (`Note:`) do not.
fn looks_like_filter(name: &str, value: &str, follows: Option<char>) -> bool {
    let has_value = if value.is_empty() {
        follows == Some('"')
    } else {
        !value.starts_with(':') && !value.starts_with("//")
    };
    has_value
        && name.chars().nth(1).is_some()
        && name.chars().all(char::is_alphabetic)
        && !NOT_FILTERS.iter().any(|n| n.eq_ignore_ascii_case(name))
}

/// The problem reported for `name:` that is no filter.
fn unknown_filter(name: &str) -> String {
    let searched = format!("`{name}:` is not a filter, so it is searched as text");
    match nearest_field(name) {
        Some(field) => format!("{searched}; did you mean `{}:`?", field.name()),
        None => {
            let known: Vec<String> = Field::ALL.iter().map(|f| format!("{}:", f.name())).collect();
            format!("{searched} (the filters are {})", known.join(" "))
        }
    }
}

struct FilterSpec {
    field: Field,
    negated: bool,
    /// Where the field name starts.
    position: usize,
    /// Just after the colon.
    value_start: usize,
}

/// Lexes a filter whose unquoted value (possibly empty) runs from
/// `spec.value_start` to `end`.
fn lex_filter(
    input: &str,
    spec: FilterSpec,
    end: usize,
    tokens: &mut Vec<Token>,
    problems: &mut Vec<Problem>,
) -> usize {
    let name = spec.field.name();
    // Unquoted values are kept verbatim: ids and names may well end in
    // punctuation, and checking values is the index's job.
    let (value, next) = if spec.value_start < end {
        (input[spec.value_start..end].to_string(), end)
    } else if input[end..].starts_with('"') {
        let (value, next, closed) = quoted(input, end);
        if !closed {
            report(problems, end, "unterminated quote: the value runs to the end of the query");
        }
        (value, next)
    } else {
        (String::new(), end)
    };
    if value.is_empty() {
        report(problems, spec.position, format!("`{name}:` has no value; ignored"));
        return next;
    }
    if spec.field == Field::Has && !HAS_VALUES.iter().any(|v| v.eq_ignore_ascii_case(&value)) {
        report(
            problems,
            spec.position,
            format!("unknown `has:{value}`: expected has:link, has:attachment or has:note"),
        );
    }
    let filter = Query::Filter(Filter { field: spec.field, value, position: spec.position });
    tokens.push(Token::Term(negate_if(spec.negated, filter)));
    next
}

/// One level of parentheses (or the whole query) being assembled.
struct Group {
    /// OR-chains, implicitly ANDed.
    chains: Vec<Vec<Query>>,
    /// An `OR` still waiting for its right-hand operand.
    pending_or: Option<usize>,
    /// An `AND` still waiting for its right-hand operand.
    pending_and: Option<usize>,
    /// The first `AND` written in the group, for the note on precedence.
    first_and: Option<usize>,
    negated: bool,
    /// Where its `(` is.
    position: usize,
}

impl Group {
    fn new(negated: bool, position: usize) -> Group {
        Group {
            chains: Vec::new(),
            pending_or: None,
            pending_and: None,
            first_and: None,
            negated,
            position,
        }
    }

    fn push(&mut self, query: Query) {
        self.pending_and = None;
        if self.pending_or.take().is_some()
            && let Some(chain) = self.chains.last_mut()
        {
            chain.push(query);
            return;
        }
        self.chains.push(vec![query]);
    }

    fn or(&mut self, position: usize, problems: &mut Vec<Problem>) {
        if self.pending_or.is_some() {
            report(problems, position, "repeated `OR` ignored");
        } else if self.pending_and.is_some() {
            report(problems, position, "`OR` right after `AND` ignored");
        } else if self.chains.is_empty() {
            report(problems, position, "`OR` with nothing before it ignored");
        } else {
            self.pending_or = Some(position);
        }
    }

    /// `AND` is what a space already means; it only needs an operand on
    /// each side.
    fn and(&mut self, position: usize, problems: &mut Vec<Problem>) {
        if self.pending_and.is_some() {
            report(problems, position, "repeated `AND` ignored");
        } else if self.pending_or.is_some() {
            report(problems, position, "`AND` right after `OR` ignored");
        } else if self.chains.is_empty() {
            report(problems, position, "`AND` with nothing before it ignored");
        } else {
            self.pending_and = Some(position);
            self.first_and.get_or_insert(position);
        }
    }

    /// The group's query, or `None` if it holds nothing.
    fn finish(self, problems: &mut Vec<Problem>) -> Option<Query> {
        if let Some(position) = self.pending_or {
            report(problems, position, "`OR` with nothing after it ignored");
        }
        if let Some(position) = self.pending_and {
            report(problems, position, "`AND` with nothing after it ignored");
        }
        // Whoever writes `AND` may expect it to bind tighter than `OR`, as
        // in most languages; here it does not, so say how it was read.
        if let Some(position) = self.first_and
            && self.chains.iter().any(|chain| chain.len() > 1)
        {
            report(
                problems,
                position,
                "`OR` binds tighter than `AND`: `a AND b OR c` is read as `a AND (b OR c)`; \
                 use parentheses to group otherwise",
            );
        }
        if self.chains.is_empty() {
            return None;
        }
        Some(make_and(self.chains.into_iter().map(make_or).collect()))
    }
}

/// The only element of `items`, or all of them.
fn single(mut items: Vec<Query>) -> Result<Query, Vec<Query>> {
    if items.len() == 1
        && let Some(item) = items.pop()
    {
        return Ok(item);
    }
    Err(items)
}

/// `Or` of `items` (at least one), flattened; a single item stands alone.
fn make_or(items: Vec<Query>) -> Query {
    let mut flat = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Query::Or(inner) => flat.extend(inner),
            other => flat.push(other),
        }
    }
    single(flat).unwrap_or_else(Query::Or)
}

/// `And` of `items`, flattened. `All` is dropped (it changes nothing in an
/// AND), then put first again if every item is a negation, so that the
/// index always has something positive to subtract from.
fn make_and(items: Vec<Query>) -> Query {
    let mut flat = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Query::And(inner) => flat.extend(inner.into_iter().filter(|q| *q != Query::All)),
            Query::All => {}
            other => flat.push(other),
        }
    }
    if !flat.is_empty() && flat.iter().all(|q| matches!(q, Query::Not(_))) {
        flat.insert(0, Query::All);
    }
    match single(flat) {
        Ok(item) => item,
        Err(items) if items.is_empty() => Query::All,
        Err(items) => Query::And(items),
    }
}

fn assemble(tokens: Vec<Token>, problems: &mut Vec<Problem>) -> Query {
    let mut root = Group::new(false, 0);
    let mut open: Vec<Group> = Vec::new();
    // `(`s past MAX_DEPTH that are still open: their `)`s are ignored too.
    let mut too_deep = 0usize;
    let mut reported_depth = false;

    for token in tokens {
        match token {
            Token::Term(query) => current(&mut root, &mut open).push(query),
            Token::Or(position) => current(&mut root, &mut open).or(position, problems),
            Token::And(position) => current(&mut root, &mut open).and(position, problems),
            Token::Open { negated, position } => {
                if open.len() < MAX_DEPTH {
                    open.push(Group::new(negated, position));
                } else {
                    too_deep += 1;
                    // One report is enough; a paste of 10,000 `(` would
                    // otherwise bury everything else.
                    if !reported_depth {
                        reported_depth = true;
                        report(
                            problems,
                            position,
                            format!(
                                "parentheses nested more than {MAX_DEPTH} deep: the deeper ones are ignored"
                            ),
                        );
                    }
                }
            }
            Token::Close(position) => {
                if too_deep > 0 {
                    too_deep -= 1;
                } else if let Some(group) = open.pop() {
                    close(group, true, current(&mut root, &mut open), problems);
                } else {
                    report(problems, position, "unmatched `)` ignored");
                }
            }
        }
    }
    while let Some(group) = open.pop() {
        close(group, false, current(&mut root, &mut open), problems);
    }
    root.finish(problems).unwrap_or(Query::All)
}

fn current<'a>(root: &'a mut Group, open: &'a mut [Group]) -> &'a mut Group {
    match open.last_mut() {
        Some(group) => group,
        None => root,
    }
}

/// Ends `group` and adds it to `parent`. `closed` says whether a `)` ended
/// it or the end of the input did.
fn close(group: Group, closed: bool, parent: &mut Group, problems: &mut Vec<Problem>) {
    let (negated, position) = (group.negated, group.position);
    match (group.finish(problems), closed) {
        (Some(query), true) => parent.push(negate_if(negated, query)),
        (Some(query), false) => {
            report(problems, position, "`(` never closed: closed at the end of the query");
            parent.push(negate_if(negated, query));
        }
        (None, true) => report(problems, position, "empty `()` ignored"),
        (None, false) => report(problems, position, "lone `(` ignored"),
    }
}
