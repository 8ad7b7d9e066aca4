#!/usr/bin/env python3
# tests/man-sx.py PAGE... — every section reference (.Sx TITLE, also one
# that follows an .Xr to another page) names a section heading (.Sh or
# .Ss) of one of the PAGEs; prints each that does not as
# "PAGE:LINE: Sx TITLE: no such section heading" and exits 1.  mandoc
# -Tlint does not check this, and a translated heading must be followed
# by every reference to it (t0092).
import re, sys
heads, refs = set(), []
for p in sys.argv[1:]:
    for n, line in enumerate(open(p, encoding="utf-8"), 1):
        m = re.match(r"\.S[hs] (.*)", line.rstrip("\n"))
        if m:
            heads.add(m.group(1))
        for m in re.finditer(r"\bSx (.*?)(?= [.,:;()]| Ns | Pc| Pq|$)", line.rstrip("\n")):
            refs.append((p, n, m.group(1)))
bad = [r for r in refs if r[2] not in heads]
for p, n, t in bad:
    print(f"{p}:{n}: Sx {t}: no such section heading")
sys.exit(1 if bad else 0)
