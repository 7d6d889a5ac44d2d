#!/usr/bin/python
# -*- coding: utf-8 -*-
from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: spn
short_description: Add, remove or set the service principal names of an Active Directory account
version_added: 0.1.0
description:
  - Makes the servicePrincipalName values of one user or computer account what the task says, from a Linux host, over LDAP with Kerberos.
  - The change is made by C(adkcd apply) as one journaled run, with the forest-wide duplicate check of C(adspn -S)
    (host aliases included), compare-and-swap and a read-back; the run id it returns is what C(adkcd rollback) takes.
  - SPNs compare without regard to case, as the KDC compares them; an SPN the account holds in another spelling is left as it is.
author:
  - adkcd developers
options:
  account:
    description:
      - The account, in any form adkcd takes, C(NAME) (the computer C(NAME$) if one exists, else the user C(NAME)),
        C(NAME$), C(DOMAIN\NAME), C(user@upn), a DN, C(<GUID=...>) or C(<SID=...>).
      - It is passed to adkcd as it is, with no shell in between, so a C($) in it stays a C($).
    type: str
    required: true
  type:
    description:
      - Which object a plain C(NAME) means when both a computer C(NAME$) and a user C(NAME) exist.
    type: str
    choices: [computer, user]
  spns:
    description:
      - The SPNs, as C(CLASS/HOST[:PORT][/NAME]).
    type: dict
    required: true
    suboptions:
      add:
        description:
          - SPNs the account must hold; each one missing is added after the duplicate check of C(check).
        type: list
        elements: str
      remove:
        description:
          - SPNs the account must not hold; every stored spelling of each is removed.
        type: list
        elements: str
      set:
        description:
          - The exact SPNs the account must hold; the others are removed. C([]) removes them all.
          - Cannot be combined with C(add) or C(remove).
        type: list
        elements: str
  check:
    description:
      - Where an SPN to add must be unique before it is added.
      - C(forest) searches the Global Catalog, with the host aliases of the forest's sPNMappings (C(adspn -S));
        C(domain) the DC's domain only; C(none) leaves it to the DC's own checks (C(adspn -A)).
      - adkcd's default is C(forest).
    type: str
    choices: [forest, domain, none]
extends_documentation_fragment:
  - adkcd.ad.connection
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Runs C(adkcd apply --dry-run), which reads the account and plans the change, and writes nothing.
  diff_mode:
    support: full
    details: The account's SPN list before and after.
  platform:
    platforms: posix
'''

EXAMPLES = r'''
- name: Register the SPN of the MDM web service on its service account (setspn -S)
  adkcd.ad.spn:
    account: iosmdm
    type: user
    spns:
      add:
        - http/iosmdm.mydom.local
  register: spn_result

- name: Remove an old SPN, as a delegated administrator with a keytab
  adkcd.ad.spn:
    account: web01$
    spns:
      remove: [http/old.mydom.local]
    uri: ldap://dc1.mydom.local
    principal: spnadmin@MYDOM.LOCAL
    keytab: /etc/adkcd/spnadmin.keytab

- name: The account holds exactly these SPNs
  adkcd.ad.spn:
    account: web01$
    spns:
      set:
        - HOST/web01
        - HOST/web01.mydom.local
        - http/web01.mydom.local
'''

RETURN = r'''
dn:
  description: The DN of the account.
  returned: success
  type: str
  sample: CN=iosmdm,CN=Users,DC=mydom,DC=local
label:
  description: The account as adkcd describes it.
  returned: success
  type: str
  sample: user iosmdm
spns:
  description: The account's servicePrincipalName values before and after the change (in check mode, the ones planned).
  returned: success
  type: dict
  contains:
    before:
      description: The SPNs before.
      type: list
      elements: str
      returned: success
    after:
      description: The SPNs after.
      type: list
      elements: str
      returned: success
  sample: {"before": [], "after": ["http/iosmdm.mydom.local"]}
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
  sample: 5
category:
  description: What kind of failure, from the exit status of adkcd.
  returned: failure
  type: str
  sample: conflict
problems:
  description: Each problem adkcd found in the request (the state document it was given), with its C(message) and, for a conflict, C(spn) and C(holder).
  returned: failure, when adkcd reports them
  type: list
  elements: dict
hints:
  description: What adkcd suggests, by stable name (C(force), C(credentials), C(principal), C(server), C(global-catalog)).
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
    Adkcd, account_entry, account_result, guarded, module_args, set_spec, state_set)


def run(module):
    tool = Adkcd(module)
    document = {'version': 1, 'accounts': [account_entry(module.params, spns=state_set(module.params['spns']))]}
    if module.params.get('check'):
        document['spn_check'] = module.params['check']
    doc = tool.apply_document(document, options=True)
    spns = ((doc.get('accounts') or [{}])[0]).get('spns') or {}
    account_result(module, doc, 'spns', list(spns.get('before') or []), list(spns.get('after') or []))


def main():
    module = AnsibleModule(**module_args(dict(
        account=dict(type='str', required=True),
        type=dict(type='str', choices=['computer', 'user']),
        spns=dict(required=True, **set_spec()),
        check=dict(type='str', choices=['forest', 'domain', 'none']),
    )))
    guarded(module, run)


if __name__ == '__main__':
    main()
