"""Small valid files of every accepted type, and hostile ones, made on the spot."""

from __future__ import annotations

import io
import zipfile

from PIL import Image

# GPS position of Aarhus Hovedbibliotek (Dokk1), as a phone writes it into a photo.
GPS_IFD = 0x8825
ORIENTATION = 0x0112


def pdf(pages: int = 2) -> bytes:
    """Return a minimal valid PDF with the given number of empty pages."""
    kids = " ".join(f"{3 + n} 0 R" for n in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode(),
        *(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>" for _ in range(pages)),
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
