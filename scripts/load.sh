#!/usr/bin/env bash
# Load on the workbench with a compiled client (wrk), so the client does not
# eat the server's cores the way a Python one does. Serves CASE with the
# given trove binary on a free loopback port, picks real message and person
# ids from it, and runs wrk with CONNECTIONS connections for SECONDS over a
# mix of searches (words, two-word queries, a phrase, pages 1–3), message
# pages with their context and person pages. Prints wrk's latency
# distribution and its error counts (non-2xx, socket errors).
#
#   scripts/load.sh target/release/trove /path/to/case 50 60
#
# Installs wrk with apt-get when it is missing (Debian's package).
set -euo pipefail
trove=${1:?usage: load.sh TROVE CASE [CONNECTIONS] [SECONDS]}
case_dir=${2:?usage: load.sh TROVE CASE [CONNECTIONS] [SECONDS]}
connections=${3:-50}
seconds=${4:-60}
if ! command -v wrk >/dev/null 2>&1; then
  SUDO=""; if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get install -y -qq wrk >/dev/null
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
work=$(mktemp -d)
"$trove" serve --case "$case_dir" --addr "127.0.0.1:$port" >"$work/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do
  if python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/index.json')" 2>/dev/null; then break; fi
  sleep 0.1
done
# Real ids from the case: the first hits of a few searches.
python3 - "$port" >"$work/paths.lua" <<'EOF'
import json, sys, urllib.parse, urllib.request
port = sys.argv[1]
q = urllib.parse.quote
def get(path):
    return json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}{path}"))
# Words the case holds: from the texts of its newest messages.
words = []
for page in (1, 2, 3):
    for hit in get(f"/search.json?q=&sort=newest&page={page}").get("hits", []):
        for word in hit.get("text", "").split():
            word = "".join(c for c in word.lower() if c.isalpha())
            if len(word) >= 4 and word not in words:
                words.append(word)
words = words[:20] or ["the", "and", "you", "that", "what"]
paths, messages, people = [], [], []
for n, word in enumerate(words):
    found = get(f"/search.json?q={q(word)}")
    for hit in found.get("hits", [])[:3]:
        messages.append(hit["id"])
        if hit.get("sender_id"):
            people.append(hit["sender_id"])
    paths.append(f"/search.json?q={q(word)}")
    paths.append(f"/search?q={q(word)}&page={n % 3 + 1}")
    if n + 1 < len(words):
        paths.append(f"/search.json?q={q(word)}+{q(words[n + 1])}")
        paths.append(f"/search.json?q=%22{q(word)}+{q(words[n + 1])}%22")
paths += [f"/m/{q(m)}" for m in messages[:40]]
paths += [f"/p/{q(p)}" for p in sorted(set(people))[:20]]
print("paths = {" + ", ".join(json.dumps(p) for p in paths) + "}")
print("""
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end
""")
EOF
echo "== $(grep -o '"/' "$work/paths.lua" | wc -l) paths; $connections connections for $seconds s against $trove"
wrk -t2 -c"$connections" -d"${seconds}s" --latency -H "Host: 127.0.0.1:$port" \
  -s "$work/paths.lua" "http://127.0.0.1:$port"
