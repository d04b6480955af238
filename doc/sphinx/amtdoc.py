# SPDX-License-Identifier: GPL-2.0-or-later
"""
Sphinx extension for amtd's documentation.

amtd's pages are written for FRR's manual, whose configuration provides the
``clicmd`` directive and the labels of FRR's other chapters.  This extension
gives a stand-alone build of those pages the same:

- ``.. clicmd:: COMMAND`` documents a CLI command (an object of the standard
  domain, indexed as "COMMAND; configuration command", cross-referenced with
  ``:clicmd:`COMMAND```);
- ``:ref:`` to a label of FRR's manual that amtd's pages use resolves to that
  section of FRR's published manual.  Any other unknown label is left to
  Sphinx, which warns about it.
"""

from docutils import nodes

FRR_MANUAL = "https://docs.frrouting.org/en/latest/"

# Labels of FRR's manual that amtd's pages refer to: page and section title.
FRR_LABELS = {
    "common-invocation-options": ("basic.html", "Common Invocation Options"),
}


def resolve_frr_label(app, env, node, contnode):
    if node.get("refdomain") != "std" or node.get("reftype") != "ref":
        return None
    label = node.get("reftarget")
    if label not in FRR_LABELS:
        return None
    page, title = FRR_LABELS[label]
    ref = nodes.reference("", "", internal=False, refuri=FRR_MANUAL + page + "#" + label)
    if node.get("refexplicit"):
        ref += contnode
    else:
        ref += nodes.inline(title, title)
    return ref


def setup(app):
    app.add_object_type(
        "clicmd",
        "clicmd",
        indextemplate="pair: %s; configuration command",
        objname="CLI command",
    )
    app.connect("missing-reference", resolve_frr_label)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
