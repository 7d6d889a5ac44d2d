/* adkcd unit tests: the journal (adkcd/journal.h). */
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "adkcd/journal.h"
#include "adkcd/plan.h"
#include "adkcd/strv.h"

#define SPN "servicePrincipalName"
#define UAC "userAccountControl"
#define A2D "msDS-AllowedToDelegateTo"

#define DN_IOSMDM "CN=iosmdm,CN=Users,DC=mydom,DC=local"
#define DN_TMG "CN=TMG,CN=Computers,DC=mydom,DC=local"

#define SERVER "ldap://dc1.mydom.local"
#define IDENTITY "u:MYDOM\\Administrator"

/* Each test gets a fresh directory, removed afterwards. */
struct fixture {
    char dir[PATH_MAX];
    char path[PATH_MAX]; /* dir/journal.ldif, not created */
};

static int
setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));

    if (f == NULL)
        return -1;
    snprintf(f->dir, sizeof(f->dir), "/tmp/test_journal.XXXXXX");
    if (mkdtemp(f->dir) == NULL) {
        free(f);
        return -1;
    }
    snprintf(f->path, sizeof(f->path), "%s/journal.ldif", f->dir);
    *state = f;
    return 0;
}

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    chmod(path, 0700); /* a test may have taken the rights away */
    return remove(path);
}

