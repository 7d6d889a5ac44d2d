/*
 * The write engine against the scripted fake directory (tests/fake): what
 * the real DC cannot produce on demand.  Each test builds a plan, runs the
 * engine and checks the outcomes, the counts and the directory after.
 */
#include "harness.h"

#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "adkcd/journal.h"
#include "adkcd/rollback.h"

#include "adkcd/engine.h"
#include "adkcd/entry.h"
#include "fakedir.h"

#define UAC "userAccountControl"
#define SPN "servicePrincipalName"

/* Re-plan: set `bits` in userAccountControl, whatever it holds now. */
struct set_bits {
    unsigned bits;
};

static adkcd_status
replan_bits(void *ctx, const struct adkcd_entry *now, struct adkcd_change *c,
            struct adkcd_err *err)
{
    const struct set_bits *sb = ctx;
    const char *v = adkcd_entry_str(now, UAC);
    unsigned cur = v != NULL ? (unsigned)strtoul(v, NULL, 10) : 0;
    char o[16], n[16];

    snprintf(o, sizeof(o), "%d", (int32_t)cur);
    snprintf(n, sizeof(n), "%d", (int32_t)(cur | sb->bits));
    return adkcd_change_swap(c, UAC, o, n, err);
}

static char *const uac_attrs[] = {UAC, NULL};

/* A change on dn: userAccountControl from `from` to from|bits by
 * compare-and-swap, re-planned with replan_bits. */
static void
plan_bits(struct adkcd_plan *plan, const char *dn, unsigned from,
          struct set_bits *sb)
{
    struct adkcd_entry *e = adkcd_entry_new(dn);
    struct adkcd_change *c = NULL;
    struct adkcd_err err;
    char v[16];

    snprintf(v, sizeof(v), "%u", from);
    adkcd_entry_add(e, UAC, v, strlen(v));
    assert_int_equal(adkcd_plan_change(plan, dn, dn, &c, &err), ADKCD_OK);
    assert_int_equal(replan_bits(sb, e, c, &err), ADKCD_OK);
    assert_int_equal(
        adkcd_change_set_replan(c, replan_bits, sb, uac_attrs, &err), ADKCD_OK);
    adkcd_entry_free(e);
}

/* A change adding spn to dn (no re-plan: an add is its own guard). */
static void
plan_spn(struct adkcd_plan *plan, const char *dn, const char *spn,
         unsigned phase)
{
    struct adkcd_change *c = NULL;
    struct adkcd_err err;
    char *cur[] = {NULL};
    char *want[] = {(char *)spn, NULL};

    assert_int_equal(adkcd_plan_change(plan, dn, dn, &c, &err), ADKCD_OK);
    assert_int_equal(adkcd_change_set_values(c, SPN, cur, 0, want, 1,
                                             ADKCD_CMP_NOCASE, &err),
                     ADKCD_OK);
    c->phase = phase;
}

static void
no_sleep(void *ctx, unsigned ms)
{
    unsigned *total = ctx;

    *total += ms;
}

struct fixture {
    char jdir[32], jpath[64]; /* a scratch journal, when journaled */
    struct adkcd_dir *dir;
    struct fakedir *fd;
    struct adkcd_plan *plan;
    struct adkcd_engine_opts o;
    struct adkcd_engine_result res;
    struct adkcd_err err;
    unsigned slept;
};

static void
setup(struct fixture *f, int n_objects)
{
    struct adkcd_err err;
    int i;

    memset(f, 0, sizeof(*f));
    f->dir = fakedir_new(&f->fd);
    for (i = 0; i < n_objects; i++) {
        char dn[64];

        snprintf(dn, sizeof(dn), "CN=o%d,DC=x", i);
        fakedir_put(f->fd, dn, UAC, "4096");
    }
    assert_int_equal(adkcd_plan_new(&f->plan, &err), ADKCD_OK);
    f->o.sleep_ms = no_sleep;
    f->o.sleep_ctx = &f->slept;
    adkcd_err_clear(&f->err);
}

static void
teardown(struct fixture *f)
{
    adkcd_plan_free(f->plan);
    adkcd_dir_free(f->dir);
    if (f->jdir[0] != '\0') {
        unlink(f->jpath);
        rmdir(f->jdir);
    }
}

static adkcd_status
run(struct fixture *f)
{
    return adkcd_engine_apply(f->dir, f->plan, &f->o, &f->res, &f->err);
}

static struct set_bits pt = {0x1000000};

static void
test_all_applied_and_read_back(void **state)
{
    struct fixture f;

    (void)state;
    setup(&f, 2);
    plan_bits(f.plan, "CN=o0,DC=x", 4096, &pt);
    plan_spn(f.plan, "CN=o1,DC=x", "http/a.x", 0);
    assert_int_equal(run(&f), ADKCD_OK);
    assert_int_equal(f.res.applied, 2);
    assert_int_equal(f.res.retried, 0);
    assert_string_equal(fakedir_get(f.fd, "CN=o0,DC=x", UAC), "16781312");
    assert_string_equal(fakedir_get(f.fd, "CN=o1,DC=x", SPN), "http/a.x");
    assert_int_equal(f.plan->changes[0].outcome, ADKCD_OUT_APPLIED);
    assert_int_equal(f.plan->changes[0].attempts, 1);
    assert_true(f.plan->changes[0].images[0].have_read);
    h_assert_vals("read back", &f.plan->changes[0].images[0].read,
                  (const char *const[]){"16781312", NULL});
    assert_false(f.plan->changes[0].read_differs);
    teardown(&f);
}

