//! Each detector on values it must find and look-alikes it must leave.
#![allow(clippy::unwrap_used)]

use trove_redact::{Detector, Placeholders, Redactor, Rules};

fn detector(d: Detector) -> Redactor {
    Redactor::new(&Rules { detectors: vec![d], ..Rules::default() }).unwrap()
}

/// Each positive, alone and inside a sentence, is replaced whole; each
/// negative is left as is.
fn check(d: Detector, positives: &[&str], negatives: &[&str]) {
    let r = detector(d);
    let tag = d.replacement();
    for value in positives {
        assert_eq!(r.text(value), tag, "{d}: {value:?} alone");
        let sentence = format!("see ({value}), ok");
        assert_eq!(r.text(&sentence), format!("see ({tag}), ok"), "{d}: {value:?} in text");
    }
    for value in negatives {
        assert_eq!(r.text(value), *value, "{d}: {value:?} is not one");
    }
}

#[test]
fn email() {
    check(
        Detector::Email,
        &[
            "jdoe@example.com",
            "John.Doe+tag@mail.Example.co.uk",
            "jdoe%40example.org",
            "jdoe&#64;example.org",
            "zoë@exämple.de",
            "x_y-z@sub-domain.example.museum",
        ],
        &["@jdoe", "jdoe@localhost", "a@b.c", "foo @ bar.com", "user@1.2.3.4", "mail me at"],
    );
    let r = detector(Detector::Email);
    assert_eq!(r.text("mailto:jdoe@example.com."), "mailto:[email].");
}

#[test]
fn phone() {
    check(
        Detector::Phone,
        &[
            "+1 555 123 4567",
            "+1-555-123-4567",
            "+14155552671",
            "+44 (0)20 7946 0958",
            "+33 6 12 34 56 78",
            "(555) 123-4567",
            "555-123-4567",
            "555.123.4567",
            "1-800-555-1234",
            "06 12 34 56 78",
            "020 7946 0958",
            "0171 1234567",
            "+49 30 12345678",
            "(+44) 20 7946 0958",
        ],
        &[
            "2016-06-13",
            "13.06.2016",
            "01.06.2016",
            "2016-06-13 12:30:45",
            "12:30:45",
            "1234567890123456789",
            "+1234567890123456789",
            "id 123-4567",
            "v1.2.3",
            "3.14159",
            "1 000 000",
            "+1 23",
            "ISBN 978-3-16-148410-0",
            "4111 1111 1111 1111",
            "192.168.1.1",
        ],
    );
    let r = detector(Detector::Phone);
    assert_eq!(r.text("call +1 555 123 4567 2016 ok"), "call [phone] 2016 ok");
    assert_eq!(r.text("tel:+15551234567"), "tel:[phone]");
}

#[test]
fn ip() {
    check(
        Detector::Ip,
        &[
            "192.168.1.1",
            "8.8.8.8",
            "255.255.255.255",
            "10.0.0.1",
            "2001:db8::8a2e:370:7334",
            "2001:0db8:85a3:0000:0000:8a2e:0370:7334",
            "fe80::1ff:fe23:4567:890a",
            "::ffff:192.0.2.128",
        ],
        &[
            "256.1.1.1",
            "1.2.3",
            "1.2.3.4.5",
            "v1.2.3.4",
            "12:30:45",
            "std::fmt",
            "::",
            "::1",
            "00:1a:2b:3c:4d:5e",
            "a::b::c",
        ],
    );
    let r = detector(Detector::Ip);
    assert_eq!(r.text("host 10.0.0.1:8080 up"), "host [ip]:8080 up");
    assert_eq!(r.text("at [2001:db8::1]:443"), "at [[ip]]:443");
    assert_eq!(r.text("addr fe80::1: gone"), "addr [ip]: gone");
}

