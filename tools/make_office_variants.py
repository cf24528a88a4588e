#!/usr/bin/env python3
"""Builds office-format variants of real corpus documents, the way a clerk
would have them: an Excel workbook (merged title row, header row, merged
cells for grouped rows, units separated by 、 or by line breaks), a Word
table (a single 责任单位 column, vertically merged group cells, a person
column), and an old-style .xls (BIFF) workbook.

The task list of each variant is the document's own gold ledger
(fixtures/real/<dir>/gold.tsv): the task text is read from the source
starting at the gold snippet, the units and deadlines are the gold's. So
the variant keeps the same gold, and scoring it tests the readers and the
table model on real names and real task text.

Needs openpyxl, python-docx and xlwt, installed at generation time only:
    pip install openpyxl python-docx xlwt
    python3 tools/make_office_variants.py
Nothing generated here is third-party code; the output files are data.
"""

import pathlib
import re

import docx
import openpyxl
import xlwt
from docx.shared import Pt
from openpyxl.styles import Alignment

ROOT = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / "real"

# (directory prefix, kinds): which documents get which variants. Chosen to
# cover both helpers' halves, traditional script, several leads, long lists.
PLAN = [
    ("a01-", ["xlsx", "docx"]),
    ("a03-", ["xlsx"]),
    ("a05-", ["docx"]),
    ("a09-", ["xlsx", "xls"]),
    ("a10-", ["docx"]),
    ("a16-", ["xlsx"]),
    ("a17-", ["docx"]),
    ("a21-", ["xlsx"]),
    ("a28-", ["xlsx"]),
    ("b02-", ["xls", "docx"]),
    ("b07-", ["xlsx"]),
    ("b08-", ["xlsx", "docx"]),
    ("b19-", ["docx"]),
]

GROUP_SIZE = 3


def split_units(cell):
    """Units of a gold cell: split on 、 outside brackets."""
    if cell == "-":
        return []
    out, depth, cur = [], 0, ""
    for ch in cell:
        if ch in "(（":
            depth += 1
        elif ch in ")）":
            depth -= 1
        if ch == "、" and depth <= 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    out.append(cur)
    return [u for u in out if u]


def gold_rows(d):
    rows = []
    lines = (d / "gold.tsv").read_text(encoding="utf-8").splitlines()
    for line in lines[1:]:
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        rows.append(
            {
                "snippet": cols[0],
                "lead": split_units(cols[1]),
                "co": split_units(cols[2]),
                "deadline": cols[3] if len(cols) > 3 else "-",
            }
        )
    return rows


def source_text(d):
    for name in ("source.txt", "source.md", "source.html"):
        p = d / name
        if p.exists():
            return p.read_text(encoding="utf-8")
    return ""


def task_text(source, snippet):
    """The task's sentence in the source, from the snippet on: up to the
    line end or its assignment bracket, at most 160 characters."""
    at = source.find(snippet)
    if at < 0:
        return snippet
    rest = source[at : at + 400]
    end = len(rest)
    for stop in ("\n", "（", "(", "〔", "<"):
        i = rest.find(stop, len(snippet))
        if 0 <= i < end:
            end = i
    text = re.sub(r"\s+", "", rest[:end])
    return text[:160] or snippet


def deadline_text(value):
    if value == "ongoing":
        return "持续推进"
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})$", value)
    if m:
        return f"{int(m.group(1))}年{int(m.group(2))}月底前"
    return "/"


def group_name(i):
    return f"第{'一二三四五六七八九十'[min(i, 9)]}组重点任务"


