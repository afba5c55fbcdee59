//! Persons: accounts on one or more platforms that a user decided belong to
//! one human. Never inferred; every link records why.

use rusqlite::{OptionalExtension, params};

use crate::{Context, Store, StoreError};

/// A person and the rows of their accounts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PersonRow {
    /// Row id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Account rows, with the reason each was linked.
    pub accounts: Vec<(i64, String)>,
}

impl Store {
    fn person_of(&self, account: i64) -> Result<Option<i64>, StoreError> {
        self.conn()
            .query_row(
                "SELECT person_id FROM person_accounts WHERE account_id = ?1",
                [account],
                |r| r.get(0),
            )
            .optional()
            .context(|| format!("looking up the person of account {account}"))
    }

    /// Links accounts `a` and `b` (rows) into one person named `name`,
    /// joining existing persons where either already belongs to one.
    /// Returns the person's row.
    pub fn merge_accounts(
        &mut self,
        a: i64,
        b: i64,
        name: &str,
        reason: &str,
        now: &str,
    ) -> Result<i64, StoreError> {
        let (person_a, person_b) = (self.person_of(a)?, self.person_of(b)?);
        let tx = self.conn_mut().transaction().context(|| "starting a merge".into())?;
        let person = match (person_a, person_b) {
            (Some(p), _) | (None, Some(p)) => p,
            (None, None) => {
                tx.execute(
                    "INSERT INTO persons(name, created_at) VALUES (?1, ?2)",
                    params![name, now],
                )
                .context(|| "creating a person".into())?;
                tx.last_insert_rowid()
            }
        };
        if let (Some(keep), Some(other)) = (person_a, person_b)
            && keep != other
        {
            tx.execute(
                "UPDATE person_accounts SET person_id = ?1 WHERE person_id = ?2",
                params![keep, other],
            )
            .context(|| "joining two persons".into())?;
            tx.execute("DELETE FROM persons WHERE id = ?1", [other])
                .context(|| "joining two persons".into())?;
        }
        for account in [a, b] {
            tx.execute(
                "INSERT INTO person_accounts(account_id, person_id, reason, created_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(account_id) DO UPDATE SET person_id = excluded.person_id",
                params![account, person, reason, now],
            )
            .context(|| format!("linking account {account}"))?;
        }
        tx.commit().context(|| "committing a merge".into())?;
        Ok(person)
    }

    /// Every person with their accounts.
    pub fn persons(&self) -> Result<Vec<PersonRow>, StoreError> {
        let mut statement = self
            .conn()
            .prepare(
                "SELECT p.id, p.name, pa.account_id, pa.reason
                 FROM persons p JOIN person_accounts pa ON pa.person_id = p.id
                 ORDER BY p.id, pa.account_id",
            )
            .context(|| "listing persons".into())?;
        let rows = statement
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, String>(3)?,
                ))
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .context(|| "listing persons".into())?;
        let mut persons: Vec<PersonRow> = Vec::new();
        for (id, name, account, reason) in rows {
            match persons.last_mut() {
                Some(last) if last.id == id => last.accounts.push((account, reason)),
                _ => persons.push(PersonRow { id, name, accounts: vec![(account, reason)] }),
            }
        }
        Ok(persons)
    }

    /// Account rows of persons named `name` (case-insensitive).
    pub fn accounts_of_person(&self, name: &str) -> Result<Vec<i64>, StoreError> {
        let mut statement = self
            .conn()
            .prepare_cached(
                "SELECT pa.account_id FROM persons p JOIN person_accounts pa ON pa.person_id = p.id
                 WHERE p.name = ?1 COLLATE NOCASE ORDER BY pa.account_id",
            )
            .context(|| "finding a person".into())?;
        let rows = statement
            .query_map([name], |r| r.get(0))
            .and_then(|rows| rows.collect::<Result<Vec<i64>, _>>())
            .context(|| format!("finding person {name}"))?;
        Ok(rows)
    }
}
