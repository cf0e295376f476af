"""Small valid files of every accepted type, and hostile ones, made on the spot."""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

from PIL import Image

# GPS position of Aarhus Hovedbibliotek (Dokk1), as a phone writes it into a photo.
GPS_IFD = 0x8825
ORIENTATION = 0x0112


def pdf(pages: int = 2) -> bytes:
    """Return a minimal valid PDF with the given number of empty pages."""
    return _pdf_file([b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"] * pages)


def _pdf_string(text: str) -> bytes:
    """Return the text as a PDF literal string in WinAnsiEncoding (cp1252): ( ) and \\
    escaped, and every byte outside printable ASCII written as an octal escape."""
    out = bytearray(b"(")
    for byte in text.encode("cp1252"):
        if byte in b"()\\":
            out += b"\\" + bytes([byte])
        elif 32 <= byte < 127:
            out.append(byte)
        else:
            out += b"\\%03o" % byte
    return bytes(out + b")")


def _stream(content: bytes, dictionary: str = "") -> bytes:
    """Return a PDF stream object's body with its correct /Length."""
    return (
        f"<< {dictionary} /Length {len(content)} >>\nstream\n".encode() + content + (b"\nendstream")
    )


def pdf_with_text(lines: list[str], lines_per_page: int = 40) -> bytes:
    """Return a PDF whose pages show the lines in Helvetica, lines_per_page to a page, as
    real text (BT ... Tj ... ET) a PDF reader extracts, Danish letters included."""
    pages = [lines[n : n + lines_per_page] for n in range(0, len(lines), lines_per_page)]
    pages = pages or [[]]
    # Objects 1 and 2 are the catalog and the page tree; then the font; then for each page
    # the page and its content stream.
    font = 3 + 2 * len(pages)
    objects = []
    for number, page in enumerate(pages):
        content = (
            b"BT /F1 12 Tf 14 TL 72 780 Td\n"
            + b"".join(_pdf_string(line) + b" Tj T*\n" for line in page)
            + b"ET"
        )
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {4 + 2 * number} 0 R "
            f"/Resources << /Font << /F1 {font} 0 R >> >> >>".encode()
        )
        objects.append(_stream(content))
    objects.append(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    )
    return _pdf_file(objects, page_objects=range(3, font, 2))


def pdf_scanned(pages: int = 1) -> bytes:
    """Return a PDF like a scan without recognised text: each page is painted by an image
    (grey, 2 x 2 pixels, stretched over the page) and has no text at all."""
    objects = []
    image = 3 + 2 * pages
    for number in range(pages):
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {4 + 2 * number} 0 R "
            f"/Resources << /XObject << /Im1 {image} 0 R >> >> >>".encode()
        )
        objects.append(_stream(b"q 595 0 0 842 0 0 cm /Im1 Do Q"))
    objects.append(
        _stream(
            b"\x40\x80\xc0\xff",
            "/Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray "
            "/BitsPerComponent 8",
        )
    )
    return _pdf_file(objects, page_objects=range(3, image, 2))


def _pdf_file(objects: list[bytes], page_objects: range | None = None) -> bytes:
    """Return a PDF file of a catalog (object 1), a page tree (object 2) whose pages are the
    page_objects (by default all the objects given), and the objects, with a correct xref."""
    if page_objects is None:
        page_objects = range(3, 3 + len(objects))
    kids = " ".join(f"{n} 0 R" for n in page_objects)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {len(page_objects)} >>".encode(),
        *objects,
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out.getvalue()


