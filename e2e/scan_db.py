#!/usr/bin/env python3
"""After the end-to-end suite: scan EVERY event the shared collector stored
for personal data that must never leave the browser (issue: "tests scan every
beacon of the end-to-end suite"). Fails on an e-mail address, a run of 7+
digits in text, a query parameter not in the rules' allow_query, or a URL
fragment. Hand-made beacons that tests post directly over HTTP (not from the
tag) are marked with a session starting with "hand" and skipped.

usage: scan_db.py DB RULES_JSON
"""
import json
import re
import sqlite3
import sys
from urllib.parse import urlsplit, parse_qsl

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+(@|%40)[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
DIGITS = re.compile(r"\d(?:[ .()+-]?\d){6,}")
URL_FIELDS = {"page_url", "page_referrer", "link.url", "click.url", "video.url"}


def main():
    db, rules = sys.argv[1], sys.argv[2]
    allow = set(json.load(open(rules)).get("allow_query", []))
    con = sqlite3.connect(db)
    rows = con.execute(
        "SELECT id, session, page_url, page_path, page_title, page_referrer, vars FROM events"
    ).fetchall()
    problems, scanned = [], 0
    for id_, session, url, path, title, ref, vars_ in rows:
        if (session or "").startswith("hand"):
            continue
        scanned += 1
        fields = {"page_url": url, "page_path": path, "page_title": title, "page_referrer": ref}
        for k, v in json.loads(vars_).items():
            if isinstance(v, str):
                fields[k] = v
        for name, value in fields.items():
            if EMAIL.search(value):
                problems.append(f"{id_}: {name} holds an e-mail address: {value!r}")
            if name in URL_FIELDS:
                parts = urlsplit(value)
                if parts.fragment:
                    problems.append(f"{id_}: {name} keeps a fragment: {value!r}")
                for key, _ in parse_qsl(parts.query, keep_blank_values=True):
                    if key not in allow:
                        problems.append(f"{id_}: {name} keeps query parameter {key!r}: {value!r}")
            elif name not in ("page_path",) and DIGITS.search(value):
                problems.append(f"{id_}: {name} holds a long digit run: {value!r}")
    print(f"scan_db: {scanned} stored events scanned, {len(problems)} personal-data problems")
    for p in problems[:50]:
        print("  " + p)
    if scanned == 0:
        print("scan_db: nothing stored: the suite sent no beacon?")
        return 1
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
