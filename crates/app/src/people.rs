//! `people`.

use trove_store::Actor;

use crate::annotate::now;
use crate::contract::{PeopleOutput, PersonOutput};
use crate::{AppError, Case};

impl Case {
    /// Every account, most active first, and every person with the
    /// accounts linked to them.
    pub fn people(&self) -> Result<PeopleOutput, AppError> {
        let accounts = self.store.accounts()?;
        let participants = self.participants()?;
        let mut persons = Vec::new();
        for person in self.store.persons()? {
            let linked: Vec<_> = person
                .accounts
                .iter()
                .filter_map(|(row, reason)| {
                    let index = accounts.iter().position(|a| a.row == *row)?;
                    Some((participants.get(index)?.clone(), reason.clone()))
                })
                .collect();
            persons.push(PersonOutput {
                name: person.name,
                messages: linked.iter().map(|(a, _)| a.messages).sum(),
                accounts: linked.iter().map(|(a, _)| a.clone()).collect(),
                reasons: linked.into_iter().map(|(_, reason)| reason).collect(),
            });
        }
        Ok(PeopleOutput { people: participants, persons })
    }

    /// Resolves a user's reference to exactly one account row; an
    /// ambiguous one is refused, naming each candidate by its row (`#12`),
    /// which is always unique.
    fn one_account(&self, reference: &str) -> Result<i64, AppError> {
        let reference = reference.trim();
        let found = self.store.find_accounts(reference)?;
        match found.as_slice() {
            [one] => Ok(*one),
            [] => Err(AppError::Usage(format!(
                "no account matches `{reference}` (see `trove people`; `#12` names row 12)"
            ))),
            many => {
                let accounts = self.store.accounts()?;
                let listed: Vec<String> = many
                    .iter()
                    .take(10)
                    .map(|row| match accounts.iter().find(|a| a.row == *row) {
                        Some(a) => format!("#{row} ({} {}, {})", a.platform, a.native_id, a.name),
                        None => format!("#{row}"),
                    })
                    .collect();
                Err(AppError::Usage(format!(
                    "`{reference}` matches {} accounts: {}{}; name one by its row, e.g. `{}`",
                    many.len(),
                    listed.join(", "),
                    if many.len() > 10 { ", …" } else { "" },
                    listed.first().and_then(|l| l.split(' ').next()).unwrap_or("#1"),
                )))
            }
        }
    }

    /// Links the accounts `a` and `b` into one person, for `reason`
    /// (recorded with the link and in the audit trail, as `author`'s). The
    /// person is called `name`, or after the first account. Returns the
    /// person's name.
    pub fn merge_people(
        &mut self,
        a: &str,
        b: &str,
        reason: &str,
        name: Option<&str>,
        author: &str,
    ) -> Result<String, AppError> {
        if reason.trim().is_empty() {
            return Err(AppError::Usage("a merge needs a reason (--reason)".into()));
        }
        let (first, second) = (self.one_account(a)?, self.one_account(b)?);
        if first == second {
            return Err(AppError::Usage(format!("`{a}` and `{b}` are the same account")));
        }
        let name = match name.map(str::trim).filter(|n| !n.is_empty()) {
            Some(name) => name.to_string(),
            None => self
                .store
                .persons()?
                .into_iter()
                .find(|p| p.accounts.iter().any(|(row, _)| *row == first || *row == second))
                .map(|p| p.name)
                .or_else(|| {
                    self.store
                        .accounts()
                        .ok()?
                        .into_iter()
                        .find(|acc| acc.row == first)
                        .map(|acc| acc.name)
                })
                .unwrap_or_else(|| a.to_string()),
        };
        let now = now();
        self.store.merge_accounts(
            first,
            second,
            &name,
            reason.trim(),
            Actor { author, now: &now },
        )?;
        Ok(name)
    }

    /// Takes the account `reference` out of the person it was linked to,
    /// for `reason` (in the audit trail). Returns the person's name.
    pub fn split_person(
        &mut self,
        reference: &str,
        reason: &str,
        author: &str,
    ) -> Result<String, AppError> {
        if reason.trim().is_empty() {
            return Err(AppError::Usage("a split needs a reason (--reason)".into()));
        }
        let row = self.one_account(reference)?;
        let now = now();
        self.store
            .split_account(row, reason.trim(), Actor { author, now: &now })?
            .ok_or_else(|| AppError::Usage(format!("`{reference}` is not linked to a person")))
    }

    /// Gives the account `reference` (platform id, handle, name or `#row`;
    /// exactly one account) a name, recorded in the audit trail.
    pub fn name_person(
        &mut self,
        reference: &str,
        name: &str,
        author: &str,
    ) -> Result<(), AppError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(AppError::Usage("a name cannot be empty".into()));
        }
        let row = self.one_account(reference)?;
        let now = now();
        self.store.name_account(row, name, Actor { author, now: &now })?;
        Ok(())
    }

    /// Names accounts from a CSV of `id,name` lines (a header line `id,name`
    /// is allowed). Returns how many lines named an account, and the lines
    /// that did not, with why.
    pub fn name_people_from_csv(
        &mut self,
        text: &str,
        author: &str,
    ) -> Result<(usize, Vec<String>), AppError> {
        let mut named = 0;
        let mut problems = Vec::new();
        for (number, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || (number == 0 && line.eq_ignore_ascii_case("id,name")) {
                continue;
            }
            let Some((id, name)) = line.split_once(',') else {
                problems.push(format!("line {}: expected `id,name`", number + 1));
                continue;
            };
            match self.name_person(id.trim(), name.trim().trim_matches('"'), author) {
                Ok(_) => named += 1,
                Err(e) => problems.push(format!("line {}: {e}", number + 1)),
            }
        }
        Ok((named, problems))
    }
}
