//! The activity chart and the weekday × hour heatmap as pages draw them:
//! SVG geometry computed here (the page needs no script to read them),
//! axes with round ticks, and the links that change what a chart shows
//! (resolution, scale, what the bars are stacked by) or download its data.

use std::fmt;

use jiff::civil::Date;
use trove_app::{ActivityOptions, FacetsOutput, Granularity, SeriesBy};

use crate::views::{encode, join_query};

/// The SVG's own coordinates; it is scaled to the page's width, its text
/// with it (so labels keep their proportions, unlike a stretched chart).
const WIDTH: f64 = 960.0;
const HEIGHT: f64 = 200.0;
/// Room for the count labels on the left and the time labels below.
const LEFT: f64 = 44.0;
const RIGHT: f64 = WIDTH - 8.0;
const TOP: f64 = 8.0;
const BOTTOM: f64 = HEIGHT - 22.0;
/// A label's width per character at the stylesheet's font size, with room
/// to spare, and the least space between two labels.
const CHAR_WIDTH: f64 = 7.2;
const LABEL_GAP: f64 = 8.0;
/// Most intervals on the count axis.
const MOST_Y_INTERVALS: u64 = 5;

/// How bar heights map counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Scale {
    #[default]
    Linear,
    /// log10(1 + count): a quiet period stays visible beside a busy one.
    Log,
}

impl Scale {
    fn name(self) -> &'static str {
        match self {
            Scale::Linear => "linear",
            Scale::Log => "log",
        }
    }

    /// Where `count` is between 0 (the axis) and 1 (`top`).
    fn fraction(self, count: u64, top: u64) -> f64 {
        let top = top.max(1) as f64;
        match self {
            Scale::Linear => count as f64 / top,
            Scale::Log => (1.0 + count as f64).log10() / (1.0 + top).log10(),
        }
    }
}

/// What a request asks of a chart: `g`, `scale` and `by`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChartRequest {
    /// `None`: chosen by the span of the matches.
    pub granularity: Option<Granularity>,
    pub scale: Scale,
    pub by: SeriesBy,
    /// What the page stacks by when `by` is not given.
    pub default_by: SeriesBy,
}

/// Series a stacked chart shows at most (the palette has five colours).
pub const SERIES: usize = 5;

impl ChartRequest {
    /// Reads the query parameters; an unknown value is the default.
    pub fn parse(
        g: Option<&str>,
        scale: Option<&str>,
        by: Option<&str>,
        default_by: SeriesBy,
    ) -> ChartRequest {
        ChartRequest {
            granularity: granularity(g),
            scale: if scale == Some("log") { Scale::Log } else { Scale::Linear },
            by: match by {
                Some("person") => SeriesBy::Person,
                Some("conversation") => SeriesBy::Conversation,
                _ => default_by,
            },
            default_by,
        }
    }

    /// What the case is asked to count.
    pub fn activity(&self) -> ActivityOptions {
        ActivityOptions { granularity: self.granularity, series: SERIES, by: self.by }
    }

    /// The chart's parameters as hidden fields, so that a form (the time
    /// zone's) keeps them.
    pub fn keep(&self) -> Vec<(String, String)> {
        let mut keep = Vec::new();
        if let Some(g) = self.granularity {
            keep.push(("g".to_string(), unit(g).to_string()));
        }
        if self.scale == Scale::Log {
            keep.push(("scale".into(), "log".into()));
        }
        if self.by != self.default_by {
            keep.push(("by".into(), by_name(self.by).into()));
        }
        keep
    }

    /// `g=…&scale=…&by=…`, each only when not the default, with a leading
    /// `&` when any.
    fn params(&self) -> String {
        let mut out = String::new();
        if let Some(g) = self.granularity {
            out.push_str(&format!("&g={}", unit(g)));
        }
        if self.scale == Scale::Log {
            out.push_str("&scale=log");
        }
        if self.by != self.default_by {
            out.push_str(&format!("&by={}", by_name(self.by)));
        }
        out
    }
}

