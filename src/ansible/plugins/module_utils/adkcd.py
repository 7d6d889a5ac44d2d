# -*- coding: utf-8 -*-
# Shared code of the adkcd.ad modules: the connection options, finding and
# running the adkcd binary (an argument list, never a shell; the password on
# standard input), reading its JSON document (docs/json-output.md), and
# turning it into a result or a failed task.
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import re
import tempfile

from ansible.module_utils.basic import env_fallback
from ansible.module_utils.common.text.converters import to_native

# The oldest adkcd these modules work with: this project's own version
# (project(VERSION) in CMakeLists.txt; galaxy.yml's version is the same).
MIN_VERSION = '0.1.0'

CONNECTION_ARGS = dict(
    uri=dict(type='str'),
    domain=dict(type='str'),
    principal=dict(type='str'),
    keytab=dict(type='path'),
    password=dict(type='str', no_log=True),
    starttls=dict(type='bool', default=False),
    timeout=dict(type='int'),
    journal=dict(type='path'),
    bin_dir=dict(type='path', fallback=(env_fallback, ['ADKCD_BIN_DIR'])),
)
CONNECTION_MUTUALLY_EXCLUSIVE = [('keytab', 'password')]
CONNECTION_REQUIRED_BY = {'keytab': 'principal', 'password': 'principal'}

# adkcd's exit status -> the category a play can test (adkcd(1), EXIT STATUS).
CATEGORIES = {
    1: 'error',
    3: 'usage',
    4: 'not-found',
    5: 'conflict',
    6: 'credentials',
    7: 'unreachable',
    8: 'refused',
    9: 'partial',
}

# The tool's hint names (docs/json-output.md, "Hint names"), worded in terms
# of the modules' options instead of the tool's command line.
HINTS = {
    'force': 'set force: true if you really mean it',
    'credentials': 'give keytab and principal, or principal and password',
    'principal': "give principal (e.g. principal: 'tmg$@REALM')",
    'server': 'give uri (ldap://DC) or domain',
    'global-catalog': 'give uri a DC that is also a Global Catalog',
}

SET_KEYS = (('add', 'present'), ('remove', 'absent'), ('set', 'exact'))


def module_args(options, mutually_exclusive=(), **checks):
    """The arguments of a module's AnsibleModule: its own OPTIONS and the
    connection's, their checks and the module's (CHECKS: required_one_of,
    required_if, ...), check mode supported."""
    spec = dict(CONNECTION_ARGS)
    spec.update(options)
    return dict(argument_spec=spec,
                mutually_exclusive=CONNECTION_MUTUALLY_EXCLUSIVE + list(mutually_exclusive),
                required_by=CONNECTION_REQUIRED_BY,
                supports_check_mode=True,
                **checks)


def set_spec():
    """The options of an add/remove/set list of SPNs or services."""
    return dict(
        type='dict',
        options=dict(
            add=dict(type='list', elements='str'),
            remove=dict(type='list', elements='str'),
            set=dict(type='list', elements='str'),
        ),
        mutually_exclusive=[('add', 'set'), ('remove', 'set')],
        required_one_of=[('add', 'remove', 'set')],
    )


def state_set(opts):
    """add/remove/set of a module -> present/absent/exact of a state file."""
    out = {}
    for mine, theirs in SET_KEYS:
        if opts.get(mine) is not None:
            out[theirs] = list(opts[mine])
    return out


def admin_delegation(d):
    """A delegation object of adkcd's JSON in the form an admin reads."""
    if not isinstance(d, dict):
        return None
    return {
        'mode': d.get('mode'),
        'protocol_transition': d.get('protocol_transition'),
        'services': list(d.get('services') or []),
    }


def admin_principal(p):
    """A principal object of adkcd's JSON (an rbcd principal): its sid, kind,
    name, dn and notes, and conditional in a descriptor's list."""
    if not isinstance(p, dict):
        return p
    out = {}
    for key in ('sid', 'kind', 'name', 'dn', 'conditional'):
        if key in p:
            out[key] = p[key]
    out['notes'] = list(p.get('notes') or [])
    return out


