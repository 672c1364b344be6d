/* irql/ddi.h: ZwCreateFile is PASSIVE_LEVEL only; a FAST_MUTEX scope runs at APC_LEVEL. The
   host does not declare ZwCreateFile: the contract is keyed by name, so the check still runs. */
// expect: IRQL violation
// expect: IRQL_CALL_MACRO(ZwCreateFile)
// expect: above ZwCreateFile
// expect: maximum IRQL
// host-only: declares a routine the host kernel lacks, with a prototype the DDK contradicts
#include <irql/ddi.h>
#include <irql/lock.h>

NTSTATUS ZwCreateFile(PHANDLE Handle);

typedef struct _LOG {
    HANDLE File;
} LOG;
typedef IRQL_PROTECTED(IRQL_FAST_MUTEX, LOG) PROTECTED_LOG;

IRQL_AT(OpenLog, PASSIVE_LEVEL)
NTSTATUS OpenLog(PROTECTED_LOG *Log)
{
    IRQL_ENTER(OpenLog);
    NTSTATUS Status = IRQL_CALL_MACRO(ZwCreateFile, (&Log->Data.File)); /* fine here */
    IRQL_WITH_T(Log, LOG, L) {
        Status = IRQL_CALL_MACRO(ZwCreateFile, (&L->File));
    }
    return Status;
}
