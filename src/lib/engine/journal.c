/* adkcd: the journal of applied changes, and reading it back. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <ldap.h>
#include <ldif.h>
#include <uuid/uuid.h>

#include "adkcd/journal.h"
#include "adkcd/strmap.h"
#include "adkcd/strv.h"
#include "buf.h"

#define NOMEM(err) adkcd_err_set(err, ADKCD_E_NOMEM, "out of memory")

/* Passed to libldap's record parser, which names its caller in debug
 * output (only printed when LDAP debugging is switched on). */
#define PARSER_NAME "adkcd journal"

#define B64_ALPHABET                                                           \
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

/* One run's handle.  The header is built at open time, so that the run's
 * time is when it started, but written only with the first change: a run
 * that changes nothing leaves no trace in the file. */
struct adkcd_journal {
    int fd;
    char *path;
    char id[37];          /* uuid_unparse_lower() writes 36 characters + NUL */
    char *header;         /* the run header, written with the first change */
    int started;          /* the header is on disk */
    unsigned seq;         /* changes recorded so far */
    struct pending *pend; /* outcomes noted, not written yet */
    size_t n_pend, cap_pend;
};

/* An outcome noted by adkcd_journal_outcome(), written with the next
 * write: one of the OUTCOME_* kinds below. */
struct pending {
    unsigned seq;
    int kind;
};

enum { OUTCOME_APPLIED = 0, OUTCOME_FAILED = 1, OUTCOME_IN_DOUBT = 2 };

/* The outcome lines' keys, by kind. */
static const char *const outcome_key[] = {"applied", "failed", "in-doubt"};

/* ------------------------------------------------------------------ */
/* Where the journal lives                                             */
/* ------------------------------------------------------------------ */

/* The journal is "state" in the XDG sense (a history of actions that
 * should survive restarts but is not worth backing up like data), hence
 * XDG_STATE_HOME rather than XDG_DATA_HOME. */
adkcd_status
adkcd_journal_default_path(char **path_out, struct adkcd_err *err)
{
    const char *xdg = getenv("XDG_STATE_HOME");
    const char *home = getenv("HOME");
    struct buf b = {0};
    int n;

    *path_out = NULL;
    /* The XDG base directory spec says a relative XDG_STATE_HOME is
     * invalid and must be ignored, like an empty one. */
    if (xdg != NULL && xdg[0] == '/') {
        n = (int)strlen(xdg);
        while (n > 1 && xdg[n - 1] == '/')
            n--;
        buf_printf(&b, "%.*s/adkcd/journal.ldif", n, xdg);
    } else if (home != NULL && home[0] != '\0') {
        buf_printf(&b, "%s/.local/state/adkcd/journal.ldif", home);
    } else {
        return adkcd_err_set(err, ADKCD_E_IO,
                             "no place for the journal: %s and HOME is not "
                             "set; set HOME or XDG_STATE_HOME, or name the "
                             "journal file",
                             xdg != NULL && xdg[0] != '\0'
                                 ? "XDG_STATE_HOME is not an absolute path"
                                 : "XDG_STATE_HOME is not set");
    }
    *path_out = buf_take(&b);
    return *path_out != NULL ? ADKCD_OK : NOMEM(err);
}

/* mkdir -p of the directory part of path, new directories 0700: the
 * journal holds the directory's before-images, which are nobody else's
 * business. */
static adkcd_status
make_parents(const char *path, struct adkcd_err *err)
{
    adkcd_status st = ADKCD_OK;
    char *dir = strdup(path);
    char *p;

    if (dir == NULL)
        return NOMEM(err);
    for (p = strchr(dir + 1, '/'); p != NULL; p = strchr(p + 1, '/')) {
        *p = '\0';
        if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
            st = adkcd_err_set(err, ADKCD_E_IO,
                               "cannot create the journal's directory %s: "
                               "%s",
                               dir, strerror(errno));
            break;
        }
        *p = '/';
    }
    free(dir);
    return st;
}

/* ------------------------------------------------------------------ */
/* Writing                                                             */
/* ------------------------------------------------------------------ */

/* A header value on one line: a newline in a command line (quoted
 * arguments may hold one) would otherwise start a line of its own that a
 * reader takes for LDIF. */
static void
put_one_line(struct buf *b, const char *s)
{
    char *copy = strdup(s != NULL ? s : "");
    char *p;

    if (copy == NULL) {
        b->failed = 1;
        return;
    }
    for (p = copy; *p != '\0'; p++) {
        if ((unsigned char)*p < 0x20 || (unsigned char)*p == 0x7f)
            *p = '?';
    }
    buf_puts(b, copy);
    free(copy);
}

/* One "name: value" line through libldap's LDIF writer: base64 ("name::")
 * when the value needs it, never folded, so that every line is whole. */
static void
ldif_line(struct buf *b, const char *prefix, const char *name,
          const char *value, size_t len)
{
    char *line =
        ldif_put_wrap(LDIF_PUT_VALUE, name, value, len, LDIF_LINE_WIDTH_MAX);

    if (line == NULL) {
        b->failed = 1;
        return;
    }
    buf_puts(b, prefix);
    buf_puts(b, line); /* ends with its newline */
    ber_memfree(line);
}

static adkcd_status
build_header(struct adkcd_journal *j, const char *tool, const char *command,
             const char *server, const char *identity, const char *rollback_of,
             struct adkcd_err *err)
{
    struct buf b = {0};
    char when[32];
    struct tm tm;
    time_t now = time(NULL);

    /* The time the run started (the journal is opened before anything is
     * written), not the time of its first change. */
    if (gmtime_r(&now, &tm) == NULL ||
        strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(when, sizeof(when), "unknown");
    buf_printf(&b, "# run: %s\n# time: %s\n# tool: ", j->id, when);
    put_one_line(&b, tool);
    buf_puts(&b, "\n# server: ");
    put_one_line(&b, server);
    buf_puts(&b, "\n# identity: ");
    put_one_line(&b, identity);
    buf_puts(&b, "\n# command: ");
    put_one_line(&b, command);
    buf_puts(&b, "\n");
    /* Format 2: changes are written before they are sent (intents) and
     * their outcomes after; format 1 journals (no such line) hold only
     * changes written once the server had confirmed them. */
    buf_puts(&b, "# format: 2\n");
    if (rollback_of != NULL && rollback_of[0] != '\0') {
        buf_puts(&b, "# rollback-of: ");
        put_one_line(&b, rollback_of);
        buf_puts(&b, "\n");
    }
    buf_puts(&b, "\n");
    j->header = buf_take(&b);
    return j->header != NULL ? ADKCD_OK : NOMEM(err);
}

static void
journal_free(struct adkcd_journal *j)
{
    if (j == NULL)
        return;
    if (j->fd >= 0)
        close(j->fd);
    free(j->path);
    free(j->header);
    free(j->pend);
    free(j);
}

/*
 * The journal is a trust boundary: rollback replays what it says against
 * the directory with the caller's rights.  So it must be a regular file
 * (not a FIFO or a device, which would swallow the records), not reached
 * through a symbolic link (opened with O_NOFOLLOW: ELOOP), owned by the
 * user running the tool, and writable by nobody else.
 */
static adkcd_status
trusted(int fd, const char *path, struct adkcd_err *err)
{
    struct stat sb;

    if (fstat(fd, &sb) != 0)
        return adkcd_err_set(err, ADKCD_E_IO, "cannot stat the journal %s: %s",
                             path, strerror(errno));
    if (!S_ISREG(sb.st_mode))
        return adkcd_err_set(err, ADKCD_E_ACCESS,
                             "the journal %s is not a regular file", path);
    if (sb.st_uid != geteuid())
        return adkcd_err_set(err, ADKCD_E_ACCESS,
                             "the journal %s belongs to user %lu, not to you "
                             "(%lu): its records could make a rollback change "
                             "the directory with your rights; use a journal "
                             "of your own, or have its owner hand it over",
                             path, (unsigned long)sb.st_uid,
                             (unsigned long)geteuid());
    if (sb.st_mode & (S_IWGRP | S_IWOTH))
        return adkcd_err_set(err, ADKCD_E_ACCESS,
                             "the journal %s is writable by %s (mode %04o): "
                             "whoever can write it could make a rollback "
                             "change the directory with your rights; make it "
                             "writable by its owner alone (mode 0600)",
                             path,
                             (sb.st_mode & S_IWOTH) ? "others" : "its group",
                             (unsigned)(sb.st_mode & 07777));
    return ADKCD_OK;
}

/* Clear O_NONBLOCK, set for the open() alone: 0 or -1 (errno). */
static int
blocking(int fd)
{
    int fl = fcntl(fd, F_GETFL);

    return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
}

/* The error of an open() of the journal, ELOOP and ENXIO worded. */
static adkcd_status
open_error(const char *path, const char *what, struct adkcd_err *err)
{
    if (errno == ELOOP)
        return adkcd_err_set(err, ADKCD_E_ACCESS,
                             "the journal %s is a symbolic link, which is not "
                             "followed (another user could point it anywhere): "
                             "name the file it points to",
                             path);
    if (errno == ENXIO) /* a FIFO that nobody reads */
        return adkcd_err_set(err, ADKCD_E_ACCESS,
                             "the journal %s is not a regular file", path);
    return adkcd_err_set(
        err, ADKCD_E_IO, "cannot open the journal %s for %s: %s%s", path, what,
        strerror(errno),
        errno == ENOENT ? " (its directory does not exist)" : "");
}

adkcd_status
adkcd_journal_open(const char *path, const char *tool, const char *command,
                   const char *server, const char *identity,
                   const char *rollback_of, struct adkcd_journal **j_out,
                   struct adkcd_err *err)
{
    struct adkcd_journal *j = NULL;
    char *def = NULL;
    adkcd_status st;
    uuid_t uu;