def admin_rbcd(d):
    """A descriptor object of adkcd's JSON (msDS-AllowedToActOnBehalfOfOtherIdentity):
    whether it is set, its SDDL and the principals it allows."""
    if not isinstance(d, dict):
        return None
    return {
        'present': bool(d.get('present')),
        'sddl': d.get('sddl'),
        'principals': [admin_principal(p) for p in d.get('principals') or []],
    }


def principal_text(p):
    """A principal as a diff shows it: its name with its SID, or the SID
    alone when no object of the domain has it ("tmg$ (S-1-5-21-...)")."""
    if not isinstance(p, dict):
        return str(p)
    name, sid = p.get('name'), p.get('sid') or '?'
    inner = [sid] if name else []
    if p.get('conditional'):
        inner.append('conditional')
    head = name or sid
    return '%s (%s)' % (head, ', '.join(inner)) if inner else head


def rbcd_diff(d):
    """One side of an rbcd diff in the form an admin reads: the principals
    allowed, by name with SID, and the descriptor as SDDL (null when the
    attribute is not set)."""
    d = d if isinstance(d, dict) else {}
    return {
        'principals': [principal_text(p) for p in d.get('principals') or []],
        'sddl': d.get('sddl'),
    }


def warn_apply(module, doc):
    """Pass on the warnings adkcd apply gave (a principal allowed that is
    disabled, a domain controller, unconstrained or broad; deny or
    conditional ACEs kept in a descriptor), as Ansible warnings."""
    for w in doc.get('warnings') or [] if isinstance(doc, dict) else []:
        if isinstance(w, str):
            module.warn(w)


def admin_account(acc):
    """One element of apply's accounts array, without raw integers."""
    out = {}
    for key in ('index', 'account', 'dn', 'label', 'changed', 'outcome', 'error', 'attempts'):
        if key in acc:
            out[key] = acc[key]
    if isinstance(acc.get('spns'), dict):
        out['spns'] = {
            'before': list(acc['spns'].get('before') or []),
            'after': list(acc['spns'].get('after') or []),
        }
    if isinstance(acc.get('delegation'), dict):
        out['delegation'] = {
            'before': admin_delegation(acc['delegation'].get('before')),
            'after': admin_delegation(acc['delegation'].get('after')),
        }
    if isinstance(acc.get('rbcd'), dict):
        out['rbcd'] = {
            'before': admin_rbcd(acc['rbcd'].get('before')),
            'after': admin_rbcd(acc['rbcd'].get('after')),
            'added': [admin_principal(p) for p in acc['rbcd'].get('added') or []],
            'removed': [admin_principal(p) for p in acc['rbcd'].get('removed') or []],
        }
    return out


# Where the tool names a place in the file: ", at line 3, column 7:",
# " (line 3, column 7)", " (also at line 3, column 7)", " (line 3)", and
# the place before more words: "(also at line 3, column 7; names compare ...)".
_POSITION = re.compile(r',? at line \d+, column \d+(?=:)| \((?:also at |first at )?line \d+(?:, column \d+)?\)'
                       r'|(?<=\()(?:also|first) at line \d+, column \d+; ')


def _without_positions(text):
    """TEXT without places in a file the user never saw."""
    return _POSITION.sub('', text)


def _problem_without_position(pr):
    if not isinstance(pr, dict):
        return pr
    out = dict((k, v) for k, v in pr.items() if k != 'position')
    if isinstance(out.get('message'), str):
        out['message'] = _without_positions(out['message'])
    return out


# A state file's list names -> the single-account modules' option names.
_LIST_OPTION = {'present': 'add', 'absent': 'remove', 'exact': 'set'}
_LIST_PATH = re.compile(r'(?:accounts\[1\]\.)?(?:delegation\.)?(spns|services)\.(present|absent|exact)\b')
_DELEG_PATH = re.compile(r'(?:accounts\[1\]\.)?delegation\.(mode|protocol_transition|services)\b')
# The rbcd module's one list, whichever its state: rbcd.present[2] is principals[2].
_RBCD_PATH = re.compile(r'(?:accounts\[1\]\.)?rbcd\.(?:present|absent|exact)\b')
_RBCD_PREFIX = re.compile(r'(^|: )rbcd: ')


