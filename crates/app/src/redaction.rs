//! Redaction rules: stored per case, applied only on output. Here the
//! stored rules become a [`trove_redact::Redactor`] (a person rule gathers
//! every name, id and handle of the accounts it names, and the redactor
//! adds the local parts of addresses), and a preview shows where each rule
//! hits, and where a short local part is left as a plain word.

use std::sync::{Mutex, PoisonError};

use serde::Serialize;
use trove_redact::{Detector, PersonRule, Placeholders, Reach, Redactor, RuleKind, Rules};
use trove_store::{Actor, RuleRow, StoredMessage};

use crate::annotate::now;
use crate::{AppError, Case, render_id};

mod short;

/// A rule to add.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NewRule {
    /// A person (account id, handle, name, or a merged person's name; a
    /// name no account has is redacted as a name), with a pseudonym or the
    /// default `Participant N`.
    Person {
        /// What names the person.
        reference: String,
        /// How to show them.
        pseudonym: Option<String>,
    },
    /// An exact string.
    Text(String),
    /// A regular expression.
    Regex(String),
    /// A built-in detector by name.
    Detector(String),
}

/// A stored rule as listed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RuleOutput {
    /// The rule's id.
    pub id: i64,
    /// `person`, `text`, `regex` or `detector`.
    pub kind: String,
    /// The value as given.
    pub value: String,
    /// For persons: how they are shown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pseudonym: Option<String>,
    /// For persons: the accounts the rule covers (`platform:id`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub accounts: Vec<String>,
    /// For persons: every value redacted, listed and implied.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub covers: Vec<CoveredValue>,
}

/// One value a person rule redacts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CoveredValue {
    /// The value (a name, id, handle, or the local part of an address).
    pub value: String,
    /// `word`: anywhere as a whole word; `marked`: only as `<x>`, `@x`,
    /// `* x` or `x:` (a local part under three characters).
    pub reach: String,
    /// For a local part, the address it comes from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
}

/// Where one rule hits.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RuleHits {
    /// The rule.
    pub rule: RuleOutput,
    /// Places hit (a field of a message; a sender counts once per message).
    pub hits: u64,
    /// Messages hit.
    pub messages: u64,
    /// The first few places, as they read before and after.
    pub examples: Vec<PreviewExample>,
}

/// One place a rule hits.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PreviewExample {
    /// The message.
    pub message_id: String,
    /// `text`, `sender`, `sender_id`, `conversation`, `attachment`, `locator`.
    pub field: String,
    /// The field as stored.
    pub before: String,
    /// The field as it will be published.
    pub after: String,
}

/// `trove redact preview`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PreviewOutput {
    /// Messages looked at.
    pub messages: u64,
    /// Per rule, in rule order.
    pub rules: Vec<RuleHits>,
    /// Rules that hit nothing, and other things to know.
    pub warnings: Vec<String>,
}

/// The case's rules compiled, with what the output layer needs beside the
/// redactor itself. One is made per publication, export or preview: it
/// numbers detected values (`[email 1]`, `[email 2]`) in the order its
/// [`CaseRedactor::text`] meets them, the same for every field of that run.
pub struct CaseRedactor {
    pub(crate) redactor: Redactor,
    /// Stored rule per compiled rule: persons, texts, regexes, detectors.
    order: Vec<(RuleKind, usize, RuleRow)>,
    /// The person rules as compiled, by index.
    persons: Vec<PersonRule>,
    numbers: Mutex<Placeholders>,
}

impl CaseRedactor {
    /// Free text with every rule applied, detected values numbered across
    /// this redactor's run.
    pub fn text(&self, text: &str) -> String {
        // A panic elsewhere while numbering leaves the numbers valid.
        let mut numbers = self.numbers.lock().unwrap_or_else(PoisonError::into_inner);
        self.redactor.text_numbered(text, &mut numbers).into_owned()
    }