/// `g=day|week|month`; anything else lets the span choose.
pub fn granularity(value: Option<&str>) -> Option<Granularity> {
    match value {
        Some("day") => Some(Granularity::Day),
        Some("week") => Some(Granularity::Week),
        Some("month") => Some(Granularity::Month),
        _ => None,
    }
}

fn unit(g: Granularity) -> &'static str {
    match g {
        Granularity::Day => "day",
        Granularity::Week => "week",
        Granularity::Month => "month",
    }
}

fn by_name(by: SeriesBy) -> &'static str {
    match by {
        SeriesBy::Person => "person",
        SeriesBy::Conversation => "conversation",
    }
}

/// An SVG coordinate, written with one decimal at most.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Num(f64);

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tenths = (self.0 * 10.0).round() as i64;
        if tenths % 10 == 0 {
            write!(f, "{}", tenths / 10)
        } else {
            write!(f, "{}.{}", tenths / 10, (tenths % 10).abs())
        }
    }
}

/// One coloured part of a bar (a sender or conversation, or the rest).
pub struct Segment {
    pub y: Num,
    pub height: Num,
    pub class: String,
}

/// A bar of the activity chart: one period.
pub struct Bar {
    pub x: Num,
    pub width: Num,
    pub period: String,
    pub after: String,
    pub before: String,
    pub count: u64,
    pub href: String,
    pub segments: Vec<Segment>,
}

/// A labelled tick: where it is on its axis, and where its label goes.
#[derive(Debug, PartialEq)]
pub struct Tick {
    pub at: Num,
    pub label_at: Num,
    pub label: String,
}

/// A group of links that change one thing about the chart.
pub struct Control {
    pub title: &'static str,
    /// Label, link, current.
    pub options: Vec<(String, String, bool)>,
}

/// The messages-over-time chart: one bar per period, stacked by sender or
/// conversation when the activity has series, with axes.
pub struct Chart {
    pub width: Num,
    pub height: Num,
    pub left: Num,
    pub right: Num,
    pub top: Num,
    pub bottom: Num,
    pub plot_height: Num,
    /// Where the count labels end (they are right-aligned).
    pub y_label_x: Num,
    /// Where the time labels' baseline is.
    pub x_label_y: Num,
    pub x_tick_end: Num,
    pub bars: Vec<Bar>,
    pub y_ticks: Vec<Tick>,
    pub x_ticks: Vec<Tick>,
    pub first: String,
    pub last: String,
    pub max: u64,
    pub unit: &'static str,
    pub scale: &'static str,
    /// Legend: class and label, series first, then the rest.
    pub legend: Vec<(String, String)>,
    /// Links to the same page showing the chart otherwise, when offered.
    pub controls: Vec<Control>,
    /// The chart's data: CSV and JSON.
    pub csv: String,
    pub json: String,
    /// The query the bars narrow (for brushing off the search page).
    pub query: String,
}

