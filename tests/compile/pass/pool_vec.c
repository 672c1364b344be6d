/* Vectors where every rule allows them: paged ones at PASSIVE/APC, non-paged ones allocated up
   to DISPATCH_LEVEL and touched at any IRQL, IRQL_VEC choosing its pool from the context,
   LEN / CLEAR / CAPACITY anywhere, named vector types as members and parameters. */
#include <irql/pool.h>

#define TAG 0x63655650UL /* "PVec" */

typedef struct _SAMPLE {
    ULONG Value;
    USHORT Source;
} SAMPLE;

typedef IRQL_PAGED_VEC(SAMPLE) PAGED_SAMPLES;
typedef IRQL_NONPAGED_VEC(ULONG) NONPAGED_ULONGS;

typedef struct _STATE {
    PAGED_SAMPLES History;
    NONPAGED_ULONGS Recent;
} STATE;

static const ULONG Seed[] = {1, 2, 3};

IRQL_MAX(Collect, PASSIVE_LEVEL)
NTSTATUS Collect(STATE *State)
{
    IRQL_ENTER(Collect);
    IRQL_VEC(ULONG) Local = IRQL_VEC_INIT_TAG(TAG); /* paged */
    SAMPLE S = {1, 2};
    SAMPLE Out;
    NTSTATUS Status = IRQL_VEC_PUSH(&State->History, S);
    if (NT_SUCCESS(Status)) {
        Status = IRQL_VEC_RESERVE(&State->History, 10);
    }
    if (NT_SUCCESS(Status)) {
        Status = IRQL_VEC_EXTEND(&Local, Seed, 3);
    }
    if (NT_SUCCESS(Status) && IRQL_VEC_AT(&State->History, 0) != NULL) {
        IRQL_VEC_AT(&State->History, 0)->Value = *IRQL_VEC_AT(&Local, 2);
        Status = IRQL_VEC_POP(&State->History, &Out);
    }
    (void)IRQL_VEC_DATA(&Local);
    (void)IRQL_VEC_FREE(&Local);
    return Status;
}

IRQL_AT(OnDpc, DISPATCH_LEVEL)
NTSTATUS OnDpc(STATE *State, ULONG Value)
{
    IRQL_ENTER(OnDpc);
    IRQL_VEC(ULONG) Scratch = IRQL_VEC_INIT; /* non-paged */
    NTSTATUS Status = IRQL_VEC_PUSH(&State->Recent, Value);
    (void)IRQL_VEC_LEN(&State->History); /* the header, not the elements */
    (void)IRQL_VEC_CAPACITY(&State->History);
    if (NT_SUCCESS(Status)) {
        Status = IRQL_VEC_PUSH(&Scratch, Value);
    }
    (void)IRQL_VEC_FREE(&Scratch);
    return Status;
}

IRQL_AT(OnInterrupt, 5)
ULONG OnInterrupt(STATE *State)
{
    IRQL_ENTER(OnInterrupt);
    ULONG *First = IRQL_VEC_AT(&State->Recent, 0);
    ULONG Last = 0;
    (void)IRQL_VEC_POP(&State->Recent, &Last);
    IRQL_VEC_CLEAR(&State->History);
    return First != NULL ? *First + Last : Last;
}

ULONG Unannotated(STATE *State)
{
    ULONG *First = IRQL_VEC_AT(&State->Recent, 0);
    return First != NULL ? *First : (ULONG)IRQL_VEC_LEN(&State->Recent);
}