    /// The sender as published: a pseudonym, or the name redacted.
    pub fn sender(&self, id: Option<&str>, name: Option<&str>) -> Option<String> {
        if let Some(pseudonym) = self.redactor.sender(id.unwrap_or(""), name) {
            return Some(pseudonym.to_string());
        }
        name.or(id).map(|n| self.text(n))
    }

    /// The sender's id as published: a pseudonym's slug, or the id redacted.
    pub fn sender_id(&self, id: Option<&str>, name: Option<&str>) -> Option<String> {
        if let Some(pseudonym) = self.redactor.sender(id.unwrap_or(""), name) {
            return Some(slug(pseudonym));
        }
        id.map(|i| self.text(i))
    }

    fn stored_rule(&self, kind: RuleKind, index: usize) -> Option<&RuleRow> {
        self.order.iter().find(|(k, i, _)| *k == kind && *i == index).map(|(_, _, row)| row)
    }
}

/// The built-in detectors' names.
pub fn detector_names() -> Vec<&'static str> {
    Detector::ALL.iter().map(|d| d.name()).collect()
}

/// `Participant 3` → `participant-3`.
fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

impl Case {
    /// Adds a redaction rule after checking it compiles.
    pub fn add_redaction(&mut self, rule: NewRule, author: &str) -> Result<RuleOutput, AppError> {
        let (kind, value, pseudonym) = match &rule {
            NewRule::Person { reference, pseudonym } => {
                ("person", reference.trim(), pseudonym.as_deref())
            }
            NewRule::Text(text) => ("text", text.as_str(), None),
            NewRule::Regex(pattern) => ("regex", pattern.as_str(), None),
            NewRule::Detector(name) => ("detector", name.trim(), None),
        };
        if value.trim().is_empty() {
            return Err(AppError::Usage(format!("a {kind} rule needs a value")));
        }
        let mut check = Rules::default();
        match &rule {
            NewRule::Regex(pattern) => check.regexes.push(pattern.clone()),
            NewRule::Detector(name) => {
                let detector: Detector = name.parse().map_err(|_| {
                    AppError::Usage(format!(
                        "`{name}` is not a detector (use one of: {})",
                        Detector::ALL.map(|d| d.name()).join(", ")
                    ))
                })?;
                check.detectors.push(detector);
            }
            _ => {}
        }
        Redactor::new(&check).map_err(|e| AppError::Usage(one_line(&e.to_string())))?;
        let value = match &rule {
            NewRule::Detector(name) => {
                name.parse::<Detector>().map(|d| d.name().to_string()).unwrap_or_default()
            }
            _ => value.to_string(),
        };
        let id = self.store.add_rule(kind, &value, pseudonym, Actor { author, now: &now() })?;
        self.redactions()?
            .into_iter()
            .find(|r| r.id == id)
            .ok_or_else(|| AppError::Usage(format!("rule {id} vanished")))
    }

    /// Removes rule `id`.
    pub fn remove_redaction(&mut self, id: i64, author: &str) -> Result<(), AppError> {
        if self.store.remove_rule(id, Actor { author, now: &now() })? {
            Ok(())
        } else {
            Err(AppError::Usage(format!("there is no redaction rule {id}")))
        }
    }

    /// Every rule, persons with the accounts they cover.
    pub fn redactions(&self) -> Result<Vec<RuleOutput>, AppError> {
        self.rule_outputs(&self.redactor()?)
    }