static void
test_empty_change_is_unchanged_and_not_sent(void **state)
{
    struct fixture f;
    struct adkcd_change *c = NULL;

    (void)state;
    setup(&f, 1);
    assert_int_equal(adkcd_plan_change(f.plan, "CN=o0,DC=x", "", &c, &f.err),
                     ADKCD_OK);
    assert_int_equal(run(&f), ADKCD_OK);
    assert_int_equal(f.res.unchanged, 1);
    assert_int_equal(fakedir_modifies(f.fd), 0);
    assert_int_equal(fakedir_reads(f.fd), 0);
    teardown(&f);
}

static void
test_cas_lost_once_replans_only_that_object(void **state)
{
    struct fixture f;

    (void)state;
    setup(&f, 3);
    plan_bits(f.plan, "CN=o0,DC=x", 4096, &pt);
    plan_bits(f.plan, "CN=o1,DC=x", 4096, &pt);
    plan_bits(f.plan, "CN=o2,DC=x", 4096, &pt);
    /* Another writer disables o1 (4098) right before our modify. */
    fakedir_interfere(f.fd, "CN=o1,DC=x", UAC, "4098", 1);
    assert_int_equal(run(&f), ADKCD_OK);
    assert_int_equal(f.res.applied, 3);
    assert_int_equal(f.res.retried, 1);
    assert_int_equal(f.plan->changes[1].attempts, 2);
    assert_int_equal(f.plan->changes[0].attempts, 1);
    /* Re-planned against 4098: the other writer's bit is kept. */
    assert_string_equal(fakedir_get(f.fd, "CN=o1,DC=x", UAC), "16781314");
    /* One re-read of the object that lost, then the read-back. */
    assert_int_equal(fakedir_reads(f.fd), 1 + 3);
    assert_int_equal(fakedir_modifies(f.fd), 4);
    assert_true(f.slept > 0);
    teardown(&f);
}

static void
test_cas_lost_seven_times_succeeds_on_the_eighth(void **state)
{
    struct fixture f;

    (void)state;
    setup(&f, 1);
    plan_bits(f.plan, "CN=o0,DC=x", 4096, &pt);
    fakedir_interfere(f.fd, "CN=o0,DC=x", UAC, "4097", 7);
    assert_int_equal(run(&f), ADKCD_OK);
    assert_int_equal(f.plan->changes[0].attempts, 8);
    assert_int_equal(f.res.retried, 7);
    /* The seventh interference wrote 4103. */
    assert_string_equal(fakedir_get(f.fd, "CN=o0,DC=x", UAC), "16781319");
    teardown(&f);
}

static void
test_cas_lost_eight_times_gives_up(void **state)
{
    struct fixture f;

    (void)state;
    setup(&f, 2);
    plan_bits(f.plan, "CN=o0,DC=x", 4096, &pt);
    plan_bits(f.plan, "CN=o1,DC=x", 4096, &pt);
    fakedir_interfere(f.fd, "CN=o0,DC=x", UAC, "4097", 8);
    assert_int_equal(run(&f), ADKCD_E_PARTIAL);
    assert_int_equal(f.plan->changes[0].outcome, ADKCD_OUT_FAILED);
    assert_int_equal(f.plan->changes[0].status, ADKCD_E_CONFLICT);
    assert_int_equal(f.plan->changes[0].attempts, 8);
    h_assert_contains("message", f.plan->changes[0].message,
                      "another writer kept changing CN=o0,DC=x (8 attempts)");
    /* Nothing of ours on o0: the other writer's last value stands. */
    assert_string_equal(fakedir_get(f.fd, "CN=o0,DC=x", UAC), "4104");
    assert_int_equal(f.plan->changes[1].outcome, ADKCD_OUT_APPLIED);
    h_assert_contains("err", f.err.msg, "1 of 2 changes were applied, then");
    teardown(&f);
}

static void
test_replan_finds_nothing_left_to_do(void **state)
{
    struct fixture f;

    (void)state;
    setup(&f, 1);
    plan_bits(f.plan, "CN=o0,DC=x", 4096, &pt);
    /* The other writer sets the very bit we wanted. */
    fakedir_interfere(f.fd, "CN=o0,DC=x", UAC, "16781312", 1);
    assert_int_equal(run(&f), ADKCD_OK);
    assert_int_equal(f.plan->changes[0].outcome, ADKCD_OUT_UNCHANGED);
    assert_int_equal(f.res.unchanged, 1);
    assert_int_equal(fakedir_modifies(f.fd), 1);
    teardown(&f);
}

static void
test_refusal_in_the_middle_of_a_batch(void **state)
{
    struct fixture f;
    int i;

    (void)state;
    setup(&f, 5);
    for (i = 0; i < 5; i++) {
        char dn[32];

        snprintf(dn, sizeof(dn), "CN=o%d,DC=x", i);
        plan_spn(f.plan, dn, "http/x", 0);
    }
    /* Duplicates: the server refuses every add after the first (19). */
    fakedir_fail_modify(f.fd, 3, 19,
                        "0000202F: samldb: spn[http/x] would cause a conflict");
    assert_int_equal(run(&f), ADKCD_E_PARTIAL);
    assert_int_equal(f.res.applied, 4);
    assert_int_equal(f.res.failed, 1);
    assert_int_equal(f.plan->changes[2].outcome, ADKCD_OUT_FAILED);
    assert_int_equal(f.plan->changes[2].status, ADKCD_E_CONFLICT);
    assert_int_equal(f.plan->changes[2].ldap_rc, 19);
    h_assert_contains("message", f.plan->changes[2].message,
                      "modifying CN=o2,DC=x: Constraint violation (LDAP 19): "
                      "0000202F: samldb");
    assert_string_equal(fakedir_get(f.fd, "CN=o2,DC=x", SPN), "");
    assert_string_equal(fakedir_get(f.fd, "CN=o4,DC=x", SPN), "http/x");
    teardown(&f);
}