def _option_words(text):
    """A message about the state document a spn, delegation or rbcd module
    wrote, in terms of the module's options (spns.add, services.remove, mode,
    principals)."""
    text = _LIST_PATH.sub(lambda m: '%s.%s' % (m.group(1), _LIST_OPTION[m.group(2)]), text)
    text = _DELEG_PATH.sub(r'\1', text)
    text = _RBCD_PATH.sub('principals', text)
    text = _RBCD_PREFIX.sub(r'\1principals: ', text)
    text = text.replace('accounts[1].', '').replace('accounts[1]', 'the account')
    text = text.replace(' is also present', ' is also in add')
    text = text.replace('under absent only', 'under remove only')
    # One problem: the problem itself; more: counted in the options.
    text = re.sub(r'^the state file has 1 error; the first: ', '', text)
    text = re.sub(r'^1 problem in the file, nothing written; the first: ', 'nothing written: ', text)
    text = text.replace('the state file has', 'the options have')
    return text.replace(' problems in the file,', ' problems in the options,')


def _problem_in_option_words(pr):
    if isinstance(pr, dict) and isinstance(pr.get('message'), str):
        pr = dict(pr)
        pr['message'] = _option_words(pr['message'])
    return pr


def _version_tuple(text):
    return tuple(int(x) for x in text.split('.'))


