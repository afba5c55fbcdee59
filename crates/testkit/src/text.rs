//! Deterministic multilingual message text.
//!
//! Words are drawn from per-language vocabularies with a Zipf–Mandelbrot
//! distribution (a few words are everywhere, most are rare), message lengths
//! are mostly 3–30 words with a long tail to ~200, and a few messages carry
//! links, HTML-special characters or emoji. Generation is a table lookup per
//! word, so millions of messages take seconds.

use std::sync::OnceLock;

use crate::rng::{ALNUM, Rng};
use crate::vocab;

/// A language the generator writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    /// English.
    English,
    /// Russian (Cyrillic, inflected forms).
    Russian,
    /// German (umlauts, ß).
    German,
    /// Arabic (right to left).
    Arabic,
    /// Chinese (no spaces between words).
    Chinese,
}

impl Lang {
    /// Every language, in the order of [`TextOptions::lang_weights`].
    pub const ALL: [Lang; 5] =
        [Lang::English, Lang::Russian, Lang::German, Lang::Arabic, Lang::Chinese];

    /// The ISO 639-1 code.
    pub fn code(self) -> &'static str {
        match self {
            Lang::English => "en",
            Lang::Russian => "ru",
            Lang::German => "de",
            Lang::Arabic => "ar",
            Lang::Chinese => "zh",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// One language's words with their Zipf sampling table.
#[derive(Debug)]
pub struct Vocabulary {
    words: Vec<&'static str>,
    /// `cumulative[k]` = P(rank <= k) scaled to 2^32.
    cumulative: Vec<u64>,
}

impl Vocabulary {
    fn new(list: &'static str) -> Vocabulary {
        let words: Vec<&'static str> = list.split_whitespace().collect();
        // Zipf–Mandelbrot with s = 1, q = 2.7, a common fit for word counts.
        let weights: Vec<f64> = (0..words.len()).map(|k| 1.0 / (k as f64 + 2.7)).collect();
        let total: f64 = weights.iter().sum();
        let mut acc = 0.0;
        let cumulative = weights
            .iter()
            .map(|w| {
                acc += w;
                ((acc / total) * 4_294_967_296.0) as u64
            })
            .collect();
        Vocabulary { words, cumulative }
    }

    /// The words, most frequent first.
    pub fn words(&self) -> &[&'static str] {
        &self.words
    }

    /// One word drawn by Zipf rank.
    pub fn sample(&self, rng: &mut Rng) -> &'static str {
        let r = u64::from(rng.next_u32());
        let k = self.cumulative.partition_point(|&c| c <= r).min(self.words.len() - 1);
        self.words[k]
    }
}

/// The vocabulary of `lang`.
pub fn vocabulary(lang: Lang) -> &'static Vocabulary {
    static ALL: OnceLock<[Vocabulary; 5]> = OnceLock::new();
    let all = ALL.get_or_init(|| {
        [
            Vocabulary::new(vocab::ENGLISH),
            Vocabulary::new(vocab::RUSSIAN),
            Vocabulary::new(vocab::GERMAN),
            Vocabulary::new(vocab::ARABIC),
            Vocabulary::new(vocab::CHINESE),
        ]
    });
    &all[lang.index()]
}

/// What the generator mixes in.
#[derive(Clone, Debug)]
pub struct TextOptions {
    /// Relative weights of [`Lang::ALL`].
    pub lang_weights: [u32; 5],
    /// Probability that a message keeps the previous message's language
    /// (conversations stick to a language).
    pub stickiness: f64,
    /// Probability that a message contains a URL.
    pub url_rate: f64,
    /// Probability that a message contains `&`, `<` or `>` (sometimes a
    /// literal `&lt;`).
    pub html_rate: f64,
    /// Probability that a message contains emoji.
    pub emoji_rate: f64,
}

impl Default for TextOptions {
    fn default() -> Self {
        TextOptions {
            lang_weights: [40, 25, 15, 10, 10],
            stickiness: 0.85,
            url_rate: 0.04,
            html_rate: 0.03,
            emoji_rate: 0.08,
        }
    }
}

/// A deterministic message-text generator.
#[derive(Clone, Debug)]
pub struct TextGen {
    rng: Rng,
    options: TextOptions,
    lang: Lang,
}

impl TextGen {
    /// A generator with default options.
    pub fn new(seed: u64) -> TextGen {
        TextGen::with_options(seed, TextOptions::default())
    }

    /// A generator with `options`.
    pub fn with_options(seed: u64, options: TextOptions) -> TextGen {
        TextGen { rng: Rng::new(seed), options, lang: Lang::English }
    }

    /// The generator's random source, for callers that need related draws.
    pub fn rng(&mut self) -> &mut Rng {
        &mut self.rng
    }

    /// A message in a language picked by the options.
    pub fn message(&mut self) -> String {
        let mut out = String::new();
        self.write_message(&mut out);
        out
    }

    /// A message in `lang`.
    pub fn message_in(&mut self, lang: Lang) -> String {
        let mut out = String::new();
        self.write_message_in(lang, &mut out);
        out
    }

    /// Appends a message to `out` (reusing its allocation) and returns its
    /// language.
    pub fn write_message(&mut self, out: &mut String) -> Lang {
        if !self.rng.chance(self.options.stickiness) {
            self.lang = self.pick_lang();
        }
        let lang = self.lang;
        self.write_message_in(lang, out);
        lang
    }