#[test]
fn token_url() {
    check(
        Detector::TokenUrl,
        &[
            "https://example.com/reset?token=abc123",
            "https://example.com/cb#access_token=ya29.a0Af&state=x",
            "https://s3.amazonaws.com/b/k?X-Amz-Signature=deadbeef&X-Amz-Expires=60",
            "https://example.com/?a=1&amp;key=sesame",
            "http://user:hunter2@example.com/admin",
            "https://example.com/login?code=4/0AX4",
            "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
            "https://discord.com/api/webhooks/123456/abcDEF",
            "https://api.telegram.org/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/getMe",
            "https://example.com/x?q=xoxb-123456789012-abcdefghijkl",
            "example.com/account/reset?password=pw1",
            "https://app.example.com/a;jsessionid=8F3A9C2B1D",
            "https://example.com/password/reset/9f86d081884c7d659a2feaa0c55ad015",
            "https://accounts.example.com/verify-email/Zx81kQ2mN7pL4vR9",
            "https://t.me/joinchat/AAAAAEkk2WdoDrB4-Q8-gg",
            "https://t.me/+AbCdEf123456",
            "https://chat.whatsapp.com/KzLd8Qx0Jt4Gh2Pq9Yw1Ab",
            "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
            "ghp_0123456789abcdefghijABCDEFGHIJ012345",
            "AKIAIOSFODNN7EXAMPLE",
        ],
        &[
            "https://example.com/page?id=5&lang=en",
            "https://twitter.com/someone/status/1",
            "https://youtu.be/dQw4w9WgXcQ?t=42",
            "https://youtu.be/dQw4w9WgXcQ?t=1m30s",
            "https://example.com/?token=",
            "https://github.com/rust-lang/regex/commit/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b",
            "https://example.com/blog/2016/06/13/a-post-title-with-many-words",
            "https://t.me/durov",
            "https://user@example.com/",
            "AKIA-not-a-key",
            "ghp_short",
        ],
    );
    let r = detector(Detector::TokenUrl);
    assert_eq!(r.text("open https://e.com/r?token=abc). Then"), "open [token-url]). Then");
}

#[test]
fn wallet() {
    check(
        Detector::Wallet,
        &[
            "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
            "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
            "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
            "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
            "0x52908400098527886E0F7030069857D2E4169EE7",
            "4AdUndXHHZ6cfufTMvppY6JwXNouMBzSkbLYfpAV5Usx3skxNgYeYTRj5UzqtReoS44qo9mtmXCqY45DJ852K5Jv2684Rge",
        ],
        &[
            "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3",
            "1AbcdefghijkmnopqrstuvwxyzABCDEF",
            "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdr",
            "0x52908400098527886E0F7030069857D2E4169EE",
            "0x52908400098527886E0F7030069857D2E4169EE71",
            "4AdUndXHHZ6cfufTMvppY6JwXNouMBzSkbLYfpAV5Usx3skxNgYeYTRj5UzqtReoS44qo9mtmXCqY45DJ852K5Jv2684Rg",
            "1234567890123456789",
        ],
    );
}

#[test]
fn onion() {
    let v3 = "duckduckgogg42xjoc72x3sjasowoarfbgcmvfimaftt6twagswzczad.onion";
    let v3_url = format!("http://{v3}/search?q=x");
    let v2_www = "www.3g2upl4pq6kufc4m.onion";
    check(
        Detector::Onion,
        &[v3, &v3_url, "3g2upl4pq6kufc4m.onion", v2_www, "HTTPS://3G2UPL4PQ6KUFC4M.ONION:8080/a"],
        &[
            "example.onion",
            "3g2upl4pq6kufc4m.onions",
            "x3g2upl4pq6kufc4m.onion",
            "3g2upl4pq6kufc4m0.onion",
            "duckduckgogg42xjoc72x3sjasowoarfbgcmvfimaftt6twagswzcza.onion",
        ],
    );
}

#[test]
fn detectors_see_full_width_digits() {
    let r = detector(Detector::Ip);
    assert_eq!(r.text("ip １９２.１６８.１.１ here"), "ip [ip] here");
}

#[test]
fn each_distinct_value_keeps_its_own_number_across_texts() {
    let r =
        Redactor::new(&Rules { detectors: Detector::ALL.to_vec(), ..Rules::default() }).unwrap();
    let mut numbers = Placeholders::new();
    let texts = [
        "from a@example.org to B@Example.org, cc A@EXAMPLE.ORG",
        "call +44 7700 900123 or +1 555 123 4567",
        "b@example.org again; +44-7700-900-123 again; 10.0.0.1",
    ];
    let out: Vec<String> =
        texts.iter().map(|t| r.text_numbered(t, &mut numbers).into_owned()).collect();
    assert_eq!(
        out,
        [
            "from [email 1] to [email 2], cc [email 1]",
            "call [phone 1] or [phone 2]",
            "[email 2] again; [phone 1] again; [ip 1]",
        ]
    );
    // Without numbering, every value reads alike as before.
    assert_eq!(r.text(texts[0]), "from [email] to [email], cc [email]");
    // A fresh run numbers the same texts the same way.
    let mut again = Placeholders::new();
    let repeat: Vec<String> =
        texts.iter().map(|t| r.text_numbered(t, &mut again).into_owned()).collect();
    assert_eq!(repeat, out);
}
