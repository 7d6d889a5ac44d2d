/* adkcd check and verify (front end). */
#include "adkcd.h"

int
cmd_check(struct cli_common *c, struct args *a)
{
    (void)a;
    return cli_usage_error(c, "check: not built yet");
}

int
cmd_verify(struct cli_common *c, struct args *a)
{
    (void)a;
    return cli_usage_error(c, "verify: not built yet");
}
