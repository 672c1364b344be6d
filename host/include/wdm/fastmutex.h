/*
 * Fast mutexes (FAST_MUTEX) and guarded mutexes (KGUARDED_MUTEX).
 *
 * A fast mutex is a non-recursive exclusive lock for code at or below APC_LEVEL. The safe form
 * (ExAcquireFastMutex / ExTryToAcquireFastMutex … ExReleaseFastMutex) raises to APC_LEVEL and
 * saves the caller's IRQL in the mutex itself (OldIrql), exactly as the kernel does; the unsafe
 * form (ExAcquireFastMutexUnsafe … ExReleaseFastMutexUnsafe) leaves the IRQL alone and is for
 * callers already at APC_LEVEL or inside a critical region. An acquisition must be released by
 * the matching routine of the same form.
 *
 * Guarded mutexes are modelled on Windows 8 and later, where KGUARDED_MUTEX is the same
 * structure as FAST_MUTEX and the safe routines raise to APC_LEVEL like a fast mutex (the
 * project's design treats a guarded-mutex scope as APC_LEVEL). The host still tells the two
 * kinds apart: a mutex initialised by KeInitializeGuardedMutex must be used with the Ke…Guarded
 * routines, one initialised by ExInitializeFastMutex with the Ex…FastMutex routines.
 *
 * Misuse bug-checks as Driver Verifier reports it (0xC4, P1 below):
 *   ExAcquireFastMutex / ExTryToAcquireFastMutex above APC_LEVEL  0x33 (P2 IRQL, P3 mutex)
 *   ExReleaseFastMutex not at APC_LEVEL                           0x34 (P2 IRQL, P3 mutex)
 *   ExAcquireFastMutexUnsafe neither at APC_LEVEL nor in a critical (or guarded) region, or
 *   KeAcquireGuardedMutexUnsafe neither at APC_LEVEL nor in a guarded region
 *                                                                 0x39 (P2 IRQL, P3 the
 *                                                                  thread's APC-disable count
 *                                                                  as the KTHREAD keeps it,
 *                                                                  P4 mutex)
 *   the unsafe releases under the same conditions                 0x3A (same parameters)
 *   any guarded-mutex routine above APC_LEVEL                     0x2000F (DDI rule
 *                                                                  IrqlKeApcLte1; P2 the rule's
 *                                                                  text, P3 mutex)
 *   KeReleaseGuardedMutex below APC_LEVEL (the scope was lowered)  0x34
 *   acquire by the thread that owns it (a real self-deadlock)     0x1000 (P2 mutex)
 *   use before initialisation                                     0x1002 (P2 mutex)
 *   a fast mutex used with guarded-mutex routines or vice versa   0x1008 (P2 mutex)
 *   release by the other form than the acquire (safe vs unsafe)   0x1009 (P2 mutex)
 *   release of a mutex that is not held                           0x1007 (P2 mutex)
 *   release by a thread that does not own it                      0x1004 (P2 mutex, P3 owner,
 *                                                                  P4 current thread)
 *   initialisation above DISPATCH_LEVEL                           0xE5
 * A waiter that has waited longer than the host's hang limit bug-checks IRQL_HOST_BUGCHECK_HANG.
 */
#ifndef IRQL_HOST_WDM_FASTMUTEX_H
#define IRQL_HOST_WDM_FASTMUTEX_H


IRQL_HOST_BEGIN_DECLS

#define FM_LOCK_BIT 0x1   /* Count: set while the mutex is free, as in the WDK */
#define FM_LOCK_BIT_V 0x0 /* its bit number */

/*
 * The WDK's layout and size (56 bytes on 64-bit). Count is the lock word (FM_LOCK_BIT while
 * free); Owner is the owning host thread (opaque: not a KTHREAD the caller could compare); the
 * 24 bytes where the WDK keeps the KEVENT the kernel blocks on hold the host's bookkeeping;
 * OldIrql is the IRQL to which ExReleaseFastMutex returns.
 */
typedef struct _FAST_MUTEX {
    volatile LONG Count;
    PVOID Owner;
    ULONG Contention; /* how many acquisitions had to wait */
    struct {
        ULONG Signature;     /* which initialiser ran (fast or guarded mutex) */
        ULONG AcquiredBy;    /* which acquire routine holds it */
        ULONG_PTR Reserved[2];
    } Host;
    ULONG OldIrql;
} FAST_MUTEX, *PFAST_MUTEX, KGUARDED_MUTEX, *PKGUARDED_MUTEX;

