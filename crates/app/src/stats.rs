//! `stats`.

use crate::contract::{ParticipantOutput, SourceOutput, StatsOutput};
use crate::dates::format_instant;
use crate::{AppError, Case};

impl Case {
    /// Counts, date span, accounts and sources.
    pub fn stats(&self) -> Result<StatsOutput, AppError> {
        let stats = self.store.stats()?;
        Ok(StatsOutput {
            messages: stats.messages,
            events: stats.events,
            conversations: stats.conversations,
            first: stats.first_ms.map(format_instant),
            last: stats.last_ms.map(format_instant),
            participants: self.participants()?,
            sources: self
                .store
                .sources()?
                .into_iter()
                .map(|s| SourceOutput {
                    path: s.path,
                    sha256: s.sha256,
                    format: s.format,
                    size: s.size,
                    ingested_at: s.ingested_at,
                    label: s.label,
                    options: if s.options.is_empty() {
                        String::new()
                    } else {
                        trove_ingest::reading::as_flags(&s.options)
                    },
                })
                .collect(),
            zone: self.zone_name()?,
        })
    }

    pub(crate) fn participants(&self) -> Result<Vec<ParticipantOutput>, AppError> {
        Ok(self
            .store
            .accounts()?
            .into_iter()
            .map(|a| ParticipantOutput {
                row: a.row,
                id: a.native_id,
                name: a.name,
                messages: a.messages,
                platform: a.platform,
                handle: a.handle,
                display_name: a.display_name,
                user_name: a.user_name,
                first: a.first_ms.map(format_instant),
                last: a.last_ms.map(format_instant),
            })
            .collect())
    }
}
