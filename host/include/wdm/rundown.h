/*
 * Run-down protection: safe access to a shared object that its owner may tear down.
 *
 * Users bracket each access with ExAcquireRundownProtection (which fails once tear-down has
 * begun) and ExReleaseRundownProtection. The owner calls ExWaitForRundownProtectionRelease,
 * which stops new acquisitions and waits until every outstanding one has been released; after
 * it the object may be freed ("Run-Down Protection", learn.microsoft.com .../kernel/).
 *
 * EX_RUNDOWN_REF is pointer-sized as in the WDK: bit 0 (EX_RUNDOWN_ACTIVE) is set once run-down
 * has begun, the references are counted above it (EX_RUNDOWN_COUNT_SHIFT). The wait is bounded
 * by the host's hang limit: a reference never released bug-checks IRQL_HOST_BUGCHECK_HANG
 * (P1 the EX_RUNDOWN_REF) instead of hanging a test.
 *
 * Misuse bug-checks (0xC4, P1 below): a routine above the IRQL it allows 0xE5 (P2 IRQL); a
 * release without a matching acquire 0x1007 (P2 the EX_RUNDOWN_REF); ExReInitializeRundown-
 * Protection or ExRundownCompleted while references are still outstanding 0x100B (P2 the
 * EX_RUNDOWN_REF, P3 the outstanding count).
 */
#ifndef IRQL_HOST_WDM_RUNDOWN_H
#define IRQL_HOST_WDM_RUNDOWN_H


IRQL_HOST_BEGIN_DECLS

#define EX_RUNDOWN_ACTIVE 0x1
#define EX_RUNDOWN_COUNT_SHIFT 0x1
#define EX_RUNDOWN_COUNT_INC (1 << EX_RUNDOWN_COUNT_SHIFT)

typedef struct _EX_RUNDOWN_REF {
    union {
        volatile ULONG_PTR Count;
        volatile PVOID Ptr;
    };
} EX_RUNDOWN_REF, *PEX_RUNDOWN_REF;

/* Initialise RunRef: no references, run-down not started. */
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI VOID ExInitializeRundownProtection(_Out_ PEX_RUNDOWN_REF RunRef);

/* Make a run-down (and possibly completed) RunRef usable again for a new object. */
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI VOID ExReInitializeRundownProtection(_Inout_ PEX_RUNDOWN_REF RunRef);

/* Take one reference: TRUE, or FALSE once run-down has begun. */
_Must_inspect_result_ _IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI BOOLEAN ExAcquireRundownProtection(_Inout_ PEX_RUNDOWN_REF RunRef);

/* Take Count references at once (all or none). */
_Must_inspect_result_ _IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI BOOLEAN ExAcquireRundownProtectionEx(_Inout_ PEX_RUNDOWN_REF RunRef,
                                                 _In_ ULONG Count);

/* Drop one reference; the last one during run-down releases the waiter. */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI VOID ExReleaseRundownProtection(_Inout_ PEX_RUNDOWN_REF RunRef);

/* Drop Count references. */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI VOID ExReleaseRundownProtectionEx(_Inout_ PEX_RUNDOWN_REF RunRef, _In_ ULONG Count);

/*
 * Begin run-down (new acquisitions fail from now on) and wait until every reference has been
 * released. Calling it again afterwards returns at once.
 */
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI VOID ExWaitForRundownProtectionRelease(_Inout_ PEX_RUNDOWN_REF RunRef);

/* Mark run-down as completed (after ExWaitForRundownProtectionRelease); acquisitions fail. */
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI VOID ExRundownCompleted(_Out_ PEX_RUNDOWN_REF RunRef);

IRQL_HOST_END_DECLS

#endif
