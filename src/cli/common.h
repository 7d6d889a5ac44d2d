/*
 * Shared by the adkcd front ends: the common option table (connection,
 * credentials, output), exit codes, printing of errors, progress and JSON.
 * The front ends parse, call the library, and print; nothing else.
 */
#ifndef ADKCD_CLI_COMMON_H
#define ADKCD_CLI_COMMON_H

#include <stdio.h>

#include <jansson.h>

#include "adkcd/account.h"
#include "adkcd/conn.h"
#include "adkcd/plan.h"
#include "adkcd/values.h"
#include "adkcd/status.h"

/* Exit codes: the one table, documented in adspn(1) and adkcd(1). */
enum cli_exit {
    CLI_EXIT_OK = 0,          /* done, or nothing to do ("unchanged") */
    CLI_EXIT_ERROR = 1,       /* any other failure (I/O, memory, server) */
    CLI_EXIT_PENDING = 2,     /* --dry-run --detailed-exitcode: changes */
    CLI_EXIT_USAGE = 3,       /* bad command line or bad input */
    CLI_EXIT_NOTFOUND = 4,    /* account not found or ambiguous */
    CLI_EXIT_CONFLICT = 5,    /* duplicate SPN / lost compare-and-swap */
    CLI_EXIT_AUTH = 6,        /* credentials / authentication */
    CLI_EXIT_UNREACHABLE = 7, /* no server (or KDC) reachable */
    CLI_EXIT_REFUSED = 8,     /* the server refused (rights, policy); check,
                               * verify: the delegation does not work */
    CLI_EXIT_PARTIAL = 9,     /* part of a change set was applied */
};

/* Options every front end takes, before or after its own. */
struct cli_common {
    const char *tool;
    struct adkcd_conn_opts conn;
    int password_stdin;
    char *password; /* read from stdin; wiped by cli_common_free() */
    int json;
    int dry_run;
    int ldif;
    int detailed_exitcode;
    int verbose;
    int no_progress;
    const char *journal;        /* --journal, or NULL for the default */
    int progress_drawn;         /* a progress line is on stderr (state, not an
                                 * option) */
    int principal_from_account; /* set before parsing ends: --keytab and
                                 * --password-stdin are the ACCOUNT's
                                 * (adkcd verify), --principal optional */
};

/* One row of an option table; the help text is printed from it. */
struct cli_option {
    const char *long_name; /* without "--" */
    char short_name;       /* 0 for none; case-sensitive */
    const char *arg;       /* NULL when the option takes no argument */
    const char *help;
};

extern const struct cli_option cli_common_options[];

/*
 * Try argv[*i] as a common option.  Returns 1 when it was one (and *i is
 * moved past its argument), 0 when it is not a common option, -1 on a
 * usage error (message in err).  --help prints usage(stdout) and
 * --version the version, then exit 0.
 */
int
cli_common_parse(struct cli_common *c, int argc, char **argv, int *i,
                 void (*usage)(FILE *f), struct adkcd_err *err);

/* argv as one shell-quoted line, for the journal (free()). */
char *
cli_command_line(int argc, char **argv);

struct adkcd_journal;

/* The journal file: --journal, or the default one (free()). */
adkcd_status
cli_journal_path(const struct cli_common *c, char **path_out,
                 struct adkcd_err *err);

/* Check, before connecting, that a journal file can be named at all
 * (--journal, XDG_STATE_HOME or HOME). */
adkcd_status
cli_journal_check(const struct cli_common *c, struct adkcd_err *err);

/*
 * Open the journal for a run that is about to write (before anything is
 * written, so that an unwritable journal stops the run).  *path_out is the
 * file (free()).
 */
adkcd_status
cli_journal_open(const struct cli_common *c, struct adkcd_conn *conn, int argc,
                 char **argv, const char *rollback_of,
                 struct adkcd_journal **j_out, char **path_out,
                 struct adkcd_err *err);

/* Look ahead for options that shape error reporting (--json). */
void
cli_prescan(struct cli_common *c, int argc, char **argv);

/* Checks after parsing (e.g. --detailed-exitcode needs --dry-run) and
 * reading the password from stdin.  ADKCD_E_USAGE on a bad combination. */
adkcd_status
cli_common_finish(struct cli_common *c, struct adkcd_err *err);

void
cli_common_free(struct cli_common *c);

/* Print an option table for --help. */
void
cli_print_options(FILE *f, const struct cli_option *opts);

/* Map a library status to an exit code. */
int
cli_exit_code(adkcd_status st);

/*
 * Report a failure: "TOOL: message" on stderr, then a "TOOL: hint: ..."
 * line for each of its hints (cli_hint_text()), and, with --json, a JSON
 * error document on stdout ("hints": their names).  Returns the exit code
 * to use.
 */
int
cli_fail(const struct cli_common *c, const struct adkcd_err *err);

