# SPDX-License-Identifier: GPL-3.0-or-later
"""Make a docsite made by ``antsibull-docs sphinx-init`` build without network access.

Usage: docsite_offline.py SITE_DIR

``sphinx-init`` writes a ``conf.py`` whose intersphinx mapping downloads the inventories of
the Python, Jinja and Ansible docs. Offline, every download is a warning, and with
``sphinx-build -W`` an error; the generated pages also link to a few labels of the Ansible
docs. This writes a small local inventory holding those labels (pointing at the published
Ansible docs) and appends an ``intersphinx_mapping`` that reads only it.
"""

from __future__ import annotations

import os
import sys
import zlib

ANSIBLE_DOCS = "https://docs.ansible.com/projects/ansible/devel/"
# label -> (page#anchor, title) of the Ansible docs that antsibull-docs' pages refer to.
LABELS = {
    "ansible_configuration_settings": ("reference_appendices/config.html#ansible-configuration-settings",
                                       "Ansible Configuration Settings"),
    "common_return_values": ("reference_appendices/common_return_values.html#common-return-values",
                             "Return Values"),
    "module_defaults": ("playbook_guide/playbooks_module_defaults.html#module-defaults", "Module defaults"),
    "action_plugins": ("plugins/action.html#action-plugins", "Action plugins"),
    "playbooks_vault": ("vault_guide/index.html#vault-guide-index", "Protecting sensitive data with Ansible vault"),
    "developing_modules_general": ("dev_guide/developing_modules_general.html#developing-modules-general",
                                   "Developing modules"),
    "intro_inventory": ("inventory_guide/intro_inventory.html#intro-inventory", "How to build your inventory"),
}


def main() -> int:
    site = os.path.abspath(sys.argv[1])
    conf = os.path.join(site, "conf.py")
    if not os.path.isfile(conf):
        print("no conf.py in %s (run antsibull-docs sphinx-init first)" % site)
        return 1
    inventory = os.path.join(site, "ansible_devel.inv")
    lines = "".join("%s std:label -1 %s %s\n" % (label, uri, title) for label, (uri, title) in sorted(LABELS.items()))
    with open(inventory, "wb") as handle:
        handle.write(b"# Sphinx inventory version 2\n# Project: Ansible\n# Version: devel\n"
                     b"# The remainder of this file is compressed using zlib.\n")
        handle.write(zlib.compress(lines.encode("utf-8")))
    with open(conf, "a", encoding="utf-8") as handle:
        handle.write("\n# Offline build (scripts/lib/docsite_offline.py): no inventory downloads.\n"
                     "intersphinx_mapping = {'ansible_devel': (%r, %r)}\n" % (ANSIBLE_DOCS, inventory))
    return 0


if __name__ == "__main__":
    sys.exit(main())
