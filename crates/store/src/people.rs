//! Persons: accounts on one or more platforms that a user decided belong to
//! one human. Never inferred; every link records why.

use rusqlite::{OptionalExtension, params};

use crate::annotations::{Actor, log};
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

    /// How the audit trail names an account: `#row platform:id`.
    fn account_label(&self, account: i64) -> Result<String, StoreError> {
        self.conn()
            .query_row("SELECT platform, native_id FROM accounts WHERE id = ?1", [account], |r| {
                Ok(format!("#{account} {}:{}", r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })
            .context(|| format!("reading account #{account}"))
    }

    /// Gives account `account` (a row) a name chosen by the user, recorded
    /// in the audit trail with the name it replaces.
    pub fn name_account(
        &mut self,
        account: i64,
        name: &str,
        actor: Actor<'_>,
    ) -> Result<(), StoreError> {
        let label = self.account_label(account)?;
        let tx = self.conn_mut().transaction().context(|| "starting to name".into())?;
        let before: Option<String> = tx
            .query_row("SELECT user_name FROM accounts WHERE id = ?1", [account], |r| r.get(0))
            .context(|| format!("naming account {account}"))?;
        tx.execute("UPDATE accounts SET user_name = ?2 WHERE id = ?1", params![account, name])
            .context(|| format!("naming account {account}"))?;
        let detail = match before {
            Some(before) => format!("{label}: {before} -> {name}"),
            None => format!("{label}: {name}"),
        };
        log(&tx, actor, "account.name", None, &detail)?;
        tx.commit().context(|| format!("naming account {account}"))
    }

    /// Links accounts `a` and `b` (rows) into one person named `name`,
    /// joining existing persons where either already belongs to one; the
    /// reason goes with the link and into the audit trail. Returns the
    /// person's row.
    pub fn merge_accounts(
        &mut self,
        a: i64,
        b: i64,
        name: &str,
        reason: &str,
        actor: Actor<'_>,
    ) -> Result<i64, StoreError> {
        let (person_a, person_b) = (self.person_of(a)?, self.person_of(b)?);
        let detail =
            format!("{} + {} as {name}: {reason}", self.account_label(a)?, self.account_label(b)?);
        let now = actor.now;
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
        log(&tx, actor, "person.merge", None, &detail)?;
        tx.commit().context(|| "committing a merge".into())?;
        Ok(person)
    }

    /// Takes account `account` (a row) out of its person, for `reason`
    /// (recorded in the audit trail); a person left with one account or
    /// none is dissolved, since a person is a link between accounts.
    /// Returns the name of the person it left, `None` when it had none.
    pub fn split_account(
        &mut self,
        account: i64,
        reason: &str,
        actor: Actor<'_>,
    ) -> Result<Option<String>, StoreError> {
        let label = self.account_label(account)?;
        let Some(person) = self.person_of(account)? else {
            return Ok(None);
        };
        let tx = self.conn_mut().transaction().context(|| "starting a split".into())?;
        let name: String = tx
            .query_row("SELECT name FROM persons WHERE id = ?1", [person], |r| r.get(0))
            .context(|| format!("reading person {person}"))?;
        tx.execute("DELETE FROM person_accounts WHERE account_id = ?1", [account])
            .context(|| format!("unlinking account {account}"))?;
        let left: i64 = tx
            .query_row("SELECT COUNT(*) FROM person_accounts WHERE person_id = ?1", [person], |r| {
                r.get(0)
            })
            .context(|| format!("counting the accounts of person {person}"))?;
        if left < 2 {
            tx.execute("DELETE FROM person_accounts WHERE person_id = ?1", [person])
                .context(|| format!("dissolving person {person}"))?;
            tx.execute("DELETE FROM persons WHERE id = ?1", [person])
                .context(|| format!("dissolving person {person}"))?;
        }
        log(&tx, actor, "person.split", None, &format!("{label} out of {name}: {reason}"))?;
        tx.commit().context(|| "committing a split".into())?;
        Ok(Some(name))
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
