"""save(): atomic replace, permissions kept, refusal when the file changed on disk."""

from __future__ import annotations

import os
import stat

import pytest

from iisftp.errors import ConfigError, UsageError
from iisftp.xmldoc import Document

CONFIG = (
    b'<?xml version="1.0" encoding="UTF-8"?>\r\n'
    b"<configuration>\r\n"
    b"    <sites>\r\n"
    b'        <site name="A" id="1" />\r\n'
    b"    </sites>\r\n"
    b"</configuration>\r\n"
)


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "applicationHost.config"
    path.write_bytes(CONFIG)
    path.chmod(0o640)
    return path


def _site(doc: Document):
    return doc.root.find("sites/site")


def _leftovers(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != "applicationHost.config")


def test_save_writes_the_edit_and_keeps_permissions(config):
    doc = Document.load(config)
    doc.set_attribute(_site(doc), "id", "2")
    assert doc.save() is None
    assert config.read_bytes() == CONFIG.replace(b'id="1"', b'id="2"')
    assert stat.S_IMODE(config.stat().st_mode) == 0o640
    assert not doc.modified and _leftovers(config.parent) == []
    # The saved state is the new baseline: a second edit and save works.
    doc.set_attribute(_site(doc), "id", "3")
    doc.save()
    assert b'id="3"' in config.read_bytes()


def test_unedited_save_is_byte_identical(config):
    Document.load(config).save()
    assert config.read_bytes() == CONFIG


def test_save_refuses_when_the_file_changed_on_disk(config):
    doc = Document.load(config)
    doc.set_attribute(_site(doc), "id", "2")
    before = config.stat()
    changed = CONFIG.replace(b'name="A"', b'name="B"')  # same size
    config.write_bytes(changed)
    os.utime(config, ns=(before.st_atime_ns, before.st_mtime_ns))  # and same mtime
    with pytest.raises(ConfigError) as info:
        doc.save()
    assert "changed on disk" in info.value.message and info.value.hint
    assert config.read_bytes() == changed and _leftovers(config.parent) == []


def test_save_refuses_when_the_file_was_deleted(config):
    doc = Document.load(config)
    config.unlink()
    with pytest.raises(ConfigError, match="deleted"):
        doc.save()
    assert not config.exists()


def test_failed_save_leaves_the_original_and_no_temp_file(config):
    doc = Document.load(config)
    doc.set_attribute(_site(doc), "id", "2")
    target = config.parent / "occupied"
    target.mkdir()
    (target / "keep").write_text("x")  # os.replace cannot put a file over a folder
    with pytest.raises(ConfigError) as info:
        doc.save(target)
    assert info.value.hint and info.value.where.file == str(target)
    assert sorted(p.name for p in config.parent.iterdir()) == ["applicationHost.config", "occupied"]
    assert config.read_bytes() == CONFIG and doc.modified
    with pytest.raises(ConfigError):
        doc.save(config.parent / "missing-folder" / "x.config")
    doc.save()  # the document is still usable
    assert b'id="2"' in config.read_bytes()


def test_save_as_new_path_uses_the_original_mode(config):
    doc = Document.load(config)
    other = config.parent / "copy.config"
    doc.save(other)
    assert other.read_bytes() == CONFIG and stat.S_IMODE(other.stat().st_mode) == 0o640
    assert doc.filename == str(other)


def test_save_through_a_symlink_replaces_the_target(config):
    link = config.parent / "link.config"
    link.symlink_to(config.name)
    doc = Document.load(link)
    doc.set_attribute(_site(doc), "id", "9")
    doc.save()
    assert link.is_symlink() and b'id="9"' in config.read_bytes()


def test_utf16_save_keeps_encoding_and_bom(tmp_path):
    path = tmp_path / "apppools.xml"
    path.write_bytes(b"\xff\xfe" + CONFIG.decode().encode("utf-16-le"))
    doc = Document.load(path)
    doc.set_attribute(_site(doc), "name", "\u00e9t\u00e9")
    doc.save()
    data = path.read_bytes()
    assert data.startswith(b"\xff\xfe")
    assert data[2:].decode("utf-16-le") == CONFIG.decode().replace('"A"', '"\u00e9t\u00e9"')


def test_memory_document_needs_a_path():
    doc = Document.from_bytes(CONFIG)
    with pytest.raises(UsageError):
        doc.save()
