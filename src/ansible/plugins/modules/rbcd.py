#!/usr/bin/python
# -*- coding: utf-8 -*-
from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: rbcd
short_description: Allow accounts to delegate to an Active Directory account's services (resource-based constrained delegation)
version_added: 0.1.0
description:
  - Sets who may delegate to the services of one user or computer account by resource-based constrained delegation (RBCD),
    from a Linux host, over LDAP with Kerberos, as C(Set-ADComputer -PrincipalsAllowedToDelegateToAccount) does on Windows,
    but principal by principal.
  - RBCD is set on the account of the service that is reached (the resource), not on the one that delegates; its
    msDS-AllowedToActOnBehalfOfOtherIdentity holds a security descriptor whose DACL names the principals allowed.
  - The change is made by C(adkcd apply) as one journaled run, with compare-and-swap on the descriptor and a read-back;
    the run id it returns is what C(adkcd rollback) takes.
  - Only the allow ACEs of the principals named (and with I(state=exact), of the others allowed) are changed; the owner, the group,
    the SACL, deny ACEs and every ACE that allows nothing stay byte for byte. A new descriptor is the one Windows would write
    (owner BUILTIN\Administrators, one allow ACE of mask 0xF01FF per principal).
  - Samba DCs refuse this write over LDAP, as the attribute is system-only in Samba's schema (C(category=conflict), C(ldap_code=19));
    on Samba, use C(samba-tool delegation add-principal) on the DC.
author:
  - adkcd developers