class Adkcd(object):
    """Runs the adkcd binary for one module invocation."""

    def __init__(self, module):
        self.module = module
        p = module.params
        if p.get('principal') and not p.get('keytab') and p.get('password') is None:
            module.fail_json(msg='principal needs keytab or password; without them, leave principal out '
                                 'and the ticket of the default credentials cache is used',
                             category='usage')
        pw = p.get('password')
        if pw == '':
            module.fail_json(msg='the password is empty', category='usage')
        if pw is not None and ('\n' in pw or '\r' in pw):
            module.fail_json(msg='the password contains a line break, which adkcd would take as its end',
                             category='usage')
        self.bin = self._find()
        self.version = self._check_version()

    # -- the binary ----------------------------------------------------------
    def _find(self):
        bin_dir = self.module.params.get('bin_dir')
        if bin_dir:
            path = os.path.join(bin_dir, 'adkcd')
            if not (os.path.isfile(path) and os.access(path, os.X_OK)):
                self.module.fail_json(msg='no executable adkcd in bin_dir %s' % bin_dir, category='error')
            return path
        path = self.module.get_bin_path('adkcd', required=False)
        if not path:
            self.module.fail_json(msg='adkcd was not found in PATH on the managed host: install adkcd '
                                      '(version %s or later), or set bin_dir (or ADKCD_BIN_DIR) to its directory'
                                      % MIN_VERSION, category='error')
        return path

    def _check_version(self):
        try:
            rc, out, err = self.module.run_command([self.bin, '--version'], expand_user_and_vars=False)
        except Exception as e:  # pylint: disable=broad-except
            self.module.fail_json(msg='cannot run %s --version: %s' % (self.bin, to_native(e)), category='error')
        m = re.match(r'\s*adkcd\s+(\d+\.\d+\.\d+)', out or '')
        if rc != 0 or not m:
            self.module.fail_json(msg='%s --version did not print an adkcd version (exit status %s): %s'
                                      % (self.bin, rc, (err or out or '').strip()[:500]),
                                  rc=rc, category='error')
        version = m.group(1)
        if _version_tuple(version) < _version_tuple(MIN_VERSION):
            self.module.fail_json(msg='%s is adkcd %s, older than %s, which the adkcd.ad collection needs: '
                                      'upgrade adkcd' % (self.bin, version, MIN_VERSION),
                                  category='error', version=version)
        return version

    # -- running it ----------------------------------------------------------
    def common_args(self):
        p = self.module.params
        argv = [self.bin, '--json']
        if p.get('uri'):
            argv.append('--uri=' + p['uri'])
        if p.get('domain'):
            argv.append('--domain=' + p['domain'])
        if p.get('keytab'):
            argv.append('--keytab=' + p['keytab'])
        if p.get('principal'):
            argv.append('--principal=' + p['principal'])
        if p.get('password') is not None:
            argv.append('--password-stdin')
        if p.get('starttls'):
            argv.append('--starttls')
        if p.get('timeout') is not None:
            argv.append('--timeout=%d' % p['timeout'])
        if p.get('journal'):
            argv.append('--journal=' + p['journal'])
        return argv

    def run(self, args):
        """Run adkcd --json with the connection options and ARGS.

        Returns (rc, doc, stdout, stderr); doc is None when stdout is not one
        JSON object.  Never raises: a failure to start is a failed task."""
        argv = self.common_args() + list(args)
        pw = self.module.params.get('password')
        try:
            rc, out, err = self.module.run_command(
                argv, data=pw, binary_data=False, expand_user_and_vars=False,
                errors='surrogate_then_replace')
        except Exception as e:  # pylint: disable=broad-except
            self.module.fail_json(msg='cannot run %s: %s' % (self.bin, to_native(e)), category='error')
        doc = None
        try:
            doc = json.loads(out)
        except Exception:  # pylint: disable=broad-except
            doc = None
        if not isinstance(doc, dict):
            doc = None
        return rc, doc, out, err

    def fail(self, rc, doc, out, err, temp_file=None, options=False, **extra):
        """A failed task from a failed run: the tool's message, rc, category,
        and the document's problems and hints when it has them.  TEMP_FILE is
        the private file a document given inline was written to: positions
        in it mean nothing to the user, and it is gone afterwards.  OPTIONS:
        the document was built from a single-account module's options, whose
        names replace the state file's in the messages."""
        category = CATEGORIES.get(rc, 'error')
        result = dict(rc=rc, category=category)
        msg = None
        if doc is not None and isinstance(doc.get('error'), dict):
            e = doc['error']
            msg = e.get('message')
            result['status'] = e.get('status')
            if 'ldap_code' in e:
                result['ldap_code'] = e['ldap_code']
            hints = list(e.get('hints') or [])
            problems = doc.get('problems') if isinstance(doc.get('problems'), list) else []
            if temp_file is not None:
                if msg:
                    msg = _without_positions(msg)
                doc = dict(doc)
                doc['problems'] = [_problem_without_position(pr) for pr in problems]
                if not problems:
                    del doc['problems']
            if options:
                if msg:
                    msg = _option_words(msg)
                if doc.get('problems'):
                    doc = dict(doc)
                    doc['problems'] = [_problem_in_option_words(pr) for pr in doc['problems']]
            if hints:
                result['hints'] = hints
                words = [HINTS[h] for h in hints if h in HINTS]
                if words:
                    msg = '%s (hint: %s)' % (msg, '; '.join(words))
            for key in ('problems', 'conflicts', 'applied'):
                if key in doc:
                    result[key] = doc[key]
        if not msg:
            lines = [ln for ln in (err or '').splitlines() if ln.strip()]
            tail = ' '.join(lines[-3:]) if lines else (out or '').strip()[:500]
            if doc is None:
                msg = 'adkcd exited with status %s without a JSON document' % rc
            else:
                msg = 'adkcd exited with status %s' % rc
            if tail:
                msg += ': ' + tail
        if temp_file is not None and err:
            err = re.sub(re.escape(temp_file) + r'(:\d+:\d+)?', '<data>', err)
            err = _without_positions(err)
        if options and err:
            err = _option_words(err)
        result['stderr'] = err
        if doc is None:
            result['stdout'] = out
        result.update(extra)
        self.module.fail_json(msg=msg, **result)

    # -- apply ---------------------------------------------------------------
    def apply_file(self, path, force=False, stop_on_error=False, temp_file=False, options=False):
        args = []
        if self.module.check_mode:
            args.append('--dry-run')
        if force:
            args.append('--force')
        if stop_on_error:
            args.append('--stop-on-error')
        args += ['--no-progress', 'apply', '--', path]
        rc, doc, out, err = self.run(args)
        if rc != 0 or doc is None or doc.get('operation') != 'apply':
            extra = {}
            if doc is not None and doc.get('operation') == 'apply':
                # Some changes were applied, others not (exit 9), or none
                # could be: what was written, and the run to roll it back.
                extra = dict(changed=bool(doc.get('applied')),
                             run_id=doc.get('run_id'), journal=doc.get('journal'),
                             accounts=[admin_account(a) for a in doc.get('accounts') or []],
                             counts=doc.get('counts'))
            self.fail(rc, doc, out, err, temp_file=path if temp_file else None, options=options, **extra)
        return doc

    def apply_document(self, document, force=False, stop_on_error=False, options=False):
        """Write DOCUMENT (a state file as a dict) to a private temporary file,
        run adkcd apply on it, remove it; return apply's JSON document.
        OPTIONS: DOCUMENT was built from a single-account module's options."""
        tmpdir = getattr(self.module, 'tmpdir', None)
        fd, path = tempfile.mkstemp(prefix='adkcd-state-', suffix='.json', dir=tmpdir)
        try:
            os.chmod(path, 0o600)
            with os.fdopen(fd, 'wb') as f:
                f.write(json.dumps(document, indent=2, ensure_ascii=False).encode('utf-8'))
                f.write(b'\n')
            return self.apply_file(path, force=force, stop_on_error=stop_on_error, temp_file=True,
                                   options=options)
        finally:
            try:
                os.unlink(path)
            except OSError:
                pass


