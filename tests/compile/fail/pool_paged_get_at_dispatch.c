/* A named paged box passed into DISPATCH_LEVEL code: GET touches paged memory there. */
// expect: IRQL violation
// expect: IRQL_BOX_GET(Config)
// expect: cannot touch paged pool at DISPATCH_LEVEL or above
#include <irql/pool.h>

typedef struct _CONFIG {
    ULONG Timeout;
} CONFIG;
typedef IRQL_PAGED_BOX(CONFIG) PAGED_CONFIG_BOX;

IRQL_AT(OnDpc, DISPATCH_LEVEL)
ULONG OnDpc(PAGED_CONFIG_BOX *Config)
{
    IRQL_ENTER(OnDpc);
    return IRQL_BOX_GET(Config)->Timeout;
}