static void
test_stop_on_error_sends_nothing_more(void **state)
{
    struct fixture f;
    int i;

    (void)state;
    setup(&f, 5);
    for (i = 0; i < 5; i++) {
        char dn[32];

        snprintf(dn, sizeof(dn), "CN=o%d,DC=x", i);
        plan_spn(f.plan, dn, "http/x", 0);
    }
    fakedir_fail_modify(f.fd, 2, 50, "insufficient rights");
    f.o.stop_on_error = 1;
    f.o.window = 1;
    assert_int_equal(run(&f), ADKCD_E_PARTIAL);
    assert_int_equal(f.res.applied, 1);
    assert_int_equal(f.res.failed, 1);
    assert_int_equal(f.res.skipped, 3);
    assert_int_equal(f.plan->changes[1].status, ADKCD_E_ACCESS);
    assert_int_equal(f.plan->changes[4].outcome, ADKCD_OUT_SKIPPED);
    assert_int_equal(fakedir_modifies(f.fd), 2);
    teardown(&f);
}

static void
test_first_refusal_alone_keeps_its_status(void **state)
{
    struct fixture f;

    (void)state;
    setup(&f, 1);
    plan_spn(f.plan, "CN=o0,DC=x", "http/x", 0);
    fakedir_fail_modify(f.fd, 1, 19, "conflict");
    assert_int_equal(run(&f), ADKCD_E_CONFLICT);
    assert_int_equal(f.err.ldap_rc, 19);
    h_assert_contains("err", f.err.msg, "modifying CN=o0,DC=x");
    teardown(&f);
}

/* The connection drops after the 3rd of 6 modifies: 1 and 2 applied, 3 in
 * doubt (applied or not), 4 to 6 never sent. */
static void
check_drop(int window, int third_applied)
{
    struct fixture f;
    int i;

    setup(&f, 6);
    for (i = 0; i < 6; i++) {
        char dn[32];

        snprintf(dn, sizeof(dn), "CN=o%d,DC=x", i);
        plan_spn(f.plan, dn, "http/y", 0);
    }
    f.o.window = window;
    fakedir_drop_after(f.fd, 3, third_applied);
    assert_int_equal(run(&f), ADKCD_E_PARTIAL);

    assert_int_equal(f.res.applied, 2);
    assert_int_equal(f.res.in_doubt, 1);
    assert_int_equal(f.res.skipped, 3);
    assert_int_equal(f.plan->changes[2].outcome, ADKCD_OUT_IN_DOUBT);
    assert_int_equal(f.plan->changes[2].status, ADKCD_E_CONNECT);
    h_assert_contains("in doubt", f.plan->changes[2].message,
                      "it may or may not have been applied");
    assert_string_equal(fakedir_get(f.fd, "CN=o2,DC=x", SPN),
                        third_applied ? "http/y" : "");
    assert_string_equal(fakedir_get(f.fd, "CN=o3,DC=x", SPN), "");
    h_assert_contains("err", f.err.msg, "(more in doubt)");
    teardown(&f);
}

static void
test_drop_after_nth_modify(void **state)
{
    (void)state;
    check_drop(1, 0);
    check_drop(1, 1);
    check_drop(64, 0);
    check_drop(64, 1);
}

static void
test_timeout_leaves_inflight_in_doubt(void **state)
{
    struct fixture f;

    (void)state;
    setup(&f, 3);
    plan_spn(f.plan, "CN=o0,DC=x", "http/z", 0);
    plan_spn(f.plan, "CN=o1,DC=x", "http/z1", 0);
    plan_spn(f.plan, "CN=o2,DC=x", "http/z2", 0);
    fakedir_timeout_after(f.fd, 1);
    assert_int_equal(run(&f), ADKCD_E_PARTIAL);
    assert_int_equal(f.res.applied, 1);
    assert_int_equal(f.res.in_doubt, 2);
    h_assert_contains("message", f.plan->changes[1].message, "no answer");
    teardown(&f);
}

static void
test_read_back_that_disagrees_is_reported(void **state)
{
    struct fixture f;

    (void)state;
    setup(&f, 1);
    plan_spn(f.plan, "CN=o0,DC=x", "http/a", 0);
    fakedir_after_modify(f.fd, "CN=o0,DC=x", SPN, "http/other");
    assert_int_equal(run(&f), ADKCD_OK);
    assert_int_equal(f.plan->changes[0].outcome, ADKCD_OUT_APPLIED);
    assert_true(f.plan->changes[0].read_differs);
    assert_int_equal(f.res.read_differs, 1);
    h_assert_vals("read", &f.plan->changes[0].images[0].read,
                  (const char *const[]){"http/a", "http/other", NULL});
    /* The after-image keeps what this change left. */
    h_assert_vals("after", &f.plan->changes[0].images[0].after,
                  (const char *const[]){"http/a", NULL});
    teardown(&f);
}

/* Every change applied, then the DC stops answering before the read-back
 * (a hung DC between the modify and its read-back): the writes stand and
 * every change says so, but the run fails as unreachable, saying that
 * the changes WERE applied (issue 12). */
static void
test_read_back_timeout_fails_the_run_the_writes_stand(void **state)
{
    struct fixture f;

    (void)state;
    setup(&f, 2);
    plan_spn(f.plan, "CN=o0,DC=x", "http/rb0", 0);
    plan_spn(f.plan, "CN=o1,DC=x", "http/rb1", 0);
    fakedir_timeout_after(f.fd, 2); /* both modifies answered, no read */
    assert_int_equal(run(&f), ADKCD_E_CONNECT);
    assert_int_equal(f.res.applied, 2);
    assert_int_equal(f.plan->changes[0].outcome, ADKCD_OUT_APPLIED);
    assert_int_equal(f.plan->changes[1].outcome, ADKCD_OUT_APPLIED);
    h_assert_contains("err", f.err.msg,
                      "2 changes WERE applied, then the DC "
                      "stopped answering while they were "
                      "read back: no answer");
    /* And beside the result, as any read-back failure is. */
    assert_int_equal(f.res.read_back_status, ADKCD_E_CONNECT);
    h_assert_contains("read back", f.res.read_back_msg, "no answer");
    assert_false(f.plan->changes[0].images[0].have_read);
    assert_string_equal(fakedir_get(f.fd, "CN=o0,DC=x", SPN), "http/rb0");
    teardown(&f);
}