options:
  account:
    description:
      - The account of the service delegated to (the one that holds its SPN), in any form adkcd takes, C(NAME) (the computer C(NAME$)
        if one exists, else the user C(NAME)), C(NAME$), C(DOMAIN\NAME), C(user@upn), a DN, C(<GUID=...>) or C(<SID=...>).
      - It is passed to adkcd as it is, with no shell in between, so a C($) in it stays a C($).
    type: str
    required: true
  type:
    description:
      - Which object a plain C(NAME) means when both a computer C(NAME$) and a user C(NAME) exist. It applies to I(account) only,
        not to I(principals).
    type: str
    choices: [computer, user]
  principals:
    description:
      - The accounts or groups that may (or may no longer) delegate to the account's services, usually the computer accounts of
        the front ends that delegate.
      - Each is an account in any form I(account) takes (C(NAME) finds the computer C(NAME$) first), a group by name or DN,
        or a SID (C(S-1-5-21-...)). Two names of one object are one principal; names compare without regard to case.
      - A SID that no object of the domain has (another domain's account, a deleted one, Everyone) can be removed, but not allowed.
      - Group membership is not expanded. A name nothing resolves to fails the task with C(category=not-found) and nothing written.
    type: list
    elements: str
    required: true
  state:
    description:
      - C(present) allows each of I(principals), in addition to those allowed already; one allowed already is left as it is.
      - C(absent) allows them no more, and keeps the others; one not allowed is ignored.
      - C(exact) allows exactly I(principals), and the others lose their allow ACEs. C(principals=[]) allows nobody, which removes
        the attribute (when nothing else is left in the descriptor's DACL).
    type: str
    choices: [present, absent, exact]
    default: present
  force:
    description:
      - Allow principals to delegate to a domain controller or a krbtgt account, which adkcd's safety check refuses (with
        C(category=refused)), as they could impersonate any user, administrators included, to its services.
    type: bool
    default: false
extends_documentation_fragment:
  - adkcd.ad.connection
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Runs C(adkcd apply --dry-run), which reads the account and the descriptor, resolves the principals, plans the edit and
      applies the safety check, and writes nothing.
  diff_mode:
    support: full
    details: The principals allowed before and after, by name with their SIDs, and the descriptor as SDDL.
  platform:
    platforms: posix
notes:
  - The account that writes needs the right to write msDS-AllowedToActOnBehalfOfOtherIdentity on I(account).
  - A warning names each principal allowed that is disabled, a domain controller, or also trusted for unconstrained delegation.
seealso:
  - module: adkcd.ad.delegation
    description: Classic constrained delegation, set on the account that delegates.
  - module: adkcd.ad.state
    description: The same edits for many accounts in one run, under the C(rbcd) key of each entry.
'''

EXAMPLES = r'''
- name: Would the gateway tmg be allowed to delegate to the MDM service's account? (check mode first)
  adkcd.ad.rbcd:
    account: iosmdm
    type: user
    principals: [tmg$]
  check_mode: true
  diff: true

- name: Let tmg delegate to the services of iosmdm
  adkcd.ad.rbcd:
    account: iosmdm
    type: user
    principals: [tmg$]
  register: rbcd

- name: No longer the old front end
  adkcd.ad.rbcd:
    account: iosmdm
    principals: [web1$, S-1-5-21-1004336348-1177238915-682003330-1120]
    state: absent

- name: Exactly the web servers' group, nobody else
  adkcd.ad.rbcd:
    account: web$
    principals: [webservers]
    state: exact

- name: Nobody (removes the attribute)
  adkcd.ad.rbcd:
    account: old$
    principals: []
    state: exact
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
rbcd:
  description: >-
    The account's descriptor before and after the change (in check mode, the one planned), and the principals it allows
    now that it did not, or no longer allows.
  returned: success
  type: dict
  contains:
    before:
      description:
        - C(present) (whether the attribute is set), C(sddl) (the descriptor as SDDL, masks in hex; null when not set) and
          C(principals), the principals it allows in the order of their ACEs.
        - Each principal has C(sid), C(kind) (C(computer), C(user), C(group), C(well-known) or C(unknown SID)), C(name) (null for an
          unknown SID), C(dn), C(notes) (C(disabled), C(domain-controller), C(unconstrained)) and C(conditional) (whether a conditional
          ACE, which adkcd does not evaluate, decides it).
      type: dict
      returned: success
    after:
      description: The same, after.
      type: dict
      returned: success
    added:
      description: The principals allowed after that were not before (C(sid), C(kind), C(name), C(dn), C(notes)).
      type: list
      elements: dict
      returned: success
    removed:
      description: The principals allowed before that are not after.
      type: list
      elements: dict
      returned: success
  sample: {"before": {"present": false, "sddl": null, "principals": []},
           "after": {"present": true, "sddl": "O:BAD:(A;;0xf01ff;;;S-1-5-21-3111200708-4104933816-3775260245-1105)",
                     "principals": [{"sid": "S-1-5-21-3111200708-4104933816-3775260245-1105", "kind": "computer", "name": "tmg$",
                                     "dn": "CN=tmg,CN=Computers,DC=mydom,DC=local", "notes": [], "conditional": false}]},
           "added": [{"sid": "S-1-5-21-3111200708-4104933816-3775260245-1105", "kind": "computer", "name": "tmg$",
                      "dn": "CN=tmg,CN=Computers,DC=mydom,DC=local", "notes": []}],
           "removed": []}
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
  sample: 4
category:
  description:
    - What kind of failure, from the exit status of adkcd.
    - C(usage), C(not-found), C(conflict), C(credentials), C(unreachable), C(refused), C(partial) or C(error).
  returned: failure
  type: str
  sample: not-found
problems:
  description: >-
    Each problem adkcd found in the request, with its C(kind), C(status) and C(message); a principal not found or malformed,
    or a SID no object has, is of kind C(principal), and one not found or malformed has the principal as given in C(value).
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
  sample: not-found
ldap_code:
  description: The LDAP result code of the refusal (19 from a Samba DC, whose schema makes the attribute system-only).
  returned: failure, when the directory refused
  type: int
  sample: 19
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
    Adkcd, account_entry, account_result, admin_account, guarded, module_args, rbcd_diff, warn_apply)


def run(module):
    p = module.params
    tool = Adkcd(module)
    document = {'version': 1, 'accounts': [account_entry(p, rbcd={p['state']: list(p['principals'])})]}
    doc = tool.apply_document(document, force=p['force'], options=True)
    acc = (doc.get('accounts') or [{}])[0]
    warn_apply(module, doc)
    rbcd = admin_account(acc).get('rbcd') or {}
    before, after = rbcd.get('before') or {}, rbcd.get('after') or {}
    account_result(module, doc, 'rbcd', before, after,
                   extra=dict(added=rbcd.get('added') or [], removed=rbcd.get('removed') or []),
                   diff=(rbcd_diff(before), rbcd_diff(after)))


def main():
    module = AnsibleModule(**module_args(dict(
        account=dict(type='str', required=True),
        type=dict(type='str', choices=['computer', 'user']),
        principals=dict(type='list', elements='str', required=True),
        state=dict(type='str', choices=['present', 'absent', 'exact'], default='present'),
        force=dict(type='bool', default=False),
    )))
    guarded(module, run)


if __name__ == '__main__':
    main()
