/* adkcd audit (front end). */
#include "adkcd.h"

int
cmd_audit(struct cli_common *c, struct args *a)
{
    (void)a;
    return cli_usage_error(c, "audit: not built yet");
}
