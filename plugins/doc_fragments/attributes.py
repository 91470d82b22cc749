# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later


class ModuleDocFragment:
    """The attributes the hwcloud.drs modules share."""

    # Every module: the action group.
    DOCUMENTATION = r"""
attributes:
  action_group:
    support: full
    membership:
      - hwcloud.drs.drs
    description: Use C(group/hwcloud.drs.drs) in C(module_defaults) to set the connection options.
"""

    # The modules that only read.
    READ_ONLY = r"""
attributes:
  check_mode:
    support: full
    description: The module only reads, so check mode runs it as usual.
  diff_mode:
    support: none
    description: The module changes nothing, so there is no difference to show.
"""