/*
 * printf() for text that holds directory values (DNs, names, SPNs) or
 * server messages: control characters other than newline and tab come
 * out as \xNN, so no value can drive the terminal or forge a line.
 */
void
cli_printf(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Print s, a value: every control byte (newlines too), C1 control and
 * byte that is not UTF-8 as \xNN, the one escaping of every text output
 * path (cli_printf() writes its values through it). */
void
cli_put_safe(FILE *f, const char *s);

/*
 * How this tool words one library hint (ADKCD_HINT_*, status.h) in terms
 * of its own options and commands; NULL when the bit is unknown or means
 * nothing for this tool.
 */
const char *
cli_hint_text(const struct cli_common *c, unsigned hint);

/* Every hint of hints that this tool words, "PREFIX hint: TEXT" a line,
 * on f (PREFIX: "adkcd:" on stderr, "" on stdout). */
void
cli_print_hints(const struct cli_common *c, FILE *f, const char *prefix,
                unsigned hints);

/* The stable names (adkcd_hint_name()) of the bits of hints, as a JSON
 * array. */
json_t *
cli_json_hints(unsigned hints);

/* As cli_fail(), adding key: extra (stolen; may be NULL) to the JSON error
 * document; with key NULL, extra is an object whose keys are all added. */
int
cli_fail_with(const struct cli_common *c, const struct adkcd_err *err,
              const char *key, json_t *extra);

/* A usage error: message plus a hint to --help; returns CLI_EXIT_USAGE. */
int
cli_usage_error(const struct cli_common *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Library log callback (ctx is the struct cli_common). */
void
cli_log(void *ctx, int level, const char *msg);

/* Progress callback for scans: "N SPNs read" on a terminal, unless -P. */
void
cli_progress(void *ctx, size_t seen);

/* Progress of a write: "N/M changes" on a terminal, unless --no-progress. */
void
cli_progress_changes(struct cli_common *c, size_t done, size_t total);

/* Any progress line: "
TOOL: ..." on a terminal, unless --no-progress. */
void
cli_progress_line(struct cli_common *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* End a progress line (if one was drawn). */
void
cli_progress_done(struct cli_common *c);

/* Open the connection described by c (logs through cli_log). */
adkcd_status
cli_connect(struct cli_common *c, struct adkcd_conn **conn_out,
            struct adkcd_err *err);

/* JSON helpers (jansson): a document with "schema" and "tool" set. */
json_t *
cli_json_doc(const struct cli_common *c, const char *operation);

/*
 * A JSON string of any text from the directory, a file or a server
 * message: json_string() refuses what is not UTF-8 (a NULL that would drop
 * the key), so invalid bytes are shown as \xNN instead.  NULL gives null.
 * Use it for every string that is not a literal.
 */
json_t *
cli_json_text(const char *s);

/* An array of cli_json_text() strings ([] for NULL). */
json_t *
cli_json_strv(char *const *v);

/* The columns cli_put_safe() takes for s on a terminal (a control byte
 * shown as \xNN is four; a UTF-8 character is one). */
size_t
cli_text_width(const char *s);

/* Values as a JSON array: text values as strings, others (a NUL byte,
 * invalid UTF-8) as {"base64": "..."} (docs/json-output.md). */
json_t *
cli_json_vals(const struct adkcd_vals *v);

/* The plan on standard output: LDIF with --ldif, else the diff (both
 * written safely by the library). */
adkcd_status
cli_print_plan(const struct cli_common *c, const struct adkcd_plan *plan,
               struct adkcd_err *err);

struct adkcd_engine_result;

/* A warning on stderr when the engine's read-back after the writes failed
 * (the writes stand), and its message for JSON ("read_back_error"; null
 * when it did not fail). */
void
cli_note_read_back(const struct cli_common *c,
                   const struct adkcd_engine_result *res);

json_t *
cli_json_read_back(const struct adkcd_engine_result *res);

/* A note on stderr for each applied change whose read-back differs. */
void
cli_note_read_differs(const struct cli_common *c,
                      const struct adkcd_plan *plan);

/* The "account" object of the JSON documents (docs/json-output.md). */
json_t *
cli_json_account(const struct adkcd_account *acct);

/* The head every change document shares: changed, dry_run, applied,
 * account, dn, object_class (docs/json-output.md). */
json_t *
cli_json_change_doc(const struct cli_common *c, const char *operation,
                    int changed, const struct adkcd_account *acct);

/* "run_id" and "journal" of a document: the run's id and the journal file
 * when the run wrote (wrote and j set), else null. */
struct adkcd_journal;
void
cli_json_run(json_t *doc, const struct adkcd_journal *j, const char *path,
             int wrote);

/* Print doc on stdout and release it. */
void
cli_json_print(json_t *doc);

#endif /* ADKCD_CLI_COMMON_H */