    *j_out = NULL;
    j = calloc(1, sizeof(*j));
    if (j == NULL)
        return NOMEM(err);
    j->fd = -1;
    j->path = strdup(path);
    if (j->path == NULL) {
        st = NOMEM(err);
        goto cleanup;
    }
    /* Only the default location is ours to create: a --journal FILE in
     * a directory that does not exist is more likely a typo. */
    st = ADKCD_OK;
    if (adkcd_journal_default_path(&def, NULL) == ADKCD_OK &&
        strcmp(def, path) == 0)
        st = make_parents(path, err);
    if (st != ADKCD_OK)
        goto cleanup;
    /* O_APPEND: every write lands at the end of the file, whatever other
     * runs appended since we opened it.  0600: the before-images show who
     * held which delegation, and the journal lets anyone replay changes.
     * O_CLOEXEC: libraries below us (krb5, SASL plugins) may run helpers,
     * which have no business holding the journal open. */
    /* O_NONBLOCK until it is known to be a regular file: opening a FIFO
     * would otherwise wait for a reader, for ever. */
    j->fd = open(path,
                 O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW |
                     O_NONBLOCK,
                 0600);
    if (j->fd < 0) {
        st = open_error(path, "appending", err);
        goto cleanup;
    }
    /* Refused now, before anything is written to the directory. */
    st = trusted(j->fd, path, err);
    if (st == ADKCD_OK && blocking(j->fd) != 0)
        st = adkcd_err_set(err, ADKCD_E_IO, "cannot set up the journal %s: %s",
                           path, strerror(errno));
    if (st != ADKCD_OK)
        goto cleanup;
    /* A random id: runs on different hosts may end up in one journal (a
     * shared home directory), so a counter or a timestamp would not do. */
    uuid_generate(uu);
    uuid_unparse_lower(uu, j->id);
    st = build_header(j, tool, command, server, identity, rollback_of, err);
    if (st != ADKCD_OK)
        goto cleanup;
    *j_out = j;
    j = NULL;
cleanup:
    free(def);
    journal_free(j);
    return st;
}

const char *
adkcd_journal_run_id(const struct adkcd_journal *j)
{
    return j->id;
}

/*
 * Append text as one block: under an exclusive flock() so that a
 * concurrent run appending to the same journal cannot land in the middle
 * of it, then fsync() so that a record exists once this returns.  On a
 * failed or short write the file is cut back to where the block started,
 * so that a full disk leaves no half block for the reader to trip on.
 */
static adkcd_status
append(struct adkcd_journal *j, const char *text, struct adkcd_err *err)
{
    size_t len = strlen(text), done = 0;
    adkcd_status st = ADKCD_OK;
    off_t start = -1;
    struct stat sb;
    ssize_t n;

    /* flock() rather than fcntl() locks: they belong to the open file,
     * not the process, so two handles in one process (two runs) exclude
     * each other as two processes do. */
    while (flock(j->fd, LOCK_EX) != 0) {
        if (errno != EINTR)
            return adkcd_err_set(err, ADKCD_E_IO,
                                 "cannot lock the journal %s: %s", j->path,
                                 strerror(errno));
    }
    /* Under the lock, the end of the file is where our block will start
     * (O_APPEND), and nobody else can move it. */
    if (fstat(j->fd, &sb) == 0)
        start = sb.st_size;
    while (done < len) {
        n = write(j->fd, text + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            st = adkcd_err_set(err, ADKCD_E_IO,
                               "cannot write to the journal %s: %s", j->path,
                               n < 0 ? strerror(errno) : "nothing written");
            break;
        }
        done += (size_t)n;
    }
    if (st != ADKCD_OK && done > 0 && start >= 0) {
        if (ftruncate(j->fd, start) != 0) {
            /* Best effort: the message already says the write failed, and
             * the reader names the line where the torn block starts. */
        }
    }
    if (st == ADKCD_OK && fsync(j->fd) != 0)
        st = adkcd_err_set(err, ADKCD_E_IO,
                           "cannot flush the journal %s to disk: %s", j->path,
                           strerror(errno));
    flock(j->fd, LOCK_UN);
    return st;
}

/* Attribute descriptions (names, OIDs, ";options"): anything else would
 * break the space-separated "# attrs:" line or the LDIF. */
static int
is_attr_char(char c)
{
    return isalnum((unsigned char)c) || c == '-' || c == ';' || c == '.';
}

static int
is_attr_name(const char *s)
{
    if (s == NULL || *s == '\0')
        return 0;
    for (; *s != '\0'; s++) {
        if (!is_attr_char(*s))
            return 0;
    }
    return 1;
}

/* Do a and b go in the same "add:"/"delete:" block of the record? */
static int
same_block(const struct adkcd_op *a, const struct adkcd_op *b)
{
    return a->kind == b->kind && strcasecmp(a->attr, b->attr) == 0;
}

/* The change's modify record exactly as it is sent: value-level blocks in
 * order, every value through libldap's LDIF writer (base64 when needed, so
 * that values with NUL or control bytes come back exact). */
static void
record_lines(struct buf *b, const struct adkcd_change *c)
{
    size_t i;

    ldif_line(b, "", "dn", c->dn, strlen(c->dn));
    buf_puts(b, "changetype: modify\n");
    for (i = 0; i < c->n_ops; i++) {
        const struct adkcd_op *op = &c->ops[i];

        /* Consecutive ops of one kind on one attribute share a block, as
         * in adkcd_plan_ldif(); the order is kept, so delete-old/add-new
         * stays a compare-and-swap when ldapmodify replays it. */
        if (i == 0 || !same_block(op, &c->ops[i - 1]))
            buf_printf(b, "%s: %s\n",
                       op->kind == ADKCD_OP_ADD ? "add" : "delete", op->attr);
        ldif_line(b, "", op->attr, op->value.data, op->value.len);
        if (i + 1 == c->n_ops || !same_block(op, &c->ops[i + 1]))
            buf_puts(b, "-\n");
    }
}

/* The block of one change: its number and label, then the modify record,
 * then a blank line.  No images: the operations say what the change did
 * (add of a value that is there and delete of one that is not are refused
 * by the server), which is all a rollback needs. */
static void
change_block(struct buf *b, const char *id, unsigned seq,
             const struct adkcd_change *c)
{
    buf_printf(b, "# change: %s %u\n# label: ", id, seq);
    put_one_line(b, c->label);
    buf_puts(b, "\n");
    record_lines(b, c);
    buf_puts(b, "\n");
}

static int
cmp_unsigned(const void *a, const void *b)
{
    unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

    return x < y ? -1 : x > y;
}

/* The outcomes noted so far as a block: "# applied: ID 1-3 7" etc. (runs
 * of consecutive numbers as ranges), then a blank line.  Nothing when none
 * is pending. */
static void
outcome_block(struct buf *b, const struct adkcd_journal *j)
{
    unsigned *v;
    size_t i, k, n;
    int kind;

    if (j->n_pend == 0)
        return;
    v = malloc(j->n_pend * sizeof(*v));
    if (v == NULL) {
        b->failed = 1;
        return;
    }
    for (kind = OUTCOME_APPLIED; kind <= OUTCOME_IN_DOUBT; kind++) {
        for (i = n = 0; i < j->n_pend; i++) {
            if (j->pend[i].kind == kind)
                v[n++] = j->pend[i].seq;
        }
        if (n == 0)
            continue;
        qsort(v, n, sizeof(*v), cmp_unsigned);
        buf_printf(b, "# %s: %s", outcome_key[kind], j->id);
        for (i = 0; i < n; i = k) {
            for (k = i + 1; k < n && v[k] == v[k - 1] + 1; k++)
                ;
            if (k - i == 1)
                buf_printf(b, " %u", v[i]);
            else
                buf_printf(b, " %u-%u", v[i], v[k - 1]);
        }
        buf_puts(b, "\n");
    }
    buf_puts(b, "\n");
    free(v);
}

/* Check the names a change would write: anything but an attribute
 * description would break the LDIF. */
static adkcd_status
check_change(const struct adkcd_change *change, struct adkcd_err *err)
{
    size_t i;

    for (i = 0; i < change->n_ops; i++) {
        if (!is_attr_name(change->ops[i].attr))
            return adkcd_err_set(err, ADKCD_E_INVALID,
                                 "internal error: cannot journal attribute "
                                 "name \"%s\" of %s",
                                 change->ops[i].attr, change->dn);
    }
    return ADKCD_OK;
}

static adkcd_status
no_journal(const struct adkcd_journal *j, const char *dn, struct adkcd_err *err)
{
    if (j != NULL && j->fd >= 0)
        return ADKCD_OK;
    return adkcd_err_set(err, ADKCD_E_INVALID,
                         "internal error: no journal is open to record the "
                         "change of %s",
                         dn != NULL ? dn : "an object");
}

adkcd_status
adkcd_journal_intend(struct adkcd_journal *j,
                     struct adkcd_change *const *changes, size_t n,
                     struct adkcd_err *err)
{
    struct buf b = {0};
    adkcd_status st;
    unsigned seq;
    size_t i, k = 0;
    char *text;

