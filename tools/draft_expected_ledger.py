#!/usr/bin/env python3
"""Drafts fixtures/sample/expected-ledger.tsv from the sample plan's raw text.

Deliberately independent of the Rust parser (different code, simpler rules),
so that the two disagree where either is wrong. The draft is then reviewed
line by line against the document and corrected by hand; the reviewed file
is the fixture. Re-running this script does NOT overwrite the fixture: it
prints the draft to stdout for a new review.
"""
import re
import sys

text = open(sys.argv[1], encoding="utf-8").read()
# Plan boundaries: the overall plan and the seven attachments, by title.
titles = [
    "汨罗市实施“七大攻坚”总体方案\n",
    "内需扩量提效攻坚实施方案\n\n为",
    "产业育新培强攻坚实施方案\n\n为",
    "科技创新赋能攻坚实施方案\n\n为",
    "改革开放重点攻坚实施方案\n\n为",
    "环境优化提升攻坚实施方案\n\n为",
    "安全强基固本攻坚实施方案\n\n为",
    "民生补短提质攻坚实施方案\n\n为",
]
starts = []
for t in titles:
    i = text.find("\n" + t, starts[-1] if starts else 0)
    assert i >= 0, t
    starts.append(i)

heading = re.compile(r"\n((?:\d{1,2}[.．]|[（(]\d{1,2}[）)]) ?[^\n。（(]{0,40})")
group = re.compile(r"[（(〔]([^（）()〔〕]{2,400}?)[）)〕]", re.S)
for m in group.finditer(text):
    inner = m.group(1).replace("\n", "")
    if not re.search(r"牵头|负责", inner) or "负责人" in inner:
        continue
    pos = m.start()
    plan = max(i for i, s in enumerate(starts) if s < pos)
    heads = [h for h in heading.finditer(text[: pos]) if h.start() > starts[plan]]
    label = heads[-1].group(1).strip() if heads else "?"
    inner = inner.replace("牵头单位：", "").rstrip("。")
    if "牵头" in inner:
        lead, _, co = inner.partition("牵头")
        inferred = 0
    else:
        lead, co, inferred = inner, "", 1
    def units(s):
        s = re.sub(r"(按职能分工负责|按项目分工负责|按职责分工负责|分别|负责|等单位|等)$", "", s.strip("，、 "))
        s = re.sub(r"(按职能分工负责|按项目分工负责|负责|等)$", "", s)
        return [u for u in re.split(r"[、，,]", s) if u]
    leads, cos = units(lead), units(co)
    if inferred:
        if len(leads) == 1 and inner.endswith("负责") and "分工" not in inner:
            inferred = 0
        cos, leads = leads[1:], leads[:1]
    print(f"{plan}\t{label}\t{'、'.join(leads)}\t{'、'.join(cos)}\t{inferred}")
