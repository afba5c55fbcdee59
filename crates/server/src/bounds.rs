//! What one request may cost. The workbench serves a newsroom: a request
//! that would hold it for seconds (a 60 KB query of 30,000 terms, a context
//! of 100,000 messages, page ten million of a search) is refused at once
//! with a 400 naming the bound, rather than slowing everyone.

use axum::http::StatusCode;

use crate::pages::Failure;

/// Characters in a search query.
pub const MAX_QUERY_CHARS: usize = 2_000;

/// Words and filters in a search query.
pub const MAX_QUERY_TERMS: usize = 256;

/// Messages shown on either side of a message in its conversation.
pub const MAX_CONTEXT: usize = 1_000;

/// How deep into a result list pages go (page × page size).
pub const MAX_RESULT_OFFSET: usize = 10_000;

fn refused(message: String) -> Failure {
    Failure { status: StatusCode::BAD_REQUEST, message }
}

/// A query the workbench will run, or why not.
pub fn check_query(q: &str) -> Result<(), Failure> {
    let chars = q.chars().count();
    if chars > MAX_QUERY_CHARS {
        return Err(refused(format!(
            "the query is {chars} characters; the workbench takes at most {MAX_QUERY_CHARS} \
             (`trove search` on the command line takes any)"
        )));
    }
    let terms = q.split_whitespace().count();
    if terms > MAX_QUERY_TERMS {
        return Err(refused(format!(
            "the query has {terms} terms; the workbench takes at most {MAX_QUERY_TERMS} \
             (`trove batch`-style lists of terms belong on the command line)"
        )));
    }
    Ok(())
}

/// A result page the workbench will fetch, or why not.
pub fn check_page(page: usize, page_size: usize) -> Result<(), Failure> {
    let offset = page.saturating_sub(1).saturating_mul(page_size);
    if offset > MAX_RESULT_OFFSET {
        return Err(refused(format!(
            "page {page} starts past result {MAX_RESULT_OFFSET}, the deepest the workbench pages; \
             narrow the query (a date range, a sender) or sort it the other way"
        )));
    }
    Ok(())
}

/// A context window the workbench will read, or why not.
pub fn check_context(side: &str, messages: usize) -> Result<(), Failure> {
    if messages > MAX_CONTEXT {
        return Err(refused(format!(
            "{side}={messages} asks for more context than the workbench shows ({MAX_CONTEXT} \
             messages on either side); `trove show --context N` on the command line has no bound"
        )));
    }
    Ok(())
}
