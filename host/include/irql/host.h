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
 * the report in *Report; otherwise return FALSE. The thread's IRQL, critical- and guarded-
 * region depths and held-spin-lock count are restored to their values at the call, so a test
 * can go on after an expected bug check. Frames nest. Only that per-thread state is restored:
 * objects the routine left half-updated (a lock it held, a pool block) stay that way, as they
 * would on a crashed machine, so a test should not reuse them.
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

/*
 * Bug checks on system threads. A thread started by PsCreateSystemThread has no catch frame of
 * the test's, so a bug check on it (an exit check, a misuse in its start routine) ends the
 * process. A system thread created after IrqlHostCatchSystemThreadBugChecks(TRUE) instead ends
 * there: it terminates as if it had returned (its KMUTEXes are abandoned, its object is
 * signalled) and IrqlHostGetThreadBugCheck(thread object) returns TRUE with the report. The
 * setting returns the previous one.
 */
BOOLEAN IrqlHostCatchSystemThreadBugChecks(_In_ BOOLEAN Catch);
BOOLEAN IrqlHostGetThreadBugCheck(_In_ PVOID Thread, _Out_opt_ PIRQL_HOST_BUGCHECK Report);

/* How many threads are blocked in a wait on a dispatcher object (KEVENT, KMUTEX, thread), so a
   test can make sure a thread really waits before it signals. */
ULONG IrqlHostWaiterCount(_In_ PVOID Object);

/*
 * Pool (<wdm/pool.h>). Memory handed out uninitialised (POOL_FLAG_UNINITIALIZED, the POOL_TYPE
 * routines) is filled with IRQL_HOST_POOL_UNINITIALIZED_FILL, so a test can tell it was never
 * written; a freed block is filled with IRQL_HOST_POOL_FREED_FILL (and, under
 * AddressSanitizer, poisoned) while the host remembers it to catch a double free.
 */
#define IRQL_HOST_POOL_UNINITIALIZED_FILL 0xCD
#define IRQL_HOST_POOL_FREED_FILL 0xDD

typedef enum _IRQL_HOST_POOL {
    IrqlHostPoolAny,      /* both pools together */
    IrqlHostPoolPaged,
    IrqlHostPoolNonPaged,
} IRQL_HOST_POOL;

/* Counters of one pool (or both) for one tag (or all). Bytes are the bytes requested. */
typedef struct _IRQL_HOST_POOL_STATS {
    SIZE_T Count;         /* allocations outstanding */
    SIZE_T Bytes;         /* their bytes */
    SIZE_T PeakCount;     /* highest Count since start (or IrqlHostResetPoolPeaks) */
    SIZE_T PeakBytes;
    ULONG64 Allocations;  /* successful allocations */
    ULONG64 Frees;
    ULONG64 Failures;     /* requests that failed (returned NULL or raised) */
} IRQL_HOST_POOL_STATS, *PIRQL_HOST_POOL_STATS;

/* Statistics of Pool for Tag (0: every tag). An unknown tag reads as all zeros. */
VOID IrqlHostQueryPoolStats(_In_ IRQL_HOST_POOL Pool, _In_ ULONG Tag,
                            _Out_ PIRQL_HOST_POOL_STATS Stats);

/* Restart every peak from the current values. */
VOID IrqlHostResetPoolPeaks(VOID);

/* One live allocation, by the address an allocation routine returned. */
typedef struct _IRQL_HOST_POOL_BLOCK {
    IRQL_HOST_POOL Pool;
    POOL_TYPE PoolType;   /* as given, or as the POOL_FLAGS map to (PagedPool, NonPagedPoolNx…) */
    ULONG Tag;
    SIZE_T NumberOfBytes;
    PVOID Caller;         /* return address of the allocation routine's caller */
    ULONG64 Sequence;     /* allocation order, from 1 */
} IRQL_HOST_POOL_BLOCK, *PIRQL_HOST_POOL_BLOCK;

/* FALSE if Address is not the start of a live allocation. */
BOOLEAN IrqlHostQueryPoolBlock(_In_ PCVOID Address, _Out_ PIRQL_HOST_POOL_BLOCK Block);

/*
 * The leak report: every outstanding allocation with Tag (0: any), grouped by tag, with its
 * address, size, pool type, sequence and allocating caller, written through DbgPrint (so
 * IrqlHostSetPrintSink captures it). Returns the number of allocations listed.
 */
ULONG IrqlHostPrintPoolLeaks(_In_ ULONG Tag);

/*
 * Fault injection, like Driver Verifier's Low Resources Simulation but deterministic. Only
 * requests that pass the parameter and IRQL checks count. A failed allocation returns NULL
 * (or raises, if the caller asked: bug check 0x1E on the host). Tag 0 means any tag.
 *   IrqlHostInjectPoolFailure(N, Tag): the Nth matching allocation from now fails (1: the
 *     next), once.
 *   IrqlHostInjectPoolFailureRate(Percent, Seed, Tag): each matching allocation fails with
 *     probability Percent/100, drawn from a PRNG seeded with Seed (same seed, same sequence).
 *   IrqlHostClearPoolFaultInjection: both off.
 */
VOID IrqlHostInjectPoolFailure(_In_ ULONG Nth, _In_ ULONG Tag);
VOID IrqlHostInjectPoolFailureRate(_In_ ULONG Percent, _In_ ULONG Seed, _In_ ULONG Tag);
VOID IrqlHostClearPoolFaultInjection(VOID);