def guarded(module, body):
    """Run BODY(module); anything unexpected becomes a failed task with a
    message, never a traceback (exit_json and fail_json end by SystemExit,
    which passes through)."""
    try:
        body(module)
    except Exception as e:  # pylint: disable=broad-except
        module.fail_json(msg='unexpected error in %s: %s: %s' % (module._name, type(e).__name__, to_native(e)),
                         category='error')


def account_entry(params, **keys):
    """One account entry of a state file from a module's account and type."""
    entry = {'account': params['account']}
    if params.get('type'):
        entry['type'] = params['type']
    entry.update(keys)
    return entry


def account_result(module, doc, key, before, after, extra=None, diff=None):
    """Exit with the result of a single-account write (spn, delegation,
    rbcd): the account's dn, label and outcome, KEY's BEFORE and AFTER (and
    the keys of EXTRA beside them), and in diff mode the diff under a header
    naming the account: DIFF, a (before, after) pair, when the diff shows
    something other than BEFORE and AFTER (a list, such as the SPNs, is
    shown under its KEY: Ansible diffs objects)."""
    acc = (doc.get('accounts') or [{}])[0]
    result = write_result(module, doc)
    result.update(dn=acc.get('dn'), label=acc.get('label'), outcome=acc.get('outcome'))
    result[key] = dict(before=before, after=after)
    result[key].update(extra or {})
    if module._diff:
        header = '%s (%s)' % (acc.get('label'), acc.get('dn'))
        if diff is not None:
            before, after = diff
        if not isinstance(before, dict):
            before, after = {key: before}, {key: after}
        result['diff'] = dict(before=before, after=after, before_header=header, after_header=header)
    module.exit_json(**result)


def write_result(module, doc):
    """The parts of every write module's result that come from apply.  In
    check mode a change is what the plan would write; otherwise only what
    was written counts (a change another writer made first, found when
    adkcd re-planned, is not this task's)."""
    if module.check_mode:
        changed = bool(doc.get('changed'))
    else:
        changed = bool(doc.get('applied'))
    return dict(
        changed=changed,
        run_id=doc.get('run_id'),
        journal=doc.get('journal'),
    )
