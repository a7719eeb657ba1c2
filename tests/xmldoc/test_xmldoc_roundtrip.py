"""Lossless loading: every well-formed corpus file comes back byte for byte."""

from __future__ import annotations

import pytest
from xmldoc_helpers import BROKEN, WELL_FORMED

from iisftp.errors import ConfigError
from iisftp.xmldoc import Document


@pytest.mark.parametrize("name", WELL_FORMED)
def test_unedited_corpus_file_round_trips(load_corpus, name):
    doc, original = load_corpus(name)
    assert doc.to_bytes() == original
    assert not doc.modified
    assert doc._top is None, "loading must not tokenize the text"


@pytest.mark.parametrize("name", WELL_FORMED)
def test_edit_then_undo_gives_the_original_bytes(load_corpus, name):
    # Forces the text to be cut into pieces and joined again, through the public API.
    doc, original = load_corpus(name)
    doc.set_attribute(doc.root, "iisftpProbe", "1")
    assert doc.modified and doc.to_bytes() != original
    doc.remove_attribute(doc.root, "iisftpProbe")
    assert doc.to_bytes() == original


def test_broken_file_reports_its_line(corpus_dir):
    with pytest.raises(ConfigError) as info:
        Document.load(corpus_dir / BROKEN)
    err = info.value
    assert err.where is not None and err.where.line == 1134
    assert err.where.file.endswith(BROKEN)
    assert f"{BROKEN}:1134" in str(err) and err.hint


@pytest.mark.parametrize(
    ("name", "encoding", "bom", "newline"),
    [
        ("01_c1982_shared_applicationHost.xml", "utf-8", False, "\n"),
        ("04_mattgillard_revproxy_applicationHost.xml", "utf-8", False, "\r\n"),
        ("14_msiis_admin_publish_hwc_applicationHost.xml", "utf-8", True, "\n"),
        ("24_appcmd_wooyakko_apppools.xml", "utf-8", False, "\r\r\n"),
        ("26_appcmd_kavita_apppools_utf16.xml", "utf-16-le", True, "\r\n"),
        ("39_iisexpress_wcf_corewcf.xml", "utf-8", True, "\r\n"),
    ],
)
def test_encoding_bom_and_newline_are_detected(load_corpus, name, encoding, bom, newline):
    doc, _ = load_corpus(name)
    assert (doc.encoding, doc.bom, doc.newline) == (encoding, bom, newline)


def test_utf16_file_declaring_utf8_is_parsed_with_lines(load_corpus):
    doc, _ = load_corpus("26_appcmd_kavita_apppools_utf16.xml")
    assert doc.root.tag == "appcmd"
    pool = doc.root.find("APPPOOL")
    assert pool.get("APPPOOL.NAME") == "DefaultAppPool"
    assert pool.sourceline == 5  # blank lines between elements in this file


def test_comments_are_kept_as_children(load_corpus):
    doc, _ = load_corpus("07_jexus_tests_original2_ftp_enc.xml")
    comments = [c for c in doc.root.iter() if not isinstance(c.tag, str)]
    assert comments and all(c.sourceline for c in doc.root.iter(tag="site"))


QUIRKS = [
    b"<a><x /><x/><x></x><x\n  a='1'\tb = \"2\"  /></a>",
    b'<a b="&#xA;&amp;&lt;&#x9;\'" c=\'"\'>t&gt;<!-- <x a="1"/> --><![CDATA[<y>]]></a>',
    b"<?xml version='1.0'?>\r<!-- c -->\r<a>\r  <b/>\r</a>",
    b"\xef\xbb\xbf<a>\xc3\xa9</a>\n\n",
    b'<?xml version="1.0" encoding="ISO-8859-1"?>\n<a v="\xe9"/>\n',
    "<?xml version='1.0' encoding='UTF-16'?><a v='\u00e9'/>".encode("utf-16-be"),
]


@pytest.mark.parametrize("data", QUIRKS)
def test_quirky_documents_round_trip_before_and_after_tokenizing(data):
    doc = Document.from_bytes(data)
    assert doc.to_bytes() == data
    doc.set_attribute(doc.root, "probe", "1")
    doc.remove_attribute(doc.root, "probe")
    assert doc.to_bytes() == data


def test_non_utf8_declared_encoding_is_decoded():
    doc = Document.from_bytes(QUIRKS[4])
    assert doc.encoding == "iso8859-1" and doc.root.get("v") == "\u00e9"
    doc.set_attribute(doc.root, "w", "\u00fc")
    assert doc.to_bytes().endswith(b'<a v="\xe9" w="\xfc"/>\n')
