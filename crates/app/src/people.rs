//! `people`.

use crate::contract::PeopleOutput;
use crate::{AppError, Case};

impl Case {
    /// Every account, most active first.
    pub fn people(&self) -> Result<PeopleOutput, AppError> {
        Ok(PeopleOutput { people: self.participants()? })
    }

    /// Gives the account `id` (platform id or row) a name. Errors when no
    /// account has that id.
    pub fn name_person(&self, id: &str, name: &str) -> Result<usize, AppError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(AppError::Usage("a name cannot be empty".into()));
        }
        match self.store.name_account(id, name)? {
            0 => Err(AppError::Usage(format!("no account has the id `{id}` (see `trove people`)"))),
            n => Ok(n),
        }
    }

    /// Names accounts from a CSV of `id,name` lines (a header line `id,name`
    /// is allowed). Returns how many lines named an account, and the lines
    /// that did not, with why.
    pub fn name_people_from_csv(&self, text: &str) -> Result<(usize, Vec<String>), AppError> {
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
            match self.name_person(id.trim(), name.trim().trim_matches('"')) {
                Ok(_) => named += 1,
                Err(e) => problems.push(format!("line {}: {e}", number + 1)),
            }
        }
        Ok((named, problems))
    }
}