static void
test_window_bounds_requests_in_flight(void **state)
{
    struct fixture f;
    int i;

    (void)state;
    setup(&f, 100);
    for (i = 0; i < 100; i++) {
        char dn[32];

        snprintf(dn, sizeof(dn), "CN=o%d,DC=x", i);
        plan_spn(f.plan, dn, "http/w", 0);
    }
    f.o.window = 8;
    assert_int_equal(run(&f), ADKCD_OK);
    assert_int_equal(f.res.applied, 100);
    assert_int_equal(fakedir_max_inflight(f.fd), 8);
    teardown(&f);
}

static void
test_answers_out_of_order(void **state)
{
    struct fixture f;
    int i;

    (void)state;
    setup(&f, 20);
    for (i = 0; i < 20; i++) {
        char dn[32];

        snprintf(dn, sizeof(dn), "CN=o%d,DC=x", i);
        plan_bits(f.plan, dn, 4096, &pt);
    }
    fakedir_reorder(f.fd, 4);
    fakedir_fail_modify(f.fd, 6, 53, "unwilling");
    f.o.window = 6;
    assert_int_equal(run(&f), ADKCD_E_PARTIAL);
    assert_int_equal(f.res.applied, 19);
    /* The 6th modify sent is the 6th change's: its own answer, not
     * another's. */
    assert_int_equal(f.plan->changes[5].outcome, ADKCD_OUT_FAILED);
    assert_int_equal(f.plan->changes[5].status, ADKCD_E_ACCESS);
    assert_string_equal(fakedir_get(f.fd, "CN=o5,DC=x", UAC), "4096");
    teardown(&f);
}

/* The number of requests in flight when the modify of each DN came in. */
struct seen {
    char dns[8][32];
    int inflight[8];
    int n;
};

static void
note_modify(void *ctx, const char *dn, int inflight)
{
    struct seen *v = ctx;

    if (v->n < 8) {
        snprintf(v->dns[v->n], sizeof(v->dns[v->n]), "%s", dn);
        v->inflight[v->n++] = inflight;
    }
}

static void
test_phases_finish_before_the_next_starts(void **state)
{
    struct fixture f;
    struct seen seen = {0};

    (void)state;
    setup(&f, 3);
    plan_spn(f.plan, "CN=o0,DC=x", "http/p1", 1);
    plan_spn(f.plan, "CN=o1,DC=x", "http/p0", 0);
    plan_spn(f.plan, "CN=o2,DC=x", "http/p1b", 1);
    fakedir_on_modify(f.fd, note_modify, &seen);
    assert_int_equal(run(&f), ADKCD_OK);
    assert_string_equal(fakedir_log(f.fd), "CN=o1,DC=x,CN=o0,DC=x,CN=o2,DC=x");
    /* Phase 1 starts only once phase 0 was answered: nothing in flight
     * when its first modify comes in; within a phase, pipelined. */
    assert_int_equal(seen.inflight[0], 0);
    assert_int_equal(seen.inflight[1], 0);
    assert_int_equal(seen.inflight[2], 1);
    teardown(&f);
}

/* A move (o0 lets go of http/m, o1 takes it) ordered by adkcd_plan_order:
 * o1 waits for o0, and is not sent when o0's change was refused. */
static void
test_move_waits_for_its_removal(void **state)
{
    struct fixture f;
    struct adkcd_change *c = NULL;
    char *cur[] = {"http/m", NULL}, *none[] = {NULL};

    (void)state;
    setup(&f, 2);
    fakedir_put(f.fd, "CN=o0,DC=x", SPN, "http/m");
    plan_spn(f.plan, "CN=o1,DC=x", "HTTP/M", 0);
    assert_int_equal(adkcd_plan_change(f.plan, "CN=o0,DC=x", "", &c, &f.err),
                     ADKCD_OK);
    assert_int_equal(adkcd_change_set_values(c, SPN, cur, 1, none, 0,
                                             ADKCD_CMP_NOCASE, &f.err),
                     ADKCD_OK);
    assert_int_equal(adkcd_plan_order(f.plan, SPN, NULL, NULL, NULL, &f.err),
                     ADKCD_OK);
    assert_int_equal(f.plan->changes[0].phase, 1);
    assert_int_equal(f.plan->changes[0].n_needs, 1);
    assert_int_equal(f.plan->changes[1].phase, 0);
    fakedir_fail_modify(f.fd, 1, 50, "insufficient access");
    assert_int_equal(run(&f), ADKCD_E_ACCESS);
    assert_int_equal(f.plan->changes[1].outcome, ADKCD_OUT_FAILED);
    assert_int_equal(f.plan->changes[0].outcome, ADKCD_OUT_SKIPPED);
    h_assert_contains("skipped", f.plan->changes[0].message,
                      "takes over what CN=o0,DC=x had to let go of");
    assert_int_equal(fakedir_modifies(f.fd), 1);
    assert_string_equal(fakedir_get(f.fd, "CN=o0,DC=x", SPN), "http/m");
    assert_string_equal(fakedir_get(f.fd, "CN=o1,DC=x", SPN), "");
    teardown(&f);
}