/* ---- Fast mutexes ---------------------------------------------------------------------- */

/* Initialise FastMutex as free. The mutex must be resident (non-paged). */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI VOID ExInitializeFastMutex(_Out_ PFAST_MUTEX FastMutex);

/* Raise to APC_LEVEL and acquire, waiting as long as another thread owns it. */
_IRQL_requires_max_(APC_LEVEL) _IRQL_raises_(APC_LEVEL)
_IRQL_saves_global_(OldIrql, FastMutex) _Acquires_lock_(*FastMutex)
NTKERNELAPI VOID ExAcquireFastMutex(_Inout_ PFAST_MUTEX FastMutex);

/*
 * Acquire like ExAcquireFastMutex if the mutex is free (TRUE), else return FALSE at once at
 * the caller's IRQL. Also FALSE when the caller itself owns it: a try cannot deadlock.
 */
_Must_inspect_result_ _IRQL_requires_max_(APC_LEVEL)
_Success_(return != FALSE) _IRQL_raises_(APC_LEVEL) _IRQL_saves_global_(OldIrql, FastMutex)
_Acquires_lock_(*FastMutex)
NTKERNELAPI BOOLEAN ExTryToAcquireFastMutex(_Inout_ PFAST_MUTEX FastMutex);

/* Release a mutex taken by ExAcquireFastMutex / ExTryToAcquireFastMutex; restore the IRQL. */
_IRQL_requires_(APC_LEVEL) _IRQL_restores_global_(OldIrql, FastMutex)
_Releases_lock_(*FastMutex)
NTKERNELAPI VOID ExReleaseFastMutex(_Inout_ PFAST_MUTEX FastMutex);

/* Acquire without raising: the caller is at APC_LEVEL or inside a critical region. */
_IRQL_requires_max_(APC_LEVEL) _Acquires_lock_(*FastMutex)
NTKERNELAPI VOID ExAcquireFastMutexUnsafe(_Inout_ PFAST_MUTEX FastMutex);

/* Release a mutex taken by ExAcquireFastMutexUnsafe; the IRQL is unchanged. */
_IRQL_requires_max_(APC_LEVEL) _Releases_lock_(*FastMutex)
NTKERNELAPI VOID ExReleaseFastMutexUnsafe(_Inout_ PFAST_MUTEX FastMutex);

/* ---- Guarded mutexes (Windows 8+: a fast mutex, the holder runs at APC_LEVEL) --------- */

/* Initialise Mutex as a free guarded mutex. */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI VOID KeInitializeGuardedMutex(_Out_ PKGUARDED_MUTEX Mutex);

/* Raise to APC_LEVEL and acquire, waiting as long as another thread owns it. */
_IRQL_requires_max_(APC_LEVEL) _Acquires_lock_(*Mutex)
NTKERNELAPI VOID KeAcquireGuardedMutex(_Inout_ PKGUARDED_MUTEX Mutex);

/* Acquire like KeAcquireGuardedMutex if free (TRUE), else FALSE at once (also for the owner). */
_Must_inspect_result_ _IRQL_requires_max_(APC_LEVEL) _Success_(return != FALSE)
_Acquires_lock_(*Mutex)
NTKERNELAPI BOOLEAN KeTryToAcquireGuardedMutex(_Inout_ PKGUARDED_MUTEX Mutex);

/* Release a mutex taken by KeAcquireGuardedMutex / KeTryToAcquireGuardedMutex. */
_IRQL_requires_max_(APC_LEVEL) _Releases_lock_(*Mutex)
NTKERNELAPI VOID KeReleaseGuardedMutex(_Inout_ PKGUARDED_MUTEX Mutex);

/* Acquire without raising: the caller is at APC_LEVEL or inside a guarded region. */
_IRQL_requires_max_(APC_LEVEL) _Acquires_lock_(*FastMutex)
NTKERNELAPI VOID KeAcquireGuardedMutexUnsafe(_Inout_ PKGUARDED_MUTEX FastMutex);

/* Release a mutex taken by KeAcquireGuardedMutexUnsafe; the IRQL is unchanged. */
_IRQL_requires_max_(APC_LEVEL) _Releases_lock_(*FastMutex)
NTKERNELAPI VOID KeReleaseGuardedMutexUnsafe(_Inout_ PKGUARDED_MUTEX FastMutex);

IRQL_HOST_END_DECLS

#endif
