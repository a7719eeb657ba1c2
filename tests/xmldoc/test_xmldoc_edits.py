"""Edits change only what they must, in the file's own style."""

from __future__ import annotations

import pytest
from xmldoc_helpers import changed_lines, elements

from iisftp.errors import UsageError
from iisftp.xmldoc import Document

CRLF = "30_supernova_applicationHost_ftp_2020.xml"  # CRLF, 4-space indent
LF = "07_jexus_tests_original2_ftp_enc.xml"  # LF, 2-space indent, some '/>' without space
CRCRLF = "24_appcmd_wooyakko_apppools.xml"
UTF16 = "26_appcmd_kavita_apppools_utf16.xml"


def ftp_site(doc: Document):
    return doc.root.find("system.applicationHost/sites/site[@name='SupernovaFTP']")


@pytest.mark.parametrize(
    ("name", "xpath", "attr", "value", "old_line", "new_line"),
    [
        (
            CRLF,
            "system.applicationHost/sites/site/ftpServer/security/ssl",
            "controlChannelPolicy",
            "SslRequire",
            'controlChannelPolicy="SslAllow"',
            'controlChannelPolicy="SslRequire"',
        ),
        (
            LF,
            "system.applicationHost/sites/site[@name='WebSite1']",
            "serverAutoStart",
            "false",
            '<site name="WebSite1" id="1">',
            '<site name="WebSite1" id="1" serverAutoStart="false">',
        ),
        (
            "28_appcmd_nibodev_sites_ftpdefaults.xml",
            ".//ftpServer/security/ssl",
            "controlChannelPolicy",
            "SslRequire",
            "<ssl />",
            '<ssl controlChannelPolicy="SslRequire" />',
        ),
    ],
)
def test_set_attribute_changes_exactly_one_line(
    load_corpus, name, xpath, attr, value, old_line, new_line
):
    doc, original = load_corpus(name)
    elem = doc.root.find(xpath)
    doc.set_attribute(elem, attr, value)
    minus, plus = changed_lines(doc, original)
    assert minus.startswith("-") and old_line in minus
    assert plus.startswith("+") and new_line in plus
    assert minus[1:].replace(old_line, new_line) == plus[1:]  # same indent, same line ending
    assert elem.get(attr) == value
    assert Document.from_bytes(doc.to_bytes()).root.find(xpath).get(attr) == value


def test_remove_attribute_changes_one_line(load_corpus):
    doc, original = load_corpus(CRLF)
    ssl = ftp_site(doc).find("ftpServer/security/ssl")
    doc.remove_attribute(ssl, "ssl128")
    minus, plus = changed_lines(doc, original)
    assert minus[1:].replace(' ssl128="false"', "") == plus[1:]
    assert "ssl128" not in ssl.attrib
    doc.remove_attribute(ssl, "ssl128")  # absent: nothing to do
    assert len(changed_lines(doc, original)) == 2


def test_setting_the_same_value_is_not_an_edit(load_corpus):
    doc, original = load_corpus(CRLF)
    doc.set_attribute(ftp_site(doc), "id", "1399456917")
    assert not doc.modified and doc.to_bytes() == original


def test_attribute_values_are_escaped():
    doc = Document.from_bytes(b"<a>\n  <b x='1' />\n</a>\n")
    b = doc.root[0]
    doc.set_attribute(b, "y", 'a&b<c>"d"\ne\tf\rg')
    doc.set_attribute(b, "x", 'it\'s "q"')  # single-quoted value keeps its quotes
    assert doc.to_bytes() == (
        b"<a>\n  <b x='it&apos;s \"q\"' "
        b'y="a&amp;b&lt;c&gt;&quot;d&quot;&#xA;e&#x9;f&#xD;g" />\n</a>\n'
    )
    again = Document.from_bytes(doc.to_bytes()).root[0]
    assert again.get("y") == 'a&b<c>"d"\ne\tf\rg' and again.get("x") == 'it\'s "q"'