static void
test_swapped_values_cannot_be_ordered(void **state)
{
    struct adkcd_plan *plan = NULL;
    struct adkcd_change *c = NULL;
    struct adkcd_err err;
    char *a[] = {"http/a", NULL}, *b[] = {"http/b", NULL};
    size_t at = 99;

    (void)state;
    h_err_init(&err);
    assert_int_equal(adkcd_plan_new(&plan, &err), ADKCD_OK);
    assert_int_equal(adkcd_plan_change(plan, "CN=o0,DC=x", "", &c, &err),
                     ADKCD_OK);
    assert_int_equal(
        adkcd_change_set_values(c, SPN, a, 1, b, 1, ADKCD_CMP_NOCASE, &err),
        ADKCD_OK);
    assert_int_equal(adkcd_plan_change(plan, "CN=o1,DC=x", "", &c, &err),
                     ADKCD_OK);
    assert_int_equal(
        adkcd_change_set_values(c, SPN, b, 1, a, 1, ADKCD_CMP_NOCASE, &err),
        ADKCD_OK);
    h_assert_failed("swap", adkcd_plan_order(plan, SPN, NULL, NULL, &at, &err),
                    ADKCD_E_USAGE, &err, "move in a cycle", "CN=o");
    assert_true(at < 2);
    adkcd_plan_free(plan);
}

/* The journal is a write-ahead log: when each modify reaches the
 * directory, its intent is on disk already. */
struct wal {
    const char *path;
    int sent, bad;
};

static void
check_intent_on_disk(void *ctx, const char *dn, int inflight)
{
    struct wal *w = ctx;
    char line[512];
    int intents = 0;
    FILE *fp = fopen(w->path, "r");

    (void)dn;
    (void)inflight;
    while (fp != NULL && fgets(line, sizeof(line), fp) != NULL)
        intents += strncmp(line, "# change: ", 10) == 0;
    if (fp != NULL)
        fclose(fp);
    w->sent++;
    if (intents < w->sent)
        w->bad++;
}

static struct adkcd_journal *
open_journal(const char *path)
{
    struct adkcd_journal *j = NULL;
    struct adkcd_err err;

    h_err_init(&err);
    h_assert_ok("journal",
                adkcd_journal_open(path, "adkcd", "test", "ldap://x", "u:test",
                                   NULL, &j, &err),
                &err);
    return j;
}

/* A fixture whose run is journaled in a scratch file. */
static void
setup_journaled(struct fixture *f, int n_objects)
{
    setup(f, n_objects);
    snprintf(f->jdir, sizeof(f->jdir), "/tmp/test_engine.XXXXXX");
    assert_non_null(mkdtemp(f->jdir));
    snprintf(f->jpath, sizeof(f->jpath), "%s/journal.ldif", f->jdir);
    f->o.journal = open_journal(f->jpath);
}

static void
test_journal_intent_before_each_send(void **state)
{
    struct adkcd_journal_runs *runs = NULL;
    struct fixture f;
    struct wal w = {f.jpath, 0, 0};
    struct adkcd_err err;
    size_t i, applied = 0, failed = 0;

    (void)state;
    setup_journaled(&f, 40);
    for (i = 0; i < 40; i++) {
        char dn[32];

        snprintf(dn, sizeof(dn), "CN=o%zu,DC=x", i);
        plan_spn(f.plan, dn, "http/j", 0);
    }
    f.o.window = 8;
    fakedir_on_modify(f.fd, check_intent_on_disk, &w);
    fakedir_fail_modify(f.fd, 5, 19, "conflict");
    assert_int_equal(run(&f), ADKCD_E_PARTIAL);
    adkcd_journal_close(f.o.journal, ADKCD_E_PARTIAL);
    assert_int_equal(w.sent, 40);
    assert_int_equal(w.bad, 0);
    /* And the outcomes say what the directory did. */
    h_err_init(&err);
    h_assert_ok("load", adkcd_journal_load(f.jpath, &runs, &err), &err);
    assert_int_equal(runs->n, 1);
    for (i = 0; i < runs->v[0].n_changes; i++) {
        applied += runs->v[0].changes[i].state == ADKCD_JOURNAL_APPLIED;
        failed += runs->v[0].changes[i].state == ADKCD_JOURNAL_FAILED;
    }
    assert_int_equal(applied, 39);
    assert_int_equal(failed, 1);
    assert_int_equal(fakedir_applied(f.fd), 39);
    adkcd_journal_runs_free(runs);
    teardown(&f);
}

/* A journal that cannot be written stops the run: nothing is sent whose
 * intent is not on disk. */
static void
test_journal_write_failure_stops_sending(void **state)
{
    struct rlimit old, small;
    struct fixture f;
    struct wal w = {f.jpath, 0, 0};
    size_t i;
    adkcd_status st;

    (void)state;
    setup_journaled(&f, 200);
    for (i = 0; i < 200; i++) {
        char dn[32];

        snprintf(dn, sizeof(dn), "CN=o%zu,DC=x", i);
        plan_spn(f.plan, dn, "http/full", 0);
    }
    f.o.window = 16;
    fakedir_on_modify(f.fd, check_intent_on_disk, &w);
    /* The file may grow to about 4 KiB: a few batches, then EFBIG. */
    signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    small = old;
    small.rlim_cur = 4096;
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
    st = run(&f);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    adkcd_journal_close(f.o.journal, st);
    assert_int_equal(st, ADKCD_E_PARTIAL);
    assert_true(w.sent > 0 && w.sent < 200);
    assert_int_equal(w.bad, 0);
    assert_int_equal(f.res.skipped, 200 - (size_t)w.sent);
    h_assert_contains("err", f.err.msg, f.jpath);
    teardown(&f);
}

/* What the engine hands over when the journal could not record outcomes. */
static void
capture_text(void *ctx, const char *text)
{
    char **out = ctx;

    free(*out);
    *out = strdup(text);
}

