/* Boxes where every rule allows them: paged at PASSIVE/APC, non-paged up to DISPATCH_LEVEL,
   non-paged touched at any IRQL (also in code without a contract), IRQL_BOX choosing its
   pool from the context, named box types as members and parameters, raw hand-over. */
#include <irql/pool.h>

#define TAG 0x786F4250UL /* "PBox" */

typedef struct _CONFIG {
    ULONG Flags;
    ULONG Timeout;
} CONFIG;

typedef IRQL_PAGED_BOX(CONFIG) PAGED_CONFIG_BOX;
typedef IRQL_NONPAGED_BOX(ULONG) NONPAGED_ULONG_BOX;

typedef struct _DEVICE {
    PAGED_CONFIG_BOX Config;
    NONPAGED_ULONG_BOX Counter;
} DEVICE;

IRQL_MAX(Setup, APC_LEVEL)
NTSTATUS Setup(DEVICE *Device)
{
    IRQL_ENTER(Setup);
    IRQL_BOX(CONFIG) Local = IRQL_BOX_INIT; /* paged: the context's maximum is APC_LEVEL */
    PAGED_CONFIG_BOX *Same = (PAGED_CONFIG_BOX *)0;
    (void)Same;
    NTSTATUS Status = IRQL_BOX_NEW(&Device->Config, TAG);
    if (NT_SUCCESS(Status)) {
        IRQL_BOX_GET(&Device->Config)->Timeout = 30;
        Status = IRQL_BOX_NEW(&Device->Counter, 0x41); /* one character: "A" */
    }
    if (NT_SUCCESS(Status)) {
        Status = IRQL_BOX_NEW(&Local, TAG);
    }
    if (NT_SUCCESS(Status)) {
        CONFIG Out;
        Status = IRQL_BOX_INTO_INNER(&Local, &Out);
    }
    return Status;
}

IRQL_AT(OnDpc, DISPATCH_LEVEL)
NTSTATUS OnDpc(DEVICE *Device)
{
    IRQL_ENTER(OnDpc);
    IRQL_BOX(ULONG) Scratch = {0}; /* non-paged at DISPATCH_LEVEL */
    CONFIG *Raw = IRQL_BOX_INTO_RAW(&Device->Config); /* no pool access: any IRQL */
    NTSTATUS Status = IRQL_BOX_FROM_RAW(&Device->Config, Raw, TAG);
    (*IRQL_BOX_GET(&Device->Counter))++;
    if (NT_SUCCESS(Status)) {
        Status = IRQL_BOX_NEW(&Scratch, TAG);
    }
    if (NT_SUCCESS(Status)) {
        *IRQL_BOX_GET(&Scratch) = 1;
        Status = IRQL_BOX_FREE(&Scratch);
    }
    return Status;
}

IRQL_AT(OnInterrupt, 5)
VOID OnInterrupt(DEVICE *Device)
{
    IRQL_ENTER(OnInterrupt);
    (*IRQL_BOX_GET(&Device->Counter))++; /* non-paged memory: touched at any IRQL */
    (void)IRQL_BOX_LEAK(&Device->Counter);
}

VOID Unannotated(DEVICE *Device)
{
    (*IRQL_BOX_GET(&Device->Counter))++;
    (void)IRQL_BOX_IS_EMPTY(&Device->Config);
}

IRQL_MAX(Teardown, PASSIVE_LEVEL)
VOID Teardown(DEVICE *Device)
{
    IRQL_ENTER(Teardown);
    (void)IRQL_BOX_FREE(&Device->Counter);
    (void)IRQL_BOX_FREE(&Device->Config);
}
