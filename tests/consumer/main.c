/* An outside project using irql: contracts plus the host kernel. */
#include <irql/host.h>
#include <irql/irql.h>

IRQL_MAX(Work, DISPATCH_LEVEL) static int Work(void)
{
    IRQL_ENTER(Work);
    return KeGetCurrentIrql();
}

IRQL_MAX(Entry, PASSIVE_LEVEL) static int Entry(void)
{
    IRQL_ENTER(Entry);
    int Seen = -1;
    IRQL_RAISE(DISPATCH_LEVEL) {
        Seen = IRQL_CALL(Work)();
    }
    return Seen == DISPATCH_LEVEL && KeGetCurrentIrql() == PASSIVE_LEVEL ? 0 : 1;
}

int main(void)
{
    return Entry();
}