impl Chart {
    /// Bars for `facets.periods`, each linking to `base_query` narrowed to
    /// its period, drawn on `scale`.
    pub fn new(facets: &FacetsOutput, base_query: &str, tz_param: &str, scale: Scale) -> Chart {
        let periods = &facets.periods;
        let n = periods.len().max(1) as f64;
        let slot = (RIGHT - LEFT) / n;
        // A gap between bars while they are wide enough to spare one.
        let bar_width = if slot > 3.0 { slot - 1.0 } else { slot };
        let max = periods.iter().map(|p| p.count).max().unwrap_or(0);
        let (top, y_values) = match scale {
            Scale::Linear => linear_ticks(max),
            Scale::Log => log_ticks(max),
        };
        let plot_height = BOTTOM - TOP;
        let bars = periods
            .iter()
            .enumerate()
            .map(|(i, p)| {
                // The bar's height stands for its total; its parts share
                // it in proportion (on a log scale, parts stacked by their
                // own logarithms would add up to nothing meaningful).
                let mut height = scale.fraction(p.count, top) * plot_height;
                if p.count > 0 {
                    height = height.max(1.0);
                }
                let mut segments = Vec::new();
                let mut y = BOTTOM;
                let mut stacked = 0;
                let part = |count: u64| height * count as f64 / p.count.max(1) as f64;
                for (s, series) in facets.series.iter().enumerate() {
                    let count = series.counts.get(i).copied().unwrap_or(0);
                    stacked += count;
                    if count > 0 {
                        y -= part(count);
                        segments.push(Segment {
                            y: Num(y),
                            height: Num(part(count)),
                            class: format!("c{s}"),
                        });
                    }
                }
                let rest = p.count.saturating_sub(stacked);
                if rest > 0 {
                    y -= part(rest);
                    // Unstacked, the whole bar is the rest: the plain colour.
                    let class = if facets.series.is_empty() { "total" } else { "others" };
                    segments.push(Segment {
                        y: Num(y),
                        height: Num(part(rest)),
                        class: class.into(),
                    });
                }
                let q = join_query(base_query, &p.filter);
                Bar {
                    x: Num(LEFT + i as f64 * slot),
                    width: Num(bar_width),
                    period: p.period.clone(),
                    after: p.start.clone(),
                    before: p.end.clone(),
                    count: p.count,
                    href: format!("/search?q={}&{tz_param}", encode(&q)),
                    segments,
                }
            })
            .collect();
        let y_ticks = y_values
            .iter()
            .map(|&v| {
                let at = BOTTOM - scale.fraction(v, top) * plot_height;
                Tick { at: Num(at), label_at: Num(at + 4.0), label: count_label(v) }
            })
            .collect();
        let mut legend: Vec<(String, String)> = facets
            .series
            .iter()
            .enumerate()
            .map(|(s, x)| (format!("c{s}"), x.label.clone()))
            .collect();
        if !legend.is_empty() {
            let rest = match facets.series_by {
                SeriesBy::Person => "everyone else",
                SeriesBy::Conversation => "other conversations",
            };
            legend.push(("others".into(), rest.into()));
        }
        let data = format!(
            "q={}&g={}&by={}&{tz_param}",
            encode(base_query),
            unit(facets.granularity),
            by_name(facets.series_by)
        );
        Chart {
            width: Num(WIDTH),
            height: Num(HEIGHT),
            left: Num(LEFT),
            right: Num(RIGHT),
            top: Num(TOP),
            bottom: Num(BOTTOM),
            plot_height: Num(plot_height),
            y_label_x: Num(LEFT - 5.0),
            x_label_y: Num(BOTTOM + 16.0),
            x_tick_end: Num(BOTTOM + 5.0),
            bars,
            y_ticks,
            x_ticks: time_ticks(periods, facets.granularity),
            first: periods.first().map(|p| p.period.clone()).unwrap_or_default(),
            last: periods.last().map(|p| p.period.clone()).unwrap_or_default(),
            max,
            unit: unit(facets.granularity),
            scale: scale.name(),
            legend,
            controls: Vec::new(),
            csv: format!("/chart.csv?{data}"),
            json: format!("/chart.json?{data}"),
            query: base_query.to_string(),
        }
    }

    /// Offers the chart by day, week or month (or as the span chooses), on
    /// a linear or log scale, stacked by person or conversation: links to
    /// `path` with `keep` (the page's own parameters, encoded) and the
    /// chart's.
    pub fn with_controls(mut self, path: &str, keep: &str, request: &ChartRequest) -> Chart {
        let link = |changed: ChartRequest| format!("{path}?{keep}{}", changed.params());
        let shown = self.unit;
        let mut resolutions = vec![(
            if request.granularity.is_none() { format!("auto ({shown})") } else { "auto".into() },
            link(ChartRequest { granularity: None, ..*request }),
            request.granularity.is_none(),
        )];
        for g in [Granularity::Day, Granularity::Week, Granularity::Month] {
            resolutions.push((
                unit(g).to_string(),
                link(ChartRequest { granularity: Some(g), ..*request }),
                request.granularity == Some(g),
            ));
        }
        let scales = [Scale::Linear, Scale::Log]
            .into_iter()
            .map(|scale| {
                (
                    scale.name().to_string(),
                    link(ChartRequest { scale, ..*request }),
                    request.scale == scale,
                )
            })
            .collect();
        let stacks = [SeriesBy::Person, SeriesBy::Conversation]
            .into_iter()
            .map(|by| {
                (by_name(by).to_string(), link(ChartRequest { by, ..*request }), request.by == by)
            })
            .collect();
        self.controls = vec![
            Control { title: "By", options: resolutions },
            Control { title: "Scale", options: scales },
            Control { title: "Stacked by", options: stacks },
        ];
        self
    }
}

