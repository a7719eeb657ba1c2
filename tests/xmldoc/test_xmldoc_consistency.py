"""Random edit sequences on every corpus file: the text always re-parses to the lxml tree."""

from __future__ import annotations

import random

import pytest
from lxml import etree
from xmldoc_helpers import WELL_FORMED, elements

from iisftp.xmldoc import Document


def _shape(root: etree._Element) -> list[tuple[str, dict[str, str]]]:
    return [(el.tag, dict(el.attrib)) for el in root.iter(etree.Element)]


@pytest.mark.parametrize("name", WELL_FORMED)
def test_insert_then_remove_restores_the_bytes(load_corpus, name):
    doc, original = load_corpus(name)
    rng = random.Random(name)
    parents = [e for e in doc.root.iter(etree.Element) if len(elements(e)) >= 2]
    for parent in rng.sample(parents, min(5, len(parents))):
        count = len(elements(parent))
        for index in (0, rng.randrange(count), None):
            new = doc.insert_element(parent, "iisftpProbe", [("a", "1")], index=index)
            doc.remove_element(new)
            assert doc.to_bytes() == original, (parent.tag, index)


@pytest.mark.parametrize("name", WELL_FORMED)
def test_random_edits_keep_text_and_tree_in_step(load_corpus, name):
    doc, _ = load_corpus(name)
    rng = random.Random(name)
    for step in range(40):
        live = list(doc.root.iter(etree.Element))
        elem = rng.choice(live)
        op = rng.randrange(4)
        if op == 0:
            doc.set_attribute(elem, rng.choice(["a", "b", *elem.attrib]), f"v{step}&<\"'\n")
        elif op == 1 and elem.attrib:
            doc.remove_attribute(elem, rng.choice(list(elem.attrib)))
        elif op == 2:
            index = rng.choice([None, 0, -1, 1])
            doc.insert_element(elem, f"n{step}", [("k", str(step))], index=index)
        elif elem is not doc.root:
            doc.remove_element(elem)
    reread = Document.from_bytes(doc.to_bytes())
    assert _shape(reread.root) == _shape(doc.root)
    assert reread.encoding == doc.encoding and reread.bom == doc.bom
