//! The workbench in a real browser (headless Chromium through
//! chromedriver): type a query, refine by a facet, move through hits with
//! the keyboard, open a hit in context, follow its permalink, switch the
//! time zone and see the heatmap change, brush the chart.
//!
//! Needs `chromium` and `chromedriver` (Debian's packages; `.ci/run`
//! installs them and sets `TROVE_REQUIRE_BROWSER=1`, which turns a missing
//! browser into a failure instead of a skip).

use std::net::{SocketAddr, TcpListener};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource, MOUSE_BUTTON_LEFT, MouseActions, PointerAction};
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use trove_app::Case;
use trove_ingest::IngestOptions;

/// Kills chromedriver when the test ends, however it ends.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("port")
}

fn find_driver() -> Option<String> {
    ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
        .iter()
        .find(|p| std::path::Path::new(p).exists())
        .map(|p| p.to_string())
}

/// A case of a generated Twitter group archive, served on a free port.
fn serve_case(dir: &std::path::Path) -> SocketAddr {
    let zip = dir.join("archive.zip");
    trove_testkit::twitter::Builder::new(7)
        .group_messages(3_000)
        .groups(2)
        .direct_messages(200)
        .one_to_one(4)
        .build()
        .write_zip(&zip)
        .expect("archive");
    let mut case = Case::open_or_create(&dir.join("case"), &mut ()).expect("case");
    let options = IngestOptions { command: "test".into(), ..IngestOptions::default() };
    case.ingest(&[zip], &options, &mut (), &AtomicBool::new(false)).expect("ingest");
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let addr: SocketAddr = "127.0.0.1:0".parse().expect("addr");
        let _ = trove_server::serve(case, addr, "tester", move |bound| {
            let _ = sender.send(bound);
        });
    });
    receiver.recv_timeout(Duration::from_secs(30)).expect("server started")
}

async fn connect(port: u16) -> Client {
    let capabilities = json!({
        "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,1000", "--lang=en-US"]
        }
    });
    let Value::Object(capabilities) = capabilities else { unreachable!() };
    let started = Instant::now();
    loop {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector)
            .capabilities(capabilities.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(client) => return client,
            Err(e) if started.elapsed() < Duration::from_secs(30) => {
                let _ = e;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => panic!("no WebDriver session: {e}"),
        }
    }
}

async fn eval(client: &Client, script: &str) -> Value {
    client.execute(script, vec![]).await.expect("script")
}

async fn total(client: &Client) -> u64 {
    let text = client.wait().for_element(Locator::Id("total")).await.expect("total").text().await;
    text.expect("text").replace(',', "").parse().expect("a number")
}