def _zip(parts: dict[str, bytes], stored_first: str | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        if stored_first:
            archive.writestr(
                zipfile.ZipInfo(stored_first), parts.pop(stored_first), zipfile.ZIP_STORED
            )
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def _content_types(main_part: str, main_type: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{main_part}" ContentType="{main_type}"/>'
        "</Types>"
    ).encode()


OFFICE = {
    "docx": (
        "word/document.xml",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    ),
    "xlsx": (
        "xl/workbook.xml",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    ),
    "pptx": (
        "ppt/presentation.xml",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
    ),
}


def office(kind: str, main_type: str | None = None) -> bytes:
    """Return a minimal Office Open XML file (docx, xlsx or pptx)."""
    part, content_type = OFFICE[kind]
    return _zip(
        {
            "[Content_Types].xml": _content_types(part, main_type or content_type),
            "_rels/.rels": b'<?xml version="1.0"?><Relationships/>',
            part: b'<?xml version="1.0"?><root>Klimastrategi for biblioteket</root>',
        }
    )


def opendocument(kind: str) -> bytes:
    """Return a minimal OpenDocument file (text, spreadsheet or presentation)."""
    return _zip(
        {
            "mimetype": f"application/vnd.oasis.opendocument.{kind}".encode(),
            "META-INF/manifest.xml": b'<?xml version="1.0"?><manifest:manifest/>',
            "content.xml": b'<?xml version="1.0"?><office:document-content/>',
        },
        stored_first="mimetype",
    )


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
S = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
P = "http://schemas.openxmlformats.org/presentationml/2006/main"
XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def _office(kind: str, parts: dict[str, str]) -> bytes:
    """Return an Office Open XML file of the kind with its [Content_Types].xml, package
    relationships and the XML parts given (encoded as UTF-8)."""
    return _zip(
        {
            "[Content_Types].xml": _content_types(*OFFICE[kind]),
            "_rels/.rels": f'{XML}<Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"/>'.encode(),
            **{name: (XML + xml).encode() for name, xml in parts.items()},
        }
    )


def _word_paragraphs(lines: list[str]) -> str:
    """Return the lines as Word paragraphs, a tab in a line as w:tab."""
    return "".join(
        "<w:p><w:r>"
        + "<w:tab/>".join(
            f'<w:t xml:space="preserve">{escape(part)}</w:t>' for part in line.split("\t")
        )
        + "</w:r></w:p>"
        for line in lines
    )


def docx_with_text(lines: list[str], header: list[str] | None = None) -> bytes:
    """Return a Word document with a paragraph per line (a tab in a line becomes w:tab), and
    with the header's lines in word/header1.xml."""
    parts = {
        "word/document.xml": f'<w:document xmlns:w="{W}"><w:body>{_word_paragraphs(lines)}'
        "<w:sectPr/></w:body></w:document>"
    }
    if header is not None:
        parts["word/header1.xml"] = f'<w:hdr xmlns:w="{W}">{_word_paragraphs(header)}</w:hdr>'
    return _office("docx", parts)


def xlsx_with_text(lines: list[str], inline: bool = False) -> bytes:
    """Return an Excel workbook with one sheet whose column A holds a line per row, as shared
    strings (as Excel saves text) or, with `inline`, as inline strings."""
    if inline:
        cells = [
            f'<c r="A{n}" t="inlineStr"><is><t>{escape(line)}</t></is></c>'
            for n, line in enumerate(lines, start=1)
        ]
    else:
        cells = [f'<c r="A{n}" t="s"><v>{n - 1}</v></c>' for n in range(1, len(lines) + 1)]
    rows = "".join(f'<row r="{n}">{cell}</row>' for n, cell in enumerate(cells, start=1))
    parts = {
        "xl/workbook.xml": f'<workbook xmlns="{S}"><sheets><sheet name="Ark1" sheetId="1"/>'
        "</sheets></workbook>",
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{S}"><sheetData>{rows}</sheetData>'
        "</worksheet>",
    }
    if not inline:
        strings = "".join(f"<si><t>{escape(line)}</t></si>" for line in lines)
        parts["xl/sharedStrings.xml"] = (
            f'<sst xmlns="{S}" count="{len(lines)}" uniqueCount="{len(lines)}">{strings}</sst>'
        )
    return _office("xlsx", parts)


def _slide_text(root: str, paragraphs: list[str], number: int) -> str:
    """Return a slide or notes part holding the paragraphs and a slide number field."""
    text = "".join(f"<a:p><a:r><a:t>{escape(line)}</a:t></a:r></a:p>" for line in paragraphs)
    return (
        f'<p:{root} xmlns:a="{A}" xmlns:p="{P}"><p:cSld><p:spTree>'
        f"<p:sp><p:txBody><a:bodyPr/>{text}</p:txBody></p:sp>"
        f'<p:sp><p:txBody><a:bodyPr/><a:p><a:fld type="slidenum"><a:t>{number}</a:t></a:fld>'
        f"</a:p></p:txBody></p:sp></p:spTree></p:cSld></p:{root}>"
    )


def pptx_with_text(lines: list[str], notes: list[str] | None = None) -> bytes:
    """Return a PowerPoint presentation with a slide per line (slide1.xml, slide2.xml ...),
    each also showing its slide number, and the notes' lines on the first slide's notes."""
    parts = {"ppt/presentation.xml": f'<p:presentation xmlns:p="{P}"/>'}
    for number, line in enumerate(lines, start=1):
        parts[f"ppt/slides/slide{number}.xml"] = _slide_text("sld", [line], number)
    if notes is not None:
        parts["ppt/notesSlides/notesSlide1.xml"] = _slide_text("notes", notes, 1)
    return _office("pptx", parts)


ODF_NAMESPACES = " ".join(
    f'xmlns:{prefix}="urn:oasis:names:tc:opendocument:xmlns:{name}"'
    for prefix, name in (
        ("office", "office:1.0"),
        ("style", "style:1.0"),
        ("text", "text:1.0"),
        ("table", "table:1.0"),
        ("draw", "drawing:1.0"),
        ("number", "datastyle:1.0"),
    )
)


def _odf_paragraph(line: str, tag: str = "text:p") -> str:
    """Return a line as an OpenDocument paragraph, its first word in a span (so the rest is
    the span's tail, as in a real file) and a tab as text:tab."""
    first, space, rest = line.partition(" ")
    body = f'<text:span text:style-name="T1">{escape(first)}</text:span>{space}{escape(rest)}'
    return f"<{tag}>{body.replace(chr(9), '<text:tab/>')}</{tag}>"


def _odf(kind: str, body: str) -> bytes:
    """Return an OpenDocument file of the kind (text, spreadsheet, presentation) whose
    content.xml has the body inside office:body, after styles holding text of their own (a
    currency format's " kr."), which is not the document's."""
    content = (
        f'{XML}<office:document-content {ODF_NAMESPACES} office:version="1.3">'
        "<office:automatic-styles>"
        '<number:currency-style style:name="N1"><number:number/>'
        "<number:text> kr.</number:text></number:currency-style>"
        "</office:automatic-styles>"
        f"<office:body><office:{kind}>{body}</office:{kind}></office:body>"
        "</office:document-content>"
    )
    return _zip(
        {
            "mimetype": f"application/vnd.oasis.opendocument.{kind}".encode(),
            "META-INF/manifest.xml": f'{XML}<manifest:manifest xmlns:manifest="urn:oasis:names:'
            'tc:opendocument:xmlns:manifest:1.0"/>'.encode(),
            "content.xml": content.encode(),
        },
        stored_first="mimetype",
    )


def odt_with_text(lines: list[str]) -> bytes:
    """Return an OpenDocument text: the first line a heading (text:h), the rest paragraphs."""
    body = "".join(
        _odf_paragraph(line, "text:h" if n == 0 else "text:p") for n, line in enumerate(lines)
    )
    return _odf("text", body)


def ods_with_text(lines: list[str]) -> bytes:
    """Return an OpenDocument spreadsheet with a line per row, in the first column."""
    rows = "".join(
        '<table:table-row><table:table-cell office:value-type="string">'
        f"{_odf_paragraph(line)}</table:table-cell></table:table-row>"
        for line in lines
    )
    return _odf("spreadsheet", f'<table:table table:name="Ark1">{rows}</table:table>')


def odp_with_text(lines: list[str]) -> bytes:
    """Return an OpenDocument presentation with a page (slide) per line, in a text box."""
    pages = "".join(
        f'<draw:page draw:name="Side{n}"><draw:frame><draw:text-box>{_odf_paragraph(line)}'
        "</draw:text-box></draw:frame></draw:page>"
        for n, line in enumerate(lines, start=1)
    )
    return _odf("presentation", pages)


def replace_part(data: bytes, name: str, content: bytes | None) -> bytes:
    """Return a copy of a zip with one part's content replaced (or added), or with the part
    left out when content is None; a first "mimetype" part stays first and stored."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    if content is None:
        del parts[name]
    else:
        parts[name] = content
    return _zip(parts, stored_first="mimetype" if "mimetype" in parts else None)


def image(fmt: str, size: tuple[int, int] = (40, 20), exif: bool = False) -> bytes:
    """Return a small image in the Pillow format given; with `exif`, a GPS position, a camera
    and an orientation saying "turn 90°" (so the upright image is 20 × 40)."""
    picture = Image.new("RGB", size, (200, 30, 30))
    for x in range(size[0] // 2):
        for y in range(size[1]):
            picture.putpixel((x, y), (30, 30, 200))
    options = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "Telefonfabrikken"  # Make
        data[ORIENTATION] = 6  # rotate 90° clockwise to show
        data.get_ifd(GPS_IFD).update({1: "N", 2: (56.0, 9.0, 12.0), 3: "E", 4: (10.0, 12.0, 0.0)})
        options["exif"] = data.tobytes()
    if fmt == "JPEG":
        options["quality"] = 95
    if fmt == "WEBP":
        options["lossless"] = True
    out = io.BytesIO()
    picture.save(out, format=fmt, **options)
    return out.getvalue()


TEXT = "Referat fra netværksmødet i Tønder\nÆbler, øl og ål.\n".encode()
CSV = "bibliotek;kWh\nAarhus;1200\nTønder;340\n".encode()
MARKDOWN = "# Genbrugsværksted\n\n- Tag værktøj med\n- *Husk* kaffe\n".encode()


def accepted() -> dict[str, tuple[bytes, str]]:
    """Return a sample of each accepted type: name -> (bytes, content type)."""
    return {
        "Klimastrategi.pdf": (pdf(), "application/pdf"),
        "Strategi.docx": (
            office("docx"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        "Forbrug.xlsx": (
            office("xlsx"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        "Oplæg.pptx": (
            office("pptx"),
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
        "Referat.odt": (opendocument("text"), "application/vnd.oasis.opendocument.text"),
        "Budget.ods": (
            opendocument("spreadsheet"),
            "application/vnd.oasis.opendocument.spreadsheet",
        ),
        "Slides.odp": (
            opendocument("presentation"),
            "application/vnd.oasis.opendocument.presentation",
        ),
        "Noter.txt": (TEXT, "text/plain"),
        "Forbrug.csv": (CSV, "text/csv"),
        "Tjekliste.md": (MARKDOWN, "text/markdown"),
        "Plakat.png": (image("PNG"), "image/png"),
        "Foto.jpg": (image("JPEG"), "image/jpeg"),
        "Foto.webp": (image("WEBP"), "image/webp"),
    }


HTML = b"<!DOCTYPE html>\n<html><body><script>alert(document.cookie)</script></body></html>\n"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><circle r="10"/></svg>\n'


def zip_bomb_by_size() -> bytes:
    """Return a .docx-looking zip whose one part unpacks to 30 MB of zeros (1000-fold)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _content_types(*OFFICE["docx"]))
        archive.writestr("word/document.xml", b"")
        with archive.open("word/media/zeros.bin", "w") as member:
            block = bytes(1024 * 1024)
            for _ in range(30):
                member.write(block)
    return out.getvalue()


def zip_bomb_by_entries(entries: int = 10_001) -> bytes:
    """Return a .docx-looking zip with more entries than any document has."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("[Content_Types].xml", _content_types(*OFFICE["docx"]))
        archive.writestr("word/document.xml", b"")
        for n in range(entries):
            archive.writestr(f"word/media/{n}", b"")
    return out.getvalue()


def zip_declaring(uncompressed: int) -> bytes:
    """Return a small .docx whose central directory declares a part of the given size (the
    numbers a zip bomb lies with, without making the bytes)."""
    data = bytearray(office("docx"))
    # Set the uncompressed size of every central directory entry (offset 24 in the header).
    position = data.find(b"PK\x01\x02")
    while position != -1:
        data[position + 24 : position + 28] = uncompressed.to_bytes(4, "little")
        position = data.find(b"PK\x01\x02", position + 4)
    return bytes(data)
