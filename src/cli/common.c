/* Shared by the front ends: common options and exit codes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "adkcd/journal.h"
#include "common.h"

const struct cli_option cli_common_options[] = {
    {"uri", 'H', "URI",
     "LDAP server(s), e.g. ldap://dc1.mydom.local (default: URI in "
     "ldap.conf, then DNS SRV records of the domain)"},
    {"domain", 0, "DOMAIN",
     "DNS domain to find DCs in (default: krb5.conf's default realm)"},
    {"keytab", 0, "FILE", "get a ticket from this keytab (with --principal)"},
    {"principal", 0, "PRINCIPAL",
     "Kerberos client principal for --keytab or --password-stdin"},
    {"password-stdin", 0, NULL,
     "read the principal's password from the first line of stdin"},
    {"starttls", 'Z', NULL,
     "protect the connection with StartTLS (certificate verified) "
     "instead of the SASL layer"},
    {"timeout", 0, "SECONDS", "network timeout (default 10)"},
    {"dry-run", 'n', NULL, "show what would change as a diff; write nothing"},
    {"ldif", 0, NULL, "show the change as LDIF that ldapmodify accepts"},
    {"json", 0, NULL,
     "print one JSON document on stdout (docs/json-output.md)"},
    {"detailed-exitcode", 0, NULL,
     "with --dry-run: exit 2 when changes are pending, 0 when none"},
    {"journal", 0, "FILE",
     "the journal of applied changes (default: "
     "$XDG_STATE_HOME/adkcd/journal.ldif)"},
    {"verbose", 'v', NULL, "say which DC and identity are used"},
    {"no-progress", 0, NULL, "no progress on stderr for long scans and writes"},
    {"help", 'h', NULL, "show this help"},
    {"version", 0, NULL, "show the version"},
    {NULL, 0, NULL, NULL},
};

/* Find the option argv[*i] names; *value is set for "--name=value". */
static const struct cli_option *
lookup(const char *a, const char **value)
{
    const struct cli_option *o;
    size_t n;

    *value = NULL;
    if (a[0] == '-' && a[1] == '-') {
        const char *eq = strchr(a + 2, '=');

        n = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
        for (o = cli_common_options; o->long_name != NULL; o++) {
            if (strlen(o->long_name) == n &&
                strncmp(o->long_name, a + 2, n) == 0) {
                *value = eq ? eq + 1 : NULL;
                return o;
            }
        }
        return NULL;
    }
    if (a[0] == '-' && a[1] != '\0' && a[2] == '\0') {
        for (o = cli_common_options; o->long_name != NULL; o++) {
            if (o->short_name != 0 && o->short_name == a[1])
                return o;
        }
    }
    return NULL;
}

/* --timeout's value: whole seconds from 1 to 3600, else 0.  (s is never
 * NULL, as the option table gives --timeout an argument, but the check
 * lets an analyzer see it.) */
static int
timeout_seconds(const char *s)
{
    char *end;
    long t;

    if (s == NULL || *s == '\0')
        return 0;
    t = strtol(s, &end, 10);
    return *end == '\0' && t >= 1 && t <= 3600 ? (int)t : 0;
}

int
cli_common_parse(struct cli_common *c, int argc, char **argv, int *i,
                 void (*usage)(FILE *f), struct adkcd_err *err)
{
    const struct cli_option *o;
    const char *value = NULL, *name;

    o = lookup(argv[*i], &value);
    if (o == NULL)
        return 0;
    name = o->long_name;
    if (o->arg != NULL && value == NULL) {
        if (*i + 1 >= argc) {
            adkcd_err_set(err, ADKCD_E_USAGE, "--%s needs %s", name, o->arg);
            return -1;
        }
        value = argv[++*i];
    } else if (o->arg == NULL && value != NULL) {
        adkcd_err_set(err, ADKCD_E_USAGE, "--%s takes no value", name);
        return -1;
    }
    if (strcmp(name, "uri") == 0) {
        c->conn.uri = value;
    } else if (strcmp(name, "domain") == 0) {
        c->conn.domain = value;
    } else if (strcmp(name, "keytab") == 0) {
        c->conn.keytab = value;
    } else if (strcmp(name, "principal") == 0) {
        c->conn.principal = value;
    } else if (strcmp(name, "password-stdin") == 0) {
        c->password_stdin = 1;
    } else if (strcmp(name, "starttls") == 0) {
        c->conn.starttls = 1;
    } else if (strcmp(name, "timeout") == 0) {
        int t = timeout_seconds(value);

        if (t == 0) {
            adkcd_err_set(err, ADKCD_E_USAGE,
                          "--timeout takes seconds from 1 to 3600, not "
                          "'%s'",
                          value);
            return -1;
        }
        c->conn.timeout = t;
    } else if (strcmp(name, "dry-run") == 0) {
        c->dry_run = 1;
    } else if (strcmp(name, "ldif") == 0) {
        c->ldif = 1;
    } else if (strcmp(name, "json") == 0) {
        c->json = 1;
    } else if (strcmp(name, "detailed-exitcode") == 0) {
        c->detailed_exitcode = 1;
    } else if (strcmp(name, "journal") == 0) {
        c->journal = value;
    } else if (strcmp(name, "verbose") == 0) {
        c->verbose++;
    } else if (strcmp(name, "no-progress") == 0) {
        c->no_progress = 1;
    } else if (strcmp(name, "help") == 0) {
        usage(stdout);
        exit(CLI_EXIT_OK);
    } else if (strcmp(name, "version") == 0) {
        printf("%s %s\n", c->tool, ADKCD_VERSION);
        exit(CLI_EXIT_OK);
    }
    return 1;
}

