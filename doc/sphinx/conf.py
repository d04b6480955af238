# SPDX-License-Identifier: GPL-2.0-or-later
#
# Sphinx configuration of amtd's documentation: the AMT chapter of FRR's user
# manual (user/amtd.rst) and amtd's man page (manpages/amtd.rst), built on
# their own by doc/build-docs.sh, which puts this file, index.rst, our pages
# and the parts of FRR's doc/manpages that the man page includes in one
# source directory.

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

project = "FRR"
author = "FRR authors"
copyright = "2025, FRR authors"

# The FRR version amtd is built into, as doc/build-docs.sh finds it.
release = os.environ.get("AMTD_DOC_FRR_VERSION", "10.3")
version = release.split("-")[0]

extensions = ["amtdoc"]
master_doc = "index"
source_suffix = ".rst"
# Included by the man page, not documents of their own.
exclude_patterns = [
    "manpages/defines.rst",
    "manpages/common-options.rst",
    "manpages/epilogue.rst",
]

# The substitutions that FRR's doc/manpages/conf.py defines for
# defines.rst and epilogue.rst, with the values of amtd's installation.
substitutions = {
    "PACKAGE_NAME": "frr",
    "PACKAGE_TARNAME": "frr",
    "PACKAGE_STRING": "frr " + release,
    "PACKAGE_URL": "https://frrouting.org/",
    "PACKAGE_VERSION": release,
    "AUTHORS": author,
    "COPYRIGHT_YEAR": "2025",
    "COPYRIGHT_STR": "Copyright (c) 2025 " + author,
    "INSTALL_PREFIX_ETC": os.environ.get("AMTD_DOC_SYSCONFDIR", "/etc/frr"),
    "INSTALL_PREFIX_SBIN": os.environ.get("AMTD_DOC_SBINDIR", "/usr/lib/frr"),
    "INSTALL_PREFIX_STATE": os.environ.get("AMTD_DOC_STATEDIR", "/var/run/frr"),
    "INSTALL_PREFIX_MODULES": os.environ.get("AMTD_DOC_MODULEDIR", "/usr/lib/frr/modules"),
    "INSTALL_USER": "frr",
    "INSTALL_GROUP": "frr",
    "INSTALL_VTY_GROUP": "frrvty",
    "USER": "frr",
    "GROUP": "frr",
}
rst_prolog = "".join(
    ".. |{}| replace:: {}\n".format(key, value) for key, value in substitutions.items()
)

html_theme = "alabaster"
html_title = "amtd, FRR " + release

# FRR names its daemons' man pages frr-<daemon>(8).
man_pages = [
    (
        "manpages/amtd",
        "frr-amtd",
        "an AMT (RFC 7450) relay and gateway for use with FRRouting.",
        [],
        8,
    ),
]