async fn wait_for_url(client: &Client, part: &str) -> String {
    let started = Instant::now();
    loop {
        let url = client.current_url().await.expect("url").to_string();
        if url.contains(part) {
            return url;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "URL never contained {part}: {url}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Drags the mouse from one chart bar to another, as a reader brushes.
async fn brush(
    client: &Client,
    from: &fantoccini::elements::Element,
    to: &fantoccini::elements::Element,
) {
    let drag = MouseActions::new("mouse".into())
        .then(PointerAction::MoveToElement {
            element: from.clone(),
            duration: None,
            x: 0.0,
            y: 0.0,
        })
        .then(PointerAction::Down { button: MOUSE_BUTTON_LEFT })
        .then(PointerAction::MoveToElement {
            element: to.clone(),
            duration: Some(Duration::from_millis(200)),
            x: 0.0,
            y: 0.0,
        })
        .then(PointerAction::Up { button: MOUSE_BUTTON_LEFT });
    client.perform_actions(drag).await.expect("drag");
}

async fn heatmap(client: &Client) -> String {
    eval(client, "return Array.from(document.querySelectorAll('.heatmap td')).map(td => td.textContent).join(',')")
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// chromedriver and a session with headless Chromium; `None` (a skip)
/// when chromedriver is not installed and CI does not require it.
async fn browser() -> Option<(Driver, Client)> {
    let Some(driver) = find_driver() else {
        assert!(
            std::env::var_os("TROVE_REQUIRE_BROWSER").is_none(),
            "TROVE_REQUIRE_BROWSER is set but chromedriver is not installed"
        );
        eprintln!("skipped: chromedriver not installed (apt-get install chromium chromium-driver)");
        return None;
    };
    let driver_port = free_port();
    let driver = Driver(
        Command::new(driver)
            .arg(format!("--port={driver_port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver"),
    );
    Some((driver, connect(driver_port).await))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reporter_searches_refines_reads_and_charts() {
    let Some((_driver, client)) = browser().await else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let addr = serve_case(dir.path());
    let base = format!("http://{addr}");

    // `/` focuses the search box; typing a query and Enter searches.
    client.goto(&format!("{base}/")).await.expect("overview");
    client.find(Locator::Css("body")).await.expect("body").send_keys("/").await.expect("key");
    assert_eq!(eval(&client, "return document.activeElement.id").await, "q");
    let q = client.find(Locator::Id("q")).await.expect("search box");
    q.send_keys("the").await.expect("type");
    q.send_keys(&String::from(char::from(Key::Enter))).await.expect("enter");
    wait_for_url(&client, "/search?q=the").await;
    let all = total(&client).await;
    assert!(all > 100, "{all} hits for `the`");

    // A facet narrows the query, and the URL says how.
    let facet = client.find(Locator::Css(".facets section li a")).await.expect("facet");
    let facet_count: u64 = client
        .find(Locator::Css(".facets section li .n"))
        .await
        .expect("count")
        .text()
        .await
        .expect("text")
        .parse()
        .expect("number");
    facet.click().await.expect("click facet");
    wait_for_url(&client, "from%3A").await;
    let refined = total(&client).await;
    assert_eq!(refined, facet_count, "the facet's count is the refined total");
    assert!(refined < all);

    // j moves through the hits.
    client.find(Locator::Css("body")).await.expect("body").send_keys("jj").await.expect("keys");
    let selected =
        eval(&client, "return document.querySelectorAll('.hit-list .msg.selected').length").await;
    assert_eq!(selected, 1);
    let second = eval(
        &client,
        "return document.querySelectorAll('.hit-list .msg')[1].classList.contains('selected')",
    )
    .await;
    assert_eq!(second, true, "two presses of j select the second hit");

    // A hit opens in its conversation, on its permalink.
    let hit_id = eval(&client, "return document.querySelector('.hit-list .msg').dataset.id").await;
    let hit_id = hit_id.as_str().expect("id").to_string();
    client
        .find(Locator::Css(".hit-list .msg a.time"))
        .await
        .expect("time")
        .click()
        .await
        .expect("open");
    let permalink = wait_for_url(&client, &format!("/m/{hit_id}")).await;
    let target = client.find(Locator::Css(".msg.target")).await.expect("target");
    assert_eq!(target.attr("data-id").await.expect("attr").as_deref(), Some(hit_id.as_str()));
    let around = eval(&client, "return document.querySelectorAll('.thread .msg').length").await;
    assert!(around.as_u64().unwrap_or(0) > 1, "the conversation around it");
    assert!(client.find(Locator::Css(".msg.target details.source")).await.is_ok(), "provenance");
    client.goto(&format!("{base}/")).await.expect("away");
    client.goto(&permalink).await.expect("permalink");
    let target = client.find(Locator::Css(".msg.target")).await.expect("target again");
    assert_eq!(target.attr("data-id").await.expect("attr").as_deref(), Some(hit_id.as_str()));

    // The sender's page: the heatmap follows the time zone.
    client
        .find(Locator::Css(".msg.target a.sender"))
        .await
        .expect("sender")
        .click()
        .await
        .expect("person");
    wait_for_url(&client, "/p/").await;
    let utc = heatmap(&client).await;
    assert!(!utc.is_empty());
    client
        .find(Locator::Css("select#tz option[value='Asia/Tokyo']"))
        .await
        .expect("zone")
        .click()
        .await
        .expect("pick");
    client
        .find(Locator::Css("form.zone button"))
        .await
        .expect("apply")
        .click()
        .await
        .expect("apply");
    wait_for_url(&client, "tz=Asia%2FTokyo").await;
    let tokyo = heatmap(&client).await;
    assert_ne!(utc, tokyo, "the same messages fall in other hours in Tokyo");
    let footer =
        client.find(Locator::Css("footer")).await.expect("footer").text().await.expect("text");
    assert!(footer.contains("Asia/Tokyo"), "{footer}");

    // Brushing months on the chart searches within them.
    client.goto(&format!("{base}/search?q=the")).await.expect("search");
    let bars =
        client.find_all(Locator::Css(".chart a[data-after] rect.hit-area")).await.expect("bars");
    assert!(bars.len() >= 4, "{} months", bars.len());
    brush(&client, &bars[1], &bars[3]).await;
    let url = wait_for_url(&client, "before%3A").await;
    assert!(url.contains("after%3A"), "{url}");
    let brushed = total(&client).await;
    assert!(brushed > 0 && brushed < all, "{brushed} of {all}");

    client.close().await.expect("close");
}

/// Submits a form and waits for the page it leads to. Every form here posts
/// and redirects, often back to the same URL, so waiting on the URL alone
/// can read the old page: the old document is marked and the wait ends once
/// a document without the mark has loaded.
async fn submit(client: &Client, form: &str) {
    client.execute("window.troveOldPage = true", vec![]).await.expect("mark the page");
    client
        .find(Locator::Css(&format!("{form} button[type=submit]")))
        .await
        .expect("button")
        .click()
        .await
        .expect("submit");
    let started = Instant::now();
    loop {
        let state = client
            .execute("return window.troveOldPage === true ? 'old' : document.readyState", vec![])
            .await
            .ok();
        if state.as_ref().and_then(Value::as_str) == Some("complete") {
            return;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "{form} never loaded a new page");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn fill(client: &Client, field: &str, text: &str) {
    client.find(Locator::Css(field)).await.expect("field").send_keys(text).await.expect("type");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reporter_annotates_collects_redacts_and_publishes() {
    let Some((_driver, client)) = browser().await else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let addr = serve_case(dir.path());
    let base = format!("http://{addr}");

    // Two hits selected on a search page go into a collection, with a note.
    client.goto(&format!("{base}/search?q=the&sort=oldest")).await.expect("search");
    let picks = client.find_all(Locator::Css(".hit-list input.pick")).await.expect("checkboxes");
    assert_eq!(picks.len(), 20);
    picks[0].click().await.expect("pick");
    picks[1].click().await.expect("pick");
    let first =
        eval(&client, "return document.querySelectorAll('.hit-list .msg')[0].dataset.id").await;
    let first = first.as_str().expect("id").to_string();
    let sender =
        eval(&client, "return document.querySelector('.hit-list .msg a.sender').textContent").await;
    let sender = sender.as_str().expect("sender").to_string();
    client
        .find(Locator::Css("form#bulk select[name=action] option[value=collect]"))
        .await
        .expect("option")
        .click()
        .await
        .expect("choose");
    fill(&client, "form#bulk input[name=value]", "Story").await;
    fill(&client, "form#bulk input[name=note]", "**Note:** the first exchange").await;
    submit(&client, "form#bulk").await;
    wait_for_url(&client, "/search?q=the").await;

    // On the first hit's page: a note, a tag and a status.
    client.goto(&format!("{base}/m/{first}")).await.expect("permalink");
    fill(&client, ".annotate textarea[name=body]", "Checked against *the* call log").await;
    submit(&client, ".annotate form:nth-of-type(1)").await;
    wait_for_url(&client, &format!("/m/{first}")).await;
    let note = client.find(Locator::Css(".msg.target .note em")).await.expect("rendered note");
    assert_eq!(note.text().await.expect("text"), "the");
    fill(&client, ".annotate form:nth-of-type(2) input[name=value]", "call-log").await;
    submit(&client, ".annotate form:nth-of-type(2)").await;
    wait_for_url(&client, &format!("/m/{first}")).await;
    client
        .find(Locator::Css(".annotate select[name=value] option[value=relevant]"))
        .await
        .expect("status")
        .click()
        .await
        .expect("pick");
    submit(&client, ".annotate form:nth-of-type(3)").await;
    wait_for_url(&client, &format!("/m/{first}")).await;
    let marks = client
        .find(Locator::Css(".msg.target .marks"))
        .await
        .expect("marks")
        .text()
        .await
        .expect("text");
    assert!(marks.contains("relevant") && marks.contains("#call-log"), "{marks}");
    for query in ["has%3Anote", "tag%3Acall-log", "status%3Arelevant"] {
        client.goto(&format!("{base}/search?q={query}")).await.expect("search");
        assert_eq!(total(&client).await, 1, "{query}");
    }

    // The collection: reorder, then a redaction rule for the first sender.
    client.goto(&format!("{base}/collections/Story")).await.expect("collection");
    let order = || async {
        eval(&client, "return Array.from(document.querySelectorAll('.excerpt .msg')).map(m => m.dataset.id).join(',')").await
    };
    let before = order().await;
    submit(&client, "#x-1 form.inline:nth-of-type(1)").await;
    wait_for_url(&client, "/collections/Story").await;
    let after = order().await;
    assert_ne!(before, after, "moved down");
    client.goto(&format!("{base}/redactions")).await.expect("redactions");
    // Typed by script: chromedriver cannot type characters outside the BMP.
    client
        .execute(
            "document.querySelector('form.row input[name=value]').value = arguments[0]",
            vec![json!(sender)],
        )
        .await
        .expect("set value");
    fill(&client, "input[name=pseudonym]", "Source K").await;
    submit(&client, "form.row").await;
    wait_for_url(&client, "/redactions").await;
    let hits = client
        .find(Locator::Css(".rule p strong"))
        .await
        .expect("hits")
        .text()
        .await
        .expect("text");
    assert!(hits.parse::<u64>().expect("a count") > 0, "the rule hits");

    // The preview and the published page read the same, from file://.
    client.goto(&format!("{base}/collections/Story/preview")).await.expect("preview");
    let preview =
        client.find(Locator::Css("body")).await.expect("body").text().await.expect("text");
    assert!(preview.contains("Source K") && preview.contains("the first exchange"), "{preview}");
    assert!(!preview.contains(&sender), "{sender} is redacted in the preview");
    let case = Case::open(&dir.path().join("case"), &mut ()).expect("second handle on the case");
    let site = dir.path().join("site");
    case.publish("Story", &site, None, None).expect("publish");
    let url = format!("file://{}", site.join("index.html").display());
    client.goto(&url).await.expect("published page");
    let text = client.find(Locator::Css("body")).await.expect("body").text().await.expect("text");
    assert!(text.contains("Source K"), "{text}");
    assert!(text.contains("Note: the first exchange"), "{text}");
    assert!(!text.contains(&sender), "{sender} is redacted");
    let requests =
        eval(&client, "return performance.getEntriesByType('resource').map(r => r.name)").await;
    assert_eq!(requests, json!([]), "the page loads nothing");
    let active = eval(
        &client,
        "return document.querySelectorAll('script, img, link, iframe, object, embed').length",
    )
    .await;
    assert_eq!(active, 0);
    let check = case.verify_manifest(&site.join("manifest.json")).expect("verify");
    assert_eq!(check.findings, vec![]);
    assert_eq!(check.messages, check.matching);
    client.close().await.expect("close");
}

/// The `n`th account row of `/people` (1-based): its name and messages.
async fn account_row(client: &Client, n: usize) -> (String, u64) {
    let row = eval(
        client,
        &format!(
            "var tr = document.querySelector('table.accounts tbody tr:nth-child({n})'); \
             return [tr.cells[1].querySelector('a').textContent, tr.cells[4].textContent]"
        ),
    )
    .await;
    let messages = row[1].as_str().and_then(|t| t.parse().ok()).expect("messages");
    (row[0].as_str().expect("name").to_string(), messages)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reporter_names_and_merges_accounts_from_the_people_page() {
    let Some((_driver, client)) = browser().await else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let addr = serve_case(dir.path());
    let base = format!("http://{addr}");

    client.goto(&format!("{base}/people?sort=messages")).await.expect("people");
    let (_, first_messages) = account_row(&client, 1).await;
    let (_, second_messages) = account_row(&client, 2).await;
    assert!(first_messages > 0 && second_messages > 0);

    // A numeric Twitter id named from the table.
    fill(
        &client,
        "table.accounts tbody tr:nth-child(1) form.name input[name=value]",
        "Source Alpha",
    )
    .await;
    submit(&client, "table.accounts tbody tr:nth-child(1) form.name").await;
    assert_eq!(account_row(&client, 1).await.0, "Source Alpha");

    // The two busiest accounts merged into one person, with a reason.
    for n in [1, 2] {
        client
            .find(Locator::Css(&format!(
                "table.accounts tbody tr:nth-child({n}) input[type=checkbox]"
            )))
            .await
            .expect("checkbox")
            .click()
            .await
            .expect("select");
    }
    fill(&client, "form#merge-form input[name=name]", "Desk Pair").await;
    fill(&client, "form#merge-form input[name=reason]", "same signature in both").await;
    submit(&client, "form#merge-form").await;
    let persons = eval(&client, "return document.querySelector('table.persons').textContent").await;
    let persons = persons.as_str().expect("persons table");
    assert!(
        persons.contains("Desk Pair") && persons.contains("same signature in both"),
        "{persons}"
    );

    client.goto(&format!("{base}/search?q={}", "from%3A%22Desk%20Pair%22")).await.expect("search");
    assert_eq!(total(&client).await, first_messages + second_messages, "from: finds both");
    client.goto(&format!("{base}/search?q=from%3A%22Source%20Alpha%22")).await.expect("search");
    assert_eq!(total(&client).await, first_messages, "the named account alone");
}

/// A valid 2×2 red PNG.
const PNG: &[u8] = b"\x89\x50\x4e\x47\x0d\x0a\x1a\x0a\x00\x00\x00\x0d\x49\x48\x44\x52\x00\x00\x00\x02\x00\x00\x00\x02\x08\x02\x00\x00\x00\xfd\xd4\x9a\x73\x00\x00\x00\x10\x49\x44\x41\x54\x78\x9c\x63\xf8\xcf\xc0\x00\x44\x0c\x10\x0a\x00\x1f\xee\x03\xfd\x8b\x5f\x14\xd4\x00\x00\x00\x00\x49\x45\x4e\x44\xae\x42\x60\x82";

/// A WhatsApp export with a photo, ingested with `--copy-media`, served on
/// a free port; and the id of the message the photo is attached to.
fn serve_case_with_photo(dir: &std::path::Path) -> (SocketAddr, String) {
    let chat = "01/03/2020, 09:00 - Alice: the view from the office\n\
                01/03/2020, 09:01 - Alice: IMG-20200301-WA0001.jpg (file attached)\n\
                01/03/2020, 09:02 - Bob: nice\n";
    let zip = dir.join("WhatsApp Chat with Bob.zip");
    trove_testkit::zipfile::write_zip(
        &zip,
        &[("_chat.txt", chat.as_bytes()), ("IMG-20200301-WA0001.jpg", PNG)],
    )
    .expect("zip");
    let mut case = Case::open_or_create(&dir.join("case"), &mut ()).expect("case");
    let options = IngestOptions {
        read: trove_readers::ReadOptions {
            tz: trove_app::parse_zone("UTC").ok(),
            tz_name: Some("UTC".into()),
            ..Default::default()
        },
        command: "test".into(),
        media_dir: Some(case.media_dir()),
        ..IngestOptions::default()
    };
    case.ingest(&[zip], &options, &mut (), &AtomicBool::new(false)).expect("ingest");
    let hits =
        case.search("has:attachment", &trove_app::SearchOptions::default()).expect("search").hits;
    assert_eq!(hits.len(), 1);
    let id = hits[0].id.clone();
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let addr: SocketAddr = "127.0.0.1:0".parse().expect("addr");
        let _ = trove_server::serve(case, addr, "tester", move |bound| {
            let _ = sender.send(bound);
        });
    });
    (receiver.recv_timeout(Duration::from_secs(30)).expect("server started"), id)
}

/// Waits until the first `<img>` matching `selector` has loaded, and
/// returns its natural width (0: it did not decode).
async fn loaded_width(client: &Client, selector: &str) -> u64 {
    let script = format!(
        "const img = document.querySelector({selector:?}); \
         return img && img.complete ? img.naturalWidth : -1;"
    );
    let started = Instant::now();
    loop {
        let width = eval(client, &script).await.as_i64().unwrap_or(-1);
        if width >= 0 {
            return width as u64;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "{selector} never loaded");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reporter_sees_an_attached_photo_in_its_message() {
    let Some((_driver, client)) = browser().await else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let (addr, id) = serve_case_with_photo(dir.path());
    let base = format!("http://{addr}");

    // The message shows the case's copy as a thumbnail, under the page's
    // policy (`img-src 'self'`).
    client.goto(&format!("{base}/m/{id}")).await.expect("message");
    let selector = format!("#m-{id} .files img");
    assert_eq!(loaded_width(&client, &selector).await, 2, "the PNG decoded");
    let alt = eval(&client, &format!("return document.querySelector({selector:?}).alt")).await;
    assert_eq!(alt, "IMG-20200301-WA0001.jpg");

    // Its link opens the file itself, shown (inline) under the media
    // policy, which lets nothing but the image be.
    let href =
        eval(&client, &format!("return document.querySelector('#m-{id} .files a').href")).await;
    let href = href.as_str().expect("href").to_string();
    assert!(href.starts_with(&format!("{base}/media/")), "{href}");
    client.goto(&href).await.expect("the file");
    assert_eq!(loaded_width(&client, "img").await, 2, "the image document shows it");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reporter_triages_three_messages_with_the_keyboard() {
    let Some((_driver, client)) = browser().await else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let addr = serve_case(dir.path());
    let base = format!("http://{addr}");

    client.goto(&format!("{base}/review")).await.expect("review");
    let unread = total(&client).await;
    // Who is recorded, set once for this browser session.
    let field =
        client.find(Locator::Css("form.author-form input[name=value]")).await.expect("author");
    field.clear().await.expect("clear");
    field.send_keys("Night Desk").await.expect("type");
    submit(&client, "form.author-form").await;
    let ids = eval(
        &client,
        "return Array.from(document.querySelectorAll('.review-queue .msg')).slice(0, 3).map(m => m.dataset.id)",
    )
    .await;
    let ids: Vec<String> =
        ids.as_array().expect("ids").iter().map(|v| v.as_str().expect("id").to_string()).collect();
    assert_eq!(ids.len(), 3);
    let body = client.find(Locator::Css("body")).await.expect("body");
    for key in ["r", "n", "v"] {
        body.send_keys(key).await.expect("key");
        // Each key saves before the next message is selected.
        let started = Instant::now();
        while eval(&client, "return document.querySelectorAll('.msg.triaged').length").await
            != json!(["r", "n", "v"].iter().position(|k| *k == key).map_or(0, |i| i + 1))
        {
            assert!(started.elapsed() < Duration::from_secs(10), "{key} never saved");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    let state = eval(&client, "return document.getElementById('triage-state').textContent").await;
    assert_eq!(state.as_str(), Some(format!("{}: to-verify", ids[2]).as_str()));

    for (status, id) in [("relevant", &ids[0]), ("not-relevant", &ids[1]), ("to-verify", &ids[2])] {
        client.goto(&format!("{base}/review.json?status={status}")).await.expect("json");
        let text = eval(&client, "return document.body.innerText").await;
        let queue: Value = serde_json::from_str(text.as_str().expect("text")).expect("json");
        assert_eq!(queue["total"], 1, "{status}");
        assert_eq!(queue["hits"][0]["id"].as_str(), Some(id.as_str()), "{status}");
    }
    client.goto(&format!("{base}/review")).await.expect("review");
    assert_eq!(total(&client).await, unread - 3, "the three left the unread queue");
    client.goto(&format!("{base}/audit")).await.expect("audit");
    let audit = eval(&client, "return document.querySelector('table.audit').textContent").await;
    assert_eq!(audit.as_str().expect("audit").matches("Night Desk").count(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reporter_exports_a_search_as_csv() {
    let Some((_driver, client)) = browser().await else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let addr = serve_case(dir.path());
    let base = format!("http://{addr}");

    client.goto(&format!("{base}/search?q=the")).await.expect("search");
    let hits = total(&client).await;
    assert!(hits > 20, "more than a page: {hits}");
    let link = client
        .find(Locator::Css(".export-links a.export"))
        .await
        .expect("the CSV link")
        .attr("href")
        .await
        .expect("href")
        .expect("an href");
    assert!(link.contains("format=csv"), "{link}");
    // What the link downloads, fetched as the page would (a download
    // itself leaves the page, and headless Chromium writes it nowhere).
    let got = client
        .execute_async(
            "var done = arguments[arguments.length - 1]; \
             fetch(arguments[0]).then(r => r.text().then(t => done([r.status, \
               r.headers.get('content-disposition'), r.headers.get('trove-export-messages'), t])));",
            vec![json!(link)],
        )
        .await
        .expect("fetch");
    assert_eq!(got[0], 200);
    assert!(got[1].as_str().is_some_and(|d| d.starts_with("attachment;")), "{}", got[1]);
    assert_eq!(got[2].as_str(), Some(hits.to_string().as_str()));
    let text = got[3].as_str().expect("body");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let rows = reader.records().collect::<Result<Vec<_>, _>>().expect("csv");
    assert_eq!(rows.len() as u64, hits, "every hit, not one page");
}

/// Reads a JSON document of the workbench from inside the page.
async fn fetch_json(client: &Client, path: &str) -> Value {
    let script = format!(
        "var x = new XMLHttpRequest(); x.open('GET', {path:?}, false); x.send(); \
         return JSON.parse(x.responseText);"
    );
    eval(client, &script).await
}

async fn count_of(client: &Client, css: &str) -> usize {
    client.find_all(Locator::Css(css)).await.expect("elements").len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reporter_reads_a_chart_by_its_axes_brushes_days_and_turns_to_log() {
    let Some((_driver, client)) = browser().await else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let addr = serve_case(dir.path());
    let base = format!("http://{addr}");

    // The busiest month of `the`, from the chart's own data.
    client.goto(&format!("{base}/search?q=the")).await.expect("search");
    let data = fetch_json(&client, "/chart.json?q=the&g=month").await;
    let busiest = data["periods"]
        .as_array()
        .expect("periods")
        .iter()
        .max_by_key(|p| p["count"].as_u64().unwrap_or(0))
        .and_then(|p| p["period"].as_str())
        .expect("a month")
        .to_string();

    // A one-month search charts days, with both axes labelled.
    let q = format!("the on:{busiest}");
    client
        .goto(&format!("{base}/search?q={}", q.replace(' ', "%20").replace(':', "%3A")))
        .await
        .expect("month search");
    let chart = client.find(Locator::Css(".chart")).await.expect("chart");
    assert_eq!(chart.attr("data-unit").await.expect("attr").as_deref(), Some("day"));
    assert!(count_of(&client, ".chart .x-axis text").await >= 3, "time ticks");
    assert!(count_of(&client, ".chart .y-axis text").await >= 3, "count ticks");
    let labels = eval(
        &client,
        "return Array.from(document.querySelectorAll('.chart .x-axis text')).map(t => { \
           const b = t.getBBox(); return [b.x, b.x + b.width]; })",
    )
    .await;
    let labels = labels.as_array().expect("boxes");
    for pair in labels.windows(2) {
        let end = pair[0][1].as_f64().expect("end");
        let start = pair[1][0].as_f64().expect("start");
        assert!(start > end, "time labels overlap: {labels:?}");
    }

    // Brushing three days searches exactly those days.
    let bars =
        client.find_all(Locator::Css(".chart a[data-after] rect.hit-area")).await.expect("bars");
    assert!(bars.len() >= 28, "{} days", bars.len());
    let links = client.find_all(Locator::Css(".chart a[data-after]")).await.expect("links");
    let first = links[2].attr("data-after").await.expect("attr").expect("after");
    let until = links[4].attr("data-before").await.expect("attr").expect("before");
    brush(&client, &bars[2], &bars[4]).await;
    let url = wait_for_url(&client, "before%3A").await;
    assert!(url.contains(&format!("after%3A{first}")), "{url}");
    assert!(url.contains(&format!("before%3A{until}")), "{url}");
    assert!(!url.contains("on%3A"), "the brushed range replaces the month: {url}");
    let brushed = total(&client).await;
    let expected: u64 = fetch_json(
        &client,
        &format!("/chart.json?q={}&g=day", q.replace(' ', "%20")),
    )
    .await["periods"]
        .as_array()
        .expect("periods")
        .iter()
        .filter(|p| {
            let start = p["start"].as_str().unwrap_or_default();
            start >= first.as_str() && start < until.as_str()
        })
        .filter_map(|p| p["count"].as_u64())
        .sum();
    assert_eq!(brushed, expected, "the three days' bars add up to the brushed search");

    // The log scale is a link away, and says it is on.
    client
        .find(Locator::XPath("//p[@class='chart-controls']//a[text()='log']"))
        .await
        .expect("log link")
        .click()
        .await
        .expect("click");
    wait_for_url(&client, "scale=log").await;
    let chart = client.find(Locator::Css(".chart")).await.expect("chart");
    assert_eq!(chart.attr("data-scale").await.expect("attr").as_deref(), Some("log"));
    let current =
        client.find(Locator::XPath("//p[@class='chart-controls']//strong[text()='log']")).await;
    assert!(current.is_ok(), "the current scale is shown");
    let ticks = eval(
        &client,
        "return Array.from(document.querySelectorAll('.chart .y-axis text')).map(t => t.textContent)",
    )
    .await;
    let ticks = ticks.as_array().expect("ticks");
    let powers = ["0", "1", "10", "100", "1k", "10k"];
    assert!(ticks.len() >= 2, "{ticks:?}");
    assert!(ticks.iter().all(|t| t.as_str().is_some_and(|t| powers.contains(&t))), "{ticks:?}");

    client.close().await.expect("close");
}