adkcd_status
cli_common_finish(struct cli_common *c, struct adkcd_err *err)
{
    if (c->detailed_exitcode && !c->dry_run)
        return adkcd_err_set(err, ADKCD_E_USAGE,
                             "--detailed-exitcode goes with --dry-run");
    if (c->json && c->ldif)
        return adkcd_err_set(err, ADKCD_E_USAGE,
                             "--json and --ldif exclude each other");
    if (c->conn.keytab != NULL && c->password_stdin)
        return adkcd_err_set(err, ADKCD_E_USAGE,
                             "--keytab and --password-stdin exclude each "
                             "other");
    if ((c->conn.keytab != NULL || c->password_stdin) &&
        c->conn.principal == NULL && !c->principal_from_account)
        return adkcd_err_set(err, ADKCD_E_USAGE,
                             "--keytab and --password-stdin need "
                             "--principal");
    if (c->conn.principal != NULL && c->conn.keytab == NULL &&
        !c->password_stdin && !c->principal_from_account)
        return adkcd_err_set(err, ADKCD_E_USAGE,
                             "--principal needs --keytab or "
                             "--password-stdin (a ticket from kinit needs "
                             "neither)");
    if (c->password_stdin) {
        char *line = NULL;
        size_t cap = 0, m;
        ssize_t n;

        /* No core dump, no ptrace attach by the same user, while the
         * password is held (and after: the keys it gave stay in
         * memory).  Set before the password is read. */
        struct rlimit no_core = {0, 0};

        (void)setrlimit(RLIMIT_CORE, &no_core);
        (void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
        /* Unbuffered, so that no copy of the password stays in stdio's
         * buffer after ours is wiped. */
        setvbuf(stdin, NULL, _IONBF, 0);
        n = getline(&line, &cap, stdin);

        if (n <= 0) {
            if (line != NULL)
                explicit_bzero(line, cap);
            free(line);
            return adkcd_err_set(err, ADKCD_E_USAGE,
                                 "--password-stdin: no password on stdin");
        }
        /* A NUL byte would cut the password short, silently: refuse. */
        m = (size_t)n;
        if (m > 0 && line[m - 1] == '\n')
            m--;
        if (m > 0 && line[m - 1] == '\r')
            m--;
        if (memchr(line, '\0', m) != NULL) {
            explicit_bzero(line, cap);
            free(line);
            return adkcd_err_set(err, ADKCD_E_USAGE,
                                 "--password-stdin: the password holds a NUL "
                                 "byte");
        }
        line[strcspn(line, "\r\n")] = '\0';
        c->password = strdup(line);
        explicit_bzero(line, cap);
        free(line);
        if (c->password == NULL)
            return adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
        c->conn.password = c->password;
    }
    return ADKCD_OK;
}

void
cli_common_free(struct cli_common *c)
{
    if (c->password != NULL) {
        explicit_bzero(c->password, strlen(c->password));
        free(c->password);
        c->password = NULL;
        c->conn.password = NULL;
    }
}

void
cli_print_options(FILE *f, const struct cli_option *opts)
{
    const struct cli_option *o;
    char left[64];

    for (o = opts; o->long_name != NULL; o++) {
        if (o->short_name != 0)
            snprintf(left, sizeof(left), "-%c, --%s%s%s", o->short_name,
                     o->long_name, o->arg ? " " : "", o->arg ? o->arg : "");
        else
            snprintf(left, sizeof(left), "    --%s%s%s", o->long_name,
                     o->arg ? " " : "", o->arg ? o->arg : "");
        fprintf(f, "  %-30s %s\n", left, o->help);
    }
}

int
cli_exit_code(adkcd_status st)
{
    switch (st) {
    case ADKCD_OK:
        return CLI_EXIT_OK;
    case ADKCD_E_USAGE:
        return CLI_EXIT_USAGE;
    case ADKCD_E_NOTFOUND:
        return CLI_EXIT_NOTFOUND;
    case ADKCD_E_CONFLICT:
        return CLI_EXIT_CONFLICT;
    case ADKCD_E_AUTH:
        return CLI_EXIT_AUTH;
    case ADKCD_E_CONNECT:
        return CLI_EXIT_UNREACHABLE;
    case ADKCD_E_ACCESS:
        return CLI_EXIT_REFUSED;
    case ADKCD_E_PARTIAL:
        return CLI_EXIT_PARTIAL;
    case ADKCD_E_NOMEM:
    case ADKCD_E_INVALID:
    case ADKCD_E_DIRECTORY:
    case ADKCD_E_IO:
        return CLI_EXIT_ERROR;
    }
    return CLI_EXIT_ERROR;
}

adkcd_status
cli_connect(struct cli_common *c, struct adkcd_conn **conn_out,
            struct adkcd_err *err)
{
    adkcd_status st = adkcd_conn_open(&c->conn, cli_log, c, conn_out, err);
    const char *who = NULL;

    /* The password has done its job: wipe it now, not at exit. */
    cli_common_free(c);
    if (st == ADKCD_OK && c->verbose > 0 &&
        adkcd_conn_identity(*conn_out, &who, err) == ADKCD_OK) {
        char msg[600];

        snprintf(msg, sizeof(msg), "the server knows us as %s", who);
        cli_log(c, 1, msg);
    }
    return st;
}

char *
cli_command_line(int argc, char **argv)
{
    size_t i, len = 1;
    char *s, *p;

    for (i = 0; i < (size_t)argc; i++)
        len += 4 * strlen(argv[i]) + 3;
    s = malloc(len);
    if (s == NULL)
        return NULL;
    p = s;
    for (i = 0; i < (size_t)argc; i++) {
        const char *a =
            i == 0
                ? (strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0])
                : argv[i];
        int plain =
            a[0] != '\0' &&
            strspn(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                      "0123456789-_./:=,@+%") == strlen(a);

        if (i > 0)
            *p++ = ' ';
        if (plain) {
            strcpy(p, a);
            p += strlen(a);
            continue;
        }
        /* Single quotes, with ' written as '\'' (POSIX shell). */
        *p++ = '\'';
        for (; *a != '\0'; a++) {
            if (*a == '\'') {
                memcpy(p, "'\\''", 4);
                p += 4;
            } else {
                *p++ = *a;
            }
        }
        *p++ = '\'';
    }
    *p = '\0';
    return s;
}

