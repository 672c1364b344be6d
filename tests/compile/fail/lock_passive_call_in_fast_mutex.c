/* A FAST_MUTEX scope runs at APC_LEVEL: a PASSIVE-only call inside it does not compile. */
// expect: IRQL violation
// expect: IRQL_CALL(ZwCreateFileLike)
// expect: above ZwCreateFileLike
// expect: maximum IRQL
#include <irql/lock.h>

IRQL_MAX(ZwCreateFileLike, PASSIVE_LEVEL)
NTSTATUS ZwCreateFileLike(PHANDLE Handle);

typedef struct _LOG {
    HANDLE File;
} LOG;
typedef IRQL_PROTECTED(IRQL_FAST_MUTEX, LOG) PROTECTED_LOG;

IRQL_AT(OpenLog, PASSIVE_LEVEL)
NTSTATUS OpenLog(PROTECTED_LOG *Log)
{
    IRQL_ENTER(OpenLog);
    NTSTATUS Status = IRQL_CALL(ZwCreateFileLike)(&Log->Data.File); /* fine here */
    IRQL_WITH_T(Log, LOG, L) {
        Status = IRQL_CALL(ZwCreateFileLike)(&L->File);
    }
    return Status;
}