/// Round ticks for counts up to `max`: a step of 1, 2 or 5 × 10^k giving
/// at most five intervals (three at least once `max` reaches 3), from 0 to
/// the first tick at or above `max` (the axis's top, returned first).
pub fn linear_ticks(max: u64) -> (u64, Vec<u64>) {
    let mut step = 1u64;
    'search: for power in 0..20u32 {
        for base in [1u64, 2, 5] {
            step = base.saturating_mul(10u64.saturating_pow(power));
            if max.div_ceil(step) <= MOST_Y_INTERVALS {
                break 'search;
            }
        }
    }
    let intervals = max.div_ceil(step).max(1);
    let ticks: Vec<u64> = (0..=intervals).map(|k| k.saturating_mul(step)).collect();
    (ticks.last().copied().unwrap_or(1), ticks)
}

/// Ticks for a log scale: 0, 1, 10, 100… up to the first power of ten at
/// or above `max` (the axis's top, returned first).
pub fn log_ticks(max: u64) -> (u64, Vec<u64>) {
    let mut ticks = vec![0, 1];
    let mut top = 1u64;
    while top < max {
        top = top.saturating_mul(10);
        ticks.push(top);
    }
    (top, ticks)
}

/// A count as an axis shows it: `1.5k`, `20k`, `3M` (round ticks make
/// these exact).
pub fn count_label(n: u64) -> String {
    for (unit, suffix) in [(1_000_000_000u64, "G"), (1_000_000, "M"), (1_000, "k")] {
        if n >= unit {
            if n.is_multiple_of(unit) {
                return format!("{}{suffix}", n / unit);
            }
            if n.is_multiple_of(unit / 10) {
                return format!("{}.{}{suffix}", n / unit, n % unit / (unit / 10));
            }
            return n.to_string();
        }
    }
    n.to_string()
}

/// What the time axis marks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TimeUnit {
    Years,
    Months,
    /// Every period's start (days, or the Mondays of weeks).
    Periods,
}

