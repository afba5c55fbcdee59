#![no_main]
//! The query parser: never panics, positions are valid, and a rendered
//! query parses back to itself.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (query, problems) = trove_query::parse(text);
    for problem in &problems {
        assert!(problem.position <= text.len() && text.is_char_boundary(problem.position));
    }
    if problems.is_empty() {
        let rendered = trove_query::render(&query);
        let (again, _) = trove_query::parse(&rendered);
        assert_eq!(trove_query::render(&again), rendered, "render is stable");
    }
});
