# Used by t_ansible.sh: compare each adkcd.ad module's argument_spec with its
# documented options (type, required, default, choices, elements, suboptions),
# the core of what ansible-test's validate-modules checks, which cannot run
# offline here.  ansible-doc --json gives the documentation with the doc
# fragments merged; AnsibleModule is replaced to capture the spec.
#   ansible_argspec.py MODULE...   (ANSIBLE_COLLECTIONS_PATH and PYTHONPATH
#   pointing at the directory holding ansible_collections/)
import importlib
import json
import subprocess
import sys

KEYS = (('type', 'str'), ('required', False), ('default', None),
        ('choices', None), ('elements', None))


class Captured(Exception):
    pass


def capture(**kw):
    raise Captured(kw)


def compare(where, spec, doc):
    """Mismatches between SPEC and DOC (option name -> attributes) as lines;
    the number of options compared."""
    lines = []
    compared = 0
    for name in sorted(set(spec) | set(doc)):
        s, d = spec.get(name), doc.get(name)
        if s is None or d is None:
            lines.append('%s.%s: only in %s' % (where, name, 'spec' if d is None else 'doc'))
            continue
        compared += 1
        for key, dflt in KEYS:
            sv, dv = s.get(key, dflt), d.get(key, dflt)
            if key == 'type' and s.get('options') and 'type' not in s:
                sv = 'dict'
            if sv != dv:
                lines.append('%s.%s: %s spec=%r doc=%r' % (where, name, key, sv, dv))
        if s.get('options') or d.get('suboptions'):
            sub_lines, sub_compared = compare(where + '.' + name, s.get('options') or {},
                                              d.get('suboptions') or {})
            lines += sub_lines
            compared += sub_compared
    return lines, compared


def module_spec(name):
    mod = importlib.import_module('ansible_collections.adkcd.ad.plugins.modules.' + name)
    orig = mod.AnsibleModule
    mod.AnsibleModule = capture
    try:
        mod.main()
    except Captured as e:
        return e.args[0]['argument_spec']
    finally:
        mod.AnsibleModule = orig
    raise SystemExit('%s: main() did not build an AnsibleModule' % name)


def main():
    bad = []
    compared = 0
    for m in sys.argv[1:]:
        fq = 'adkcd.ad.' + m
        doc = json.loads(subprocess.check_output(['ansible-doc', '--json', fq]))[fq]['doc']
        lines, n = compare(m, module_spec(m), doc['options'])
        bad += lines
        compared += n
    for line in bad:
        print(line)
    print('%d options compared, %d mismatches' % (compared, len(bad)))
    return 1 if bad or not compared else 0


if __name__ == '__main__':
    sys.exit(main())
