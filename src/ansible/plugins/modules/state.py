#!/usr/bin/python
# -*- coding: utf-8 -*-
from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: state
short_description: Make the SPNs and delegation of many Active Directory accounts what a desired-state document says
version_added: 0.1.0
description:
  - Runs C(adkcd apply) on a whole desired-state document (docs/state-file.md in the adkcd sources), given inline or as a file on the managed host.
  - The document is validated whole, then planned whole against the directory (every account resolved, every SPN to add checked
    for duplicates in the forest, the safety rules applied); any problem fails the task with nothing written.
  - The changes are then written as one journaled run, one LDAP modify per account with compare-and-swap, and read back;
    C(adkcd rollback) of the returned run id undoes them all.
  - What the document does not name is left as it is.
author:
  - adkcd developers
options:
  data:
    description:
      - The document itself, as a mapping with C(version) (1), C(accounts) and optionally C(spn_check).
      - Each account entry has C(account) and optionally C(type), C(spns), C(delegation) and C(rbcd); sets take C(present) and C(absent),
        or C(exact).
      - C(rbcd) is resource-based constrained delegation, the principals allowed to delegate to the entry's account's services
        (see M(adkcd.ad.rbcd)); an empty C(exact) list there allows nobody and removes the attribute.
    type: dict
  path:
    description:
      - A state file (YAML or JSON) on the managed host, such as one written by C(adkcd export).
    type: path
  force:
    description:
      - Do what adkcd's safety checks refuse (see M(adkcd.ad.delegation)).
    type: bool
    default: false
  stop_on_error:
    description:
      - After the first change the server refuses, send no more; the others are reported as skipped.
      - Without it, a refused change does not stop the others, and the task fails with C(category=partial) when some were applied.
    type: bool
    default: false
extends_documentation_fragment:
  - adkcd.ad.connection
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Runs C(adkcd apply --dry-run), which plans the whole document and writes nothing.
  diff_mode:
    support: full
    details: For each account of the document, its SPNs, its delegation (mode, protocol transition, services) and the principals
      its resource-based delegation allows (by name with SID, and the descriptor as SDDL) before and after.
  platform:
    platforms: posix
'''

EXAMPLES = r'''
- name: The seed deployment as one run
  adkcd.ad.state:
    data:
      version: 1
      accounts:
        - account: iosmdm
          type: user
          spns:
            present: [http/iosmdm.mydom.local]
        - account: tmg
          type: computer
          delegation:
            mode: constrained
            protocol_transition: true
            services:
              present: [http/iosmdm.mydom.local]
  register: applied

- name: The same by resource-based delegation, set on the service's account
  adkcd.ad.state:
    data:
      version: 1
      accounts:
        - account: iosmdm
          type: user
          spns:
            present: [http/iosmdm.mydom.local]
          rbcd:
            present: [tmg$]

- name: A domain's delegation kept under version control (an edited adkcd export)
  adkcd.ad.state:
    path: /etc/adkcd/delegation.yaml
'''

RETURN = r'''
accounts:
  description: One element per account of the document, in its order.
  returned: success, and failure after the plan
  type: list
  elements: dict
  contains:
    account:
      description: The account as the document names it.
      type: str
      returned: always
    dn:
      description: The object it resolved to.
      type: str
      returned: always
    label:
      description: The account as adkcd describes it (C(computer tmg$)).
      type: str
      returned: always
    changed:
      description: The document asks this account to change.
      type: bool
      returned: always
    outcome:
      description: C(unchanged), C(planned) (check mode), C(applied), C(failed), C(in-doubt) or C(skipped).
      type: str
      returned: always
    error:
      description: Why it was not applied, or null.
      type: str
      returned: always
    spns:
      description: C(before) and C(after) lists of SPNs, when the entry has C(spns).
      type: dict
      returned: when the entry has spns
    delegation:
      description: C(before) and C(after), each with C(mode), C(protocol_transition) and C(services), when the entry has C(delegation).
      type: dict
      returned: when the entry has delegation
    rbcd:
      description:
        - When the entry has C(rbcd), C(before) and C(after), each with C(present), C(sddl) (null when the attribute is not set) and
          C(principals), and C(added) and C(removed), lists of principals, as M(adkcd.ad.rbcd) returns them.
        - A principal has C(sid), C(kind), C(name), C(dn), C(notes) and, in C(before) and C(after), C(conditional).
      type: dict
      returned: when the entry has rbcd
