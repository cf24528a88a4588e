#!/usr/bin/env python3
"""Builds the generality corpus in fixtures/corpus from fixtures/corpus/src.

Run once when the sources change; the outputs are committed so that tests
need no Python. Needs: reportlab (BSD) and the WenQuanYi Micro Hei font
(Debian fonts-wqy-microhei, Apache-2.0) for the PDF only.

  python3 tools/make_corpus.py
"""
import io
import os
import zipfile

ROOT = os.path.join(os.path.dirname(__file__), "..", "fixtures", "corpus")
SRC = os.path.join(ROOT, "src")


def read(name):
    with open(os.path.join(SRC, name), encoding="utf-8") as f:
        return f.read()


def write(name, data):
    with open(os.path.join(ROOT, name), "wb") as f:
        f.write(data)


# 1. Plain text in GB18030 and in Big5 (traditional characters).
write("county-plan.gb18030.txt", read("county-plan.txt").encode("gb18030"))
write("province-traditional.big5.txt", read("province-traditional.txt").encode("big5"))
# portal-page.html and plan.md are UTF-8 and kept as written, directly in fixtures/corpus.

# 2. A docx written part by part: automatic numbering (一、 and 1. come from
#    numbering.xml, not the text) and a task table with a vertically merged
#    lead-unit cell, as Word writes them.
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def para(text, num=None):
    ppr = ""
    if num:
        ppr = f'<w:pPr><w:numPr><w:ilvl w:val="{num[1]}"/><w:numId w:val="{num[0]}"/></w:numPr></w:pPr>'
    # Split runs the way Word does, mid-word, to test run joining.
    half = len(text) // 2
    runs = "".join(f'<w:r><w:t xml:space="preserve">{esc(t)}</w:t></w:r>' for t in (text[:half], text[half:]) if t)
    return f"<w:p>{ppr}{runs}</w:p>"


def cell(text, vmerge=None, span=None):
    pr = ""
    if vmerge == "restart":
        pr += '<w:vMerge w:val="restart"/>'
    elif vmerge == "continue":
        pr += "<w:vMerge/>"
    if span:
        pr += f'<w:gridSpan w:val="{span}"/>'
    return f"<w:tc><w:tcPr>{pr}</w:tcPr>{para(text)}</w:tc>"


def row(*cells):
    return "<w:tr>" + "".join(cells) + "</w:tr>"


body = [
    para("某市2025年重点民生实事任务分工方案"),
    para("为办好2025年重点民生实事，制定本方案。"),
    para("工作目标", (1, 0)),
    para("全年新增城镇就业1.2万人以上，城镇调查失业率控制在5.5%以内。"),
    para("任务分工", (1, 0)),
    "<w:tbl><w:tblPr/>"
    + row(cell("序号"), cell("重点任务"), cell("牵头单位"), cell("责任单位"), cell("完成时限"))
    + row(cell("一、教育和住房", span=5))
    + row(cell("1"), cell("新建城区公办幼儿园3所，新增学位900个。"), cell("市教育局"), cell("市财政局、市自然资源局"), cell("2025年8月底前"))
    + row(cell("2"), cell("改造老旧小区20个。"), cell("市住建局"), cell("各区人民政府"), cell("年底前"))
    + row(cell("二、就业", span=5))
    + row(cell("3"), cell("新增城镇就业1.2万人。"), cell("市人社局", vmerge="restart"), cell("各县市区人民政府"), cell("持续推进"))
    + row(cell("4"), cell("开展职业技能培训5000人次。"), cell("", vmerge="continue"), cell("市教育局、市总工会"), cell("2025年12月31日前"))
    + "</w:tbl>",
    para("其他任务", (1, 0)),
    para("推进电动自行车充电设施建设。（市发改局牵头，市住建局、市消防救援支队配合）", (1, 1)),
    para("保障措施", (1, 0)),
    para("成立市民生实事工作专班，由市政府副市长任召集人，成员单位包括市教育局、市住建局、市人社局，专班办公室设在市发改局。"),
]
document = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {W}><w:body>{"".join(body)}</w:body></w:document>'
numbering = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:numbering {W}>
<w:abstractNum w:abstractNumId="0">
<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>
<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%2."/></w:lvl>
</w:abstractNum>
<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>
</w:numbering>"""
content_types = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
<Override PartName="/word/numbering.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"/>
</Types>"""
rels = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
</Relationships>"""
doc_rels = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering" Target="numbering.xml"/>
</Relationships>"""
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
    for name, data in [
        ("[Content_Types].xml", content_types),
        ("_rels/.rels", rels),
        ("word/document.xml", document),
        ("word/_rels/document.xml.rels", doc_rels),
        ("word/numbering.xml", numbering),
    ]:
        info = zipfile.ZipInfo(name, date_time=(2025, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(info, data)
write("task-table.docx", buf.getvalue())

# 3. A PDF with a text layer: lines wrapped at the page width and a page
#    number at the foot of each page, as a printed plan is.
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

pdfmetrics.registerFont(TTFont("wqy", "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", subfontIndex=0))


def make_pdf(name, paragraphs, text_layer=True):
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4, invariant=1)
    width, height = A4
    size, per_line, y, page = 14, 28, height - 72, 1

    def footer():
        c.setFont("wqy", 10)
        c.drawCentredString(width / 2, 36, f"— {page} —")

    for p in paragraphs:
        lines = [p[i : i + per_line] for i in range(0, len(p), per_line)] or [""]
        for line in lines:
            if y < 72:
                footer()
                c.showPage()
                page += 1
                y = height - 72
            if text_layer:
                c.setFont("wqy", size)
                c.drawString(72, y, line)
            else:
                c.rect(72, y, size * len(line), size * 0.8, fill=1)
            y -= size * 1.8
        y -= size * 0.6
    footer()
    c.showPage()
    c.save()
    write(name, out.getvalue())


pdf_text = [p for p in read("city-plan.txt").split("\n") if p.strip()]
make_pdf("city-plan.pdf", pdf_text)
make_pdf("scanned.pdf", pdf_text[:8], text_layer=False)
print("corpus written to", os.path.normpath(ROOT))
