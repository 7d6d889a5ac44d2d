/*
 * Fuzz target: the journal reader, adkcd_journal_load() (adkcd/journal.h,
 * src/lib/engine/journal.c, with libldap's LDIF parser), and what
 * rollback plans from what it read (adkcd/rollback.h): a journal is a
 * file that anyone who can write it can make hostile.
 *
 * Input: the journal's bytes.  adkcd_journal_load() takes a path, so they
 * go into a file of mode 0600 in a private directory (on /dev/shm when
 * there is one: no disk), which the loader opens, checks, locks and reads
 * as it would the real journal.
 *
 * Properties:
 *   - the status is ADKCD_OK or ADKCD_E_INVALID (a message that names the
 *     file and a line), *runs_out set exactly on success;
 *   - every run loaded has an id that adkcd_journal_find() finds, a status
 *     "ok", "failed" or "incomplete", format 1 or 2; every change names
 *     its run, a DN, and operations with an attribute;
 *   - rollback of every run (adkcd_rollback_prepare(), then
 *     adkcd_rollback_inverse() against entries holding the values the
 *     journal added, with and without force) ends in a status that says
 *     why, never a crash, and the plan renders as a diff whose lines all
 *     start with "dn: ", "- ", "+ " or "  " and hold no control character
 *     but the newline (a value can never forge a line), and as LDIF.
 */
#include <fcntl.h>
#include <strings.h>
#include <unistd.h>

#include "adkcd/entry.h"
#include "adkcd/journal.h"
#include "adkcd/plan.h"
#include "adkcd/rollback.h"
#include "adkcd/strv.h"

#include "fuzz.h"

static char tmp_dir[256];
static char journal_path[300];

static void
remove_tmp(void)
{
    unlink(journal_path);
    rmdir(tmp_dir);
}

/* The journal file, made once per process. */
static void
make_tmp(void)
{
    const char *base = getenv("TMPDIR");

    if (base == NULL || base[0] == '\0')
        base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(tmp_dir, sizeof(tmp_dir), "%s/adkcd-fuzz-journal.XXXXXX", base);
    FUZZ_CHECK(mkdtemp(tmp_dir) != NULL);
    snprintf(journal_path, sizeof(journal_path), "%s/journal.ldif", tmp_dir);
    atexit(remove_tmp);
}

