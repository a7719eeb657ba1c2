"""Safe parsing: hostile or broken input becomes a ConfigError with a location."""

from __future__ import annotations

import http.server
import threading

import pytest

from iisftp.errors import ConfigError
from iisftp.xmldoc import Document

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE configuration [
  <!ENTITY xxe SYSTEM "file:///etc/passwd">
]>
<configuration><a v="&xxe;">&xxe;</a></configuration>
"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<lolz a="&lol9;">&lol9;</lolz>
"""


def _raises_doctype(data: bytes, line: int) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        Document.from_bytes(data, "evil.config")
    err = info.value
    assert "DOCTYPE" in err.message and err.hint
    assert err.where is not None and err.where.file == "evil.config" and err.where.line == line
    return err


def test_xxe_file_reference_is_rejected():
    err = _raises_doctype(XXE, 2)
    assert "root:" not in str(err)


def test_billion_laughs_is_rejected():
    _raises_doctype(BILLION_LAUGHS, 2)


def test_utf16_doctype_is_rejected_too():
    _raises_doctype(b"\xff\xfe" + XXE.decode().encode("utf-16-le"), 2)


def test_external_dtd_is_rejected_without_any_fetch():
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'<!ENTITY x "fetched">')

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/x.dtd"
        data = f'<?xml version="1.0"?>\n\n<!DOCTYPE c SYSTEM "{url}">\n<c>&x;</c>'.encode()
        _raises_doctype(data, 3)
    finally:
        server.shutdown()
        server.server_close()
    assert hits == []


def test_doctype_text_inside_a_comment_is_fine():
    doc = Document.from_bytes(b"<!-- <!DOCTYPE x> --><a><![CDATA[<!DOCTYPE y>]]></a>")
    assert doc.root.tag == "a"


def test_undefined_entity_is_malformed():
    with pytest.raises(ConfigError) as info:
        Document.from_bytes(b"<a>\n<b v='&xxe;'/></a>", "x.config")
    assert info.value.where.line == 2 and "malformed XML" in info.value.message


def test_oversize_input_is_rejected(tmp_path):
    data = b"<a>" + b" " * 2000 + b"</a>"
    with pytest.raises(ConfigError) as info:
        Document.from_bytes(data, max_size=1000)
    assert "limit" in info.value.message
    path = tmp_path / "big.config"
    path.write_bytes(data)
    with pytest.raises(ConfigError):
        Document.load(path, max_size=1000)
    assert Document.load(path, max_size=len(data)).to_bytes() == data


def test_undecodable_utf8_reports_the_line():
    with pytest.raises(ConfigError) as info:
        Document.from_bytes(b'<?xml version="1.0" encoding="UTF-8"?>\n<a>\n<b v="\xe9t\xe9"/></a>')
    assert info.value.where.line == 3


def test_undecodable_utf16_reports_the_line():
    data = b"\xff\xfe" + "<a>\n<b/>".encode("utf-16-le") + b"\x00\xd8" + "</a>".encode("utf-16-le")
    with pytest.raises(ConfigError) as info:
        Document.from_bytes(data)
    assert info.value.where.line == 2 and "utf-16-le" in info.value.message


def test_unknown_declared_encoding():
    with pytest.raises(ConfigError) as info:
        Document.from_bytes(b'<?xml version="1.0" encoding="x-klingon"?><a/>')
    assert "x-klingon" in info.value.message


def test_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError) as info:
        Document.load(tmp_path / "nope.config")
    assert str(tmp_path / "nope.config") in str(info.value)


def test_deep_nesting_is_bounded():
    depth = 100_000
    with pytest.raises(ConfigError):
        Document.from_bytes(b"<a>" * depth + b"</a>" * depth)


def test_cdata_opener_inside_a_comment_does_not_hide_a_doctype():
    _raises_doctype(b"<!-- <![CDATA[ -->\n" + XXE.split(b"\n", 1)[1], 2)