def test_insert_appends_like_the_siblings_crlf(load_corpus):
    doc, original = load_corpus(CRLF)
    bindings = ftp_site(doc).find("bindings")
    new = doc.insert_element(
        bindings, "binding", [("protocol", "ftp"), ("bindingInformation", "*:990:")]
    )
    assert changed_lines(doc, original) == [
        '+                    <binding protocol="ftp" bindingInformation="*:990:" />\r\n'
    ]
    assert elements(bindings)[-1] is new and new.get("bindingInformation") == "*:990:"
    assert new.sourceline


def test_insert_at_index_goes_before_that_element(load_corpus):
    doc, original = load_corpus(LF)
    bindings = doc.root.find("system.applicationHost/sites/site[@name='WebSite1']/bindings")
    second = elements(bindings)[1]
    new = doc.insert_element(bindings, "binding", [("protocol", "ftp")], index=1)
    assert elements(bindings)[1:3] == [new, second]
    diff = changed_lines(doc, original)
    assert diff == ['+          <binding protocol="ftp" />\n']
    text = doc.to_text()
    assert '<binding protocol="ftp" />\n          <binding protocol="net.tcp"' in text


def test_insert_into_self_closing_parent_expands_it(load_corpus):
    doc, original = load_corpus(CRLF)
    anon = ftp_site(doc).find("ftpServer/security/authentication/anonymousAuthentication")
    doc.insert_element(anon, "note", [("text", "x")])
    assert changed_lines(doc, original) == [
        '-                            <anonymousAuthentication enabled="true" />\r\n',
        '+                            <anonymousAuthentication enabled="true">\r\n',
        '+                                <note text="x" />\r\n',
        "+                            </anonymousAuthentication>\r\n",
    ]


def test_nested_inserts_and_edits_on_new_elements(load_corpus):
    doc, original = load_corpus(CRLF)
    sites = doc.root.find("system.applicationHost/sites")
    site = doc.insert_element(sites, "site", [("name", "New FTP"), ("id", "7")], index=2)
    bindings = doc.insert_element(site, "bindings")
    doc.insert_element(bindings, "binding", [("protocol", "ftp"), ("bindingInformation", "*:21:")])
    doc.set_attribute(site, "serverAutoStart", "true")
    doc.set_attribute(site, "id", "8")
    block = (
        '            <site name="New FTP" id="8" serverAutoStart="true">\r\n'
        "                <bindings>\r\n"
        '                    <binding protocol="ftp" bindingInformation="*:21:" />\r\n'
        "                </bindings>\r\n"
        "            </site>\r\n"
    )
    # Between the second site and siteDefaults, as lxml has it.
    assert "            </site>\r\n" + block + "            <siteDefaults>" in doc.to_text()
    diff = changed_lines(doc, original)
    assert len(diff) == 5 and all(d.startswith("+") for d in diff)
    reread = Document.from_bytes(doc.to_bytes())
    assert reread.root.find(".//site[@name='New FTP']/bindings/binding").get("protocol") == "ftp"
    assert elements(reread.root.find("system.applicationHost/sites"))[2].get("id") == "8"


def test_file_self_closing_style_is_kept():
    doc = Document.from_bytes(b"<a>\n\t<b x='1'/>\n\t<c/>\n</a>")
    doc.insert_element(doc.root, "d", [("y", "2")])
    assert doc.to_bytes() == b"<a>\n\t<b x='1'/>\n\t<c/>\n\t<d y=\"2\"/>\n</a>"


def test_insert_into_empty_element_uses_the_files_indent_unit():
    doc = Document.from_bytes(b"<a>\r\n  <b>\r\n    <c />\r\n  </b>\r\n  <e></e>\r\n</a>")
    doc.insert_element(doc.root.find("e"), "f")
    assert doc.to_bytes().endswith(b"  <e>\r\n    <f />\r\n  </e>\r\n</a>")


