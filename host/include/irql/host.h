/*
 * irql/host.h — hooks for tests running on the host kernel.
 *
 * The host kernel implements <wdm.h> in user mode so driver logic runs in ordinary tests. This
 * header is what a test adds on top: catch a bug check instead of dying, observe every bug
 * check, and run code at a chosen IRQL. Nothing here exists in a real kernel: include it only
 * from tests and test harnesses.
 */
#ifndef IRQL_HOST_H
#define IRQL_HOST_H

#include <wdm.h>

IRQL_HOST_BEGIN_DECLS

/* What a bug check reported. Message is the host kernel's one-line explanation ("" if none). */
typedef struct _IRQL_HOST_BUGCHECK {
    ULONG Code;
    ULONG_PTR Parameter[4];
    KIRQL Irql;          /* IRQL of the thread at the moment of the bug check */
    ULONG ThreadId;      /* the host thread's OS id */
    PCSTR CodeName;      /* "DRIVER_VERIFIER_DETECTED_VIOLATION", ... or "UNKNOWN" */
    CHAR Message[256];
} IRQL_HOST_BUGCHECK, *PIRQL_HOST_BUGCHECK;

typedef VOID IRQL_HOST_BUGCHECK_HANDLER(_In_ const IRQL_HOST_BUGCHECK *Report,
                                        _In_opt_ PVOID Context);
typedef IRQL_HOST_BUGCHECK_HANDLER *PIRQL_HOST_BUGCHECK_HANDLER;

/*
 * Install a process-wide observer that every bug check calls first, on the thread that bug-
 * checked (NULL removes it). When the handler returns, the bug check proceeds: it unwinds to
 * the innermost IrqlHostCatchBugCheck on that thread, or else prints the report and aborts.
 * The handler may also leave by longjmp. Returns the previous handler.
 */
PIRQL_HOST_BUGCHECK_HANDLER IrqlHostSetBugCheckHandler(_In_opt_ PIRQL_HOST_BUGCHECK_HANDLER Handler,
                                                       _In_opt_ PVOID Context);

typedef VOID IRQL_HOST_ROUTINE(_In_opt_ PVOID Context);
typedef IRQL_HOST_ROUTINE *PIRQL_HOST_ROUTINE;

/*
 * Run Routine(Context). If it bug-checks on this thread, unwind back here and return TRUE with
 * the report in *Report; otherwise return FALSE. The thread's IRQL is restored to its value at
 * the call, so a test can go on after an expected bug check. Frames nest. Only the thread's
 * own state is restored: objects the routine left half-updated stay that way, as they would
 * on a crashed machine, so a test should not reuse them.
 */
BOOLEAN IrqlHostCatchBugCheck(_In_ PIRQL_HOST_ROUTINE Routine, _In_opt_ PVOID Context,
                              _Out_opt_ PIRQL_HOST_BUGCHECK Report);

/* Raise to Irql (which must not be below the current IRQL), run Routine, lower again. */
VOID IrqlHostRunAtIrql(_In_ KIRQL Irql, _In_ PIRQL_HOST_ROUTINE Routine, _In_opt_ PVOID Context);

/* The name of a bug-check code ("IRQL_NOT_LESS_OR_EQUAL"), or "UNKNOWN". */
PCSTR IrqlHostBugCheckName(_In_ ULONG Code);

/* The symbolic name of a level ("DISPATCH_LEVEL"), or NULL for a DIRQL. */
PCSTR IrqlHostLevelName(_In_ KIRQL Irql);

/*
 * Capture DbgPrint output: every DbgPrint/DbgPrintEx line is passed to Sink (already
 * formatted) instead of being written to stderr. NULL restores stderr.
 */
typedef VOID IRQL_HOST_PRINT_SINK(_In_z_ PCSTR Text, _In_opt_ PVOID Context);
VOID IrqlHostSetPrintSink(_In_opt_ IRQL_HOST_PRINT_SINK *Sink, _In_opt_ PVOID Context);

/*
 * Hangs. A wait the real kernel would never return from (a deadlock no rule catches earlier)
 * bug-checks IRQL_HOST_BUGCHECK_HANG once it has lasted the hang limit: P1 the object waited
 * on, P2 the milliseconds waited, P3 its owner if known. The limit defaults to 20 000 ms, or
 * the environment's IRQL_HOST_HANG_LIMIT_MS; IrqlHostSetHangLimit sets it (0 restores the
 * default) and returns the previous limit.
 */
#define IRQL_HOST_BUGCHECK_HANG ((ULONG)0xE1C0F001UL)
ULONG IrqlHostSetHangLimit(_In_ ULONG Milliseconds);

IRQL_HOST_END_DECLS

#endif