/* Lines of text that start with prefix. */
static size_t
count_lines(const char *text, const char *prefix)
{
    size_t n = 0, len = strlen(prefix);
    const char *p = text;

    while (p != NULL && *p != '\0') {
        n += strncmp(p, prefix, len) == 0;
        p = strchr(p, '\n');
        if (p != NULL)
            p++;
    }
    return n;
}

/* The disk fills between a change's intent and its outcome: as the modify
 * reaches the directory, the journal may not grow any more. */
struct freeze {
    const char *path;
    struct rlimit old;
    int frozen;
};

static void
freeze_journal(void *ctx, const char *dn, int inflight)
{
    struct freeze *fz = ctx;
    struct rlimit lim;
    struct stat sb;

    (void)dn;
    (void)inflight;
    if (fz->frozen || stat(fz->path, &sb) != 0)
        return;
    lim = fz->old;
    lim.rlim_cur = (rlim_t)sb.st_size;
    fz->frozen = setrlimit(RLIMIT_FSIZE, &lim) == 0;
}

/* The change was applied but its outcome cannot be appended: exit status
 * partial, the journal shows it in doubt, and the engine hands over the
 * exact journal text it lacks, so nothing is lost (issue 12). */
static void
test_unrecorded_outcome_is_handed_over_as_ldif(void **state)
{
    struct adkcd_journal_runs *runs = NULL;
    struct freeze fz;
    struct fixture f;
    struct adkcd_err err;
    char *text = NULL;
    char want[128];
    adkcd_status st;

    (void)state;
    setup_journaled(&f, 1);
    plan_spn(f.plan, "CN=o0,DC=x", "http/lost", 0);
    f.o.unjournaled = capture_text;
    f.o.unjournaled_ctx = &text;
    memset(&fz, 0, sizeof(fz));
    fz.path = f.jpath;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &fz.old), 0);
    signal(SIGXFSZ, SIG_IGN);
    fakedir_on_modify(f.fd, freeze_journal, &fz);
    st = run(&f);
    adkcd_journal_close(f.o.journal, st);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &fz.old), 0);
    assert_true(fz.frozen);
    assert_int_equal(st, ADKCD_E_PARTIAL);
    assert_int_equal(f.plan->changes[0].outcome, ADKCD_OUT_APPLIED);
    assert_string_equal(fakedir_get(f.fd, "CN=o0,DC=x", SPN), "http/lost");
    h_assert_contains("err", f.err.msg, "every change WAS applied");
    h_assert_contains("err", f.err.msg, "the lines it lacks were logged");
    h_assert_contains("err", f.err.msg, f.jpath);
    /* The text: the change's block exactly as journaled, then the outcome
     * the journal lacks. */
    h_err_init(&err);
    h_assert_ok("load", adkcd_journal_load(f.jpath, &runs, &err), &err);
    assert_int_equal(runs->n, 1);
    assert_int_equal(runs->v[0].n_changes, 1);
    assert_int_equal(runs->v[0].changes[0].state, ADKCD_JOURNAL_IN_DOUBT);
    assert_non_null(text);
    snprintf(want, sizeof(want), "# change: %s 1\n", runs->v[0].id);
    h_assert_contains("text", text, want);
    h_assert_contains("text", text,
                      "dn: CN=o0,DC=x\nchangetype: modify\nadd: "
                      "servicePrincipalName\nservicePrincipalName: "
                      "http/lost\n-\n");
    snprintf(want, sizeof(want), "# applied: %s 1\n", runs->v[0].id);
    h_assert_contains("text", text, want);
    adkcd_journal_runs_free(runs);
    free(text);
    teardown(&f);
}

/* The disk fills in the middle of a run: sending stops, and every change
 * the directory applied is either journaled as applied or handed over. */
static void
test_full_disk_mid_run_loses_no_applied_change(void **state)
{
    struct adkcd_journal_runs *runs = NULL;
    struct rlimit old, small;
    struct fixture f;
    struct adkcd_err err;
    char *text = NULL;
    size_t i, journaled = 0;
    adkcd_status st;

    (void)state;
    setup_journaled(&f, 200);
    for (i = 0; i < 200; i++) {
        char dn[32];

        snprintf(dn, sizeof(dn), "CN=o%zu,DC=x", i);
        plan_spn(f.plan, dn, "http/full", 0);
    }
    f.o.window = 16;
    f.o.unjournaled = capture_text;
    f.o.unjournaled_ctx = &text;
    signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    small = old;
    small.rlim_cur = 4096;
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
    st = run(&f);
    adkcd_journal_close(f.o.journal, st);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    assert_int_equal(st, ADKCD_E_PARTIAL);
    h_err_init(&err);
    h_assert_ok("load", adkcd_journal_load(f.jpath, &runs, &err), &err);
    for (i = 0; i < runs->v[0].n_changes; i++)
        journaled += runs->v[0].changes[i].state == ADKCD_JOURNAL_APPLIED;
    assert_true(fakedir_applied(f.fd) > 0);
    assert_int_equal(journaled +
                         (text != NULL ? count_lines(text, "# change: ") : 0),
                     (size_t)fakedir_applied(f.fd));
    adkcd_journal_runs_free(runs);
    free(text);
    teardown(&f);
}

/* ---- rollback of each of these, from the journal the run wrote ------ */

/*
 * The run journaled at path undone through the engine on the fake (a new
 * connection first), judged by what the journal's states and the directory
 * say; with race_dn, another writer changes that object's
 * userAccountControl to race_uac right before the rollback's modify of it
 * (a compare-and-swap lost during the rollback).
 */