def test_append_after_a_trailing_comment_matches_lxml_order():
    doc = Document.from_bytes(b"<a>\n  <b />\n  <!-- last -->\n</a>\n")
    new = doc.insert_element(doc.root, "c")
    assert doc.root[-1] is new
    assert doc.to_bytes() == b"<a>\n  <b />\n  <!-- last -->\n  <c />\n</a>\n"


def test_remove_element_removes_its_lines(load_corpus):
    doc, original = load_corpus(CRLF)
    site = ftp_site(doc)
    ftp = site.find("ftpServer")
    doc.remove_element(ftp)
    diff = changed_lines(doc, original)
    assert len(diff) == 8 and all(d.startswith("-") for d in diff)
    assert diff[0] == '-                <ftpServer allowUTF8="true">\r\n'
    assert diff[-1] == "-                </ftpServer>\r\n"
    assert site.find("ftpServer") is None


def test_remove_then_reinsert_sibling_keeps_lf_file_tidy(load_corpus):
    doc, original = load_corpus(LF)
    bindings = doc.root.find("system.applicationHost/sites/site[@name='WebSite1']/bindings")
    doc.remove_element(elements(bindings)[0])
    doc.remove_element(elements(bindings)[-1])
    assert [d[0] for d in changed_lines(doc, original)] == ["-", "-"]


def test_inline_siblings_removal():
    doc = Document.from_bytes(b"<a>\n  <b/> <c/>\n</a>")
    b, c = doc.root
    doc.remove_element(b)
    assert doc.to_bytes() == b"<a>\n  <c/>\n</a>"
    doc.remove_element(c)
    assert doc.to_bytes() == b"<a>\n</a>"


def test_crcrlf_file_edits_use_its_line_ending(load_corpus):
    doc, original = load_corpus(CRCRLF)
    pool = doc.root.find("APPPOOL")
    add = pool.find("add")
    doc.set_attribute(add, "autoStart", "false")
    doc.insert_element(add, "cpu", [("limit", "0")], index=0)
    out = doc.to_bytes()
    assert out.count(b"\r\r\n") == original.count(b"\r\r\n") + 1
    assert b'autoStart="false"' in out
    assert b'\r\r\n            <cpu limit="0" />\r\r\n' in out
    reread = Document.from_bytes(out)
    assert reread.root.find("APPPOOL/add/cpu").get("limit") == "0"


def test_utf16_edit_keeps_utf16_and_bom(load_corpus):
    doc, original = load_corpus(UTF16)
    pool = doc.root.find("APPPOOL")
    doc.set_attribute(pool, "state", "Stopped")
    out = doc.to_bytes()
    assert out.startswith(b"\xff\xfe") and len(out) == len(original)
    assert out.decode("utf-16") == original.decode("utf-16").replace(
        'state="Started"', 'state="Stopped"', 1
    )
    assert len(changed_lines(doc, original)) == 2
    reread = Document.from_bytes(out)
    assert reread.encoding == "utf-16-le" and reread.root.find("APPPOOL").get("state") == "Stopped"


def test_elements_keep_their_identity_across_edits(load_corpus):
    doc, _ = load_corpus(CRLF)
    site = ftp_site(doc)
    ssl = site.find("ftpServer/security/ssl")
    doc.set_attribute(site, "id", "5")
    doc.insert_element(doc.root.find("system.applicationHost/sites"), "site", [("name", "x")])
    assert ftp_site(doc) is site and site.find("ftpServer/security/ssl") is ssl
    doc.set_attribute(ssl, "ssl128", "true")  # still editable through the same object
    assert b'ssl128="true"' in doc.to_bytes()