    /// The stored rules as listed, pseudonyms from `redactor` (compiled
    /// once by the caller).
    fn rule_outputs(&self, redactor: &CaseRedactor) -> Result<Vec<RuleOutput>, AppError> {
        let mut out = Vec::new();
        for row in self.store.rules()? {
            let accounts = if row.kind == "person" {
                self.store
                    .account_rows(&self.store.find_accounts(&row.value)?)?
                    .into_iter()
                    .map(|a| format!("{}:{}", a.platform, a.native_id))
                    .collect()
            } else {
                Vec::new()
            };
            let index = (row.kind == "person")
                .then(|| redactor.order.iter().find(|(_, _, r)| r.id == row.id))
                .flatten()
                .map(|(_, index, _)| *index);
            let pseudonym = (row.kind == "person").then(|| {
                index.and_then(|i| redactor.redactor.pseudonym(i)).unwrap_or_default().to_string()
            });
            let covers = index
                .and_then(|i| redactor.persons.get(i))
                .map(|person| person.values().into_iter().map(covered).collect())
                .unwrap_or_default();
            out.push(RuleOutput {
                id: row.id,
                kind: row.kind,
                value: row.value,
                pseudonym,
                accounts,
                covers,
            });
        }
        Ok(out)
    }

    /// The case's rules, compiled.
    pub fn redactor(&self) -> Result<CaseRedactor, AppError> {
        let mut rules = Rules::default();
        let mut order = Vec::new();
        for row in self.store.rules()? {
            match row.kind.as_str() {
                "person" => {
                    let mut person = PersonRule {
                        pseudonym: row.pseudonym.clone().unwrap_or_default(),
                        names: vec![row.value.clone()],
                        ..PersonRule::default()
                    };
                    for account in
                        self.store.account_rows(&self.store.find_accounts(&row.value)?)?
                    {
                        person.ids.push(account.native_id);
                        person.names.extend(
                            [account.user_name, account.display_name, Some(account.name)]
                                .into_iter()
                                .flatten(),
                        );
                        person.handles.extend(account.handle);
                    }
                    person.names.sort();
                    person.names.dedup();
                    person.ids.sort();
                    person.ids.dedup();
                    order.push((RuleKind::Person, rules.persons.len(), row));
                    rules.persons.push(person);
                }
                "text" => {
                    order.push((RuleKind::Text, rules.texts.len(), row.clone()));
                    rules.texts.push(row.value);
                }
                "regex" => {
                    order.push((RuleKind::Regex, rules.regexes.len(), row.clone()));
                    rules.regexes.push(row.value);
                }
                _ => {
                    let Ok(detector) = row.value.parse::<Detector>() else { continue };
                    order.push((RuleKind::Detector, rules.detectors.len(), row));
                    rules.detectors.push(detector);
                }
            }
        }
        let redactor = Redactor::new(&rules).map_err(|e| AppError::Usage(e.to_string()))?;
        Ok(CaseRedactor {
            redactor,
            order,
            persons: rules.persons,
            numbers: Mutex::new(Placeholders::new()),
        })
    }

