#!/usr/bin/env python3
"""Writes a folder of generated chat dumps with the odd shapes real leaks have.

Every dump is made up here (no leaked material); each reproduces a shape that
once made trove silently wrong. Use it to try a change as a user would:

    python3 scripts/messy-leak.py /tmp/messy
    trove ingest --dry-run /tmp/messy/tabbed-logs
    trove ingest /tmp/messy/rocketchat-two-servers --case /tmp/messy.trove

What each folder holds (and what a correct trove does with it):

  tabbed-logs/            `[23.11.21 09:08:16] nick:<TAB><TAB>text` logs: not WhatsApp;
                          auto-detection must refuse it and say what each candidate made of it.
  rocketchat-two-servers/ serverA/ and serverB/, each with its own GENERAL room: two conversations.
  rocketchat-odd-fields/  `reactions: []`, `reactions: null`, `attachments: {}`, the same message
                          in two day files: every message kept, notices and a duplicate counted.
  translated-transcript/  a template transcript whose copy had its dates rewritten by machine
                          translation (`[11/23/221 09:08:16]`): skips with offsets, never folded.
  irc-undated/            IRC logs where one file carries no date: the others ingest, one skip.
  irc-two-networks/       the same #ops channel on two networks, one identical line at the same time.
  jabber-boss/            Conti-style glued JSON with `boss@…onion`, who is also `<Boss>` and `boss`
                          in text: a person rule must hide every one of them.
  apostrophes.jsonl       Clinton’s / Clinton's / CLINTONʼS / l’homme: `clinton` must find them all.
"""

import json
import os
import sys

ROOT = sys.argv[1] if len(sys.argv) > 1 else "messy"


def write(path, text):
    path = os.path.join(ROOT, path)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)


def tabbed_logs():
    for day in (21, 22, 23):
        lines = []
        for i in range(40):
            nick = ["stern", "mango", "target", "bentley"][i % 4]
            lines.append(f"[{day}.11.21 09:{i:02d}:16] {nick}:\t\tmessage {i} on day {day}\n")
        write(f"tabbed-logs/2021-11-{day}.txt", "".join(lines))


def rocketchat_server(name, texts):
    write(f"rocketchat-two-servers/{name}/rooms.json",
          json.dumps([{"_id": "GENERAL", "name": "general", "t": "c"}]))
    write(f"rocketchat-two-servers/{name}/users.json",
          json.dumps([{"_id": f"{name}-u1", "username": "alice", "name": "Alice"},
                      {"_id": f"{name}-u2", "username": "bob", "name": "Bob"}]))
    messages = []
    for i, (minute, text) in enumerate(texts):
        user = ["alice", "bob"][i % 2]
        messages.append({
            "_id": f"{name}-m{i}", "rid": "GENERAL", "msg": text,
            "ts": f"2020-09-24T20:{minute:02d}:04.571Z",
            "u": {"_id": f"{name}-u{i % 2 + 1}", "username": user, "name": user.title()},
        })
    write(f"rocketchat-two-servers/{name}/GENERAL/2020-09-24.json",
          json.dumps({"messages": messages}, ensure_ascii=False, indent=1))


def rocketchat_two_servers():
    rocketchat_server("serverA", [(0, "A: the invoice is ready"), (2, "A: send it"), (4, "A: done")])
    rocketchat_server("serverB", [(1, "B: who has the keys"), (3, "B: the invoice is fake"), (5, "B: ok")])


def rocketchat_odd_fields():
    base = {"rid": "GENERAL", "u": {"_id": "u1", "username": "alice", "name": "Alice"}}
    odd = [
        {"_id": "o1", "msg": "reactions as an empty list", "reactions": []},
        {"_id": "o2", "msg": "reactions as null", "reactions": None},
        {"_id": "o3", "msg": "attachments as an object", "attachments": {}},
        {"_id": "o4", "msg": "editedAt as a number", "editedAt": 5},
        {"_id": "o5", "msg": "thread id as an object", "tmid": {}},
        {"_id": "o6", "msg": "a normal message with a map of reactions",
         "reactions": {":+1:": {"usernames": ["alice"]}}},
    ]
    day1 = [dict(base, **m, ts=f"2020-09-24T10:0{i}:00.000Z") for i, m in enumerate(odd)]
    # The same message again in the next day's file (threads and edits do this).
    day2 = [day1[-1]]
    write("rocketchat-odd-fields/rooms.json", json.dumps([{"_id": "GENERAL", "name": "general"}]))
    write("rocketchat-odd-fields/GENERAL/2020-09-24.json", json.dumps({"messages": day1}))
    write("rocketchat-odd-fields/GENERAL/2020-09-25.json", json.dumps({"messages": day2}))


def translated_transcript():
    original, translated = [], []
    for i in range(30):
        nick = ["stern", "mango"][i % 2]
        original.append(f"[23.11.21 09:{i:02d}:16] {nick}: привет {i}\n")
        # Machine translation rewrote some dates into an impossible form.
        ts = f"[11/23/221 09:{i:02d}:16]" if i % 7 == 3 else f"[23.11.21 09:{i:02d}:16]"
        translated.append(f"{ts} {nick}: hello {i}\n")
        if i % 5 == 0:
            original.append("  a continuation line\n")
            translated.append("  a continuation line\n")
    write("translated-transcript/original/chat.txt", "".join(original))
    write("translated-transcript/english/chat.txt", "".join(translated))


def irc_undated():
    for day, opened in (("2016-05-03", "Tue May 03"), ("2016-05-04", "Wed May 04")):
        write(f"irc-undated/#ops.{day}.log",
              f"--- Log opened {opened} 09:00:00 2016\n09:57 <alice> hi on {day}\n09:58 <bob> yo\n")
    write("irc-undated/#ops.log", "09:57 <alice> this file says no date anywhere\n")


def irc_two_networks():
    for network in ("libera", "oftc"):
        write(f"irc-two-networks/{network}/#ops/2016-05-03.log",
              f"[09:57:12] <alice> ok\n[09:58:00] <bob> only on {network}\n")


def jabber_boss():
    messages = [
        {"ts": "2021-01-29T10:12:03.104112", "from": "boss@qwerty7example.onion",
         "to": "mango@qwerty7example.onion", "body": "привет, ты тут?"},
        {"ts": "2021-01-29T10:12:40.551930", "from": "mango@qwerty7example.onion",
         "to": "boss@qwerty7example.onion", "body": "boss кто? <Boss> said to pay"},
        {"ts": "2021-01-29T10:13:00.000001", "from": "mango@qwerty7example.onion",
         "to": "boss@qwerty7example.onion", "body": "ask BOSS, not the bossa nova guy; mail me at a@x.org or b@y.org"},
    ]
    write("jabber-boss/2021-01-29.json", "".join(json.dumps(m, ensure_ascii=False, indent=2) + "\n" for m in messages))


def apostrophes():
    texts = ["Clinton’s emails", "Clinton's emails", "CLINTONʼS emails", "Clinton＇s", "about clinton",
             "mcclinton is not him", "l’homme de Clinton", "d’accord, Trump’s too"]
    lines = [json.dumps({"id": str(i), "time": f"2016-10-0{i % 9 + 1}T10:00:00Z", "user": "u",
                         "text": t}, ensure_ascii=False) + "\n" for i, t in enumerate(texts)]
    write("apostrophes.jsonl", "".join(lines))


for make in (tabbed_logs, rocketchat_two_servers, rocketchat_odd_fields, translated_transcript,
             irc_undated, irc_two_networks, jabber_boss, apostrophes):
    make()
print(f"wrote {ROOT}")