static int
teardown(void **state)
{
    struct fixture *f = *state;

    nftw(f->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    free(f);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

static void
write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");

    assert_non_null(fp);
    assert_int_equal(fputs(text, fp) >= 0, 1);
    assert_int_equal(fclose(fp), 0);
}

/* The whole file as a string (free()). */
static char *
slurp(const char *path)
{
    FILE *fp = fopen(path, "r");
    char *s;
    long n;

    assert_non_null(fp);
    assert_int_equal(fseek(fp, 0, SEEK_END), 0);
    n = ftell(fp);
    assert_true(n >= 0);
    rewind(fp);
    s = calloc(1, (size_t)n + 1);
    assert_non_null(s);
    assert_int_equal(fread(s, 1, (size_t)n, fp), (size_t)n);
    fclose(fp);
    return s;
}

static struct adkcd_journal *
open_journal(const char *path, const char *tool, const char *command,
             const char *rollback_of)
{
    struct adkcd_journal *j = (struct adkcd_journal *)&j;
    struct adkcd_err err;

    h_err_init(&err);
    h_assert_ok("journal_open",
                adkcd_journal_open(path, tool, command, SERVER, IDENTITY,
                                   rollback_of, &j, &err),
                &err);
    assert_non_null(j);
    assert_ptr_not_equal(j, (struct adkcd_journal *)&j);
    assert_int_equal(strlen(adkcd_journal_run_id(j)), 36);
    return j;
}

/* Record c as the engine does: its intent, then its outcome (applied). */
static adkcd_status
record_applied(struct adkcd_journal *j, const struct adkcd_change *c,
               struct adkcd_err *err)
{
    struct adkcd_change *v[1] = {(struct adkcd_change *)c};
    adkcd_status st = adkcd_journal_intend(j, v, 1, err);

    /* A change without operations is not recorded (nor sent). */
    if (st != ADKCD_OK || c->journal_seq == 0)
        return st;
    v[0]->outcome = ADKCD_OUT_APPLIED;
    st = adkcd_journal_outcome(j, c, err);
    return st == ADKCD_OK ? adkcd_journal_flush(j, err) : st;
}

static void
record(struct adkcd_journal *j, const struct adkcd_change *c)
{
    struct adkcd_err err;

    h_err_init(&err);
    h_assert_ok("journal_record", record_applied(j, c, &err), &err);
}

static struct adkcd_journal_runs *
load_ok(const char *path)
{
    struct adkcd_journal_runs *runs = (struct adkcd_journal_runs *)&runs;
    struct adkcd_err err;

    h_err_init(&err);
    h_assert_ok("journal_load", adkcd_journal_load(path, &runs, &err), &err);
    assert_non_null(runs);
    assert_ptr_not_equal(runs, (struct adkcd_journal_runs *)&runs);
    return runs;
}

static struct adkcd_plan *
new_plan(void)
{
    struct adkcd_plan *plan = NULL;
    struct adkcd_err err;

    h_err_init(&err);
    h_assert_ok("plan_new", adkcd_plan_new(&plan, &err), &err);
    return plan;
}

static struct adkcd_change *
new_change(struct adkcd_plan *plan, const char *dn, const char *label)
{
    struct adkcd_change *c = NULL;
    struct adkcd_err err;

    h_err_init(&err);
    h_assert_ok("plan_change", adkcd_plan_change(plan, dn, label, &c, &err),
                &err);
    return c;
}

static void
set_values(struct adkcd_change *c, const char *attr, const char *const *current,
           const char *const *desired)
{
    struct adkcd_err err;

    h_err_init(&err);
    h_assert_ok("change_set_values",
                adkcd_change_set_values(c, attr, (char *const *)current,
                                        current != NULL, (char *const *)desired,
                                        desired != NULL, ADKCD_CMP_NOCASE,
                                        &err),
                &err);
}

static void
swap(struct adkcd_change *c, const char *attr, const char *old_value,
     const char *new_value)
{
    struct adkcd_err err;

    h_err_init(&err);
    h_assert_ok("change_swap",
                adkcd_change_swap(c, attr, old_value, new_value, &err), &err);
}

static const char *const NONE[] = {NULL};

/* Fail unless img is attr with these presences and values. */
static void
assert_image(const char *what, const struct adkcd_image *img, const char *attr,
             int before_present, const char *const *before, int after_present,
             const char *const *after)
{
    if (strcmp(img->attr, attr) != 0)
        fail_msg("%s: image of %s, expected %s", what, img->attr, attr);
    if (img->before_present != before_present)
        fail_msg("%s: %s before_present %d, expected %d", what, attr,
                 img->before_present, before_present);
    if (img->after_present != after_present)
        fail_msg("%s: %s after_present %d, expected %d", what, attr,
                 img->after_present, after_present);
    /* Loaded vectors are never NULL, present or not. */
    h_assert_vals(what, &img->before, before);
    h_assert_vals(what, &img->after, after);
}

static void
assert_op(const char *what, const struct adkcd_op *op, enum adkcd_op_kind kind,
          const char *attr, const char *value)
{
    if (op->kind != kind || strcmp(op->attr, attr) != 0 ||
        strcmp(op->value.data, value) != 0)
        fail_msg("%s: op %s %s \"%s\", expected %s %s \"%s\"", what,
                 op->kind == ADKCD_OP_ADD ? "add" : "delete", op->attr,
                 h_esc(op->value.data), kind == ADKCD_OP_ADD ? "add" : "delete",
                 attr, h_esc(value));
}

/* Load text as a journal and check the failure names path:line. */
static void
assert_malformed(const struct fixture *f, const char *what, const char *text,
                 unsigned line, const char *phrase)
{
    struct adkcd_journal_runs *runs = (struct adkcd_journal_runs *)&runs;
    char where[PATH_MAX + 32], errpath[PATH_MAX + 16], *printed;
    struct adkcd_err err;
    adkcd_status st;
    int saved, fd;

    write_file(f->path, text);
    /* The library never prints: not even libldap's base64 decoder may
     * reach standard error. */
    snprintf(errpath, sizeof(errpath), "%s/stderr", f->dir);
    fflush(stderr);
    saved = dup(2);
    fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(saved >= 0 && fd >= 0);
    dup2(fd, 2);
    close(fd);
    h_err_init(&err);
    st = adkcd_journal_load(f->path, &runs, &err);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    printed = slurp(errpath);
    if (printed[0] != '\0')
        fail_msg("%s: the load printed \"%s\"", what, h_esc(printed));
    free(printed);
    assert_null(runs);
    snprintf(where, sizeof(where), "%s:%u: ", f->path, line);
    h_assert_failed(what, st, ADKCD_E_INVALID, &err, where, phrase);
}

/* ------------------------------------------------------------------ */
/* Round trips                                                         */
/* ------------------------------------------------------------------ */

static void
test_round_trip(void **state)
{
    const struct fixture *f = *state;
    static const char *const spn_now[] = {"HOST/iosmdm", "http/old", NULL};
    static const char *const spn_want[] = {"HOST/iosmdm", "http/new", NULL};
    static const char *const a2d_now[] = {"cifs/fs1", NULL};
    static const char *const a2d_want[] = {"http/iosmdm.mydom.local", NULL};
    const struct adkcd_journal_change *ch;
    struct adkcd_journal_runs *runs;
    const struct adkcd_journal_run *r;
    struct adkcd_plan *plan = new_plan();
    struct adkcd_change *c;
    struct adkcd_journal *j;
    char id[37];

    c = new_change(plan, DN_TMG, "computer tmg$");
    swap(c, UAC, "4096", "16781312");
    set_values(c, A2D, NULL, a2d_want); /* absent before */
    c = new_change(plan, DN_IOSMDM, "user iosmdm");
    set_values(c, SPN, spn_now, spn_want);
    set_values(c, A2D, a2d_now, NULL); /* absent after */

    j = open_journal(f->path, "adkcd", "adkcd add tmg http/x --any-protocol",
                     NULL);
    snprintf(id, sizeof(id), "%s", adkcd_journal_run_id(j));
    record(j, &plan->changes[0]);
    record(j, &plan->changes[1]);
    adkcd_journal_close(j, ADKCD_OK);
    adkcd_plan_free(plan);

    runs = load_ok(f->path);
    assert_int_equal(runs->n, 1);
    r = &runs->v[0];
    assert_string_equal(r->id, id);
    /* ISO 8601 UTC with seconds: 2026-11-24T14:00:00Z */
    assert_int_equal(strlen(r->time), 20);
    assert_int_equal(r->time[4], '-');
    assert_int_equal(r->time[10], 'T');
    assert_int_equal(r->time[19], 'Z');
    assert_string_equal(r->tool, "adkcd");
    assert_string_equal(r->server, SERVER);
    assert_string_equal(r->identity, IDENTITY);
    assert_string_equal(r->command, "adkcd add tmg http/x --any-protocol");
    assert_null(r->rollback_of);
    assert_string_equal(r->status, "ok");
    assert_int_equal(r->format, 2);
    assert_int_equal(r->n_changes, 2);

    ch = &r->changes[0];
    assert_string_equal(ch->run_id, id);
    assert_int_equal(ch->seq, 1);
    assert_string_equal(ch->dn, DN_TMG);
    assert_string_equal(ch->label, "computer tmg$");
    assert_int_equal(ch->state, ADKCD_JOURNAL_APPLIED);
    /* No images in a write-ahead block: the attributes by name only. */
    assert_int_equal(ch->n_images, 2);
    assert_image("tmg uac", &ch->images[0], UAC, 0, NONE, 0, NONE);
    assert_image("tmg a2d", &ch->images[1], A2D, 0, NONE, 0, NONE);
    assert_int_equal(ch->n_ops, 3);
    assert_op("tmg 0", &ch->ops[0], ADKCD_OP_DELETE, UAC, "4096");
    assert_op("tmg 1", &ch->ops[1], ADKCD_OP_ADD, UAC, "16781312");
    assert_op("tmg 2", &ch->ops[2], ADKCD_OP_ADD, A2D,
              "http/iosmdm.mydom.local");

    ch = &r->changes[1];
    assert_string_equal(ch->run_id, id);
    assert_int_equal(ch->seq, 2);
    assert_string_equal(ch->dn, DN_IOSMDM);
    assert_string_equal(ch->label, "user iosmdm");
    assert_int_equal(ch->state, ADKCD_JOURNAL_APPLIED);
    assert_int_equal(ch->n_images, 2);
    assert_image("iosmdm spn", &ch->images[0], SPN, 0, NONE, 0, NONE);
    assert_image("iosmdm a2d", &ch->images[1], A2D, 0, NONE, 0, NONE);
    assert_int_equal(ch->n_ops, 3);
    assert_op("iosmdm 0", &ch->ops[0], ADKCD_OP_DELETE, SPN, "http/old");
    assert_op("iosmdm 1", &ch->ops[1], ADKCD_OP_ADD, SPN, "http/new");
    assert_op("iosmdm 2", &ch->ops[2], ADKCD_OP_DELETE, A2D, "cifs/fs1");
    adkcd_journal_runs_free(runs);
}

/* Values that LDIF must base64-encode come back byte for byte, and none
 * of them can break a line of the journal. */
static void
test_base64_values(void **state)
{
    const struct fixture *f = *state;
    static const char *const odd[] = {
        "http/a\nb",        /* newline */
        " http/lead",       /* leading space */
        "http/caf\xc3\xa9", /* non-ASCII */
        "http/trail ",      /* trailing space */
        ":colon",           /* would read as "attr:: ..." */
        "<angle",           /* would read as a URL */
        "",                 /* empty */
        NULL,
    };
    static const char *const nl_before[] = {"x\r\ny", NULL};
    static const char *const dn = "CN=Caf\xc3\xa9\\, Inc,CN=Users,DC=mydom,"
                                  "DC=local";
    const struct adkcd_journal_change *ch;
    struct adkcd_journal_runs *runs;
    struct adkcd_plan *plan = new_plan();
    struct adkcd_change *c;
    struct adkcd_journal *j;
    char *text;
    size_t i;

    c = new_change(plan, dn, "user caf\xc3\xa9\nforged");
    set_values(c, A2D, nl_before, odd);
    j = open_journal(f->path, "adkcd", "adkcd add 'x\ny'\x1b[31m", NULL);
    record(j, c);
    adkcd_journal_close(j, ADKCD_OK);
    adkcd_plan_free(plan);

    text = slurp(f->path);
    /* Control characters of header values become '?'. */
    h_assert_contains("command", text, "# command: adkcd add 'x?y'?[31m\n");
    h_assert_contains("label", text, "# label: user caf\xc3\xa9?forged\n");
    h_assert_contains("delete", text, A2D ":: eA0KeQ==\n");
    h_assert_contains("add", text, A2D ":: IGh0dHAvbGVhZA==\n");
    assert_null(strstr(text, "# before:"));
    assert_null(strstr(text, "# after:"));
    h_assert_contains("dn", text, "dn:: ");
    assert_null(strstr(text, "\nforged"));
    free(text);

    runs = load_ok(f->path);
    assert_int_equal(runs->n, 1);
    assert_int_equal(runs->v[0].n_changes, 1);
    ch = &runs->v[0].changes[0];
    assert_string_equal(ch->dn, dn);
    assert_string_equal(ch->label, "user caf\xc3\xa9?forged");
    assert_int_equal(ch->n_ops, 1 + 7);
    assert_op("delete", &ch->ops[0], ADKCD_OP_DELETE, A2D, "x\r\ny");
    for (i = 0; odd[i] != NULL; i++)
        assert_op("add", &ch->ops[1 + i], ADKCD_OP_ADD, A2D, odd[i]);
    adkcd_journal_runs_free(runs);
}

/* The exact text of a run, with its id and time put in. */
static void
test_block_text(void **state)
{
    const struct fixture *f = *state;
    static const char *const spn_now[] = {"HOST/iosmdm", NULL};
    static const char *const spn_want[] = {"HOST/iosmdm", "http/web", NULL};
    struct adkcd_journal_runs *runs;
    struct adkcd_plan *plan = new_plan();
    struct adkcd_change *c;
    struct adkcd_journal *j;
    char id[37], *got, *want;
    int n;

    c = new_change(plan, DN_IOSMDM, "user iosmdm");
    set_values(c, SPN, spn_now, spn_want);
    c = new_change(plan, DN_TMG, "computer tmg$");
    swap(c, UAC, "4096", "16781312");
    j = open_journal(f->path, "adspn", "adspn -S http/web iosmdm",
                     "aaaaaaaa-1 bbbbbbbb-2");
    snprintf(id, sizeof(id), "%s", adkcd_journal_run_id(j));
    record(j, &plan->changes[0]);
    record(j, &plan->changes[1]);
    adkcd_journal_close(j, ADKCD_OK);
    adkcd_plan_free(plan);

    runs = load_ok(f->path);
    assert_int_equal(runs->n, 1);
    assert_string_equal(runs->v[0].rollback_of, "aaaaaaaa-1 bbbbbbbb-2");
    n = asprintf(&want,
                 "# run: %s\n"
                 "# time: %s\n"
                 "# tool: adspn\n"
                 "# server: " SERVER "\n"
                 "# identity: " IDENTITY "\n"
                 "# command: adspn -S http/web iosmdm\n"
                 "# format: 2\n"
                 "# rollback-of: aaaaaaaa-1 bbbbbbbb-2\n"
                 "\n"
                 "# change: %s 1\n"
                 "# label: user iosmdm\n"
                 "dn: " DN_IOSMDM "\n"
                 "changetype: modify\n"
                 "add: servicePrincipalName\n"
                 "servicePrincipalName: http/web\n"
                 "-\n"
                 "\n"
                 "# applied: %s 1\n"
                 "\n"
                 "# change: %s 2\n"
                 "# label: computer tmg$\n"
                 "dn: " DN_TMG "\n"
                 "changetype: modify\n"
                 "delete: userAccountControl\n"
                 "userAccountControl: 4096\n"
                 "-\n"
                 "add: userAccountControl\n"
                 "userAccountControl: 16781312\n"
                 "-\n"
                 "\n"
                 "# applied: %s 2\n"
                 "\n"
                 "# end: %s ok\n"
                 "\n",
                 id, runs->v[0].time, id, id, id, id, id);
    assert_true(n > 0);
    got = slurp(f->path);
    h_assert_text("journal text", got, want);
    free(got);
    free(want);
    adkcd_journal_runs_free(runs);
}

/* Two runs appending to one journal at once: their blocks alternate, and
 * each block names its run. */
static void
test_interleaved_runs(void **state)
{
    const struct fixture *f = *state;
    static const char *const one[] = {"http/one", NULL};
    static const char *const two[] = {"http/two", NULL};
    struct adkcd_journal *j1, *j2;
    struct adkcd_journal_runs *runs;
    struct adkcd_plan *plan = new_plan();
    struct adkcd_change *c1, *c2;
    char id1[37], id2[37];

    c1 = new_change(plan, DN_IOSMDM, "user iosmdm");
    set_values(c1, SPN, NULL, one);
    c2 = new_change(plan, DN_TMG, "computer tmg$");
    c1 = &plan->changes[0]; /* the array moved */
    set_values(c2, SPN, NULL, two);

    j1 = open_journal(f->path, "adspn", "adspn -S http/one iosmdm", NULL);
    j2 = open_journal(f->path, "adspn", "adspn -S http/two tmg", NULL);
    snprintf(id1, sizeof(id1), "%s", adkcd_journal_run_id(j1));
    snprintf(id2, sizeof(id2), "%s", adkcd_journal_run_id(j2));
    assert_string_not_equal(id1, id2);
    record(j1, c1);
    record(j2, c2);
    record(j1, c2);
    adkcd_journal_close(j2, ADKCD_OK);
    record(j1, c1);
    adkcd_journal_close(j1, ADKCD_E_CONFLICT);
    adkcd_plan_free(plan);

    runs = load_ok(f->path);
    assert_int_equal(runs->n, 2);
    assert_string_equal(runs->v[0].id, id1);
    assert_string_equal(runs->v[0].status, "failed");
    assert_int_equal(runs->v[0].n_changes, 3);
    assert_string_equal(runs->v[0].changes[0].dn, DN_IOSMDM);
    assert_string_equal(runs->v[0].changes[1].dn, DN_TMG);
    assert_string_equal(runs->v[0].changes[2].dn, DN_IOSMDM);
    assert_int_equal(runs->v[0].changes[2].seq, 3);
    assert_string_equal(runs->v[1].id, id2);
    assert_string_equal(runs->v[1].status, "ok");
    assert_string_equal(runs->v[1].command, "adspn -S http/two tmg");
    assert_int_equal(runs->v[1].n_changes, 1);
    assert_string_equal(runs->v[1].changes[0].run_id, id2);
    assert_string_equal(runs->v[1].changes[0].dn, DN_TMG);
    assert_int_equal(runs->v[1].changes[0].seq, 1);
    adkcd_journal_runs_free(runs);
}

#define N_PROCS 3
#define N_RECORDS 25

/* Processes appending at the same moment never mix their blocks (the
 * exclusive lock per block). */
static void
test_concurrent_processes(void **state)
{
    const struct fixture *f = *state;
    static const char *const vals[] = {"http/a", "http/b", "http/c", NULL};
    struct adkcd_journal_runs *runs;
    struct adkcd_plan *plan = new_plan();
    struct adkcd_change *c;
    pid_t pids[N_PROCS];
    int i, k, status;

    c = new_change(plan, DN_IOSMDM, "user iosmdm");
    set_values(c, SPN, NULL, vals);
    for (i = 0; i < N_PROCS; i++) {
        pids[i] = fork();
        assert_true(pids[i] >= 0);
        if (pids[i] == 0) {
            struct adkcd_journal *j = NULL;
            struct adkcd_err err;
            int rc = 0;

            if (adkcd_journal_open(f->path, "adspn", "child", SERVER, IDENTITY,
                                   NULL, &j, &err) != ADKCD_OK)
                _exit(1);
            for (k = 0; k < N_RECORDS && rc == 0; k++)
                rc = record_applied(j, c, &err) != ADKCD_OK;
            adkcd_journal_close(j, ADKCD_OK);
            adkcd_plan_free(plan);
            _exit(rc);
        }
    }
    for (i = 0; i < N_PROCS; i++) {
        assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    adkcd_plan_free(plan);
    runs = load_ok(f->path);
    assert_int_equal(runs->n, N_PROCS);
    for (i = 0; i < N_PROCS; i++) {
        assert_string_equal(runs->v[i].status, "ok");
        assert_int_equal(runs->v[i].n_changes, N_RECORDS);
        for (k = 0; k < N_RECORDS; k++) {
            assert_int_equal(runs->v[i].changes[k].seq, k + 1);
            assert_int_equal(runs->v[i].changes[k].n_ops, 3);
        }
    }
    adkcd_journal_runs_free(runs);
}

/* A run still open (or cut off: no end line) reads as "incomplete", with
 * exactly the changes recorded so far. */
static void
test_incomplete_run(void **state)
{
    const struct fixture *f = *state;
    static const char *const one[] = {"http/one", NULL};
    struct adkcd_journal_runs *runs;
    struct adkcd_plan *plan = new_plan();
    struct adkcd_change *c;
    struct adkcd_journal *j;

    c = new_change(plan, DN_IOSMDM, "user iosmdm");
    set_values(c, SPN, NULL, one);
    j = open_journal(f->path, "adspn", "adspn -S http/one iosmdm", NULL);
    record(j, c);
    /* Read while the run is still going: fsync'ed, no end line yet. */
    runs = load_ok(f->path);
    assert_int_equal(runs->n, 1);
    assert_string_equal(runs->v[0].status, "incomplete");
    assert_int_equal(runs->v[0].n_changes, 1);
    adkcd_journal_runs_free(runs);
    adkcd_journal_close(j, ADKCD_OK);
    adkcd_plan_free(plan);

    runs = load_ok(f->path);
    assert_string_equal(runs->v[0].status, "ok");
    adkcd_journal_runs_free(runs);
}

static void
test_failed_run(void **state)
{
    const struct fixture *f = *state;
    static const char *const one[] = {"http/one", NULL};
    struct adkcd_journal_runs *runs;
    struct adkcd_plan *plan = new_plan();
    struct adkcd_change *c;
    struct adkcd_journal *j;
    char *text;

    c = new_change(plan, DN_IOSMDM, "user iosmdm");
    set_values(c, SPN, NULL, one);
    j = open_journal(f->path, "adspn", "adspn -S http/one iosmdm", NULL);
    record(j, c);
    adkcd_journal_close(j, ADKCD_E_PARTIAL);
    adkcd_plan_free(plan);
    text = slurp(f->path);
    h_assert_contains("end line", text, " failed\n\n");
    free(text);
    runs = load_ok(f->path);
    assert_int_equal(runs->n, 1);
    assert_string_equal(runs->v[0].status, "failed");
    adkcd_journal_runs_free(runs);
}

/* A run that records nothing leaves the file empty (but created, 0600),
 * and so does a change without operations. */
static void
test_nothing_recorded(void **state)
{
    const struct fixture *f = *state;
    static const char *const same[] = {"http/one", NULL};
    struct adkcd_journal_runs *runs;
    struct adkcd_plan *plan = new_plan();
    struct adkcd_change *c;
    struct adkcd_journal *j;
    struct stat sb;

    c = new_change(plan, DN_IOSMDM, "user iosmdm");
    set_values(c, SPN, same, same);
    assert_int_equal(c->n_ops, 0);
    j = open_journal(f->path, "adspn", "adspn -S http/one iosmdm", NULL);
    assert_int_equal(stat(f->path, &sb), 0);
    record(j, c);
    adkcd_journal_close(j, ADKCD_OK);
    adkcd_journal_close(NULL, ADKCD_OK);
    adkcd_plan_free(plan);
    assert_int_equal(stat(f->path, &sb), 0);
    assert_int_equal(sb.st_size, 0);
    runs = load_ok(f->path);
    assert_int_equal(runs->n, 0);
    adkcd_journal_runs_free(runs);
}

static void
test_mode_0600(void **state)
{
    const struct fixture *f = *state;
    struct adkcd_journal *j;
    struct stat sb;
    mode_t old = umask(022);

    j = open_journal(f->path, "adspn", "adspn -L x", NULL);
    umask(old);
    adkcd_journal_close(j, ADKCD_OK);
    assert_int_equal(stat(f->path, &sb), 0);
    assert_true(S_ISREG(sb.st_mode));
    assert_int_equal(sb.st_mode & 07777, 0600);
}

static void
test_load_missing(void **state)
{
    const struct fixture *f = *state;
    struct adkcd_journal_runs *runs = load_ok(f->path);

    assert_int_equal(runs->n, 0);
    adkcd_journal_runs_free(runs);
    adkcd_journal_runs_free(NULL);
}

static void
test_load_unreadable(void **state)
{
    const struct fixture *f = *state;
    struct adkcd_journal_runs *runs = (struct adkcd_journal_runs *)&runs;
    struct adkcd_err err;

    /* A directory opens for reading but is no journal. */
    h_err_init(&err);
    h_assert_failed("load a directory", adkcd_journal_load(f->dir, &runs, &err),
                    ADKCD_E_ACCESS, &err, f->dir, "not a regular file");
    assert_null(runs);
}

/*
 * The journal is a trust boundary (rollback replays it): a symbolic link
 * is not followed, and a journal writable by others or owned by someone
 * else is refused, for writing and for reading, before anything is done.
 */
static void
test_untrusted_journal(void **state)
{
    const struct fixture *f = *state;
    struct adkcd_journal *j = NULL;
    struct adkcd_journal_runs *runs = NULL;
    char real[PATH_MAX + 32], link[PATH_MAX + 32];
    struct adkcd_err err;
    int fd;

    snprintf(real, sizeof(real), "%s/real.ldif", f->dir);
    snprintf(link, sizeof(link), "%s/link.ldif", f->dir);
    fd = open(real, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(symlink(real, link), 0);
    h_err_init(&err);
    h_assert_failed("open through a symlink",
                    adkcd_journal_open(link, "adkcd", "x", SERVER, IDENTITY,
                                       NULL, &j, &err),
                    ADKCD_E_ACCESS, &err, "symbolic link", NULL);
    assert_null(j);
    h_err_init(&err);
    h_assert_failed("load through a symlink",
                    adkcd_journal_load(link, &runs, &err), ADKCD_E_ACCESS, &err,
                    "symbolic link", NULL);
    assert_null(runs);
    /* writable by the group, then by others */
    assert_int_equal(chmod(real, 0620), 0);
    h_err_init(&err);
    h_assert_failed("open group-writable",
                    adkcd_journal_open(real, "adkcd", "x", SERVER, IDENTITY,
                                       NULL, &j, &err),
                    ADKCD_E_ACCESS, &err, "writable by its group", "mode 0600");
    assert_int_equal(chmod(real, 0602), 0);
    h_err_init(&err);
    h_assert_failed("load world-writable",
                    adkcd_journal_load(real, &runs, &err), ADKCD_E_ACCESS, &err,
                    "writable by others", NULL);
    assert_int_equal(chmod(real, 0600), 0);
    /* a FIFO: refused at once, for reading and for writing (opening one
     * would otherwise wait for the other end for ever) */
    {
        char fifo[PATH_MAX + 32];

        snprintf(fifo, sizeof(fifo), "%s/fifo.ldif", f->dir);
        assert_int_equal(mkfifo(fifo, 0600), 0);
        h_err_init(&err);
        h_assert_failed("load a FIFO", adkcd_journal_load(fifo, &runs, &err),
                        ADKCD_E_ACCESS, &err, "not a regular file", NULL);
        h_err_init(&err);
        h_assert_failed("open a FIFO",
                        adkcd_journal_open(fifo, "adkcd", "x", SERVER, IDENTITY,
                                           NULL, &j, &err),
                        ADKCD_E_ACCESS, &err, "not a regular file", NULL);
        assert_null(j);
        unlink(fifo);
    }
    /* owned by someone else (when the test can give it away: root) */
    if (geteuid() == 0) {
        assert_int_equal(chown(real, 1, 1), 0);
        h_err_init(&err);
        h_assert_failed("load another user's",
                        adkcd_journal_load(real, &runs, &err), ADKCD_E_ACCESS,
                        &err, "belongs to user 1", NULL);
        assert_int_equal(chown(real, 0, 0), 0);
    }
    h_err_init(&err);
    h_assert_ok("load a trusted one", adkcd_journal_load(real, &runs, &err),
                &err);
    adkcd_journal_runs_free(runs);
    unlink(link);
    unlink(real);
}

static void
test_open_unwritable(void **state)
{
    const struct fixture *f = *state;
    struct adkcd_journal *j = (struct adkcd_journal *)&j;
    char path[PATH_MAX + 32];
    struct adkcd_err err;
    struct stat sb;

    h_err_init(&err);
    h_assert_failed("open a directory",
                    adkcd_journal_open(f->dir, "adspn", "x", SERVER, IDENTITY,
                                       NULL, &j, &err),
                    ADKCD_E_IO, &err, f->dir, "cannot open the journal");
    assert_null(j);

    /* Only the default journal gets its directories created. */
    snprintf(path, sizeof(path), "%s/no/such/dir/journal.ldif", f->dir);
    j = (struct adkcd_journal *)&j;
    h_err_init(&err);
    h_assert_failed("open under a missing directory",
                    adkcd_journal_open(path, "adspn", "x", SERVER, IDENTITY,
                                       NULL, &j, &err),
                    ADKCD_E_IO, &err, path, "does not exist");
    assert_null(j);
    snprintf(path, sizeof(path), "%s/no", f->dir);
    assert_int_equal(stat(path, &sb), -1);

    /* Not a regular file. */
    j = (struct adkcd_journal *)&j;
    h_err_init(&err);
    h_assert_failed("open /dev/null",
                    adkcd_journal_open("/dev/null", "adspn", "x", SERVER,
                                       IDENTITY, NULL, &j, &err),
                    ADKCD_E_ACCESS, &err, "/dev/null", "not a regular file");
    assert_null(j);

    /* Permission denied (root writes anyway, so only as a user). */
    if (geteuid() != 0) {
        snprintf(path, sizeof(path), "%s/ro", f->dir);
        assert_int_equal(mkdir(path, 0500), 0);
        snprintf(path, sizeof(path), "%s/ro/journal.ldif", f->dir);
        j = (struct adkcd_journal *)&j;
        h_err_init(&err);
        h_assert_failed("open in a read-only directory",
                        adkcd_journal_open(path, "adspn", "x", SERVER, IDENTITY,
                                           NULL, &j, &err),
                        ADKCD_E_IO, &err, path, strerror(EACCES));
        assert_null(j);
    }
}

static void
test_record_without_journal(void **state)
{
    struct adkcd_plan *plan = new_plan();
    struct adkcd_change *c;
    struct adkcd_err err;

    (void)state;
    c = new_change(plan, DN_IOSMDM, "user iosmdm");
    swap(c, UAC, "512", "514");
    h_err_init(&err);
    h_assert_failed("record(NULL)", record_applied(NULL, c, &err),
                    ADKCD_E_INVALID, &err, DN_IOSMDM, NULL);
    adkcd_plan_free(plan);
}

/* ------------------------------------------------------------------ */
/* Write-ahead: intents, outcomes                                      */
/* ------------------------------------------------------------------ */

static void
intend(struct adkcd_journal *j, struct adkcd_change **v, size_t n)
{
    struct adkcd_err err;

    h_err_init(&err);
    h_assert_ok("journal_intend", adkcd_journal_intend(j, v, n, &err), &err);
}

static void
outcome(struct adkcd_journal *j, struct adkcd_change *c, enum adkcd_outcome out)
{
    struct adkcd_err err;

    c->outcome = out;
    h_err_init(&err);
    h_assert_ok("journal_outcome", adkcd_journal_outcome(j, c, &err), &err);
}

static void
flush(struct adkcd_journal *j)
{
    struct adkcd_err err;

    h_err_init(&err);
    h_assert_ok("journal_flush", adkcd_journal_flush(j, &err), &err);
}

static void
test_write_ahead(void **state)
{
    const struct fixture *f = *state;
    static const char *const one[] = {"http/one", NULL};
    static const char *const same[] = {"http/same", NULL};
    struct adkcd_journal_runs *runs;
    struct adkcd_plan *plan = new_plan();
    struct adkcd_change *v[4];
    struct adkcd_journal *j;
    char id[37], *text, *want;

    v[0] = new_change(plan, DN_IOSMDM, "user iosmdm");
    v[1] = new_change(plan, DN_TMG, "computer tmg$");
    v[2] = new_change(plan, "CN=web,CN=Computers,DC=mydom,DC=local",
                      "computer web$");
    v[3] = new_change(plan, "CN=db,CN=Computers,DC=mydom,DC=local",
                      "computer db$");
    v[0] = &plan->changes[0]; /* the array moved */
    v[1] = &plan->changes[1];
    v[2] = &plan->changes[2];
    set_values(v[0], SPN, NULL, one);
    set_values(v[1], SPN, same, same); /* nothing to send */
    swap(v[2], UAC, "4096", "16781312");
    swap(v[3], UAC, "4096", "528384");
    j = open_journal(f->path, "adkcd", "adkcd apply x", NULL);
    snprintf(id, sizeof(id), "%s", adkcd_journal_run_id(j));

    /* Before anything is sent: written, numbered, in doubt. */
    intend(j, v, 3);
    assert_int_equal(v[0]->journal_seq, 1);
    assert_int_equal(v[1]->journal_seq, 0);
    assert_int_equal(v[2]->journal_seq, 2);
    runs = load_ok(f->path);
    assert_int_equal(runs->n, 1);
    assert_int_equal(runs->v[0].format, 2);
    assert_string_equal(runs->v[0].status, "incomplete");
    assert_int_equal(runs->v[0].n_changes, 2);
    assert_int_equal(runs->v[0].changes[0].state, ADKCD_JOURNAL_IN_DOUBT);
    assert_int_equal(runs->v[0].changes[1].state, ADKCD_JOURNAL_IN_DOUBT);
    adkcd_journal_runs_free(runs);

    /* Outcomes are buffered until the next write. */
    outcome(j, v[0], ADKCD_OUT_APPLIED);
    outcome(j, v[2], ADKCD_OUT_FAILED);
    runs = load_ok(f->path);
    assert_int_equal(runs->v[0].changes[0].state, ADKCD_JOURNAL_IN_DOUBT);
    adkcd_journal_runs_free(runs);
    flush(j);
    flush(j); /* nothing pending: nothing written */
    runs = load_ok(f->path);
    assert_int_equal(runs->v[0].changes[0].state, ADKCD_JOURNAL_APPLIED);
    assert_int_equal(runs->v[0].changes[1].state, ADKCD_JOURNAL_FAILED);
    adkcd_journal_runs_free(runs);

    /* The next batch; its outcome goes out with the end line. */
    intend(j, &v[3], 1);
    assert_int_equal(v[3]->journal_seq, 3);
    outcome(j, v[3], ADKCD_OUT_IN_DOUBT);
    adkcd_journal_close(j, ADKCD_E_PARTIAL);

    runs = load_ok(f->path);
    assert_string_equal(runs->v[0].status, "failed");
    assert_int_equal(runs->v[0].n_changes, 3);
    assert_int_equal(runs->v[0].changes[2].seq, 3);
    assert_int_equal(runs->v[0].changes[2].state, ADKCD_JOURNAL_IN_DOUBT);
    adkcd_journal_runs_free(runs);
    text = slurp(f->path);
    assert_true(asprintf(&want,
                         "\n# applied: %s 1\n# failed: %s 2\n\n"
                         "# change: %s 3\n",
                         id, id, id) > 0);
    h_assert_contains("outcomes before the next intent", text, want);
    free(want);
    assert_true(asprintf(&want, "\n# in-doubt: %s 3\n\n# end: %s failed\n\n",
                         id, id) > 0);
    h_assert_contains("outcome before the end", text, want);
    free(want);
    assert_null(strstr(text, "# before:"));
    free(text);
    adkcd_plan_free(plan);
}

/* A run cut off after its intents were written: every change in doubt. */
static void
test_cut_off(void **state)
{
    const struct fixture *f = *state;
    static const char *const one[] = {"http/one", NULL};
    struct adkcd_journal_runs *runs;
    struct adkcd_plan *plan = new_plan();
    struct adkcd_change *c;
    pid_t pid;
    int status;

    c = new_change(plan, DN_IOSMDM, "user iosmdm");
    set_values(c, SPN, NULL, one);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct adkcd_journal *j = NULL;
        struct adkcd_err err;

        if (adkcd_journal_open(f->path, "adspn", "x", SERVER, IDENTITY, NULL,
                               &j, &err) != ADKCD_OK ||
            adkcd_journal_intend(j, &c, 1, &err) != ADKCD_OK)
            _exit(1);
        c->outcome = ADKCD_OUT_APPLIED;
        adkcd_journal_outcome(j, c, &err); /* noted, never written */
        _exit(0);                          /* killed: no close */
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    runs = load_ok(f->path);
    assert_int_equal(runs->n, 1);
    assert_string_equal(runs->v[0].status, "incomplete");
    assert_int_equal(runs->v[0].n_changes, 1);
    assert_int_equal(runs->v[0].changes[0].state, ADKCD_JOURNAL_IN_DOUBT);
    assert_int_equal(runs->v[0].changes[0].n_ops, 1);
    adkcd_journal_runs_free(runs);
    adkcd_plan_free(plan);
}

/* Outcomes of a big batch are written as ranges; binary values exact. */
static void
test_outcome_ranges_and_binary(void **state)
{
    const struct fixture *f = *state;
    static const char sd_old[] = {1, 0, 0, 4, 'x', 0, 0, '\n'};
    static const char sd_new[] = {1, 0, 0, 4, 'y', 0, 0};
    struct adkcd_journal_runs *runs;
    struct adkcd_plan *plan = new_plan();
    struct adkcd_change *v[70];
    struct adkcd_journal *j;
    struct adkcd_val o = {sizeof(sd_old), (char *)sd_old};
    struct adkcd_val n = {sizeof(sd_new), (char *)sd_new};
    struct adkcd_err err;
    char id[37], *text, *want;
    const struct adkcd_op *op;
    size_t i;

    for (i = 0; i < 70; i++) {
        char dn[64];

        snprintf(dn, sizeof(dn), "CN=h%zu,CN=Computers,DC=mydom,DC=local", i);
        new_change(plan, dn, dn);
    }
    for (i = 0; i < 70; i++) {
        v[i] = &plan->changes[i];
        h_err_init(&err);
        h_assert_ok("swap_val",
                    adkcd_change_swap_val(v[i],
                                          "msDS-AllowedToActOnBehalfOf"
                                          "OtherIdentity",
                                          &o, &n, &err),
                    &err);
    }
    j = open_journal(f->path, "adkcd", "adkcd apply many", NULL);
    snprintf(id, sizeof(id), "%s", adkcd_journal_run_id(j));
    intend(j, v, 70);
    for (i = 0; i < 70; i++)
        outcome(j, v[i],
                i == 9   ? ADKCD_OUT_FAILED
                : i < 64 ? ADKCD_OUT_APPLIED
                         : ADKCD_OUT_IN_DOUBT);
    flush(j);
    adkcd_journal_close(j, ADKCD_E_PARTIAL);
    text = slurp(f->path);
    assert_true(asprintf(&want,
                         "# applied: %s 1-9 11-64\n# failed: %s 10\n"
                         "# in-doubt: %s 65-70\n\n",
                         id, id, id) > 0);
    h_assert_contains("ranges", text, want);
    free(want);
    free(text);
    runs = load_ok(f->path);
    assert_int_equal(runs->v[0].n_changes, 70);
    for (i = 0; i < 70; i++)
        assert_int_equal(runs->v[0].changes[i].state,
                         i == 9   ? ADKCD_JOURNAL_FAILED
                         : i < 64 ? ADKCD_JOURNAL_APPLIED
                                  : ADKCD_JOURNAL_IN_DOUBT);
    op = runs->v[0].changes[69].ops;
    assert_int_equal(runs->v[0].changes[69].n_ops, 2);
    assert_int_equal(op[0].kind, ADKCD_OP_DELETE);
    assert_int_equal(op[0].value.len, sizeof(sd_old));
    assert_memory_equal(op[0].value.data, sd_old, sizeof(sd_old));
    assert_int_equal(op[1].value.len, sizeof(sd_new));
    assert_memory_equal(op[1].value.data, sd_new, sizeof(sd_new));
    adkcd_journal_runs_free(runs);
    adkcd_plan_free(plan);
}

static void
test_write_ahead_misuse(void **state)
{
    const struct fixture *f = *state;
    struct adkcd_plan *plan = new_plan();
    struct adkcd_change *c;
    struct adkcd_journal *j;
    struct adkcd_err err;

    c = new_change(plan, DN_IOSMDM, "user iosmdm");
    swap(c, UAC, "512", "514");
    h_err_init(&err);
    h_assert_failed("intend(NULL)", adkcd_journal_intend(NULL, &c, 1, &err),
                    ADKCD_E_INVALID, &err, DN_IOSMDM, NULL);
    j = open_journal(f->path, "adkcd", "x", NULL);
    c->outcome = ADKCD_OUT_APPLIED;
    h_err_init(&err);
    h_assert_failed("outcome before intend", adkcd_journal_outcome(j, c, &err),
                    ADKCD_E_INVALID, &err, "not recorded", NULL);
    intend(j, &c, 1);
    c->outcome = ADKCD_OUT_PLANNED;
    h_err_init(&err);
    h_assert_failed("no outcome", adkcd_journal_outcome(j, c, &err),
                    ADKCD_E_INVALID, &err, "no outcome", NULL);
    adkcd_journal_close(j, ADKCD_OK);
    adkcd_plan_free(plan);
}

/* A journal of 64k runs loads in linear time (not a timed assertion: the
 * time is printed). */
static void
test_large_journal(void **state)
{
    const struct fixture *f = *state;
    enum { N = 65536 };
    struct adkcd_journal_runs *runs;
    struct timespec t0, t1;
    FILE *fp = fopen(f->path, "w");
    char id[40];
    size_t i;

    assert_non_null(fp);
    for (i = 0; i < N; i++) {
        snprintf(id, sizeof(id), "%08zx-0000-4000-8000-%012zx", i * 2654435761u,
                 i);
        fprintf(fp,
                "# run: %s\n# time: 2026-11-24T14:00:00Z\n# tool: adkcd\n"
                "# server: " SERVER "\n# identity: " IDENTITY "\n"
                "# command: adkcd add h%zu http/x\n# format: 2\n\n"
                "# change: %s 1\n# label: computer h%zu$\n"
                "dn: CN=h%zu,CN=Computers,DC=mydom,DC=local\n"
                "changetype: modify\n"
                "delete: userAccountControl\nuserAccountControl: 4096\n-\n"
                "add: userAccountControl\nuserAccountControl: 4096\n-\n"
                "add: " A2D "\n" A2D ": http/x\n-\n\n"
                "# applied: %s 1\n\n# end: %s ok\n\n",
                id, i, id, i, i, id, id);
    }
    assert_int_equal(fclose(fp), 0);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    runs = load_ok(f->path);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    print_message("loaded %d runs in %.2f s\n", N,
                  (double)(t1.tv_sec - t0.tv_sec) +
                      (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    assert_int_equal(runs->n, N);
    /* Every run found by its full id and by a unique prefix. */
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (i = 0; i < N; i++) {
        const struct adkcd_journal_run *r = &runs->v[i];

        assert_ptr_equal(adkcd_journal_find(runs, r->id), r);
        assert_int_equal(r->changes[0].state, ADKCD_JOURNAL_APPLIED);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    print_message("found every run in %.2f s\n",
                  (double)(t1.tv_sec - t0.tv_sec) +
                      (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    assert_ptr_equal(adkcd_journal_find(runs, "00000000-0000-4000-8000-00000"),
                     &runs->v[0]);
    adkcd_journal_runs_free(runs);
}

/* ------------------------------------------------------------------ */
/* Reading hand-written journals                                       */
/* ------------------------------------------------------------------ */

#define RUN_A                                                                  \
    "# run: run-a\n"                                                           \
    "# time: 2026-11-24T14:00:00Z\n"                                           \
    "# tool: adspn\n"                                                          \
    "\n"
#define CHANGE_A "# change: run-a 1\n# attrs: " SPN "\n"
#define DN_LINES "dn: " DN_IOSMDM "\nchangetype: modify\n"
#define RUN_W "# run: run-w\n# format: 2\n\n"
#define CHANGE_W                                                               \
    "# change: run-w 1\n" DN_LINES "add: " SPN "\n" SPN ": a\n-\n\n"

static void
test_malformed(void **state)
{
    const struct fixture *f = *state;
    static const struct {
        const char *name, *text;
        unsigned line;
        const char *phrase;
    } cases[] = {
        {"change before its run",
         CHANGE_A DN_LINES "add: " SPN "\n" SPN ": a\n-\n\n" RUN_A, 1, "run-a"},
        {"changetype add",
         RUN_A CHANGE_A "dn: " DN_IOSMDM "\n"
                        "changetype: add\n" SPN ": a\n\n",
         8, "changetype: add"},
        {"replace", RUN_A CHANGE_A DN_LINES "replace: " SPN "\n" SPN ": a\n-\n",
         9, "replace"},
        {"garbage in a record",
         RUN_A CHANGE_A DN_LINES "add: " SPN "\n" SPN ": a\nthis is garbage\n"
                                 "-\n\n",
         11, "attribute: value"},
        {"wrong attribute in a block",
         RUN_A CHANGE_A DN_LINES "add: " SPN "\n" UAC ": 1\n-\n\n", 10,
         "inside the \"add: " SPN "\" block"},
        {"bad base64 in a record",
         RUN_A CHANGE_A DN_LINES "add: " SPN "\n" SPN ":: !!!!\n-\n\n", 10,
         "base64"},
        {"bad base64 length in a record",
         RUN_A CHANGE_A DN_LINES "add: " SPN "\n" SPN ":: aGVsbG\n-\n\n", 10,
         "base64"},
        {"bad base64 in a before line",
         RUN_A CHANGE_A "# before: " SPN ":: a*b=\n" DN_LINES "add: " SPN
                        "\n" SPN ": a\n-\n\n",
         7, "base64"},
        {"URL value",
         RUN_A CHANGE_A DN_LINES "add: " SPN "\n" SPN
                                 ":< file:///etc/passwd\n-\n",
         10, "URL"},
        {"delete without values",
         RUN_A CHANGE_A DN_LINES "delete: " SPN "\n-\n\n", 10,
         "without values"},
        {"no changetype", RUN_A CHANGE_A "dn: " DN_IOSMDM "\nadd: " SPN "\n", 8,
         "changetype: modify"},
        {"value of an unlisted attribute",
         RUN_A CHANGE_A "# after: " UAC ": 1\n" DN_LINES, 7, "does not list"},
        {"LDIF outside a block", RUN_A DN_LINES, 5, "outside a change"},
        {"change without a record", RUN_A CHANGE_A "\n# end: run-a ok\n", 7,
         "no LDIF record"},
        {"missing blank line",
         RUN_A CHANGE_A DN_LINES "add: " SPN "\n" SPN ": a\n-\n"
                                 "# end: run-a ok\n",
         12, "blank line"},
        {"end of an unknown run", RUN_A "# end: run-b ok\n", 5, "run-b"},
        {"unknown end status", RUN_A "# end: run-a maybe\n", 5, "maybe"},
        {"run twice", RUN_A RUN_A, 5, "second time"},
        {"bad sequence", RUN_A "# change: run-a x\n", 5, "SEQUENCE"},
        {"unknown format", "# run: run-w\n# format: 3\n", 2, "format"},
        {"outcome of an unknown run", "# applied: run-x 1\n", 1, "run-x"},
        {"outcome of an unknown change", RUN_W "# applied: run-w 1\n", 4,
         "run-w 1"},
        {"bad outcome number", RUN_W CHANGE_W "# applied: run-w 1x\n", 11,
         "1x"},
        {"contradicting outcomes",
         RUN_W CHANGE_W "# applied: run-w 1\n# failed: run-w 1\n", 12,
         "second time"},
        {"outcome after the end",
         RUN_W CHANGE_W "# end: run-w ok\n# applied: run-w 1\n", 12, "end"},
        {"numbers going down",
         RUN_W CHANGE_W "# change: run-w 1\n" DN_LINES "add: " SPN "\n" SPN
                        ": a\n-\n\n",
         11, "does not come after"},
        {"outcome inside a record",
         RUN_W "# change: run-w 1\n" DN_LINES "add: " SPN "\n" SPN
               ": a\n-\n# applied: run-w 1\n",
         10, "blank line"},
    };
    size_t i;

    for (i = 0; i < N_ELEMS(cases); i++)
        assert_malformed(f, cases[i].name, cases[i].text, cases[i].line,
                         cases[i].phrase);
}

/* A NUL byte is found even though the text cannot go through fputs(). */
static void
test_malformed_nul(void **state)
{
    const struct fixture *f = *state;
    static const char nul[] = RUN_A "# x\0y\n";
    struct adkcd_journal_runs *runs = (struct adkcd_journal_runs *)&runs;
    char where[PATH_MAX + 32];
    struct adkcd_err err;
    FILE *fp = fopen(f->path, "w");

    assert_non_null(fp);
    assert_int_equal(fwrite(nul, 1, sizeof(nul) - 1, fp), sizeof(nul) - 1);
    fclose(fp);
    snprintf(where, sizeof(where), "%s:5: ", f->path);
    h_err_init(&err);
    h_assert_failed("NUL", adkcd_journal_load(f->path, &runs, &err),
                    ADKCD_E_INVALID, &err, where, "NUL");
    assert_null(runs);
}

/* What a reader must tolerate: a banner, unknown keys, LDIF comments and
 * folding, CRLF, no blank line at the end, a missing header field. */
static void
test_lenient_reading(void **state)
{
    const struct fixture *f = *state;
    const struct adkcd_journal_change *ch;
    struct adkcd_journal_runs *runs;

    write_file(f->path, "# adkcd journal: do not edit\r\n"
                        "\n"
                        "# run: run-a\n"
                        "# time: 2026-11-24T14:00:00Z\n"
                        "# future-key: whatever\n"
                        "\n"
                        "# change: run-a 1\n"
                        "# label: user\n"
                        "  iosmdm\n"
                        "# attrs: " SPN " " A2D "\n"
                        "# before: " A2D ": cifs/fs1\n"
                        "# after: " SPN ": http/\n"
                        " folded\n"
                        "dn: CN=iosmdm,CN=Users,\n"
                        " DC=mydom,DC=local\n"
                        "changetype: modify\n"
                        "# an LDIF comment inside the record\n"
                        "delete: " A2D "\n" A2D ": cifs/fs1\n"
                        "-\n"
                        "add: " SPN "\n" SPN ":: aHR0cC9mb2xkZWQ=\n");
    runs = load_ok(f->path);
    assert_int_equal(runs->n, 1);
    assert_string_equal(runs->v[0].status, "incomplete");
    assert_string_equal(runs->v[0].tool, "");
    assert_string_equal(runs->v[0].command, "");
    assert_null(runs->v[0].rollback_of);
    assert_int_equal(runs->v[0].n_changes, 1);
    ch = &runs->v[0].changes[0];
    assert_string_equal(ch->label, "user iosmdm");
    assert_string_equal(ch->dn, DN_IOSMDM);
    /* A legacy block (no "# format: 2"): written once applied. */
    assert_int_equal(runs->v[0].format, 1);
    assert_int_equal(ch->state, ADKCD_JOURNAL_APPLIED);
    assert_image("spn", &ch->images[0], SPN, 0, NONE, 1,
                 (const char *const[]){"http/folded", NULL});
    assert_image("a2d", &ch->images[1], A2D, 1,
                 (const char *const[]){"cifs/fs1", NULL}, 0, NONE);
    assert_int_equal(ch->n_ops, 2);
    assert_op("0", &ch->ops[0], ADKCD_OP_DELETE, A2D, "cifs/fs1");
    assert_op("1", &ch->ops[1], ADKCD_OP_ADD, SPN, "http/folded");
    adkcd_journal_runs_free(runs);
}

/* ------------------------------------------------------------------ */
/* Default path and run lookup                                         */
/* ------------------------------------------------------------------ */

/* Set or unset (value NULL) an environment variable. */
static void
env(const char *name, const char *value)
{
    if (value != NULL)
        assert_int_equal(setenv(name, value, 1), 0);
    else
        assert_int_equal(unsetenv(name), 0);
}

static void
assert_default_path(const char *xdg, const char *home, const char *want)
{
    char *path = (char *)&path;
    struct adkcd_err err;

    env("XDG_STATE_HOME", xdg);
    env("HOME", home);
    h_err_init(&err);
    if (want == NULL) {
        h_assert_failed("default_path", adkcd_journal_default_path(&path, &err),
                        ADKCD_E_IO, &err, "HOME", "XDG_STATE_HOME");
        assert_null(path);
        return;
    }
    h_assert_ok("default_path", adkcd_journal_default_path(&path, &err), &err);
    assert_string_equal(path, want);
    free(path);
}

static void
test_default_path(void **state)
{
    char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");

    (void)state;
    xdg = xdg != NULL ? strdup(xdg) : NULL;
    home = home != NULL ? strdup(home) : NULL;
    assert_default_path("/x/state", "/home/u", "/x/state/adkcd/journal.ldif");
    assert_default_path("/x/state/", NULL, "/x/state/adkcd/journal.ldif");
    assert_default_path(NULL, "/home/u",
                        "/home/u/.local/state/adkcd/journal.ldif");
    assert_default_path("", "/home/u",
                        "/home/u/.local/state/adkcd/journal.ldif");
    /* The XDG spec: a relative path is invalid and ignored. */
    assert_default_path("rel/state", "/home/u",
                        "/home/u/.local/state/adkcd/journal.ldif");
    assert_default_path(NULL, NULL, NULL);
    assert_default_path(NULL, "", NULL);
    env("XDG_STATE_HOME", xdg);
    env("HOME", home);
    free(xdg);
    free(home);
}

/* The default journal's directories are created, private. */
static void
test_default_path_creates_directories(void **state)
{
    const struct fixture *f = *state;
    char *xdg = getenv("XDG_STATE_HOME"), *path = NULL;
    char state_dir[PATH_MAX + 16], dir[PATH_MAX + 32];
    struct adkcd_journal *j;
    struct adkcd_err err;
    struct stat sb;

    xdg = xdg != NULL ? strdup(xdg) : NULL;
    snprintf(state_dir, sizeof(state_dir), "%s/state", f->dir);
    env("XDG_STATE_HOME", state_dir);
    h_err_init(&err);
    h_assert_ok("default_path", adkcd_journal_default_path(&path, &err), &err);
    j = open_journal(path, "adkcd", "adkcd add x y", NULL);
    adkcd_journal_close(j, ADKCD_OK);
    snprintf(dir, sizeof(dir), "%s/adkcd", state_dir);
    assert_int_equal(stat(dir, &sb), 0);
    assert_true(S_ISDIR(sb.st_mode));
    assert_int_equal(sb.st_mode & 0777, 0700);
    assert_int_equal(stat(state_dir, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0700);
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    free(path);
    env("XDG_STATE_HOME", xdg);
    free(xdg);
}

#define ID1 "0d6f3c2a-1111-4c3e-9d1a-000000000001"
#define ID2 "0d6f3c2a-2222-4c3e-9d1a-000000000002"
#define ID3 "7e1b9f00-3333-4c3e-9d1a-000000000003"

static void
test_find(void **state)
{
    const struct fixture *f = *state;
    struct adkcd_journal_runs *runs;

    write_file(f->path,
               "# run: " ID1 "\n\n# run: " ID2 "\n\n# run: " ID3 "\n\n");
    runs = load_ok(f->path);
    assert_int_equal(runs->n, 3);
    assert_ptr_equal(adkcd_journal_find(runs, ID2), &runs->v[1]);
    assert_ptr_equal(adkcd_journal_find(runs, ID1), &runs->v[0]);
    /* Ids are shown in lower case; upper case typed back is the same. */
    assert_ptr_equal(adkcd_journal_find(runs, "7E1B9F00-3333-4C3E-9D1A-"
                                              "000000000003"),
                     &runs->v[2]);
    assert_ptr_equal(adkcd_journal_find(runs, "7e1b9f00"), &runs->v[2]);
    assert_ptr_equal(adkcd_journal_find(runs, "0d6f3c2a-2"), &runs->v[1]);
    assert_null(adkcd_journal_find(runs, "0d6f3c2a")); /* ambiguous */
    assert_null(adkcd_journal_find(runs, "7e1b9f0"));  /* too short */
    assert_null(adkcd_journal_find(runs, "ffffffff"));
    assert_null(adkcd_journal_find(runs, ""));
    assert_null(adkcd_journal_find(runs, NULL));
    assert_null(adkcd_journal_find(NULL, ID1));
    adkcd_journal_runs_free(runs);
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_round_trip),
        T(test_base64_values),
        T(test_block_text),
        T(test_interleaved_runs),
        T(test_concurrent_processes),
        T(test_incomplete_run),
        T(test_failed_run),
        T(test_nothing_recorded),
        T(test_mode_0600),
        T(test_load_missing),
        T(test_load_unreadable),
        T(test_untrusted_journal),
        T(test_open_unwritable),
        T(test_record_without_journal),
        T(test_write_ahead),
        T(test_cut_off),
        T(test_outcome_ranges_and_binary),
        T(test_write_ahead_misuse),
        T(test_large_journal),
        T(test_malformed),
        T(test_malformed_nul),
        T(test_lenient_reading),
        T(test_default_path),
        T(test_default_path_creates_directories),
        T(test_find),
    };
#undef T

    return cmocka_run_group_tests(tests, NULL, NULL);
}
