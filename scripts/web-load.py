#!/usr/bin/env python3
"""Load script for the workbench: times pages of a running `trove serve`.

Usage: scripts/web-load.py http://127.0.0.1:8080 [REQUESTS_PER_KIND]

Requests run one after another over one keep-alive connection (loopback),
so each figure is the server's time plus well under a millisecond of
transport. Kinds: the overview (counts, chart, heatmap), search pages (a
frequent word, a rarer word, a phrase, a word with a sender facet, deep
paging), their JSON twins, a person page and a conversation day. Prints
p50 / p99 / max in milliseconds per kind, and the targets.
"""
import http.client
import json
import sys
import time
import urllib.parse

base = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080"
per_kind = int(sys.argv[2]) if len(sys.argv) > 2 else 100
url = urllib.parse.urlparse(base)
conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
host = f"{url.hostname}:{url.port}"


def get(path):
    started = time.perf_counter()
    conn.request("GET", path, headers={"Host": host})
    response = conn.getresponse()
    body = response.read()
    elapsed = (time.perf_counter() - started) * 1000
    if response.status != 200:
        raise SystemExit(f"{path}: HTTP {response.status}: {body[:200]!r}")
    return elapsed, body


def q(text, **extra):
    params = {"q": text, **extra}
    return "/search?" + urllib.parse.urlencode(params)


overview = json.loads(get("/index.json")[1])
activity = overview["activity"]
sender = activity["senders"][0]["filter"]
conversation = activity["conversations"][0]["filter"].split(":", 1)[1].strip('"')
person = sender.split(":", 1)[1].strip('"')
words = ["the", "what", "password", "server", "хорошо", "release", "just", "know", "think", "good"]
kinds = {
    "overview": lambda i: "/",
    "search (word)": lambda i: q(words[i % len(words)]),
    "search (phrase)": lambda i: q('"' + ["is the", "of the", "i think", "do you"][i % 4] + '"'),
    "search (facet)": lambda i: q(f"{words[i % len(words)]} {sender}"),
    "search (page 500)": lambda i: q(words[i % 3], page=500 + i),
    "search.json": lambda i: q(words[i % len(words)]).replace("/search?", "/search.json?"),
    "person": lambda i: "/p/" + urllib.parse.quote(person, safe=""),
    "conversation day": lambda i: "/c/" + urllib.parse.quote(conversation, safe=""),
}
for path in {k: f(0) for k, f in kinds.items()}.values():
    get(path)  # warm up each kind once

print(f"{per_kind} requests per kind against {base} ({overview['stats']['messages']:,} messages)")
print(f"{'kind':<20}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}")
results = {}
for kind, make in kinds.items():
    times = sorted(get(make(i))[0] for i in range(per_kind))
    p50 = times[len(times) // 2]
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    results[kind] = (p50, p99, times[-1])
    print(f"{kind:<20}{p50:>10.1f}{p99:>10.1f}{times[-1]:>10.1f}")
search = [v for k, v in results.items() if k.startswith("search")]
worst50 = max(v[0] for v in search)
worst99 = max(v[1] for v in search)
print(f"search pages: worst p50 {worst50:.1f} ms (target 20), worst p99 {worst99:.1f} ms (target 100): "
      + ("PASS" if worst50 <= 20 and worst99 <= 100 else "FAIL"))
charts = max(results["overview"][1], results["person"][1])
print(f"overview and person (charts): worst p99 {charts:.1f} ms (target 200): "
      + ("PASS" if charts <= 200 else "FAIL"))