const MONTHS: [&str; 12] =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// Ticks on the time axis, at the start of years, months or days as the
/// span asks, thinned to every 2nd, 3rd… (on round months and years) so
/// that no two labels overlap.
fn time_ticks(periods: &[trove_app::PeriodCount], granularity: Granularity) -> Vec<Tick> {
    let spans: Vec<(Date, Date)> =
        periods.iter().filter_map(|p| Some((p.start.parse().ok()?, p.end.parse().ok()?))).collect();
    // Dates the chart cannot place would put every tick in the wrong place.
    if spans.len() != periods.len() || spans.is_empty() {
        return Vec::new();
    }
    let slot = (RIGHT - LEFT) / spans.len() as f64;
    let (first, end) = (spans[0].0, spans[spans.len() - 1].1);
    let span_days = days_between(first, end);
    let time_unit = if span_days > 3 * 366 {
        TimeUnit::Years
    } else if granularity == Granularity::Month || span_days > 62 {
        TimeUnit::Months
    } else {
        TimeUnit::Periods
    };
    // Where a day falls: its period's place, plus its share of the period.
    let x_of = |day: Date| -> Option<f64> {
        let i = spans.partition_point(|(_, end)| *end <= day);
        let (start, end) = spans.get(i)?;
        let share = days_between(*start, day) as f64 / days_between(*start, *end).max(1) as f64;
        Some(LEFT + (i as f64 + share) * slot)
    };
    let mut candidates: Vec<(Date, f64)> = Vec::new();
    match time_unit {
        TimeUnit::Periods => {
            for (i, (start, _)) in spans.iter().enumerate() {
                candidates.push((*start, LEFT + i as f64 * slot));
            }
        }
        TimeUnit::Months | TimeUnit::Years => {
            let mut day = first.first_of_month();
            while day < end {
                let wanted = time_unit == TimeUnit::Months || day.month() == 1;
                if let (true, Some(x)) = (day >= first && wanted, x_of(day)) {
                    candidates.push((day, x));
                }
                match day.checked_add(jiff::Span::new().months(1)) {
                    Ok(next) => day = next,
                    Err(_) => break,
                }
            }
        }
    }
    let label_width = |chars: usize| chars as f64 * CHAR_WIDTH;
    // The typical label; a longer one (a new month's or year's) is dropped
    // below when it would reach the next.
    let typical = label_width(match time_unit {
        TimeUnit::Years => 4,
        TimeUnit::Months => 4,
        TimeUnit::Periods => 3,
    });
    let spacing = candidates.windows(2).map(|w| w[1].1 - w[0].1).fold(f64::INFINITY, f64::min);
    let strides: &[usize] = match time_unit {
        TimeUnit::Years => &[1, 2, 5, 10, 20, 50, 100],
        TimeUnit::Months => &[1, 2, 3, 4, 6, 12],
        TimeUnit::Periods => &[1, 2, 3, 7, 14],
    };
    let stride = strides
        .iter()
        .copied()
        .find(|&s| spacing * s as f64 >= typical + LABEL_GAP)
        .unwrap_or(strides[strides.len() - 1]);
    let on_stride = |k: usize, day: Date| match time_unit {
        TimeUnit::Years => day.year().rem_euclid(stride as i16) == 0,
        TimeUnit::Months => (day.month() as usize - 1).is_multiple_of(stride),
        TimeUnit::Periods => k.is_multiple_of(stride),
    };
    let mut ticks: Vec<Tick> = Vec::new();
    let mut previous: Option<(Date, f64)> = None;
    for (k, (day, x)) in candidates.into_iter().enumerate() {
        if !on_stride(k, day) {
            continue;
        }
        let label = match time_unit {
            TimeUnit::Years => day.year().to_string(),
            TimeUnit::Months if day.month() == 1 => day.year().to_string(),
            TimeUnit::Months if previous.is_none() => {
                format!("{} {}", month_name(day), day.year())
            }
            TimeUnit::Months => month_name(day).to_string(),
            TimeUnit::Periods if previous.is_none_or(|(p, _)| p.month() != day.month()) => {
                format!("{} {}", month_name(day), day.day())
            }
            TimeUnit::Periods => day.day().to_string(),
        };
        let label_at = x + 3.0;
        let fits_after = previous.is_none_or(|(_, end)| label_at >= end + LABEL_GAP);
        let label_end = label_at + label_width(label.chars().count());
        if !fits_after || label_end > WIDTH {
            continue;
        }
        previous = Some((day, label_end));
        ticks.push(Tick { at: Num(x), label_at: Num(label_at), label });
    }
    ticks
}

fn month_name(day: Date) -> &'static str {
    MONTHS[(day.month().clamp(1, 12) - 1) as usize]
}

fn days_between(from: Date, to: Date) -> i64 {
    from.until(to).map_or(0, |span| i64::from(span.get_days()))
}