    st = no_journal(j, n > 0 ? changes[0]->dn : NULL, err);
    for (i = 0; i < n && st == ADKCD_OK; i++)
        st = check_change(changes[i], err);
    if (st != ADKCD_OK)
        return st;
    for (i = 0; i < n; i++)
        k += changes[i]->n_ops > 0;
    /* Nothing to send: nothing to write (outcomes wait for a flush). */
    if (k == 0)
        return ADKCD_OK;
    /* The header goes out with the run's first write, in the same locked
     * write: a run that changes nothing leaves no trace, and a change can
     * never be found without its run's header before it. */
    if (!j->started)
        buf_puts(&b, j->header);
    outcome_block(&b, j);
    seq = j->seq;
    for (i = 0; i < n; i++) {
        /* A change without operations is not sent (an empty modify is
         * not valid LDAP): nothing to record or undo. */
        if (changes[i]->n_ops > 0)
            change_block(&b, j->id, ++seq, changes[i]);
    }
    text = buf_take(&b);
    if (text == NULL)
        return NOMEM(err);
    st = append(j, text, err);
    free(text);
    /* Only what is on disk counts: after a failed write the next write
     * retries the header and the outcomes, and reuses the numbers. */
    if (st != ADKCD_OK)
        return st;
    j->started = 1;
    j->n_pend = 0;
    seq = j->seq;
    for (i = 0; i < n; i++)
        changes[i]->journal_seq = changes[i]->n_ops > 0 ? ++seq : 0;
    j->seq = seq;
    return ADKCD_OK;
}

adkcd_status
adkcd_journal_outcome(struct adkcd_journal *j, const struct adkcd_change *c,
                      struct adkcd_err *err)
{
    struct pending *v;
    adkcd_status st = no_journal(j, c->dn, err);
    int kind;