    /// Where every rule hits in the case and how the output will read, with
    /// up to `examples` places per rule; rules that hit nothing are warned
    /// about.
    pub fn redaction_preview(&self, examples: usize) -> Result<PreviewOutput, AppError> {
        let redactor = self.redactor()?;
        let listed = self.rule_outputs(&redactor)?;
        let mut tally = Tally {
            redactor: &redactor,
            rules: listed
                .into_iter()
                .map(|rule| RuleHits { rule, hits: 0, messages: 0, examples: Vec::new() })
                .collect(),
            examples,
        };
        let mut short = short::ShortNames::new(&redactor.persons);
        let mut messages = 0u64;
        let outcome = self.store.for_each_message(|m| {
            messages += 1;
            let mut hit_rules: Vec<i64> = Vec::new();
            let sender = m.sender_native_id.as_deref().and_then(|id| {
                redactor.redactor.person_of(id).or_else(|| {
                    m.sender_name.as_deref().and_then(|n| redactor.redactor.person_of(n))
                })
            });
            for (field, value) in fields_of(m) {
                let hits = redactor.redactor.hits(&value);
                for hit in &hits {
                    let Some(row) = redactor.stored_rule(hit.rule.kind, hit.rule.index) else {
                        continue;
                    };
                    tally.record(row.id, m, field, &value, &mut hit_rules);
                }
                // A sender who is a person is shown as the pseudonym whole.
                let pseudonymised = sender.is_some() && matches!(field, "sender" | "sender_id");
                if let Some(short) = short.as_mut().filter(|_| !pseudonymised) {
                    short.scan(&value, &hits, &render_id(m.key), field);
                }
            }
            if let Some(id) = &m.sender_native_id
                && let Some(person) = sender
                && let Some(row) = redactor.stored_rule(RuleKind::Person, person)
            {
                let shown = m.sender_name.clone().unwrap_or_else(|| id.clone());
                tally.record(row.id, m, "sender", &shown, &mut hit_rules);
            }
            for rule in tally.rules.iter_mut() {
                if hit_rules.contains(&rule.rule.id) {
                    rule.messages += 1;
                }
            }
            Ok(())
        })?;
        outcome.map_err(AppError::Usage)?;
        let per_rule = tally.rules;
        let mut warnings: Vec<String> = per_rule
            .iter()
            .filter(|r| r.hits == 0)
            .map(|r| {
                format!(
                    "rule {} ({} {:?}) hits nothing in this case",
                    r.rule.id, r.rule.kind, r.rule.value
                )
            })
            .collect();
        if let Some(short) = &short {
            warnings.extend(short.warnings(|index| {
                let row = redactor.stored_rule(RuleKind::Person, index)?;
                Some(format!("{} (person {:?})", row.id, row.value))
            }));
        }
        Ok(PreviewOutput { messages, rules: per_rule, warnings })
    }
}

/// The fields of a message that leave the case, by name.
pub(crate) fn fields_of(m: &StoredMessage) -> Vec<(&'static str, String)> {
    let mut fields = vec![("text", m.text.clone())];
    fields.extend(m.sender_name.clone().map(|n| ("sender", n)));
    fields.extend(m.sender_native_id.clone().map(|n| ("sender_id", n)));
    fields.push((
        "conversation",
        m.conversation_name.clone().unwrap_or_else(|| m.conversation_native_id.clone()),
    ));
    fields.extend(m.extra.attachments.iter().map(|a| ("attachment", a.name.clone())));
    fields.extend(m.entry.clone().map(|e| ("locator", e)));
    fields
}

/// Hits counted per rule during a preview.
struct Tally<'a> {
    redactor: &'a CaseRedactor,
    rules: Vec<RuleHits>,
    examples: usize,
}

impl Tally<'_> {
    /// Counts a hit of rule `rule_id` in `field` of `m`; `hit_rules`
    /// collects the rules that hit this message.
    fn record(
        &mut self,
        rule_id: i64,
        m: &StoredMessage,
        field: &str,
        value: &str,
        hit_rules: &mut Vec<i64>,
    ) {
        let Some(rule) = self.rules.iter_mut().find(|r| r.rule.id == rule_id) else { return };
        rule.hits += 1;
        if !hit_rules.contains(&rule_id) {
            hit_rules.push(rule_id);
        }
        if rule.examples.len() < self.examples {
            let after = if field == "sender" {
                self.redactor.sender(m.sender_native_id.as_deref(), Some(value)).unwrap_or_default()
            } else {
                self.redactor.text(value)
            };
            rule.examples.push(PreviewExample {
                message_id: render_id(m.key),
                field: field.to_string(),
                before: value.to_string(),
                after,
            });
        }
    }
}

/// A multi-line message (the regex crate draws a caret under the problem)
/// as one line for the command line's `error:` and the JSON error field.
fn one_line(message: &str) -> String {
    message.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ")
}

/// A person rule's value as listed.
fn covered(value: trove_redact::PersonValue) -> CoveredValue {
    let reach = match value.reach {
        Reach::Word => "word",
        Reach::Marked => "marked",
    };
    CoveredValue { value: value.value, reach: reach.to_string(), from: value.from }
}