static void
roll_back_racing(struct fixture *f, const char *path, const char *race_dn,
                 const char *race_uac)
{
    struct adkcd_journal_runs *runs = NULL;
    struct adkcd_rollback *rb = NULL;
    struct adkcd_entry **entries = NULL;
    struct adkcd_plan *plan = NULL;
    struct adkcd_drifts *drifts = NULL;
    struct adkcd_engine_opts o;
    struct adkcd_err err;
    char *ids[2] = {NULL, NULL}, **attrs = NULL;
    size_t i, k, n;

    memset(&o, 0, sizeof(o));
    o.sleep_ms = no_sleep;
    o.sleep_ctx = &f->slept;
    fakedir_reconnect(f->fd);
    h_err_init(&err);
    h_assert_ok("load", adkcd_journal_load(path, &runs, &err), &err);
    ids[0] = runs->v[runs->n - 1].id;
    h_assert_ok("prepare", adkcd_rollback_prepare(runs, ids, &rb, &err), &err);
    n = adkcd_rollback_count(rb);
    for (i = 0; i < n; i++) {
        char *const *a = adkcd_rollback_attrs(rb, i);

        for (k = 0; a[k] != NULL; k++) {
            if (adkcd_strv_find_nocase(attrs, a[k]) < 0)
                assert_int_equal(adkcd_strv_add(&attrs, a[k]), 0);
        }
    }
    entries = calloc(n + 1, sizeof(*entries));
    h_assert_ok("read",
                adkcd_dir_read_many(f->dir, adkcd_rollback_dns(rb), n, attrs, 0,
                                    0, entries, &err),
                &err);
    h_assert_ok("inverse",
                adkcd_rollback_inverse(rb, entries, 0, &plan, &drifts, &err),
                &err);
    if (race_dn != NULL)
        fakedir_interfere(f->fd, race_dn, UAC, race_uac, 1);
    h_assert_ok("undo", adkcd_engine_apply(f->dir, plan, &o, NULL, &err), &err);
    for (i = 0; i < n; i++)
        adkcd_entry_free(entries[i]);
    free(entries);
    adkcd_strv_free(attrs);
    adkcd_plan_free(plan);
    adkcd_drifts_free(drifts);
    adkcd_rollback_free(rb);
    adkcd_journal_runs_free(runs);
}

/* Run the plan, end its journal, and undo it (racing: see
 * roll_back_racing()). */
static adkcd_status
run_then_roll_back(struct fixture *f, const char *race_dn, const char *race_uac)
{
    adkcd_status st = run(f);

    adkcd_journal_close(f->o.journal, st);
    f->o.journal = NULL;
    roll_back_racing(f, f->jpath, race_dn, race_uac);
    return st;
}

static void
test_rollback_after_lost_cas(void **state)
{
    struct fixture f;

    (void)state;
    setup_journaled(&f, 3);
    plan_bits(f.plan, "CN=o0,DC=x", 4096, &pt);
    plan_bits(f.plan, "CN=o1,DC=x", 4096, &pt);
    plan_bits(f.plan, "CN=o2,DC=x", 4096, &pt);
    fakedir_interfere(f.fd, "CN=o1,DC=x", UAC, "4098", 1);
    assert_int_equal(run_then_roll_back(&f, NULL, NULL), ADKCD_OK);
    /* Only the delegation bit goes back: the other writer's stays. */
    assert_string_equal(fakedir_get(f.fd, "CN=o0,DC=x", UAC), "4096");
    assert_string_equal(fakedir_get(f.fd, "CN=o1,DC=x", UAC), "4098");
    assert_string_equal(fakedir_get(f.fd, "CN=o2,DC=x", UAC), "4096");
    teardown(&f);
}

static void
test_rollback_that_loses_a_cas_replans(void **state)
{
    struct fixture f;

    (void)state;
    setup_journaled(&f, 1);
    plan_bits(f.plan, "CN=o0,DC=x", 4096, &pt);
    /* Someone disables the account between the rollback's read and its
     * write: the rollback re-reads, keeps that bit, clears its own. */
    assert_int_equal(run_then_roll_back(&f, "CN=o0,DC=x", "16781314"),
                     ADKCD_OK);
    assert_string_equal(fakedir_get(f.fd, "CN=o0,DC=x", UAC), "4098");
    assert_int_equal(fakedir_reads(f.fd), 1 + 1 + 1 + 1);
    teardown(&f);
}

static void
test_rollback_after_cas_lost_eight_times(void **state)
{
    struct fixture f;

    (void)state;
    setup_journaled(&f, 2);
    plan_bits(f.plan, "CN=o0,DC=x", 4096, &pt);
    plan_bits(f.plan, "CN=o1,DC=x", 4096, &pt);
    fakedir_interfere(f.fd, "CN=o0,DC=x", UAC, "4097", 8);
    assert_int_equal(run_then_roll_back(&f, NULL, NULL), ADKCD_E_PARTIAL);
    /* Nothing of ours reached o0: the rollback leaves it alone. */
    assert_string_equal(fakedir_get(f.fd, "CN=o0,DC=x", UAC), "4104");
    assert_string_equal(fakedir_get(f.fd, "CN=o1,DC=x", UAC), "4096");
    teardown(&f);
}

static void
test_rollback_after_refusal_mid_batch(void **state)
{
    struct fixture f;
    int i;

    (void)state;
    setup_journaled(&f, 5);
    for (i = 0; i < 5; i++) {
        char dn[32];

        snprintf(dn, sizeof(dn), "CN=o%d,DC=x", i);
        plan_spn(f.plan, dn, "http/r", 0);
    }
    fakedir_fail_modify(f.fd, 3, 19, "conflict");
    assert_int_equal(run_then_roll_back(&f, NULL, NULL), ADKCD_E_PARTIAL);
    for (i = 0; i < 5; i++) {
        char dn[32];

        snprintf(dn, sizeof(dn), "CN=o%d,DC=x", i);
        assert_string_equal(fakedir_get(f.fd, dn, SPN), "");
    }
    teardown(&f);
}

