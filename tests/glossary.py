#!/usr/bin/env python3
# tests/glossary.py GLOSSARY FILE... — prints every place where a Japanese
# text says a glossary concept with a variant the glossary names (its
# fourth field), as "FILE:LINE: VARIANT for CONCEPT: the term is TERM";
# exit 1 when there is one, 2 when the glossary itself is malformed.
# A .po file is checked in its msgstr strings only (the msgids are
# English), a .c file in its string literals that hold Japanese (the
# texts L() picks for --lang ja); any other file line by line.
import re
import sys


def die(msg):
    print(msg, file=sys.stderr)
    sys.exit(2)


def glossary(path):
    rules = []
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        line = line.rstrip("\n")
        if not line or line.startswith("#"):
            continue
        f = line.split("\t")
        if len(f) != 4 or not all(f):
            die(f"{path}:{n}: want 4 non-empty TAB-separated fields")
        try:
            rx = re.compile(f[3])
        except re.error as e:
            die(f"{path}:{n}: bad regex: {e}")
        if rx.search(f[1]):
            die(f"{path}:{n}: the term {f[1]} matches its own variants")
        rules.append((f[0], f[1], rx))
    return rules


def po_strings(path):
    """(line, text) of every msgstr, continuation lines joined."""
    cur, start = None, 0
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        if line.startswith("msgstr"):
            if cur is not None:
                yield start, cur
            cur, start = line.split(" ", 1)[1].strip()[1:-1], n
        elif line.startswith('"') and cur is not None:
            cur += line.strip()[1:-1]
        else:
            if cur is not None:
                yield start, cur
            cur = None
    if cur is not None:
        yield start, cur


JA = re.compile("[\u3040-\u30ff\u4e00-\u9fff]")
LIT = re.compile(r'"((?:[^"\\\n]|\\.)*)"')


def c_strings(path):
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        for m in LIT.finditer(line):
            if JA.search(m.group(1)):
                yield n, m.group(1)


def lines(path):
    if path.endswith(".po"):
        yield from po_strings(path)
    elif path.endswith(".c"):
        yield from c_strings(path)
    else:
        yield from enumerate(open(path, encoding="utf-8"), 1)


rules = glossary(sys.argv[1])
bad = 0
for path in sys.argv[2:]:
    for n, text in lines(path):
        for concept, term, rx in rules:
            for m in rx.finditer(text):
                print(f"{path}:{n}: {m.group(0)} for {concept}: the term is {term}")
                bad += 1
sys.exit(1 if bad else 0)