/// The hour × weekday heatmap: a shade class per cell, and the legend
/// saying which counts each shade stands for.
pub struct Heatmap {
    pub rows: Vec<(&'static str, Vec<(u64, u8)>)>,
    /// Shade and the counts it stands for (`0`, `1–4`, `12`), lightest
    /// first; shades no count can have are left out.
    pub legend: Vec<(u8, String)>,
}

/// Shades above 0 (the classes `s1`…`s8`).
const SHADES: u64 = 8;

/// The shade of `n` messages in a heatmap whose busiest cell holds `max`:
/// 0 for none, then 1 to 8 in equal steps, 8 for the busiest alone.
fn shade(n: u64, max: u64) -> u8 {
    if n == 0 {
        return 0;
    }
    let step = (u128::from(n) * u128::from(SHADES - 1) / u128::from(max.max(1))) as u64;
    (1 + step.min(SHADES - 1)) as u8
}

impl Heatmap {
    pub fn new(cells: &[Vec<u64>]) -> Heatmap {
        const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        let max = cells.iter().flatten().copied().max().unwrap_or(0).max(1);
        let rows = cells
            .iter()
            .zip(DAYS)
            .map(|(row, day)| (day, row.iter().map(|&n| (n, shade(n, max))).collect()))
            .collect();
        Heatmap { rows, legend: shade_legend(max) }
    }
}

/// Each shade a count up to `max` can have, with the counts that have it.
fn shade_legend(max: u64) -> Vec<(u8, String)> {
    let mut legend = vec![(0, "0".to_string())];
    // The least count of shade `k` (1…7) is the least n with
    // n × 7 ≥ (k − 1) × max; shade 8 is the busiest cell's alone.
    let least = |k: u64| -> u64 {
        let bound = u128::from(k - 1) * u128::from(max);
        (bound.div_ceil(u128::from(SHADES - 1)) as u64).max(1)
    };
    for k in 1..SHADES {
        let lo = least(k);
        let hi = least(k + 1).saturating_sub(1).min(max.saturating_sub(1));
        if lo <= hi {
            let label = if lo == hi { lo.to_string() } else { format!("{lo}–{hi}") };
            legend.push((k as u8, label));
        }
    }
    legend.push((SHADES as u8, max.to_string()));
    legend
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_ticks_are_round_and_three_to_five() {
        assert_eq!(linear_ticks(7), (8, vec![0, 2, 4, 6, 8]));
        assert_eq!(linear_ticks(11), (15, vec![0, 5, 10, 15]));
        assert_eq!(linear_ticks(100), (100, vec![0, 20, 40, 60, 80, 100]));
        assert_eq!(linear_ticks(101), (150, vec![0, 50, 100, 150]));
        assert_eq!(linear_ticks(0), (1, vec![0, 1]));
        for max in 3..5_000u64 {
            let (top, ticks) = linear_ticks(max);
            let intervals = ticks.len() as u64 - 1;
            assert!((3..=5).contains(&intervals), "{max}: {ticks:?}");
            assert!(top >= max && top - ticks[ticks.len() - 2] <= top, "{max}");
            let step = ticks[1];
            let mantissa = step / 10u64.pow(step.ilog10());
            assert!([1, 2, 5].contains(&mantissa) && step % 10u64.pow(step.ilog10()) == 0);
        }
        assert!(linear_ticks(u64::MAX).1.len() >= 2, "no overflow");
    }

    #[test]
    fn log_ticks_are_powers_of_ten_and_quiet_periods_stay_visible() {
        assert_eq!(log_ticks(0), (1, vec![0, 1]));
        assert_eq!(log_ticks(1), (1, vec![0, 1]));
        assert_eq!(log_ticks(250), (1000, vec![0, 1, 10, 100, 1000]));
        assert!(Scale::Log.fraction(1, 10_000) > 0.07, "one message beside ten thousand");
        assert!(Scale::Linear.fraction(1, 10_000) < 0.001);
    }

    #[test]
    fn counts_are_labelled_short_and_exact() {
        assert_eq!(count_label(950), "950");
        assert_eq!(count_label(1500), "1.5k");
        assert_eq!(count_label(20_000), "20k");
        assert_eq!(count_label(3_000_000), "3M");
        assert_eq!(count_label(1234), "1234");
    }

    fn months(first: &str, count: usize) -> Vec<trove_app::PeriodCount> {
        let mut at: Date = first.parse().expect("date");
        (0..count)
            .map(|_| {
                let end = at.checked_add(jiff::Span::new().months(1)).expect("month");
                let p = trove_app::PeriodCount {
                    period: format!("{:04}-{:02}", at.year(), at.month()),
                    filter: String::new(),
                    start: at.to_string(),
                    end: end.to_string(),
                    count: 1,
                };
                at = end;
                p
            })
            .collect()
    }

    fn days(first: &str, count: usize) -> Vec<trove_app::PeriodCount> {
        let start: Date = first.parse().expect("date");
        (0..count)
            .map(|k| {
                let at = start.checked_add(jiff::Span::new().days(k as i64)).expect("day");
                let end = at.tomorrow().expect("day");
                trove_app::PeriodCount {
                    period: at.to_string(),
                    filter: String::new(),
                    start: at.to_string(),
                    end: end.to_string(),
                    count: 1,
                }
            })
            .collect()
    }

    fn assert_apart(ticks: &[Tick]) {
        for pair in ticks.windows(2) {
            let end = pair[0].label_at.0 + pair[0].label.chars().count() as f64 * CHAR_WIDTH;
            assert!(pair[1].label_at.0 >= end + LABEL_GAP, "{pair:?} overlap");
        }
        assert!(ticks.iter().all(|t| t.at.0 >= LEFT && t.at.0 <= RIGHT));
    }

    #[test]
    fn time_ticks_follow_the_span_and_never_overlap() {
        let labels = |ticks: &[Tick]| ticks.iter().map(|t| t.label.clone()).collect::<Vec<_>>();
        // Twelve years of months: years.
        let long = time_ticks(&months("2008-01-01", 144), Granularity::Month);
        assert_eq!(labels(&long)[..3], ["2008", "2009", "2010"]);
        assert_apart(&long);
        // Fourteen months: months, the year where it starts and turns (the
        // first label, longer, leaves no room for December's).
        let year = time_ticks(&months("2019-11-01", 14), Granularity::Month);
        assert_eq!(labels(&year)[..4], ["Nov 2019", "2020", "Feb", "Mar"]);
        assert_apart(&year);
        // A month of days: days, the month named at its start.
        let month = time_ticks(&days("2020-03-01", 31), Granularity::Day);
        assert_eq!(labels(&month)[0], "Mar 1");
        assert!(month.len() >= 5, "{:?}", labels(&month));
        assert_apart(&month);
        // Sixty days of days: thinned, still regular.
        let two = time_ticks(&days("2020-03-01", 60), Granularity::Day);
        assert_apart(&two);
        assert!(two.len() >= 5);
        // Thousands of bars (a forced day chart over years): thinned.
        let many = time_ticks(&days("2015-01-01", 3000), Granularity::Day);
        assert_apart(&many);
        assert!(labels(&many).contains(&"2016".to_string()), "{:?}", labels(&many));
        // A year of months ticks land on round months when thinned.
        let dense = time_ticks(&months("2018-01-01", 36), Granularity::Month);
        assert_apart(&dense);
    }

    #[test]
    fn heatmap_shades_scale_to_the_busiest_cell() {
        let mut cells = vec![vec![0u64; 24]; 7];
        cells[0][9] = 10;
        cells[6][23] = 1;
        let map = Heatmap::new(&cells);
        assert_eq!(map.rows[0].1[9], (10, 8));
        assert_eq!(map.rows[6].1[23], (1, 1));
        assert_eq!(map.rows[3].1[3], (0, 0));
    }

    #[test]
    fn the_heatmap_legend_names_exactly_the_counts_of_each_shade() {
        for max in [1u64, 2, 3, 7, 10, 13, 100, 999] {
            let legend = shade_legend(max);
            for n in 0..=max {
                let s = shade(n, max);
                let (_, label) = legend
                    .iter()
                    .find(|(k, _)| *k == s)
                    .unwrap_or_else(|| panic!("max {max}: shade {s} of {n} not in {legend:?}"));
                let (lo, hi) = match label.split_once('–') {
                    Some((lo, hi)) => (lo.parse::<u64>().expect("lo"), hi.parse().expect("hi")),
                    None => (label.parse().expect("n"), label.parse().expect("n")),
                };
                assert!(lo <= n && n <= hi, "max {max}: {n} has shade {s}, labelled {label}");
            }
        }
        assert_eq!(shade_legend(1), vec![(0, "0".into()), (8, "1".into())]);
    }
}