/*
 * Paged pool is trimmed (made inaccessible) whenever a thread raises from below
 * DISPATCH_LEVEL to DISPATCH_LEVEL or above; a touch at DISPATCH_LEVEL or above then bug-
 * checks 0xA, a touch below pages the page back in. IrqlHostTrimPagedPool trims now.
 * IrqlHostQueryPagedPoolActivity reports how many trims happened and how many pages were
 * touched back in. Setting IRQL_HOST_PAGED_POOL_TRIM=0 in the environment turns trimming (and
 * so the check) off, e.g. to debug without a SIGSEGV on every page touched after a raise;
 * IRQL_HOST_PAGED_POOL_MB sizes the paged pool (default 1024).
 */
VOID IrqlHostTrimPagedPool(VOID);
VOID IrqlHostQueryPagedPoolActivity(_Out_ PULONG64 Trims, _Out_ PULONG64 PageIns);

/*
 * DPCs (<wdm/dpc.h>). DPC routines run on the host's DPC thread, which has no catch frame of
 * the test's: a bug check there (in a routine, or the checks made when it returns) ends the
 * process, unless IrqlHostCatchDpcBugChecks(TRUE) is in effect: then the DPC is abandoned,
 * the report is kept, the DPC thread is replaced by a fresh one and later DPCs run as usual.
 * IrqlHostGetDpcBugCheck returns TRUE with the first report caught since catching was turned
 * on. IrqlHostCatchDpcBugChecks returns the previous setting.
 */
BOOLEAN IrqlHostCatchDpcBugChecks(_In_ BOOLEAN Catch);
BOOLEAN IrqlHostGetDpcBugCheck(_Out_opt_ PIRQL_HOST_BUGCHECK Report);

/*
 * Run Routine(Context) as a DPC: queued like one, run on the DPC thread at DISPATCH_LEVEL with
 * the same checks when it returns, and waited for (at most the hang limit). A bug check in it
 * is always caught: returns TRUE with the report in *Report, else FALSE. Call at or below
 * APC_LEVEL (it waits).
 */
BOOLEAN IrqlHostRunAsDpc(_In_ PIRQL_HOST_ROUTINE Routine, _In_opt_ PVOID Context,
                         _Out_opt_ PIRQL_HOST_BUGCHECK Report);

/*
 * Wait until the DPC queue is empty and no DPC runs, including DPCs queued meanwhile (at most
 * the hang limit: a DPC that keeps queueing itself bug-checks the hang). At or below APC_LEVEL.
 */
VOID IrqlHostDrainDpcs(VOID);

/*
 * Driver lifecycle (<wdm/driver.h>), so a test drives its own driver's DriverEntry and
 * DriverUnload as Windows would.
 *
 * IrqlHostLoadDriver creates a driver object named \Driver\<Name> (Name a u"…" string, NULL
 * for u"HostDriver"; DriverExtension->ServiceKeyName is Name, RegistryPath
 * \Registry\Machine\System\CurrentControlSet\Services\<Name>) and runs
 * DriverEntry(DriverObject, RegistryPath) at PASSIVE_LEVEL on a new system thread, waiting for
 * it within the hang limit. It returns DriverEntry's status; on success *DriverObject is the
 * driver, else NULL and the driver object is gone — and, as when Windows unloads the image of
 * a driver whose DriverEntry failed, the unload checks below are made first. Other results:
 * STATUS_INVALID_PARAMETER (no DriverEntry), STATUS_OBJECT_NAME_INVALID (empty name),
 * STATUS_NAME_TOO_LONG (over 200 characters), STATUS_OBJECT_NAME_COLLISION (a driver of that
 * name is loaded).
 *
 * IrqlHostUnloadDriver runs DriverUnload at PASSIVE_LEVEL on a new system thread, waits for it,
 * then checks what the driver left behind, and frees the driver object:
 *   - system threads started since the load that still run (200 ms after DriverUnload
 *     returned — wait on each thread object, not on an event the thread sets as it leaves):
 *     0xCE DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS, P1 the start routine (the
 *     code that would run after unload), P2 0, P3 the thread object, P4 how many;
 *   - DPCs queued since the load that are still queued or running (same grace): 0xCE, P1 the
 *     DPC routine, P2 0, P3 the KDPC, P4 how many;
 *   - pool allocated since the load and not freed: 0xC4/0x62, P2 the driver's name (a char
 *     string), P4 the number of allocations (the leak report is printed through DbgPrint).
 * The host cannot attribute a thread, DPC or allocation to a driver image: "since the load"
 * covers whatever the process did meanwhile, test code included.
 * A driver without DriverUnload is not unloaded, as on Windows: STATUS_INVALID_DEVICE_REQUEST,
 * the driver stays loaded. A pointer that is not a loaded driver: STATUS_INVALID_PARAMETER.
 *
 * DriverEntry and DriverUnload run on system threads, so the kernel's exit checks apply to them
 * (returning at raised IRQL or with APCs disabled: 0x20; holding a KMUTEX: 0x4000008A). A bug
 * check on that thread ends the process, unless IrqlHostCatchSystemThreadBugChecks(TRUE) is in
 * effect: then the loader raises the same bug check again on the calling thread, where
 * IrqlHostCatchBugCheck sees it (the handler of IrqlHostSetBugCheckHandler sees both). Both
 * routines must be called at PASSIVE_LEVEL (else 0xC4/0xE5).
 */
NTSTATUS IrqlHostLoadDriver(_In_ PDRIVER_INITIALIZE DriverEntry, _In_opt_z_ PCWSTR Name,
                            _Out_ PDRIVER_OBJECT *DriverObject);
NTSTATUS IrqlHostUnloadDriver(_In_ PDRIVER_OBJECT DriverObject);

IRQL_HOST_END_DECLS

#endif