counts:
  description: C(accounts), C(to_change), C(applied), C(failed), C(in_doubt), C(skipped) and C(retried).
  returned: success, and failure after the plan
  type: dict
  sample: {"accounts": 2, "to_change": 2, "applied": 2, "failed": 0, "in_doubt": 0, "skipped": 0, "retried": 0}
run_id:
  description: >-
    The journal's id of the run, for C(adkcd rollback RUN_ID): set when changes were sent, also when the directory
    refused them all (C(adkcd history) lists the run); null in check mode and when nothing was to be done.
  returned: always
  type: str
  sample: 56ca0801-2e81-4baa-8ae8-e46fb21193f1
journal:
  description: The journal file that recorded the run; null when I(run_id) is.
  returned: always
  type: str
  sample: /root/.local/state/adkcd/journal.ldif
rc:
  description: The exit status of adkcd.
  returned: failure
  type: int
  sample: 3
category:
  description: What kind of failure, from the exit status of adkcd.
  returned: failure
  type: str
  sample: usage
problems:
  description: Every problem adkcd found in the document (validation or plan), each with a C(message) that names the entry.
  returned: failure, when adkcd reports them
  type: list
  elements: dict
status:
  description: The status name of adkcd's error (C(not-found), C(conflict), C(refused), C(usage), ...).
  returned: failure, when adkcd gives an error document
  type: str
  sample: refused
ldap_code:
  description: The LDAP result code of the refusal.
  returned: failure, when the directory refused
  type: int
  sample: 50
stderr:
  description: What adkcd wrote on standard error (a password is never in it).
  returned: failure
  type: str
stdout:
  description: What adkcd wrote on standard output, when it was not a JSON document.
  returned: failure, when adkcd gave no JSON document
  type: str
hints:
  description: What adkcd suggests, by stable name (C(force), C(credentials), C(principal), C(server), C(global-catalog)).
  returned: failure, when adkcd gives some
  type: list
  elements: str
applied:
  description: Whether some changes were written before the failure (a partial run, exit status 9); I(changed) says the same.
  returned: failure, after the plan
  type: bool
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.adkcd.ad.plugins.module_utils.adkcd import (
    Adkcd, admin_account, guarded, module_args, rbcd_diff, warn_apply, write_result)


def _diff_side(accounts, side):
    out = {}
    for acc in accounts:
        key = acc.get('label') or acc.get('account')
        part = {}
        if 'spns' in acc:
            part['spns'] = acc['spns'][side]
        if 'delegation' in acc:
            part['delegation'] = acc['delegation'][side]
        if 'rbcd' in acc:
            part['rbcd'] = rbcd_diff(acc['rbcd'][side])
        out[key] = part
    return out


def run(module):
    p = module.params
    tool = Adkcd(module)
    if p.get('data') is not None:
        doc = tool.apply_document(p['data'], force=p['force'], stop_on_error=p['stop_on_error'])
    else:
        doc = tool.apply_file(p['path'], force=p['force'], stop_on_error=p['stop_on_error'])

    warn_apply(module, doc)
    accounts = [admin_account(a) for a in doc.get('accounts') or []]
    result = write_result(module, doc)
    result.update(accounts=accounts, counts=doc.get('counts'))
    if module._diff:
        result['diff'] = dict(before=_diff_side(accounts, 'before'), after=_diff_side(accounts, 'after'))
    module.exit_json(**result)


def main():
    module = AnsibleModule(**module_args(
        dict(
            data=dict(type='dict'),
            path=dict(type='path'),
            force=dict(type='bool', default=False),
            stop_on_error=dict(type='bool', default=False),
        ),
        mutually_exclusive=[('data', 'path')],
        required_one_of=[('data', 'path')],
    ))
    guarded(module, run)


if __name__ == '__main__':
    main()