    /// A number of words: mostly 3–30, a few 1–2, a tail up to ~200.
    pub fn word_count(&mut self) -> usize {
        let r = self.rng.f64();
        let u = self.rng.f64();
        if r < 0.06 {
            1 + (u * 2.0) as usize
        } else if r < 0.95 {
            3 + (27.0 * u.powf(1.6)) as usize
        } else {
            31 + (169.0 * u.powf(2.5)) as usize
        }
    }

    /// Appends a message in `lang` to `out`.
    pub fn write_message_in(&mut self, lang: Lang, out: &mut String) {
        let words = self.word_count();
        let vocabulary = vocabulary(lang);
        let spaced = lang != Lang::Chinese;
        let (comma, stops): (&str, &[&str]) = match lang {
            Lang::Chinese => ("，", &["。", "？", "！", "", "。"]),
            Lang::Arabic => ("،", &[".", "؟", "!", "", ""]),
            _ => (",", &[".", "?", "!", "", "..."]),
        };
        let extra_at = |rng: &mut Rng| rng.index(words + 1);
        let url_at = if self.rng.chance(self.options.url_rate) {
            extra_at(&mut self.rng)
        } else {
            usize::MAX
        };
        let html_at = if self.rng.chance(self.options.html_rate) {
            extra_at(&mut self.rng)
        } else {
            usize::MAX
        };
        let emoji_at = if self.rng.chance(self.options.emoji_rate) {
            extra_at(&mut self.rng)
        } else {
            usize::MAX
        };
        let start = out.len();
        for i in 0..=words {
            if i == url_at {
                self.separate(out, start, true);
                self.push_url(out);
            }
            if i == html_at {
                self.separate(out, start, true);
                out.push_str(self.rng.pick::<&str>(vocab::HTML_BITS));
            }
            if i == emoji_at {
                self.separate(out, start, spaced);
                for _ in 0..self.rng.range(1, 4) {
                    out.push_str(self.rng.pick::<&str>(vocab::EMOJI));
                }
            }
            if i == words {
                break;
            }
            self.separate(out, start, spaced);
            let word = vocabulary.sample(&mut self.rng);
            if out.len() == start {
                push_capitalised(out, word);
            } else {
                out.push_str(word);
            }
            if i + 1 < words && self.rng.chance(0.07) {
                out.push_str(comma);
            }
        }
        out.push_str(self.rng.pick::<&str>(stops));
    }

    fn separate(&mut self, out: &mut String, start: usize, spaced: bool) {
        if spaced && out.len() > start {
            out.push(' ');
        }
    }

    fn push_url(&mut self, out: &mut String) {
        out.push_str(self.rng.pick::<&str>(vocab::URL_BASES));
        let len = self.rng.range(6, 14) as usize;
        out.push_str(&self.rng.token(ALNUM, len));
    }

    fn pick_lang(&mut self) -> Lang {
        let total: u64 = self.options.lang_weights.iter().map(|&w| u64::from(w)).sum();
        let mut r = self.rng.below(total.max(1));
        for (lang, &w) in Lang::ALL.iter().zip(&self.options.lang_weights) {
            if r < u64::from(w) {
                return *lang;
            }
            r -= u64::from(w);
        }
        Lang::English
    }
}

fn push_capitalised(out: &mut String, word: &str) {
    let mut chars = word.chars();
    if let Some(first) = chars.next() {
        out.extend(first.to_uppercase());
        out.push_str(chars.as_str());
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn vocabularies_are_big_enough() {
        for (lang, min) in [
            (Lang::English, 300),
            (Lang::Russian, 300),
            (Lang::German, 250),
            (Lang::Arabic, 180),
            (Lang::Chinese, 140),
        ] {
            let n = vocabulary(lang).words().len();
            assert!(n >= min, "{lang:?} has {n} words");
        }
        let ru = vocabulary(Lang::Russian).words();
        for form in ["пароль", "пароля", "паролем"] {
            assert!(ru.contains(&form));
        }
        assert!(vocabulary(Lang::German).words().iter().any(|w| w.contains('ü')));
    }

    #[test]
    fn deterministic() {
        let a: Vec<String> = {
            let mut g = TextGen::new(3);
            (0..100).map(|_| g.message()).collect()
        };
        let mut g = TextGen::new(3);
        let b: Vec<String> = (0..100).map(|_| g.message()).collect();
        assert_eq!(a, b);
    }

    #[test]
    fn zipf_head_dominates() {
        let v = vocabulary(Lang::English);
        let mut rng = Rng::new(9);
        let n = 100_000;
        let the = (0..n).filter(|_| v.sample(&mut rng) == "the").count();
        // Rank 0 of ~400 with q = 2.7: about 6% of draws.
        assert!(the > n / 30 && the < n / 8, "{the}");
    }

    #[test]
    fn lengths_and_extras() {
        let mut g = TextGen::new(11);
        let mut lengths = Vec::new();
        let (mut urls, mut html, mut langs) = (0, 0, std::collections::HashSet::new());
        for _ in 0..20_000 {
            lengths.push(g.word_count());
            let mut s = String::new();
            langs.insert(g.write_message(&mut s));
            urls += usize::from(s.contains("://"));
            html += usize::from(s.contains(['&', '<', '>']));
        }
        let mid = lengths.iter().filter(|&&n| (3..=30).contains(&n)).count();
        assert!(mid > 17_000, "{mid}");
        assert!(lengths.iter().any(|&n| n > 100));
        assert!(lengths.iter().all(|&n| n <= 200));
        assert!(urls > 400 && urls < 1600, "{urls}");
        assert!(html > 300, "{html}");
        assert_eq!(langs.len(), 5);
    }
}
