# -*- coding: utf-8 -*-
# The connection and credential options every adkcd.ad module takes
# (module_utils/adkcd.py, CONNECTION_ARGS, turns them into adkcd options).
from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):

    DOCUMENTATION = r'''
options:
  uri:
    description:
      - The LDAP server, C(ldap://HOST) or C(ldaps://HOST), or several separated by spaces or commas (adkcd C(-H)).
      - HOST must be the DC's DNS name as it appears in its SPNs (C(ldap/HOST)); an IP address fails with C(category=credentials).
      - Without it, the URI of C(ldap.conf), else the DCs found through the DNS SRV records of C(domain).
    type: str
  domain:
    description:
      - The DNS domain whose SRV records name the DCs (adkcd C(--domain)). Not used with C(uri).
      - Defaults to the default realm of C(krb5.conf), in lower case.
    type: str
  principal:
    description:
      - The Kerberos principal to bind as, with C(keytab) or C(password) (adkcd C(--principal)).
      - Without C(keytab) and C(password), the ticket in the default credentials cache is used (C(kinit) on the managed host, or C(KRB5CCNAME)).
    type: str
  keytab:
    description:
      - A keytab on the managed host holding the keys of C(principal) (adkcd C(--keytab)).
    type: path
  password:
    description:
      - The password of C(principal). It is written to the standard input of adkcd (C(--password-stdin)),
        never put on its command line or in its environment, and never logged.
      - It ends at the first line break; a password that contains one is refused.
    type: str
  starttls:
    description:
      - Protect the connection with StartTLS instead of the SASL security layer (adkcd C(-Z)).
    type: bool
    default: false
  timeout:
    description:
      - Network and LDAP operation timeout in seconds, 1 to 3600 (adkcd C(--timeout)); adkcd's default is 10.
    type: int
  journal:
    description:
      - The journal file that records the changes, for C(adkcd history) and C(adkcd rollback) (adkcd C(--journal)).
      - Defaults to adkcd's own, C($XDG_STATE_HOME/adkcd/journal.ldif) or C(~/.local/state/adkcd/journal.ldif) of the user the module runs as.
    type: path
  bin_dir:
    description:
      - The directory holding the C(adkcd) binary, for installations outside C(PATH) and for tests.
      - If not set, the environment variable C(ADKCD_BIN_DIR) is used, and without it C(adkcd) is looked up in C(PATH).
      - The binary must be at least the version of this collection; an older or missing one fails the task with a message saying so.
    type: path
notes:
  - The modules run the C(adkcd) tools on the managed host (often C(localhost) with C(connection=local)),
    which need network access to a DC and Kerberos credentials there.
  - Every write goes through C(adkcd apply) as one journaled run with compare-and-swap and a read-back; the returned C(run_id) is what C(adkcd rollback) takes.
  - Failures return C(rc), the exit status of adkcd, and C(category), one of C(usage), C(not-found), C(conflict),
    C(credentials), C(unreachable), C(refused), C(partial) or C(error).
requirements:
  - adkcd (this project's C(adkcd) binary) on the managed host
'''