def test_bad_edits_raise_usage_errors_and_change_nothing(load_corpus):
    doc, original = load_corpus(CRLF)
    site = ftp_site(doc)
    other = Document.from_bytes(b"<a><b/></a>")
    cases = [
        lambda: doc.set_attribute(site, "bad name", "x"),
        lambda: doc.set_attribute(site, "id", "a\x01b"),
        lambda: doc.set_attribute(site, "id", "\ud800"),
        lambda: doc.set_attribute(site, "id", 5),
        lambda: doc.insert_element(site, "1bad"),
        lambda: doc.insert_element(site, "x", [("a", "1"), ("a", "2")]),
        lambda: doc.set_attribute(other.root[0], "a", "1"),
        lambda: doc.remove_element(doc.root),
    ]
    for case in cases:
        with pytest.raises(UsageError):
            case()
    assert not doc.modified and doc.to_bytes() == original
    removed = site.find("bindings")
    doc.remove_element(removed)
    with pytest.raises(UsageError):
        doc.set_attribute(removed, "a", "1")


def test_negative_and_large_indexes_clamp(load_corpus):
    doc = Document.from_bytes(b"<a>\n  <b />\n  <c />\n</a>")
    last = doc.insert_element(doc.root, "z", index=99)
    first = doc.insert_element(doc.root, "y", index=-99)
    mid = doc.insert_element(doc.root, "m", index=-1)
    assert [e.tag for e in doc.root] == ["y", "b", "c", "m", "z"]
    assert (doc.root[0], doc.root[-1], doc.root[3]) == (first, last, mid)
    assert doc.to_bytes() == b"<a>\n  <y />\n  <b />\n  <c />\n  <m />\n  <z />\n</a>"


def test_value_outside_the_files_encoding_becomes_a_char_ref():
    doc = Document.from_bytes(b'<?xml version="1.0" encoding="ISO-8859-1"?><a/>')
    doc.set_attribute(doc.root, "v", "\u20ac")
    assert doc.to_bytes().endswith(b'<a v="&#8364;"/>')
    assert Document.from_bytes(doc.to_bytes()).root.get("v") == "\u20ac"


def test_insert_under_a_default_namespace_stays_in_it():
    doc = Document.from_bytes(b'<c xmlns="urn:x">\n  <s />\n</c>')
    new = doc.insert_element(doc.root, "s", [("n", "1")])
    assert new.tag == "{urn:x}s"
    reread = Document.from_bytes(doc.to_bytes())
    assert [e.tag for e in reread.root] == ["{urn:x}s", "{urn:x}s"]
    doc.set_attribute(new, "n", "2")
    assert doc.to_bytes() == b'<c xmlns="urn:x">\n  <s />\n  <s n="2" />\n</c>'


def test_line_of_follows_edits(load_corpus):
    doc, _ = load_corpus(CRLF)
    site = ftp_site(doc)
    ssl = site.find("ftpServer/security/ssl")
    assert doc.line_of(ssl) == ssl.sourceline == 177
    doc.insert_element(site.getparent(), "site", [("name", "x")], index=0)
    new = doc.insert_element(site.find("bindings"), "binding", [("protocol", "ftp")])
    assert doc.line_of(ssl) == 179 and doc.line_of(new) == 172
    assert doc.to_text().split("\r\n")[178].lstrip().startswith("<ssl ")


@pytest.mark.parametrize(
    ("before", "index", "after"),
    [
        (b"<a>\n  <b/> <c/><d/>\n</a>", 1, b"<a>\n  <b/><d/>\n</a>"),
        (b"<a>\n  <b/><c/> <d/>\n</a>", 1, b"<a>\n  <b/><d/>\n</a>"),
        (b"<a>\n  <b/>\n  <c/></a>", 1, b"<a>\n  <b/></a>"),
        (b"<a><b/></a>", 0, b"<a></a>"),
        (b"<a>\r\r\n    <b/>\r\r\n    <c/>\r\r\n</a>", 0, b"<a>\r\r\n    <c/>\r\r\n</a>"),
        (b"<a>\n\n  <b/>\n\n  <c/>\n\n</a>", 1, b"<a>\n\n  <b/>\n\n</a>"),
    ],
)
def test_removal_whitespace_rules(before, index, after):
    doc = Document.from_bytes(before)
    doc.remove_element(doc.root[index])
    assert doc.to_bytes() == after