static void
write_tmp(const uint8_t *data, size_t size)
{
    int fd = open(journal_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

    FUZZ_CHECK(fd >= 0);
    FUZZ_CHECK(size == 0 || write(fd, data, size) == (ssize_t)size);
    FUZZ_CHECK(close(fd) == 0);
}

static void
check_diff(const char *text)
{
    const char *line = text;

    while (*line != '\0') {
        const char *nl = strchr(line, '\n');
        const char *p;

        FUZZ_CHECK(nl != NULL); /* every line ends with a newline */
        FUZZ_CHECK(strncmp(line, "dn: ", 4) == 0 ||
                   strncmp(line, "- ", 2) == 0 || strncmp(line, "+ ", 2) == 0 ||
                   strncmp(line, "  ", 2) == 0);
        for (p = line; p < nl; p++)
            FUZZ_CHECK((unsigned char)*p >= 0x20 && *p != 0x7f);
        line = nl + 1;
    }
}

/* The entry of dn as the journal's changes left it, roughly: every value
 * an operation added, every attribute rollback reads. */
static struct adkcd_entry *
entry_for(const struct adkcd_journal_runs *runs, const char *dn,
          char *const *attrs)
{
    struct adkcd_entry *e = adkcd_entry_new(dn);
    size_t r, c, o;

    FUZZ_ALLOC(e);
    for (o = 0; attrs != NULL && attrs[o] != NULL; o++)
        FUZZ_CHECK(adkcd_entry_touch(e, attrs[o]) == 0);
    for (r = 0; r < runs->n; r++) {
        for (c = 0; c < runs->v[r].n_changes; c++) {
            const struct adkcd_journal_change *ch = &runs->v[r].changes[c];

            if (strcasecmp(ch->dn, dn) != 0)
                continue;
            for (o = 0; o < ch->n_ops; o++) {
                const struct adkcd_op *op = &ch->ops[o];

                if (op->kind == ADKCD_OP_ADD &&
                    adkcd_vals_find(adkcd_entry_vals(e, op->attr),
                                    op->value.data, op->value.len,
                                    ADKCD_CMP_EXACT) < 0)
                    FUZZ_CHECK(adkcd_entry_add(e, op->attr, op->value.data,
                                               op->value.len) == 0);
            }
        }
    }
    return e;
}

static void
roll_back(const struct adkcd_journal_runs *runs, char *const *ids, int force)
{
    struct adkcd_rollback *rb = NULL;
    struct adkcd_entry **entries;
    struct adkcd_drifts *drifts = NULL;
    struct adkcd_plan *plan = NULL;
    struct adkcd_err err;
    adkcd_status st;
    char *text = NULL;
    size_t i, n;

    adkcd_err_clear(&err);
    st = adkcd_rollback_prepare(runs, ids, &rb, &err);
    /* ADKCD_E_INVALID: a change names an attribute the tools never write,
     * and nothing is rolled back. */
    FUZZ_CHECK(st == ADKCD_OK || st == ADKCD_E_INVALID);
    FUZZ_CHECK((st == ADKCD_OK) == (rb != NULL));
    if (st != ADKCD_OK)
        return;
    n = adkcd_rollback_count(rb);
    entries = calloc(n + 1, sizeof(*entries));
    FUZZ_ALLOC(entries);
    for (i = 0; i < n; i++)
        entries[i] = entry_for(runs, adkcd_rollback_dns(rb)[i],
                               adkcd_rollback_attrs(rb, i));
    st = adkcd_rollback_inverse(rb, entries, force, &plan, &drifts, &err);
    /* ADKCD_E_CONFLICT: drift (the plan is still set); ADKCD_E_ACCESS: the
     * safety rules of add and set refuse what it would write (unless
     * forced); ADKCD_E_USAGE: runs that cannot be undone together. */
    FUZZ_CHECK(st == ADKCD_OK || st == ADKCD_E_CONFLICT ||
               (st == ADKCD_E_ACCESS && !force) || st == ADKCD_E_USAGE);
    FUZZ_CHECK((plan != NULL) == (st == ADKCD_OK || st == ADKCD_E_CONFLICT));
    if (force)
        FUZZ_CHECK(st != ADKCD_E_CONFLICT);
    if (plan == NULL)
        goto done;
    FUZZ_CHECK(adkcd_plan_diff(plan, &text, &err) == ADKCD_OK);
    check_diff(text);
    free(text);
    text = NULL;
    st = adkcd_plan_ldif(plan, &text, &err);
    FUZZ_CHECK(st == ADKCD_OK || st == ADKCD_E_INVALID);
    free(text);
done:
    adkcd_plan_free(plan);
    adkcd_drifts_free(drifts);
    for (i = 0; i < n; i++)
        adkcd_entry_free(entries[i]);
    free(entries);
    adkcd_rollback_free(rb);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct adkcd_journal_runs *runs = (struct adkcd_journal_runs *)&runs;
    struct adkcd_err err;
    adkcd_status st;
    char **ids = NULL;
    size_t r, c, o;

    if (journal_path[0] == '\0')
        make_tmp();
    write_tmp(data, size);

    adkcd_err_clear(&err);
    st = adkcd_journal_load(journal_path, &runs, &err);
    if (st != ADKCD_OK && st != ADKCD_E_INVALID)
        fprintf(stderr, "adkcd_journal_load: %s\n", err.msg);
    FUZZ_CHECK(st == ADKCD_OK || st == ADKCD_E_INVALID);
    if (st != ADKCD_OK) {
        FUZZ_CHECK(runs == NULL);
        FUZZ_CHECK(strncmp(err.msg, journal_path, strlen(journal_path)) == 0 &&
                   err.msg[strlen(journal_path)] == ':');
        return 0;
    }
    FUZZ_CHECK(runs != NULL);
    for (r = 0; r < runs->n; r++) {
        const struct adkcd_journal_run *run = &runs->v[r];
        const struct adkcd_journal_run *found;

        FUZZ_CHECK(run->id != NULL && run->status != NULL);
        FUZZ_CHECK(strcmp(run->status, "ok") == 0 ||
                   strcmp(run->status, "failed") == 0 ||
                   strcmp(run->status, "incomplete") == 0);
        FUZZ_CHECK(run->format == 1 || run->format == 2);
        found = adkcd_journal_find(runs, run->id);
        FUZZ_CHECK(found != NULL && strcasecmp(found->id, run->id) == 0);
        for (c = 0; c < run->n_changes; c++) {
            const struct adkcd_journal_change *ch = &run->changes[c];

            FUZZ_CHECK(ch->run_id != NULL && strcmp(ch->run_id, run->id) == 0);
            FUZZ_CHECK(ch->dn != NULL);
            FUZZ_CHECK(ch->state == ADKCD_JOURNAL_APPLIED ||
                       ch->state == ADKCD_JOURNAL_FAILED ||
                       ch->state == ADKCD_JOURNAL_IN_DOUBT);
            for (o = 0; o < ch->n_ops; o++)
                FUZZ_CHECK(ch->ops[o].attr != NULL &&
                           ch->ops[o].attr[0] != '\0');
        }
        FUZZ_CHECK(adkcd_strv_add(&ids, run->id) == 0);
    }
    if (ids != NULL) {
        roll_back(runs, ids, 0);
        roll_back(runs, ids, 1);
    }
    adkcd_strv_free(ids);
    adkcd_journal_runs_free(runs);
    return 0;
}