void
cli_prescan(struct cli_common *c, int argc, char **argv)
{
    int i;

    /* --json anywhere on the line decides how even a usage error that
     * comes before it is reported. */
    for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (strcmp(argv[i], "--json") == 0)
            c->json = 1;
    }
}

adkcd_status
cli_journal_path(const struct cli_common *c, char **path_out,
                 struct adkcd_err *err)
{
    *path_out = NULL;
    if (c->journal != NULL) {
        *path_out = strdup(c->journal);
        return *path_out != NULL
                   ? ADKCD_OK
                   : adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
    }
    return adkcd_journal_default_path(path_out, err);
}

adkcd_status
cli_journal_check(const struct cli_common *c, struct adkcd_err *err)
{
    char *path = NULL;
    adkcd_status st = cli_journal_path(c, &path, err);

    free(path);
    return st;
}

adkcd_status
cli_journal_open(const struct cli_common *c, struct adkcd_conn *conn, int argc,
                 char **argv, const char *rollback_of,
                 struct adkcd_journal **j_out, char **path_out,
                 struct adkcd_err *err)
{
    const char *who = NULL;
    char *path = NULL, *cmd = NULL;
    adkcd_status st;

    *j_out = NULL;
    *path_out = NULL;
    st = cli_journal_path(c, &path, err);
    if (st == ADKCD_OK)
        st = adkcd_conn_identity(conn, &who, err);
    if (st == ADKCD_OK) {
        cmd = cli_command_line(argc, argv);
        if (cmd == NULL)
            st = adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory");
    }
    if (st == ADKCD_OK)
        st = adkcd_journal_open(path, c->tool, cmd, adkcd_conn_uri(conn), who,
                                rollback_of, j_out, err);
    free(cmd);
    if (st != ADKCD_OK) {
        free(path);
        return st;
    }
    *path_out = path;
    return ADKCD_OK;
}
