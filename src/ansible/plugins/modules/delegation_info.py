#!/usr/bin/python
# -*- coding: utf-8 -*-
from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: delegation_info
short_description: Read the Kerberos delegation of an account, diagnose one, or audit the domain
version_added: 0.1.0
description:
  - Reads only; never changes anything, so C(changed) is always false, in check mode as well.
  - C(query=show) reads one account's delegation (C(adkcd show)).
  - C(query=check) decides from the directory alone whether an account can delegate to a service, optionally in the name of a user,
    with every condition of S4U2Self and S4U2Proxy that LDAP can decide (C(adkcd check)). A delegation that does not work is
    not a failed task, it returns C(ok=false) and the failed findings; use C(failed_when) or M(ansible.builtin.assert) to gate on it.
  - C(query=audit) lists every delegation of the DC's domain, or the forest, with risk labels (C(adkcd audit)).
author:
  - adkcd developers
options:
  query:
    description:
      - What to read.
    type: str
    choices: [show, check, audit]
    default: show
  account:
    description:
      - The account, in any form adkcd takes (C(NAME), C(NAME$), C(DOMAIN\NAME), C(user@upn), a DN, C(<GUID=...>), C(<SID=...>)).
      - Required with C(query=show) and C(query=check).
    type: str
  type:
    description:
      - Which object a plain C(NAME) means when both a computer C(NAME$) and a user C(NAME) exist.
    type: str
    choices: [computer, user]
  service:
    description:
      - With C(query=check), the service (SPN) to delegate to. Required with it.
    type: str
  impersonate:
    description:
      - With C(query=check), the user to impersonate; the question becomes whether the account can impersonate that user by
        protocol transition, so a missing protocol-transition flag fails.
    type: str
  forest:
    description:
      - With C(query=audit), audit the whole forest through the Global Catalog instead of the DC's domain.
    type: bool
    default: false
extends_documentation_fragment:
  - adkcd.ad.connection
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Reads the same in check mode.
  diff_mode:
    support: none
  platform:
    platforms: posix
'''

EXAMPLES = r'''
- name: Read tmg's delegation
  adkcd.ad.delegation_info:
    account: tmg
  register: tmg

- name: Fail the play unless tmg can impersonate alice to the MDM web service
  adkcd.ad.delegation_info:
    query: check
    account: tmg
    service: http/iosmdm.mydom.local
    impersonate: alice
  register: kcd
  failed_when: not kcd.ok

- name: No critical or high risk in the domain's delegation
  adkcd.ad.delegation_info:
    query: audit
  register: audit
- ansible.builtin.assert:
    that: audit.counts.risks.critical + audit.counts.risks.high == 0
'''

RETURN = r'''
dn:
  description: The account's DN.
  returned: query=show, query=check
  type: str
  sample: CN=tmg,CN=Computers,DC=mydom,DC=local
account:
  description: The account as resolved, C(input), C(dn), C(sam_account_name), C(object_class) and C(chosen) (which object a plain name meant).
  returned: query=show, query=check
  type: dict
object_class:
  description: C(computer) or C(user).
  returned: query=show
  type: str
delegation:
  description:
    - C(mode) (none, unconstrained or constrained), C(protocol_transition) and C(services).
    - For reference, C(user_account_control) and C(flags) (the names of the bits set).
  returned: query=show
  type: dict
  sample: {"mode": "constrained", "protocol_transition": true, "services": ["http/iosmdm.mydom.local"],
           "user_account_control": 16781312, "flags": ["WORKSTATION_TRUST_ACCOUNT", "TRUSTED_TO_AUTH_FOR_DELEGATION"]}
disabled:
  description: The account is disabled.
  returned: query=show
  type: bool
adkcd_warnings:
  description: What deserves attention (unconstrained delegation, a service held by no account, ...), as adkcd words it (its C(warnings)).
  returned: query=show, query=audit
  type: list
  elements: str
ok:
  description: No finding of the check failed; the delegation can work as far as the directory says.
  returned: query=check
  type: bool
counts:
  description: For C(check), how many findings C(pass), C(warn), C(fail) and C(skip); for C(audit), C(entries), C(accounts), C(kinds) and C(risks) by severity.
  returned: query=check, query=audit
  type: dict
findings:
  description: Every finding of the check, each with a stable C(id), a C(verdict) (pass, warn, fail, skip), a C(message) and, for warn and fail, a C(fix).
  returned: query=check
  type: list
  elements: dict
service:
  description: The service checked.
  returned: query=check
  type: str
user:
  description: The user impersonated, or null.
  returned: query=check
  type: str
scope:
  description: What the audit covered.
  returned: query=audit
  type: dict
entries:
  description: Every delegation found, with its C(kind), C(dn), C(sam_account_name), C(services) or C(principals) and C(risks).
  returned: query=audit
  type: list
  elements: dict
rc:
  description: The exit status of adkcd.
  returned: failure
  type: int
category:
  description: What kind of failure, from the exit status of adkcd (C(not-found) for an unknown account, C(credentials), C(unreachable), ...).
  returned: failure
  type: str
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
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.adkcd.ad.plugins.module_utils.adkcd import (
    Adkcd, guarded, module_args)

KEYS = {
    'show': ('account', 'dn', 'object_class', 'delegation', 'disabled', 'warnings'),
    'check': ('account', 'service', 'user', 'ok', 'counts', 'findings'),
    'audit': ('scope', 'entries', 'counts', 'warnings'),
}


def run(module):
    p = module.params
    q = p['query']
    if q != 'check' and (p.get('service') or p.get('impersonate')):
        module.fail_json(msg='service and impersonate go with query=check only', category='usage')
    if q != 'audit' and p['forest']:
        module.fail_json(msg='forest goes with query=audit only', category='usage')
    if q == 'audit' and (p.get('account') or p.get('type')):
        module.fail_json(msg='account and type go with query=show and query=check only', category='usage')
    tool = Adkcd(module)

    args = [q]
    if q == 'audit':
        if p['forest']:
            args.append('--forest')
    else:
        if p.get('type') == 'computer':
            args.append('--computer')
        elif p.get('type') == 'user':
            args.append('--user')
        if q == 'check' and p.get('impersonate'):
            args.append('--impersonate=' + p['impersonate'])
        args += ['--', p['account']]
        if q == 'check':
            args.append(p['service'])
    rc, doc, out, err = tool.run(args)
    # check exits 8 when a finding failed: that is an answer, not a failure.
    answered = doc is not None and doc.get('operation') == q and 'error' not in doc
    if not answered or not (rc == 0 or (q == 'check' and rc == 8)):
        tool.fail(rc, doc, out, err, changed=False)

    result = dict(changed=False)
    for key in KEYS[q]:
        if key in doc:
            result[key] = doc[key]
    if q in ('show', 'check') and isinstance(doc.get('account'), dict):
        result['dn'] = doc['account'].get('dn')
    # 'warnings' is a key Ansible itself shows: keep adkcd's under its own name too.
    if 'warnings' in result:
        result['adkcd_warnings'] = result.pop('warnings')
    module.exit_json(**result)


def main():
    module = AnsibleModule(**module_args(
        dict(
            query=dict(type='str', choices=['show', 'check', 'audit'], default='show'),
            account=dict(type='str'),
            type=dict(type='str', choices=['computer', 'user']),
            service=dict(type='str'),
            impersonate=dict(type='str'),
            forest=dict(type='bool', default=False),
        ),
        required_if=[('query', 'show', ('account',)), ('query', 'check', ('account', 'service'))],
    ))
    guarded(module, run)


if __name__ == '__main__':
    main()