/* The journal holds the third change in doubt; the directory says whether
 * it was applied, and the rollback follows it either way. */
static void
check_rollback_after_drop(int third_applied)
{
    struct adkcd_journal_runs *runs = NULL;
    struct adkcd_err err;
    struct fixture f;
    size_t applied = 0, doubt = 0, failed = 0;
    int i;

    setup_journaled(&f, 6);
    for (i = 0; i < 6; i++) {
        char dn[32];

        snprintf(dn, sizeof(dn), "CN=o%d,DC=x", i);
        plan_spn(f.plan, dn, "http/d", 0);
    }
    f.o.window = 2;
    fakedir_drop_after(f.fd, 3, third_applied);
    assert_int_equal(run_then_roll_back(&f, NULL, NULL), ADKCD_E_PARTIAL);
    /* The journal is exact: 2 applied, 1 in doubt, the rest not applied
     * (and the rollback followed the directory for the one in doubt). */
    h_err_init(&err);
    h_assert_ok("load", adkcd_journal_load(f.jpath, &runs, &err), &err);
    for (i = 0; i < (int)runs->v[0].n_changes; i++) {
        applied += runs->v[0].changes[i].state == ADKCD_JOURNAL_APPLIED;
        doubt += runs->v[0].changes[i].state == ADKCD_JOURNAL_IN_DOUBT;
        failed += runs->v[0].changes[i].state == ADKCD_JOURNAL_FAILED;
    }
    assert_int_equal(applied, 2);
    assert_int_equal(doubt, 1);
    assert_int_equal(applied + doubt + failed, runs->v[0].n_changes);
    adkcd_journal_runs_free(runs);
    for (i = 0; i < 6; i++) {
        char dn[32];

        snprintf(dn, sizeof(dn), "CN=o%d,DC=x", i);
        assert_string_equal(fakedir_get(f.fd, dn, SPN), "");
    }
    teardown(&f);
}

static void
test_rollback_after_drop(void **state)
{
    (void)state;
    check_rollback_after_drop(0);
    check_rollback_after_drop(1);
}

static void
test_rollback_after_read_back_disagrees(void **state)
{
    struct fixture f;

    (void)state;
    setup_journaled(&f, 1);
    plan_spn(f.plan, "CN=o0,DC=x", "http/a", 0);
    fakedir_after_modify(f.fd, "CN=o0,DC=x", SPN, "http/other");
    assert_int_equal(run_then_roll_back(&f, NULL, NULL), ADKCD_OK);
    /* Only what the run wrote goes; the other writer's value stays. */
    assert_string_equal(fakedir_get(f.fd, "CN=o0,DC=x", SPN), "http/other");
    teardown(&f);
}

static void
test_binary_values_travel_whole(void **state)
{
    struct fixture f;
    struct adkcd_change *c = NULL;
    const char sd[] = {1, 0, 4, (char)0x80, 0, 0, 0, 7};
    struct adkcd_val nv = {sizeof(sd), (char *)sd};

    (void)state;
    setup(&f, 1);
    assert_int_equal(adkcd_plan_change(f.plan, "CN=o0,DC=x", "", &c, &f.err),
                     ADKCD_OK);
    assert_int_equal(adkcd_change_swap_val(c, "sd", NULL, &nv, &f.err),
                     ADKCD_OK);
    assert_int_equal(c->n_ops, 1);
    assert_int_equal(c->ops[0].value.len, sizeof(sd));
    assert_int_equal(run(&f), ADKCD_OK);
    assert_int_equal(c->images[0].read.n, 1);
    assert_int_equal(c->images[0].read.v[0].len, sizeof(sd));
    assert_memory_equal(c->images[0].read.v[0].data, sd, sizeof(sd));
    teardown(&f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_applied_and_read_back),
        cmocka_unit_test(test_empty_change_is_unchanged_and_not_sent),
        cmocka_unit_test(test_cas_lost_once_replans_only_that_object),
        cmocka_unit_test(test_cas_lost_seven_times_succeeds_on_the_eighth),
        cmocka_unit_test(test_cas_lost_eight_times_gives_up),
        cmocka_unit_test(test_replan_finds_nothing_left_to_do),
        cmocka_unit_test(test_refusal_in_the_middle_of_a_batch),
        cmocka_unit_test(test_stop_on_error_sends_nothing_more),
        cmocka_unit_test(test_first_refusal_alone_keeps_its_status),
        cmocka_unit_test(test_drop_after_nth_modify),
        cmocka_unit_test(test_timeout_leaves_inflight_in_doubt),
        cmocka_unit_test(test_read_back_that_disagrees_is_reported),
        cmocka_unit_test(test_read_back_timeout_fails_the_run_the_writes_stand),
        cmocka_unit_test(test_window_bounds_requests_in_flight),
        cmocka_unit_test(test_answers_out_of_order),
        cmocka_unit_test(test_phases_finish_before_the_next_starts),
        cmocka_unit_test(test_move_waits_for_its_removal),
        cmocka_unit_test(test_swapped_values_cannot_be_ordered),
        cmocka_unit_test(test_journal_intent_before_each_send),
        cmocka_unit_test(test_journal_write_failure_stops_sending),
        cmocka_unit_test(test_unrecorded_outcome_is_handed_over_as_ldif),
        cmocka_unit_test(test_full_disk_mid_run_loses_no_applied_change),
        cmocka_unit_test(test_rollback_after_lost_cas),
        cmocka_unit_test(test_rollback_that_loses_a_cas_replans),
        cmocka_unit_test(test_rollback_after_cas_lost_eight_times),
        cmocka_unit_test(test_rollback_after_refusal_mid_batch),
        cmocka_unit_test(test_rollback_after_drop),
        cmocka_unit_test(test_rollback_after_read_back_disagrees),
        cmocka_unit_test(test_binary_values_travel_whole),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