    if (st != ADKCD_OK)
        return st;
    if (c->journal_seq == 0 || c->journal_seq > j->seq)
        return adkcd_err_set(err, ADKCD_E_INVALID,
                             "internal error: the change of %s was not "
                             "recorded in this run's journal",
                             c->dn);
    switch (c->outcome) {
    case ADKCD_OUT_APPLIED:
        kind = OUTCOME_APPLIED;
        break;
    case ADKCD_OUT_FAILED:
    case ADKCD_OUT_SKIPPED: /* recorded, never sent */
        kind = OUTCOME_FAILED;
        break;
    case ADKCD_OUT_IN_DOUBT:
        kind = OUTCOME_IN_DOUBT;
        break;
    default:
        return adkcd_err_set(err, ADKCD_E_INVALID,
                             "internal error: no outcome to record for the "
                             "change of %s",
                             c->dn);
    }
    if (j->n_pend == j->cap_pend) {
        size_t cap = j->cap_pend ? 2 * j->cap_pend : 64;

        v = realloc(j->pend, cap * sizeof(*v));
        if (v == NULL)
            return NOMEM(err);
        j->pend = v;
        j->cap_pend = cap;
    }
    j->pend[j->n_pend].seq = c->journal_seq;
    j->pend[j->n_pend].kind = kind;
    j->n_pend++;
    return ADKCD_OK;
}

adkcd_status
adkcd_journal_flush(struct adkcd_journal *j, struct adkcd_err *err)
{
    struct buf b = {0};
    adkcd_status st = no_journal(j, NULL, err);
    char *text;

    if (st != ADKCD_OK || j->n_pend == 0)
        return st;
    outcome_block(&b, j);
    text = buf_take(&b);
    if (text == NULL)
        return NOMEM(err);
    st = append(j, text, err);
    free(text);
    if (st == ADKCD_OK)
        j->n_pend = 0;
    return st;
}

/* Is an "applied" outcome of change number seq noted and not on disk? */
static int
applied_pending(const struct adkcd_journal *j, unsigned seq)
{
    size_t i;

    for (i = 0; i < j->n_pend; i++) {
        if (j->pend[i].seq == seq && j->pend[i].kind == OUTCOME_APPLIED)
            return 1;
    }
    return 0;
}

adkcd_status
adkcd_journal_unwritten(const struct adkcd_journal *j,
                        struct adkcd_change *const *changes, size_t n,
                        char **text_out, struct adkcd_err *err)
{
    struct buf b = {0};
    size_t i, k = 0;
    char *text;

    *text_out = NULL;
    if (j == NULL)
        return ADKCD_OK;
    /* The changes first, as their intents were written (the journal holds
     * them already, unless the disk lost them too), so that the text says
     * by itself what the directory now holds; then the outcome lines. */
    for (i = 0; i < n; i++) {
        const struct adkcd_change *c = changes[i];

        if (c->outcome != ADKCD_OUT_APPLIED || c->journal_seq == 0 ||
            !applied_pending(j, c->journal_seq))
            continue;
        change_block(&b, j->id, c->journal_seq, c);
        k++;
    }
    if (k == 0) {
        free(buf_take(&b));
        return ADKCD_OK;
    }
    outcome_block(&b, j);
    text = buf_take(&b);
    if (text == NULL)
        return NOMEM(err);
    *text_out = text;
    return ADKCD_OK;
}

void
adkcd_journal_close(struct adkcd_journal *j, adkcd_status status)
{
    struct buf b = {0};
    char *text;

    if (j == NULL)
        return;
    if (j->fd >= 0 && j->started) {
        outcome_block(&b, j);
        buf_printf(&b, "# end: %s %s\n\n", j->id,
                   status == ADKCD_OK ? "ok" : "failed");
        text = buf_take(&b);
        /* Nobody to tell: without the end line the run reads back as
         * "incomplete", and changes without an outcome as in doubt, which
         * is what a crash would leave too. */
        if (text != NULL)
            append(j, text, NULL);
        free(text);
    }
    journal_free(j);
}

/* ------------------------------------------------------------------ */
/* Reading                                                             */
/* ------------------------------------------------------------------ */

/* One logical line: LDIF folding undone, numbered as its first line. */
struct line {
    char *s;
    unsigned long no;
};

/*
 * The reader is a small state machine over logical lines:
 *   TOP       between blocks (banner comments, blank lines);
 *   HEADER    after "# run:", reading its "# key: value" lines;
 *   COMMENTS  after "# change:", reading label, attrs, before, after;
 *   RECORD    inside the change's LDIF record, up to a blank line.
 * Blocks of different runs may alternate, so a change names its run and is
 * filed under it, wherever the run's header was.
 */
struct parser {
    const char *path;
    struct adkcd_err *err;
    struct adkcd_journal_runs *runs; /* built here, handed out at the end */
    enum { TOP, HEADER, COMMENTS, RECORD } state;
    size_t run;                      /* run of the header or change read */
    struct adkcd_journal_change cur; /* the change being read */
    unsigned long cur_no;            /* line of its "# change:" */
    int have_attrs;
    struct line *lines;
    size_t rec_first, rec_end; /* its LDIF record: lines[first..end) */
    struct adkcd_strmap map;   /* run id -> index in runs */
};

/* The index that adkcd_journal_find() searches: the runs sorted by id
 * (without regard to case), so that a prefix is a range. */
struct index_entry {
    const char *id; /* borrowed from the run */
    size_t run;
};

struct adkcd_journal_index {
    struct index_entry *by_id;
};

/* Arrays grown one element at a time have a capacity of the next power of
 * two (at least 4): they grow when n reaches one, so appending is
 * amortised O(1) without storing the capacity. */
static int
must_grow(size_t n)
{
    return n == 0 || (n >= 4 && (n & (n - 1)) == 0);
}

static size_t
grown(size_t n)
{
    return n == 0 ? 4 : 2 * n;
}

static adkcd_status
bad(struct parser *p, unsigned long no, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ADKCD_E_INVALID as "PATH:LINE: what", the form editors jump to. */
static adkcd_status
bad(struct parser *p, unsigned long no, const char *fmt, ...)
{
    char what[ADKCD_ERR_MSG_SIZE];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    return adkcd_err_set(p->err, ADKCD_E_INVALID, "%s:%lu: %s", p->path, no,
                         what);
}

#ifdef __clang_analyzer__
/* For scan-build (scripts/check-analysis), as status.h models
 * adkcd_err_set(): the analyzer does not follow a call into a variadic
 * function, so it is told here that "return bad(...)" fails on every
 * path.  Defined after bad() itself, so the function is not affected. */
#define bad(p, no, fmt...) (bad((p), (no), fmt), ADKCD_E_INVALID)
#endif

/* The whole file, under a shared lock so that a block being appended by a
 * running tool is seen whole or not at all.  *text_out is NULL when the
 * file does not exist. */
static adkcd_status
read_all(const char *path, char **text_out, size_t *len_out,
         struct adkcd_err *err)
{
    adkcd_status st = ADKCD_OK;
    size_t len = 0, cap = 0;
    char *text = NULL, *t;
    ssize_t n;
    int fd;

    *text_out = NULL;
    *len_out = 0;
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0) {
        if (errno == ENOENT)
            return ADKCD_OK;
        return open_error(path, "reading", err);
    }
    st = trusted(fd, path, err);
    if (st == ADKCD_OK && blocking(fd) != 0)
        st = adkcd_err_set(err, ADKCD_E_IO, "cannot set up the journal %s: %s",
                           path, strerror(errno));
    if (st != ADKCD_OK) {
        close(fd);
        return st;
    }
    while (flock(fd, LOCK_SH) != 0) {
        if (errno != EINTR) {
            st =
                adkcd_err_set(err, ADKCD_E_IO, "cannot lock the journal %s: %s",
                              path, strerror(errno));
            goto cleanup;
        }
    }
    for (;;) {
        if (len + 1 >= cap) {
            cap = cap ? cap * 2 : 65536;
            t = realloc(text, cap);
            if (t == NULL) {
                st = NOMEM(err);
                goto cleanup;
            }
            text = t;
        }
        n = read(fd, text + len, cap - len - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            st =
                adkcd_err_set(err, ADKCD_E_IO, "cannot read the journal %s: %s",
                              path, strerror(errno));
            goto cleanup;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    text[len] = '\0';
    *text_out = text;
    *len_out = len;
    text = NULL;
cleanup:
    free(text);
    close(fd); /* drops the lock */
    return st;
}

/*
 * Cut text into logical lines, in place: a line that begins with a space
 * continues the one before (LDIF folding, RFC 2849; the writer never
 * folds, but an editor or another tool may), and a CR before the newline
 * is dropped.
 */
static adkcd_status
split_lines(struct parser *p, char *text, size_t len, size_t *n_out)
{
    unsigned long no = 0;
    char *s = text, *nl, *prev_end = NULL;
    struct line *v = NULL, *nv;
    size_t n = 0, cap = 0, k;

    *n_out = 0;
    if (memchr(text, '\0', len) != NULL) {
        for (s = text; *s != '\0'; s++)
            no += *s == '\n';
        return bad(p, no + 1, "NUL byte: this is not a text file");
    }
    while (*s != '\0') {
        no++;
        nl = strchr(s, '\n');
        if (nl != NULL)
            *nl = '\0';
        k = strlen(s);
        if (k > 0 && s[k - 1] == '\r')
            s[--k] = '\0';
        if (s[0] == ' ' && prev_end != NULL) {
            /* Continuation: move it to the end of the previous line. */
            memmove(prev_end, s + 1, k);
            prev_end += k - 1;
        } else {
            if (n == cap) {
                cap = cap ? cap * 2 : 256;
                nv = realloc(v, cap * sizeof(*v));
                if (nv == NULL) {
                    free(v);
                    return NOMEM(p->err);
                }
                v = nv;
            }
            v[n].s = s;
            v[n].no = no;
            n++;
            /* A blank line ends a record; nothing continues it. */
            prev_end = k > 0 ? s + k : NULL;
        }
        if (nl == NULL)
            break;
        s = nl + 1;
    }
    p->lines = v;
    *n_out = n;
    return ADKCD_OK;
}

/*
 * What is wrong with an "attr: value" line that libldap's line parser
 * would either act on (":<" makes it read a file or URL) or complain about
 * on standard error (bad base64), or NULL.  Checked first so that the
 * library stays silent and the message can name the line.
 */
static const char *
line_problem(const char *line)
{
    const char *s = line;
    size_t n, k;

    while (is_attr_char(*s))
        s++;
    if (s == line || *s != ':')
        return "expected \"attribute: value\"";
    s++;
    if (*s == '<')
        return "URL values (\":<\") are not used in the journal";
    if (*s != ':')
        return NULL;
    for (s++; *s == ' '; s++)
        ;
    n = strlen(s);
    k = strspn(s, B64_ALPHABET);
    if (n == 0 || n % 4 != 0 || n - k > 2 || strspn(s + k, "=") != n - k)
        return "bad base64 value after \"::\"";
    return NULL;
}

/* Parse an "attr: value" or "attr:: BASE64" line with libldap's own line
 * parser.  *type_out and *value_out are new strings. */
static adkcd_status
parse_attr_value(struct parser *p, const char *line, unsigned long no,
                 char **type_out, char **value_out, size_t *len_out)
{
    struct berval type = {0}, value = {0};
    const char *why = line_problem(line);
    adkcd_status st = ADKCD_OK;
    char *copy = NULL, *t = NULL, *v = NULL;
    int freeval = 0;

    *type_out = NULL;
    *value_out = NULL;
    if (why != NULL)
        return bad(p, no, "%s", why);
    /* ldif_parse_line2() decodes in place. */
    copy = strdup(line);
    if (copy == NULL)
        return NOMEM(p->err);
    if (ldif_parse_line2(copy, &type, &value, &freeval) != 0) {
        st = bad(p, no, "libldap cannot parse this LDIF line");
        goto cleanup;
    }
    /* Values are bytes (a security descriptor holds NUL); where the
     * caller wants text, a NUL would cut it short. */
    if (len_out == NULL && value.bv_len > 0 &&
        memchr(value.bv_val, '\0', value.bv_len) != NULL) {
        st = bad(p, no, "the value of %s holds a NUL byte", type.bv_val);
        goto cleanup;
    }
    t = strdup(type.bv_val);
    v = malloc(value.bv_len + 1);
    if (t == NULL || v == NULL) {
        st = NOMEM(p->err);
        goto cleanup;
    }
    if (value.bv_len > 0)
        memcpy(v, value.bv_val, value.bv_len);
    v[value.bv_len] = '\0';
    if (len_out != NULL)
        *len_out = value.bv_len;
    *type_out = t;
    *value_out = v;
    t = v = NULL;
cleanup:
    if (freeval)
        ber_memfree(value.bv_val);
    free(copy);
    free(t);
    free(v);
    return st;
}

/* "# key: value": the key (lower case and dashes) and the value, in
 * place; 0 when the comment has another shape (a banner, a note). */
static int
split_comment(char *line, char **key, char **value)
{
    char *s = line + 1, *k;

    while (*s == ' ')
        s++;
    k = s;
    while (islower((unsigned char)*s) || *s == '-')
        s++;
    if (s == k || *s != ':')
        return 0;
    *s++ = '\0';
    while (*s == ' ')
        s++;
    *key = k;
    *value = s;
    return 1;
}

/* Frees what c owns and zeroes it, so it can be freed again. */
static void
free_change(struct adkcd_journal_change *c)
{
    size_t i;

    free(c->run_id);
    free(c->dn);
    free(c->label);
    for (i = 0; i < c->n_images; i++) {
        free(c->images[i].attr);
        adkcd_vals_clear(&c->images[i].before);
        adkcd_vals_clear(&c->images[i].after);
    }
    free(c->images);
    for (i = 0; i < c->n_ops; i++) {
        free(c->ops[i].attr);
        free(c->ops[i].value.data);
    }
    free(c->ops);
    memset(c, 0, sizeof(*c));
}

static void
free_run(struct adkcd_journal_run *r)
{
    size_t i;

    free(r->id);
    free(r->time);
    free(r->tool);
    free(r->server);
    free(r->identity);
    free(r->command);
    free(r->rollback_of);
    free(r->status);
    for (i = 0; i < r->n_changes; i++)
        free_change(&r->changes[i]);
    free(r->changes);
}

void
adkcd_journal_runs_free(struct adkcd_journal_runs *runs)
{
    size_t i;

    if (runs == NULL)
        return;
    for (i = 0; i < runs->n; i++)
        free_run(&runs->v[i]);
    free(runs->v);
    if (runs->index != NULL)
        free(runs->index->by_id);
    free(runs->index);
    free(runs);
}

/* Index of the run with exactly this id, or -1: a hash table, so that
 * filing every line under its run is linear in the journal. */
static long
run_index(const struct parser *p, const char *id)
{
    return adkcd_strmap_get(&p->map, id);
}

/* File run idx (already in p->runs) in the table. */
static adkcd_status
map_add(struct parser *p, size_t idx)
{
    return adkcd_strmap_put(&p->map, p->runs->v[idx].id, idx) == 0
               ? ADKCD_OK
               : NOMEM(p->err);
}

/* "ID REST": the id in place, *rest after the space (or at ""). */
static char *
split_id(char *value, char **rest)
{
    char *sp = strchr(value, ' ');

    *rest = sp != NULL ? sp + 1 : value + strlen(value);
    if (sp != NULL)
        *sp = '\0';
    while (**rest == ' ')
        (*rest)++;
    return value;
}

/* "# run: ID": a new run, "incomplete" until its end line. */
static adkcd_status
start_run(struct parser *p, char *value, unsigned long no)
{
    struct adkcd_journal_runs *runs = p->runs;
    struct adkcd_journal_run *v, *r;
    char *rest, *id = split_id(value, &rest);

    if (*id == '\0' || *rest != '\0')
        return bad(p, no, "expected \"# run: ID\"");
    /* Ids are random UUIDs: a second header with the same id means the
     * file was pasted together twice, and a rollback would undo twice. */
    if (run_index(p, id) >= 0)
        return bad(p, no, "run %s starts a second time", id);
    if (must_grow(runs->n)) {
        v = realloc(runs->v, grown(runs->n) * sizeof(*v));
        if (v == NULL)
            return NOMEM(p->err);
        runs->v = v;
    }
    v = runs->v;
    r = &v[runs->n];
    memset(r, 0, sizeof(*r));
    r->id = strdup(id);
    r->status = strdup("incomplete");
    r->format = 1;
    if (r->id == NULL || r->status == NULL) {
        free_run(r);
        return NOMEM(p->err);
    }
    p->run = runs->n++;
    p->state = HEADER;
    return map_add(p, p->run);
}

/* "# format: 2": the run's changes are intents, written before they were
 * sent, with their outcomes in separate lines.  A format this reader does
 * not know is refused: it could mean anything for a rollback. */
static adkcd_status
header_format(struct parser *p, struct adkcd_journal_run *r, const char *value,
              unsigned long no)
{
    if (strcmp(value, "1") == 0)
        r->format = 1;
    else if (strcmp(value, "2") == 0)
        r->format = 2;
    else
        return bad(p, no,
                   "run %s is written in journal format \"%s\", which this "
                   "version does not know",
                   r->id, value);
    return ADKCD_OK;
}

/* One "# key: value" line of a run header. */
static adkcd_status
header_field(struct parser *p, const char *key, const char *value,
             unsigned long no)
{
    struct adkcd_journal_run *r = &p->runs->v[p->run];
    char **field;

    if (strcmp(key, "time") == 0)
        field = &r->time;
    else if (strcmp(key, "tool") == 0)
        field = &r->tool;
    else if (strcmp(key, "server") == 0)
        field = &r->server;
    else if (strcmp(key, "identity") == 0)
        field = &r->identity;
    else if (strcmp(key, "command") == 0)
        field = &r->command;
    else if (strcmp(key, "rollback-of") == 0)
        field = &r->rollback_of;
    else if (strcmp(key, "format") == 0)
        return header_format(p, r, value, no);
    else
        return ADKCD_OK; /* a key a later version added */
    if (*field != NULL)
        return bad(p, no, "a second \"# %s:\" line in the header of run %s",
                   key, r->id);
    /* An empty rollback-of is no rollback: the field stays NULL. */
    if (value[0] == '\0' && field == &r->rollback_of)
        return ADKCD_OK;
    *field = strdup(value);
    return *field != NULL ? ADKCD_OK : NOMEM(p->err);
}

/* "# change: ID SEQ": a new change of a run seen before. */
static adkcd_status
start_change(struct parser *p, char *value, unsigned long no)
{
    char *rest, *end, *id = split_id(value, &rest);
    unsigned long seq;
    long r;

    errno = 0;
    seq = strtoul(rest, &end, 10);
    if (*id == '\0' || !isdigit((unsigned char)*rest) || *end != '\0' ||
        errno != 0 || seq == 0 || seq > UINT_MAX)
        return bad(p, no, "expected \"# change: RUN-ID SEQUENCE\"");
    /* The writer puts the header in the same write as the first change,
     * so a change without a run before it means the file was cut or
     * reordered: its metadata (server, identity) would be unknown. */
    r = run_index(p, id);
    if (r < 0)
        return bad(p, no,
                   "change of run %s, whose \"# run:\" header does not come "
                   "before it",
                   id);
    if (strcmp(p->runs->v[r].status, "incomplete") != 0)
        return bad(p, no, "change of run %s after its \"# end:\" line", id);
    /* Outcomes name changes by number: in a write-ahead run the numbers
     * must go up, so that each names one change (and is found by
     * bisection). */
    if (p->runs->v[r].format >= 2 && p->runs->v[r].n_changes > 0 &&
        p->runs->v[r].changes[p->runs->v[r].n_changes - 1].seq >= seq)
        return bad(p, no, "change %s %lu does not come after change %s %u", id,
                   seq, id,
                   p->runs->v[r].changes[p->runs->v[r].n_changes - 1].seq);
    memset(&p->cur, 0, sizeof(p->cur));
    p->cur.run_id = strdup(id);
    if (p->cur.run_id == NULL)
        return NOMEM(p->err);
    p->cur.seq = (unsigned)seq;
    p->cur.line = no;
    /* A legacy change was written once the server had confirmed it; an
     * intent is in doubt until an outcome line says otherwise. */
    p->cur.state = p->runs->v[r].format >= 2 ? ADKCD_JOURNAL_IN_DOUBT
                                             : ADKCD_JOURNAL_APPLIED;
    p->run = (size_t)r;
    p->cur_no = no;
    p->have_attrs = 0;
    p->state = COMMENTS;
    return ADKCD_OK;
}

/* "# end: ID STATUS": the run is over; no change of it may follow. */
static adkcd_status
end_run(struct parser *p, char *value, unsigned long no)
{
    char *status, *id = split_id(value, &status);
    struct adkcd_journal_run *r;
    long i = run_index(p, id);
    char *s;

    if (i < 0)
        return bad(p, no, "end of run %s, which has not started", id);
    r = &p->runs->v[i];
    if (strcmp(r->status, "incomplete") != 0)
        return bad(p, no, "run %s ends a second time", id);
    if (strcmp(status, "ok") != 0 && strcmp(status, "failed") != 0)
        return bad(p, no, "run %s ends with \"%s\", expected ok or failed", id,
                   status);
    s = strdup(status);
    if (s == NULL)
        return NOMEM(p->err);
    free(r->status);
    r->status = s;
    p->state = TOP;
    return ADKCD_OK;
}

/* "# attrs: a b c": one image each, every vector allocated (empty when
 * the attribute is absent) so that callers never meet NULL. */
static adkcd_status
change_attrs(struct parser *p, char *value, unsigned long no)
{
    struct adkcd_journal_change *c = &p->cur;
    struct adkcd_image *v, *img;
    char *save = NULL, *a;
    size_t i;

    if (p->have_attrs)
        return bad(p, no, "a second \"# attrs:\" line in change %s %u",
                   c->run_id, c->seq);
    p->have_attrs = 1;
    for (a = strtok_r(value, " \t", &save); a != NULL;
         a = strtok_r(NULL, " \t", &save)) {
        if (!is_attr_name(a))
            return bad(p, no, "\"%s\" is not an attribute name", a);
        for (i = 0; i < c->n_images; i++) {
            if (strcasecmp(c->images[i].attr, a) == 0)
                return bad(p, no, "%s is listed twice", a);
        }
        v = realloc(c->images, (c->n_images + 1) * sizeof(*v));
        if (v == NULL)
            return NOMEM(p->err);
        c->images = v;
        img = &v[c->n_images];
        memset(img, 0, sizeof(*img));
        img->attr = strdup(a);
        c->n_images++;
        if (img->attr == NULL)
            return NOMEM(p->err); /* freed with the change */
    }
    return ADKCD_OK;
}

/* "# before: attr: value" / "# after: ...": one value of an image. */
static adkcd_status
change_value(struct parser *p, const char *key, const char *value,
             unsigned long no)
{
    struct adkcd_journal_change *c = &p->cur;
    char *attr = NULL, *v = NULL;
    struct adkcd_image *img = NULL;
    adkcd_status st;
    size_t i, len = 0;

    if (!p->have_attrs)
        return bad(p, no, "\"# %s:\" line before the \"# attrs:\" line", key);
    st = parse_attr_value(p, value, no, &attr, &v, &len);
    if (st != ADKCD_OK)
        return st;
    /* LDAP attribute names are case-insensitive. */
    for (i = 0; i < c->n_images && img == NULL; i++) {
        if (strcasecmp(c->images[i].attr, attr) == 0)
            img = &c->images[i];
    }
    if (img == NULL) {
        st =
            bad(p, no, "a value of %s, which \"# attrs:\" does not list", attr);
    } else if (key[0] == 'b') {
        if (adkcd_vals_add(&img->before, v, len) != 0)
            st = NOMEM(p->err);
        img->before_present = 1;
    } else {
        if (adkcd_vals_add(&img->after, v, len) != 0)
            st = NOMEM(p->err);
        img->after_present = 1;
    }
    free(attr);
    free(v);
    return st;
}

/*
 * Check the shape of the LDIF record line by line (libldap's parser only
 * says "bad parameter", without a line): dn, "changetype: modify", then
 * blocks of "add:"/"delete:" ATTR, its values, "-".  The record text for
 * libldap is built on the way (comment lines left out).
 */
static adkcd_status
check_record(struct parser *p, struct buf *text)
{
    enum { DN, CHANGETYPE, MODOP, VALUES } want = DN;
    const struct adkcd_journal_change *c = &p->cur;
    char *type = NULL, *value = NULL, *mod_attr = NULL;
    size_t value_len = 0;
    const char *mod_kind = "";
    unsigned long no = p->lines[p->rec_first].no;
    adkcd_status st = ADKCD_OK;
    size_t i, n_values = 0;

    for (i = p->rec_first; i < p->rec_end && st == ADKCD_OK; i++) {
        const char *s = p->lines[i].s;

        no = p->lines[i].no;
        if (s[0] == '#')
            continue; /* an LDIF comment inside the record */
        buf_puts(text, s);
        buf_puts(text, "\n");
        if (strcmp(s, "-") == 0) {
            if (want != VALUES)
                st = bad(p, no,
                         "\"-\" without an \"add:\" or \"delete:\" "
                         "line before it");
            else if (n_values == 0)
                st = bad(p, no,
                         "\"%s: %s\" without values (the journal holds "
                         "only value-level operations)",
                         mod_kind, mod_attr);
            want = MODOP;
            continue;
        }
        free(type);
        free(value);
        st = parse_attr_value(p, s, no, &type, &value, &value_len);
        if (st != ADKCD_OK)
            break;
        switch (want) {
        case DN:
            if (strcasecmp(type, "dn") != 0)
                st = bad(p, no,
                         "the record of change %s %u must start with "
                         "\"dn:\"",
                         c->run_id, c->seq);
            want = CHANGETYPE;
            break;
        case CHANGETYPE:
            if (strcasecmp(type, "changetype") != 0)
                st = bad(p, no,
                         "expected \"changetype: modify\" after "
                         "\"dn:\"");
            else if (strcasecmp(value, "modify") != 0)
                st = bad(p, no,
                         "a \"changetype: %s\" record: the journal holds "
                         "only \"changetype: modify\"",
                         value);
            want = MODOP;
            break;
        case MODOP:
            if (strcasecmp(type, "replace") == 0 ||
                strcasecmp(type, "increment") == 0) {
                st = bad(p, no,
                         "\"%s: %s\": the journal holds only value-level "
                         "add and delete",
                         type, value);
            } else if (strcasecmp(type, "add") != 0 &&
                       strcasecmp(type, "delete") != 0) {
                st = bad(p, no,
                         "expected \"add: ATTR\" or \"delete: ATTR\", "
                         "not \"%s:\"",
                         type);
            } else if (!is_attr_name(value)) {
                st = bad(p, no, "\"%s\" is not an attribute name", value);
            } else {
                free(mod_attr);
                mod_attr = value;
                value = NULL;
                mod_kind = strcasecmp(type, "add") == 0 ? "add" : "delete";
                n_values = 0;
                want = VALUES;
            }
            break;
        case VALUES:
            if (strcasecmp(type, mod_attr) != 0)
                st = bad(p, no,
                         "a value of %s inside the \"%s: %s\" block (missing "
                         "\"-\"?)",
                         type, mod_kind, mod_attr);
            n_values++;
            break;
        }
    }
    /* libldap accepts a last block without its "-"; so do we. */
    if (st == ADKCD_OK && want == CHANGETYPE)
        st = bad(p, no, "the record of change %s %u has no \"changetype:\"",
                 c->run_id, c->seq);
    if (st == ADKCD_OK && want == VALUES && n_values == 0)
        st = bad(p, no, "\"%s: %s\" without values", mod_kind, mod_attr);
    free(type);
    free(value);
    free(mod_attr);
    return st;
}

/* Append one operation to the change being read; the value is copied
 * out of libldap's record, which is freed right after. */
static adkcd_status
add_op(struct parser *p, enum adkcd_op_kind kind, const char *attr,
       const struct berval *bv)
{
    struct adkcd_journal_change *c = &p->cur;
    struct adkcd_op *v;
    char *a, *val;

    v = realloc(c->ops, (c->n_ops + 1) * sizeof(*v));
    if (v == NULL)
        return NOMEM(p->err);
    c->ops = v;
    a = strdup(attr);
    val = malloc(bv->bv_len + 1);
    if (a == NULL || val == NULL) {
        free(a);
        free(val);
        return NOMEM(p->err);
    }
    if (bv->bv_len > 0)
        memcpy(val, bv->bv_val, bv->bv_len);
    val[bv->bv_len] = '\0';
    v[c->n_ops].kind = kind;
    v[c->n_ops].attr = a;
    v[c->n_ops].value.data = val;
    v[c->n_ops].value.len = bv->bv_len;
    c->n_ops++;
    return ADKCD_OK;
}

/* The record through libldap's own LDIF parser (what ldapmodify uses), its
 * modifications turned into the change's operations, in order. */
static adkcd_status
parse_record(struct parser *p, char *text)
{
    unsigned long no = p->lines[p->rec_first].no;
    struct adkcd_journal_change *c = &p->cur;
    struct berval rbuf;
    adkcd_status st = ADKCD_OK;
    LDIFRecord lr;
    LDAPMod **mods;
    size_t i, k;
    int rc, kind;

    /* The parser moves rbuf.bv_val along the text and writes into it. */
    rbuf.bv_val = text;
    rbuf.bv_len = strlen(text);
    memset(&lr, 0, sizeof(lr));
    rc = ldap_parse_ldif_record(&rbuf, no, &lr, PARSER_NAME, 0);
    if (rc != LDAP_SUCCESS)
        return bad(p, no,
                   "libldap cannot parse the record of change %s %u: "
                   "%s",
                   c->run_id, c->seq, ldap_err2string(rc));
    if (lr.lr_op != LDAP_REQ_MODIFY) {
        st = bad(p, no, "the record of change %s %u is not a modify record",
                 c->run_id, c->seq);
        goto cleanup;
    }
    if (lr.lr_dn.bv_val == NULL ||
        memchr(lr.lr_dn.bv_val, '\0', lr.lr_dn.bv_len) != NULL) {
        st = bad(p, no, "the DN of change %s %u holds a NUL byte", c->run_id,
                 c->seq);
        goto cleanup;
    }
    c->dn = strndup(lr.lr_dn.bv_val, lr.lr_dn.bv_len);
    if (c->dn == NULL) {
        st = NOMEM(p->err);
        goto cleanup;
    }
    mods = lr.lrop_mods;
    for (i = 0; mods != NULL && mods[i] != NULL && st == ADKCD_OK; i++) {
        struct berval **vals = mods[i]->mod_bvalues;

        /* mod_op carries LDAP_MOD_BVALUES too: the values are bervals. */
        kind = mods[i]->mod_op & LDAP_MOD_OP;
        /* check_record() let only these through; defence in depth. */
        if ((kind != LDAP_MOD_ADD && kind != LDAP_MOD_DELETE) || vals == NULL) {
            st = bad(p, no,
                     "change %s %u holds an operation other than a "
                     "value-level add or delete",
                     c->run_id, c->seq);
            break;
        }
        /* Values are bytes: a security descriptor holds NUL bytes. */
        for (k = 0; vals[k] != NULL && st == ADKCD_OK; k++)
            st =
                add_op(p, kind == LDAP_MOD_ADD ? ADKCD_OP_ADD : ADKCD_OP_DELETE,
                       mods[i]->mod_type, vals[k]);
    }
cleanup:
    ldap_ldif_record_done(&lr);
    return st;
}

/* One image per attribute the operations touch, in their order, with no
 * values (before_present and after_present 0): what "# attrs:" lists in a
 * legacy block, for the callers that list the attributes a run touched. */
static adkcd_status
attrs_from_ops(struct parser *p)
{
    struct adkcd_journal_change *c = &p->cur;
    struct adkcd_image *v;
    size_t i, k;

    for (i = 0; i < c->n_ops; i++) {
        for (k = 0; k < c->n_images; k++) {
            if (strcasecmp(c->images[k].attr, c->ops[i].attr) == 0)
                break;
        }
        if (k < c->n_images)
            continue;
        v = realloc(c->images, (c->n_images + 1) * sizeof(*v));
        if (v == NULL)
            return NOMEM(p->err);
        c->images = v;
        memset(&v[c->n_images], 0, sizeof(v[0]));
        v[c->n_images].attr = strdup(c->ops[i].attr);
        c->n_images++;
        if (v[c->n_images - 1].attr == NULL)
            return NOMEM(p->err);
    }
    return ADKCD_OK;
}

/* The change's record has been read: parse it, file the change. */
static adkcd_status
finish_change(struct parser *p)
{
    struct adkcd_journal_run *r = &p->runs->v[p->run];
    struct adkcd_journal_change *v;
    struct buf b = {0};
    adkcd_status st;
    char *text;

    st = check_record(p, &b);
    text = buf_take(&b);
    if (st != ADKCD_OK) {
        free(text);
        return st;
    }
    if (text == NULL)
        return NOMEM(p->err);
    st = parse_record(p, text);
    free(text);
    if (st != ADKCD_OK)
        return st;
    /* A missing label reads as "", like a missing header field. */
    if (p->cur.label == NULL) {
        p->cur.label = strdup("");
        if (p->cur.label == NULL)
            return NOMEM(p->err);
    }
    /* Without a "# attrs:" line (a write-ahead block), the attributes are
     * those of the operations, by name only. */
    if (!p->have_attrs) {
        st = attrs_from_ops(p);
        if (st != ADKCD_OK)
            return st;
    }
    /* The change moves into its run; p->cur no longer owns anything. */
    if (must_grow(r->n_changes)) {
        v = realloc(r->changes, grown(r->n_changes) * sizeof(*v));
        if (v == NULL)
            return NOMEM(p->err);
        r->changes = v;
    }
    v = r->changes;
    v[r->n_changes++] = p->cur;
    memset(&p->cur, 0, sizeof(p->cur));
    p->state = TOP;
    return ADKCD_OK;
}

/* OUTCOME_* for an outcome line's key, or -1. */
static int
outcome_kind(const char *key)
{
    int k;

    for (k = OUTCOME_APPLIED; k <= OUTCOME_IN_DOUBT; k++) {
        if (strcmp(key, outcome_key[k]) == 0)
            return k;
    }
    return -1;
}

/* Keys that start a block of their own. */
static int
is_structural(const char *key)
{
    return strcmp(key, "run") == 0 || strcmp(key, "change") == 0 ||
           strcmp(key, "end") == 0 || outcome_kind(key) >= 0;
}

/* The change of run r numbered seq, or NULL (bisection: write-ahead runs
 * number their changes in increasing order; a legacy run is searched
 * from the end). */
static struct adkcd_journal_change *
change_by_seq(struct adkcd_journal_run *r, unsigned seq)
{
    size_t lo = 0, hi = r->n_changes, mid;

    if (r->format < 2) {
        while (hi-- > 0) {
            if (r->changes[hi].seq == seq)
                return &r->changes[hi];
        }
        return NULL;
    }
    while (lo < hi) {
        mid = lo + (hi - lo) / 2;
        if (r->changes[mid].seq < seq)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < r->n_changes && r->changes[lo].seq == seq ? &r->changes[lo]
                                                          : NULL;
}

/* Set the state of change seq of run r from an outcome line: in doubt may
 * become anything (the answer came later), applied or refused stays. */
static adkcd_status
note_outcome(struct parser *p, struct adkcd_journal_run *r, unsigned long seq,
             int kind, unsigned long no)
{
    static const enum adkcd_journal_state state_of[] = {
        ADKCD_JOURNAL_APPLIED, ADKCD_JOURNAL_FAILED, ADKCD_JOURNAL_IN_DOUBT};
    struct adkcd_journal_change *c =
        seq <= UINT_MAX ? change_by_seq(r, (unsigned)seq) : NULL;

    if (c == NULL)
        return bad(p, no,
                   "outcome of change %s %lu, which the journal does not "
                   "hold before it",
                   r->id, seq);
    if (c->state != ADKCD_JOURNAL_IN_DOUBT && c->state != state_of[kind])
        return bad(p, no, "change %s %lu is %s a second time, differently",
                   r->id, seq, outcome_key[kind]);
    c->state = state_of[kind];
    return ADKCD_OK;
}

/* "# applied: ID 1-3 7" (also "failed", "in-doubt"). */
static adkcd_status
outcome_line(struct parser *p, int kind, char *value, unsigned long no)
{
    char *rest, *end, *id = split_id(value, &rest), *save = NULL, *tok;
    struct adkcd_journal_run *r;
    unsigned long a, b, s;
    adkcd_status st = ADKCD_OK;
    long i = run_index(p, id);

    if (i < 0)
        return bad(p, no, "outcome of run %s, which has not started", id);
    r = &p->runs->v[i];
    if (strcmp(r->status, "incomplete") != 0)
        return bad(p, no, "outcome of run %s after its \"# end:\" line", id);
    if (*rest == '\0')
        return bad(p, no, "expected \"# %s: RUN-ID SEQUENCE...\"",
                   outcome_key[kind]);
    for (tok = strtok_r(rest, " ", &save); tok != NULL && st == ADKCD_OK;
         tok = strtok_r(NULL, " ", &save)) {
        errno = 0;
        a = strtoul(tok, &end, 10);
        b = a;
        if (*end == '-' && isdigit((unsigned char)end[1]))
            b = strtoul(end + 1, &end, 10);
        if (!isdigit((unsigned char)*tok) || *end != '\0' || errno != 0 ||
            a == 0 || b < a)
            return bad(p, no, "\"%s\" is not a change number or a range", tok);
        for (s = a; s <= b && st == ADKCD_OK; s++)
            st = note_outcome(p, r, s, kind, no);
    }
    p->state = TOP;
    return st;
}

/* A "#" line: structure ("# run:", "# change:", "# end:"), a field of the
 * header or change being read, or a comment to ignore. */
static adkcd_status
on_comment(struct parser *p, struct line *l)
{
    struct adkcd_journal_change *c = &p->cur;
    char *key, *value;
    int kind;

    /* Inside a record a "# run:" etc. means a block lost its blank line
     * (or its end): say where, rather than guess where the record ends. */
    if (p->state == RECORD) {
        char *copy = strdup(l->s);
        int structural = 0;

        if (copy == NULL)
            return NOMEM(p->err);
        if (split_comment(copy, &key, &value))
            structural = is_structural(key);
        free(copy);
        if (!structural)
            return ADKCD_OK; /* an LDIF comment inside the record */
        return bad(p, l->no,
                   "a new block inside the record of change %s %u (line "
                   "%lu): a blank line must end each record",
                   c->run_id, c->seq, p->cur_no);
    }
    if (!split_comment(l->s, &key, &value))
        return ADKCD_OK; /* a banner or a note */
    if (p->state == COMMENTS && is_structural(key))
        return bad(p, l->no, "change %s %u (line %lu) has no LDIF record",
                   c->run_id, c->seq, p->cur_no);
    kind = outcome_kind(key);
    if (kind >= 0)
        return outcome_line(p, kind, value, l->no);
    if (strcmp(key, "run") == 0)
        return start_run(p, value, l->no);
    if (strcmp(key, "change") == 0)
        return start_change(p, value, l->no);
    if (strcmp(key, "end") == 0)
        return end_run(p, value, l->no);
    if (p->state == HEADER)
        return header_field(p, key, value, l->no);
    if (p->state != COMMENTS)
        return ADKCD_OK;
    if (strcmp(key, "label") == 0) {
        if (c->label != NULL)
            return bad(p, l->no, "a second \"# label:\" line in change %s %u",
                       c->run_id, c->seq);
        c->label = strdup(value);
        return c->label != NULL ? ADKCD_OK : NOMEM(p->err);
    }
    if (strcmp(key, "attrs") == 0)
        return change_attrs(p, value, l->no);
    if (strcmp(key, "before") == 0 || strcmp(key, "after") == 0)
        return change_value(p, key, value, l->no);
    return ADKCD_OK;
}

/* One logical line, by the state of the reader. */
static adkcd_status
on_line(struct parser *p, size_t i)
{
    struct line *l = &p->lines[i];

    if (l->s[0] == '\0') {
        if (p->state == COMMENTS)
            return bad(p, l->no, "change %s %u (line %lu) has no LDIF record",
                       p->cur.run_id, p->cur.seq, p->cur_no);
        if (p->state == RECORD)
            return finish_change(p);
        p->state = TOP;
        return ADKCD_OK;
    }
    if (l->s[0] == '#')
        return on_comment(p, l);
    /* Any other line is LDIF: the first one after a change's comments
     * starts its record. */
    if (p->state == COMMENTS) {
        p->state = RECORD;
        p->rec_first = i;
    }
    if (p->state != RECORD)
        return bad(p, l->no,
                   "LDIF outside a change block (every record follows a "
                   "\"# change: RUN-ID SEQUENCE\" line)");
    p->rec_end = i + 1;
    return ADKCD_OK;
}

static int
cmp_by_id(const void *a, const void *b)
{
    return strcasecmp(((const struct index_entry *)a)->id,
                      ((const struct index_entry *)b)->id);
}

/* The runs sorted by id, for adkcd_journal_find(). */
static adkcd_status
build_index(struct parser *p)
{
    struct adkcd_journal_index *ix = calloc(1, sizeof(*ix));
    size_t i;

    if (ix == NULL)
        return NOMEM(p->err);
    ix->by_id = malloc((p->runs->n ? p->runs->n : 1) * sizeof(*ix->by_id));
    if (ix->by_id == NULL) {
        free(ix);
        return NOMEM(p->err);
    }
    for (i = 0; i < p->runs->n; i++) {
        ix->by_id[i].id = p->runs->v[i].id;
        ix->by_id[i].run = i;
    }
    qsort(ix->by_id, p->runs->n, sizeof(*ix->by_id), cmp_by_id);
    p->runs->index = ix;
    return ADKCD_OK;
}

/* Header lines that were missing read as "" rather than NULL. */
static adkcd_status
fill_missing(struct parser *p)
{
    size_t i, k;

    for (i = 0; i < p->runs->n; i++) {
        struct adkcd_journal_run *r = &p->runs->v[i];
        char **f[] = {&r->time, &r->tool, &r->server, &r->identity,
                      &r->command};

        for (k = 0; k < sizeof(f) / sizeof(f[0]); k++) {
            if (*f[k] == NULL)
                *f[k] = strdup("");
            if (*f[k] == NULL)
                return NOMEM(p->err);
        }
    }
    return ADKCD_OK;
}

adkcd_status
adkcd_journal_load(const char *path, struct adkcd_journal_runs **runs_out,
                   struct adkcd_err *err)
{
    struct parser p;
    adkcd_status st;
    char *text = NULL;
    size_t len = 0, n = 0, i;

    *runs_out = NULL;
    memset(&p, 0, sizeof(p));
    p.path = path;
    p.err = err;
    p.state = TOP;
    p.runs = calloc(1, sizeof(*p.runs));
    if (p.runs == NULL)
        return NOMEM(err);
    /* Read everything first (under a shared lock), then parse: the lock is
     * held as briefly as possible, and writers are never kept waiting on
     * our parsing. */
    st = read_all(path, &text, &len, err);
    if (st == ADKCD_OK && text != NULL)
        st = split_lines(&p, text, len, &n);
    for (i = 0; i < n && st == ADKCD_OK; i++)
        st = on_line(&p, i);
    /* The file may end without the blank line after the last record. */
    if (st == ADKCD_OK && p.state == RECORD)
        st = finish_change(&p);
    if (st == ADKCD_OK && p.state == COMMENTS)
        st = bad(&p, p.cur_no, "change %s %u has no LDIF record", p.cur.run_id,
                 p.cur.seq);
    if (st == ADKCD_OK)
        st = fill_missing(&p);
    if (st == ADKCD_OK)
        st = build_index(&p);
    if (st == ADKCD_OK) {
        *runs_out = p.runs;
        p.runs = NULL;
    }
    free_change(&p.cur);
    adkcd_journal_runs_free(p.runs);
    free(p.lines);
    adkcd_strmap_clear(&p.map);
    free(text);
    return st;
}

/* The first position in the index whose id is not below id (case
 * ignored), comparing at most len characters (SIZE_MAX: all). */
static size_t
lower_bound(const struct adkcd_journal_runs *runs, const char *id, size_t len)
{
    size_t lo = 0, hi = runs->n, mid;

    while (lo < hi) {
        mid = lo + (hi - lo) / 2;
        if (strncasecmp(runs->index->by_id[mid].id, id, len) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

const struct adkcd_journal_run *
adkcd_journal_find(const struct adkcd_journal_runs *runs, const char *id)
{
    const struct adkcd_journal_run *found = NULL;
    size_t i, len;

    if (runs == NULL || id == NULL)
        return NULL;
    len = strlen(id);
    if (runs->index != NULL) {
        /* Ids are printed in lower case; accept what a person retypes. */
        i = lower_bound(runs, id, SIZE_MAX);
        if (i < runs->n && strcasecmp(runs->index->by_id[i].id, id) == 0)
            return &runs->v[runs->index->by_id[i].run];
        if (len < 8)
            return NULL;
        /* The ids that start with id are a range of the sorted index. */
        i = lower_bound(runs, id, len);
        if (i >= runs->n || strncasecmp(runs->index->by_id[i].id, id, len) != 0)
            return NULL;
        if (i + 1 < runs->n &&
            strncasecmp(runs->index->by_id[i + 1].id, id, len) == 0)
            return NULL; /* ambiguous */
        return &runs->v[runs->index->by_id[i].run];
    }
    /* Runs put together by hand, without an index. */
    for (i = 0; i < runs->n; i++) {
        if (strcasecmp(runs->v[i].id, id) == 0)
            return &runs->v[i];
    }
    /* Eight hex digits (32 random bits) make an accidental match between
     * the runs of one journal unlikely; a shorter prefix is refused rather
     * than risk undoing the wrong run. */
    if (len < 8)
        return NULL;
    for (i = 0; i < runs->n; i++) {
        if (strncasecmp(runs->v[i].id, id, len) != 0)
            continue;
        if (found != NULL)
            return NULL; /* ambiguous */
        found = &runs->v[i];
    }
    return found;
}
