//! Downloads of what `trove export` writes: a search's hits or a
//! collection, as CSV, JSONL or RSMF, redactions applied.
//!
//! The export is written to an unnamed file in the case folder (gone once
//! closed, so an interrupted download leaves nothing behind; on the case's
//! disk, not in memory) and streamed from it. The response says how many
//! messages it holds and how many rules redacted it.

use std::io::{Seek, SeekFrom, Write};

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use trove_app::{AppError, ExportFormat, Selection};

use crate::AppState;
use crate::media::{CHUNK, FileStream, disposition};
use crate::pages::{Failure, failure_response, with_case};

#[derive(Debug, Default, Deserialize)]
pub struct ExportParams {
    #[serde(default)]
    q: String,
    /// `csv` (default), `jsonl` or `rsmf`.
    format: Option<String>,
    /// CSV only: start with a byte-order mark (for Excel).
    #[serde(default)]
    bom: bool,
}

/// `/export?q=…&format=…`: every hit of a query, oldest first.
pub async fn search(State(state): State<AppState>, Query(params): Query<ExportParams>) -> Response {
    if let Err(f) = crate::bounds::check_query(&params.q) {
        return failure_response(false, f, &state.name, "UTC");
    }
    let selection = Selection::Query(params.q.clone());
    download(state, selection, &params, "trove-search").await
}

/// `/collections/{name}/export?format=…`: a collection in its order.
pub async fn collection(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(params): Query<ExportParams>,
) -> Response {
    let file = format!("trove-{name}");
    download(state, Selection::Collection(name), &params, &file).await
}

fn format_of(params: &ExportParams) -> Result<(ExportFormat, &'static str, &'static str), Failure> {
    match params.format.as_deref().unwrap_or("csv") {
        "csv" => Ok((ExportFormat::Csv { bom: params.bom }, "csv", "text/csv; charset=utf-8")),
        "jsonl" => Ok((ExportFormat::Jsonl, "jsonl", "application/x-ndjson")),
        "rsmf" => Ok((ExportFormat::Rsmf, "rsmf", "message/rfc822")),
        other => Err(Failure {
            status: StatusCode::BAD_REQUEST,
            message: format!("`{other}` is not an export format (csv, jsonl, rsmf)"),
        }),
    }
}

async fn download(
    state: AppState,
    selection: Selection,
    params: &ExportParams,
    stem: &str,
) -> Response {
    let name = state.name.to_string();
    let (format, extension, content_type) = match format_of(params) {
        Ok(found) => found,
        Err(f) => return failure_response(false, f, &name, "UTC"),
    };
    let file_name = format!("{stem}.{extension}");
    let shown = file_name.clone();
    let result = with_case(&state, move |case| {
        let io = |e: std::io::Error| Failure::from(AppError::Io(case.dir().to_path_buf(), e));
        let mut file = tempfile::tempfile_in(case.dir()).map_err(io)?;
        let written = {
            let mut writer = std::io::BufWriter::new(&mut file);
            let written =
                case.export_to(&selection, format, &mut writer, std::path::Path::new(&shown))?;
            writer.flush().map_err(io)?;
            written
        };
        let size = file.seek(SeekFrom::End(0)).map_err(io)?;
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        Ok((file, size, written))
    })
    .await;
    let (file, size, written) = match result {
        Ok(found) => found,
        Err(f) => return failure_response(false, f, &name, "UTC"),
    };
    let body = Body::from_stream(FileStream {
        file: tokio::fs::File::from_std(file),
        left: size,
        buf: vec![0; CHUNK],
    });
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(size));
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&disposition(false, &file_name, "export"))
            .unwrap_or_else(|_| HeaderValue::from_static("attachment")),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert("trove-export-messages", HeaderValue::from(written.messages));
    headers.insert("trove-redaction-rules", HeaderValue::from(written.rules));
    // How the query was read, when it was worked around; the search page
    // shows the same warnings in words.
    headers.insert("trove-export-warnings", HeaderValue::from(written.warnings.len()));
    response
}
