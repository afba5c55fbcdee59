//! A chart's data: `/chart.json` and `/chart.csv`, taking the chart's own
//! parameters (`q`, `g`, `by`, `tz`), as every chart links them. The
//! counts are the facet counts the chart is drawn from.

use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use trove_app::{FacetsOutput, Granularity, PeriodCount, Series, SeriesBy};

use crate::AppState;
use crate::chart::ChartRequest;
use crate::pages::{failure_response, json_response, with_case, zone_of};

#[derive(Debug, Default, Deserialize)]
pub struct ChartParams {
    #[serde(default)]
    q: String,
    g: Option<String>,
    by: Option<String>,
    tz: Option<String>,
}

/// What `/chart.json` answers.
#[derive(Serialize)]
struct ChartJson<'a> {
    query: &'a str,
    zone: &'a str,
    granularity: Granularity,
    by: SeriesBy,
    /// Matching messages: the periods' counts add up to it.
    total: u64,
    /// Every period from the first match to the last, empty ones included.
    periods: &'a [PeriodCount],
    /// The most active senders' or conversations' counts, one per period.
    series: &'a [Series],
}

/// `/chart.json?q=…&g=…&by=…&tz=…`.
pub async fn chart_json(
    State(state): State<AppState>,
    Query(params): Query<ChartParams>,
) -> Response {
    match counted(&state, &params, true).await {
        Ok(facets) => json_response(
            StatusCode::OK,
            &ChartJson {
                query: &params.q,
                zone: &facets.zone,
                granularity: facets.granularity,
                by: facets.series_by,
                total: facets.total,
                periods: &facets.periods,
                series: &facets.series,
            },
        ),
        Err(response) => response,
    }
}

/// `/chart.csv?q=…&g=…&by=…&tz=…`: a row per period.
pub async fn chart_csv(
    State(state): State<AppState>,
    Query(params): Query<ChartParams>,
) -> Response {
    match counted(&state, &params, false).await {
        Ok(facets) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (header::CONTENT_DISPOSITION, "attachment; filename=\"trove-chart.csv\""),
            ],
            trove_app::activity_csv(&facets),
        )
            .into_response(),
        Err(response) => response,
    }
}

/// The activity the chart of `params` is drawn from (from the facet cache
/// when the page just counted it), or the failure as a response.
async fn counted(
    state: &AppState,
    params: &ChartParams,
    json: bool,
) -> Result<FacetsOutput, Response> {
    let fallback_zone = params.tz.as_deref().unwrap_or("UTC");
    if let Err(f) = crate::bounds::check_query(&params.q) {
        return Err(failure_response(json, f, &state.name, fallback_zone));
    }
    let request =
        ChartRequest::parse(params.g.as_deref(), None, params.by.as_deref(), SeriesBy::Person);
    let options = request.activity();
    let (q, tz) = (params.q.clone(), params.tz.clone());
    let caches = state.caches.clone();
    with_case(state, move |case| {
        let (zone_name, _) = zone_of(case, tz.as_deref())?;
        let version = case.derived_version()?;
        let key = (q, zone_name, options);
        if let Some(facets) = caches.facets.get(version, &key) {
            return Ok(facets);
        }
        let facets = case.activity(&key.0, Some(&key.1), &key.2)?;
        caches.facets.put(version, key, &facets);
        Ok(facets)
    })
    .await
    .map_err(|f| failure_response(json, f, &state.name, fallback_zone))
}
