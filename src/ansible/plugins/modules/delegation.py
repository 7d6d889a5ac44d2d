#!/usr/bin/python
# -*- coding: utf-8 -*-
from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: delegation
short_description: Set the Kerberos delegation of an Active Directory account
version_added: 0.1.0
description:
  - Sets what the Delegation tab of "Active Directory Users and Computers" sets on one user or computer account, from a Linux host,
    over LDAP with Kerberos; no userAccountControl integer to compute.
  - The mode (no delegation, unconstrained, or constrained to the services listed), protocol transition ("use any authentication protocol",
    TRUSTED_TO_AUTH_FOR_DELEGATION) and the services of constrained delegation (msDS-AllowedToDelegateTo).
  - The change is made by C(adkcd apply) as one journaled run, with compare-and-swap on userAccountControl and a read-back;
    the run id it returns is what C(adkcd rollback) takes.
  - Only the delegation bits of userAccountControl are ever changed. What the task does not name is left as it is.
  - Services are checked as SPNs before anything is sent (the DC itself accepts any string there) and compare without regard to case.
author:
  - adkcd developers
options:
  account:
    description:
      - The delegating account, in any form adkcd takes, C(NAME) (the computer C(NAME$) if one exists, else the user C(NAME)),
        C(NAME$), C(DOMAIN\NAME), C(user@upn), a DN, C(<GUID=...>) or C(<SID=...>).
      - It is passed to adkcd as it is, with no shell in between.
    type: str
    required: true
  type:
    description:
      - Which object a plain C(NAME) means when both a computer C(NAME$) and a user C(NAME) exist.
    type: str
    choices: [computer, user]
  mode:
    description:
      - C(none) clears both delegation flags and every service.
      - C(unconstrained) trusts the account for delegation to any service (TRUSTED_FOR_DELEGATION), and clears protocol transition and the services.
      - C(constrained) limits it to the services of C(services), which must leave at least one.
      - Without it, C(services.add) makes the account constrained, and removing the last service makes the mode C(none).
    type: str
    choices: [none, unconstrained, constrained]
  protocol_transition:
    description:
      - C(true) lets a constrained account use any authentication protocol (S4U2Self for any user); C(false) makes it Kerberos only.
      - Without it, the flag is left as it is, except where the mode clears it.
    type: bool
  services:
    description:
      - The services (SPNs) of constrained delegation.
    type: dict
    suboptions:
      add:
        description:
          - Services to delegate to, added to those the account has.
        type: list
        elements: str
      remove:
        description:
          - Services to stop delegating to.
        type: list
        elements: str
      set:
        description:
          - The exact services; the others are removed. Cannot be combined with C(add) or C(remove).
        type: list
        elements: str
  force:
    description:
      - Do what adkcd's safety checks refuse (with C(category=refused)), such as unconstrained delegation or protocol transition
        for a domain controller or krbtgt, or switching off a domain controller's own unconstrained delegation.
    type: bool
    default: false
extends_documentation_fragment:
  - adkcd.ad.connection
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Runs C(adkcd apply --dry-run), which reads the account, plans the change and applies the safety checks, and writes nothing.
  diff_mode:
    support: full
    details: The mode, protocol transition and services before and after, not userAccountControl integers.
  platform:
    platforms: posix
'''

EXAMPLES = r'''
- name: Let the gateway tmg delegate to the MDM web service only, with any authentication protocol
  adkcd.ad.delegation:
    account: tmg
    type: computer
    mode: constrained
    protocol_transition: true
    services:
      add:
        - http/iosmdm.mydom.local
  register: kcd

- name: Show how to undo it later
  ansible.builtin.debug:
    msg: "adkcd rollback {{ kcd.run_id }}"
  when: kcd.run_id is not none

- name: Kerberos only, exactly these services
  adkcd.ad.delegation:
    account: tmg$
    mode: constrained
    protocol_transition: false
    services:
      set: [http/iosmdm.mydom.local, cifs/files.mydom.local]

- name: No delegation at all
  adkcd.ad.delegation:
    account: tmg$
    mode: none
'''

RETURN = r'''
dn:
  description: The DN of the account.
  returned: success
  type: str
  sample: CN=tmg,CN=Computers,DC=mydom,DC=local
label:
  description: The account as adkcd describes it.
  returned: success
  type: str
  sample: computer tmg$
delegation:
  description: The delegation before and after the change (in check mode, the one planned).
  returned: success
  type: dict
  contains:
    before:
      description: C(mode) (none, unconstrained or constrained), C(protocol_transition) (bool) and C(services) (list) before.
      type: dict
      returned: success
    after:
      description: The same, after.
      type: dict
      returned: success
  sample: {"before": {"mode": "none", "protocol_transition": false, "services": []},
           "after": {"mode": "constrained", "protocol_transition": true, "services": ["http/iosmdm.mydom.local"]}}
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
outcome:
  description: C(unchanged), C(planned) (check mode) or C(applied).
  returned: success
  type: str
  sample: applied
rc:
  description: The exit status of adkcd.
  returned: failure
  type: int
  sample: 8
category:
  description:
    - What kind of failure, from the exit status of adkcd.
    - C(usage), C(not-found), C(conflict), C(credentials), C(unreachable), C(refused), C(partial) or C(error).
  returned: failure
  type: str
  sample: refused
problems:
  description: Each problem adkcd found in the request, with its C(message).
  returned: failure, when adkcd reports them
  type: list
  elements: dict
hints:
  description: What adkcd suggests, by stable name (C(force) means the option I(force)).
  returned: failure, when adkcd gives some
  type: list
  elements: str
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
applied:
  description: Whether some changes were written before the failure (a partial run, exit status 9); I(changed) says the same.
  returned: failure, after the plan
  type: bool
accounts:
  description: On a failure after the plan, each account with its C(outcome) (C(applied), C(failed), C(in-doubt), C(skipped)) and C(error).
  returned: failure, after the plan
  type: list
  elements: dict
counts:
  description: On a failure after the plan, C(accounts), C(to_change), C(applied), C(failed), C(in_doubt), C(skipped) and C(retried).
  returned: failure, after the plan
  type: dict
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.adkcd.ad.plugins.module_utils.adkcd import (
    Adkcd, account_entry, account_result, admin_delegation, guarded, module_args, set_spec, state_set)


def run(module):
    p = module.params
    tool = Adkcd(module)
    want = {}
    if p.get('mode') is not None:
        want['mode'] = p['mode']
    if p.get('protocol_transition') is not None:
        want['protocol_transition'] = p['protocol_transition']
    if p.get('services') is not None:
        want['services'] = state_set(p['services'])
    document = {'version': 1, 'accounts': [account_entry(p, delegation=want)]}
    doc = tool.apply_document(document, force=p['force'], options=True)
    deleg = ((doc.get('accounts') or [{}])[0]).get('delegation') or {}
    account_result(module, doc, 'delegation',
                   admin_delegation(deleg.get('before')) or {}, admin_delegation(deleg.get('after')) or {})


def main():
    module = AnsibleModule(**module_args(
        dict(
            account=dict(type='str', required=True),
            type=dict(type='str', choices=['computer', 'user']),
            mode=dict(type='str', choices=['none', 'unconstrained', 'constrained']),
            protocol_transition=dict(type='bool'),
            services=set_spec(),
            force=dict(type='bool', default=False),
        ),
        required_one_of=[('mode', 'protocol_transition', 'services')],
    ))
    guarded(module, run)


if __name__ == '__main__':
    main()
