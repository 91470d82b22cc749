# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The wait of ``hwcloud.drs.drs_batch_precheck``, on the controller: one module run and one line per read."""

from ansible_collections.hwcloud.drs.plugins.plugin_utils._polling import PollingAction
from ansible_collections.hwcloud.drs.plugins.plugin_utils._waits import PrecheckWait


class ActionModule(PollingAction):
    wait_class = PrecheckWait
