/* Typed function pointers: IRQL_FN_TYPE, IRQL_FN, IRQL_FN_INIT, IRQL_CALL_FN, IRQL_FN_PTR, as
   locals, parameters, return values and struct members. */
#include <irql/irql.h>

IRQL_FN_TYPE(PCOMPLETE_FN, PASSIVE_LEVEL, DISPATCH_LEVEL, VOID, (PVOID Context, NTSTATUS Status));
IRQL_FN_TYPE(PDPC_FN, DISPATCH_LEVEL, DISPATCH_LEVEL, ULONG, (ULONG Value));
IRQL_FN_TYPE(PNOARGS_FN, PASSIVE_LEVEL, PASSIVE_LEVEL, VOID, (VOID));

IRQL_MAX(Complete, DISPATCH_LEVEL)
VOID Complete(PVOID Context, NTSTATUS Status);

IRQL_MAX(CompleteAnywhere, HIGH_LEVEL)
VOID CompleteAnywhere(PVOID Context, NTSTATUS Status);

IRQL_RANGE(Count, DISPATCH_LEVEL, HIGH_LEVEL)
ULONG Count(ULONG Value);

IRQL_AT(Nothing, PASSIVE_LEVEL)
VOID Nothing(VOID);

/* Static and global objects. */
static PCOMPLETE_FN DefaultComplete = IRQL_FN_INIT(PCOMPLETE_FN, Complete);
PDPC_FN GlobalCounter = IRQL_FN_INIT(PDPC_FN, Count);
static PNOARGS_FN NullFn = {0};

typedef struct _REQUEST {
    PVOID Context;
    PCOMPLETE_FN OnComplete; /* a struct member */
    PDPC_FN OnDpc;
} REQUEST, *PREQUEST;

static REQUEST Template = {NULL, IRQL_FN_INIT(PCOMPLETE_FN, CompleteAnywhere),
                           IRQL_FN_INIT(PDPC_FN, Count)};

/* A parameter and a return value. */
IRQL_MAX(Pick, HIGH_LEVEL)
PCOMPLETE_FN Pick(BOOLEAN Anywhere)
{
    IRQL_ENTER(Pick);
    return Anywhere ? IRQL_FN(PCOMPLETE_FN, CompleteAnywhere) : IRQL_FN(PCOMPLETE_FN, Complete);
}

IRQL_MAX(Finish, DISPATCH_LEVEL)
VOID Finish(PREQUEST Request, PCOMPLETE_FN Fallback, NTSTATUS Status)
{
    IRQL_ENTER(Finish);
    if (IRQL_FN_PTR(Request->OnComplete) != NULL) {
        IRQL_CALL_FN(Request->OnComplete)(Request->Context, Status);
    } else {
        IRQL_CALL_FN(Fallback)(Request->Context, Status);
    }
}

IRQL_AT(OnDpc, DISPATCH_LEVEL)
ULONG OnDpc(PREQUEST Request)
{
    IRQL_ENTER(OnDpc);
    PDPC_FN Local = IRQL_FN(PDPC_FN, Count);
    ULONG Sum = IRQL_CALL_FN(Local)(1) + IRQL_CALL_FN(Request->OnDpc)(2) +
                IRQL_CALL_FN(GlobalCounter)(3);
    IRQL_CALL_FN(Template.OnComplete)(Request, STATUS_SUCCESS);
    Request->OnComplete = IRQL_FN(PCOMPLETE_FN, Complete);
    Request->OnDpc = Local;
    return Sum;
}

IRQL_AT(Passive, PASSIVE_LEVEL)
VOID Passive(PREQUEST Request)
{
    IRQL_ENTER(Passive);
    IRQL_CALL_FN(DefaultComplete)(Request, STATUS_SUCCESS);
    IRQL_CALL_FN(IRQL_CALL(Pick)(TRUE))(Request, STATUS_SUCCESS);
    if (IRQL_FN_PTR(NullFn) == NULL) {
        NullFn = IRQL_FN(PNOARGS_FN, Nothing);
    }
    IRQL_CALL_FN(NullFn)();
    IRQL_RAISE(DISPATCH_LEVEL) {
        IRQL_CALL_FN(DefaultComplete)(Request, STATUS_SUCCESS);
        IRQL_CALL(Finish)(Request, DefaultComplete, STATUS_SUCCESS);
        IRQL_CALL(OnDpc)(Request);
    }
}

_Static_assert(sizeof(PCOMPLETE_FN) == sizeof(VOID (*)(PVOID, NTSTATUS)),
               "a typed pointer is a plain pointer in size");