def make_xlsx(d, rows, source, line_breaks, out):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "任务分解表"
    headers = ["序号", "类别", "重点任务", "牵头单位", "配合单位", "完成时限"]
    ws.cell(row=1, column=1, value="重点任务分解表")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    for c, h in enumerate(headers, 1):
        ws.cell(row=2, column=c, value=h)
    sep = "\n" if line_breaks else "、"
    wrap = Alignment(wrap_text=True, vertical="center")
    r = 3
    for g in range(0, len(rows), GROUP_SIZE):
        group = rows[g : g + GROUP_SIZE]
        ws.cell(row=r, column=2, value=group_name(g // GROUP_SIZE))
        if len(group) > 1:
            ws.merge_cells(start_row=r, start_column=2, end_row=r + len(group) - 1, end_column=2)
        for k, row in enumerate(group):
            ws.cell(row=r + k, column=1, value=g + k + 1)
            ws.cell(row=r + k, column=3, value=task_text(source, row["snippet"]))
            ws.cell(row=r + k, column=4, value=sep.join(row["lead"]) or "/").alignment = wrap
            ws.cell(row=r + k, column=5, value=sep.join(row["co"]) or "/").alignment = wrap
            ws.cell(row=r + k, column=6, value=deadline_text(row["deadline"]))
        r += len(group)
    wb.save(out)


def make_xls(d, rows, source, out):
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("分工")
    headers = ["序号", "工作任务", "主要责任单位", "协同配合单位", "分管领导", "完成时间"]
    ws.write_merge(0, 0, 0, len(headers) - 1, "重点工作任务分工方案")
    for c, h in enumerate(headers):
        ws.write(1, c, h)
    r = 2
    for i, row in enumerate(rows):
        ws.write(r, 0, i + 1)
        ws.write(r, 1, task_text(source, row["snippet"]))
        ws.write(r, 2, "、".join(row["lead"]) or "/")
        ws.write(r, 3, "\n".join(row["co"]) or "/")
        ws.write(r, 4, "分管副区长")
        ws.write(r, 5, deadline_text(row["deadline"]))
        r += 1
    wb.save(str(out))


def make_docx(d, rows, source, out):
    """A Word table. With one lead per task: a single 责任单位 column (the
    lead listed first); otherwise 牵头单位 + 责任单位. Group cells are
    merged vertically; a 分管领导 column holds a person."""
    single = all(len(r["lead"]) == 1 for r in rows)
    headers = ["序号", "领域", "重点任务", "分管领导"]
    headers += ["责任单位"] if single else ["牵头单位", "责任单位"]
    headers += ["完成时限"]
    document = docx.Document()
    document.add_paragraph("重点任务分工表")
    table = document.add_table(rows=1 + len(rows), cols=len(headers))
    for c, h in enumerate(headers):
        table.cell(0, c).text = h
    for i, row in enumerate(rows):
        cells = table.rows[i + 1].cells
        cells[0].text = str(i + 1)
        cells[2].text = task_text(source, row["snippet"])
        cells[3].text = "分管副市长"
        if single:
            cells[4].text = "、".join(row["lead"] + row["co"])
            cells[5].text = deadline_text(row["deadline"])
        else:
            cells[4].text = "、".join(row["lead"]) or "/"
            cells[5].text = "\n".join(row["co"]) or "/"
            cells[6].text = deadline_text(row["deadline"])
    for g in range(0, len(rows), GROUP_SIZE):
        top = table.cell(1 + g, 1)
        bottom = table.cell(min(len(rows), g + GROUP_SIZE), 1)
        top.text = group_name(g // GROUP_SIZE)
        if bottom is not top:
            top.merge(bottom)
    for p in document.paragraphs:
        for run in p.runs:
            run.font.size = Pt(12)
    document.save(out)


def main():
    made = []
    for prefix, kinds in PLAN:
        dirs = sorted(p for p in ROOT.iterdir() if p.is_dir() and p.name.startswith(prefix))
        if not dirs:
            print(f"skip {prefix}: not in this checkout")
            continue
        d = dirs[0]
        rows = gold_rows(d)
        source = source_text(d)
        for n, kind in enumerate(kinds):
            out = d / f"variant.{kind}"
            if kind == "xlsx":
                make_xlsx(d, rows, source, line_breaks=(len(made) % 2 == 1), out=out)
            elif kind == "xls":
                make_xls(d, rows, source, out)
            else:
                make_docx(d, rows, source, out)
            made.append(out.relative_to(ROOT))
    for m in made:
        print(m)


if __name__ == "__main__":
    main()
