/*
 * irql/lock.h — IRQL-checked kernel locks that own the data they protect.
 *
 * Six wrappers, one per kernel lock, each an embeddable structure that must live in non-paged
 * memory (a global, a device extension, non-paged pool — never the paged pool or a pageable
 * section):
 *
 *   wrapper             kernel object               acquire at       body runs at    recursive
 *   IRQL_KMUTEX         KMUTEX                      <= APC           unchanged       yes
 *                                                   (try <= DISPATCH)
 *   IRQL_FAST_MUTEX     FAST_MUTEX                  <= APC           APC_LEVEL       no
 *   IRQL_GUARDED_MUTEX  KGUARDED_MUTEX              <= APC           APC_LEVEL       no
 *   IRQL_SPIN_LOCK      KSPIN_LOCK, in-stack queued <= DISPATCH      DISPATCH_LEVEL  no
 *   IRQL_RESOURCE       ERESOURCE, in a critical    <= APC           unchanged       as the kernel,
 *                       region                                                       not sh -> ex
 *   IRQL_PUSH_LOCK      EX_PUSH_LOCK, in a critical <= APC           unchanged       no
 *                       region
 *
 * Explicit API, for every kind K (KMutex, FastMutex, GuardedMutex, SpinLock, Resource,
 * PushLock): IrqlKInit, IrqlKLock, IrqlKTryLock, IrqlKUnlock, IrqlKDelete, plus
 * IrqlResourceLockShared / TryLockShared and IrqlPushLockLockShared / TryLockShared. Every
 * routine carries an IRQL contract (IRQL_CALL(IrqlFastMutexLock)(…) from code that may run at
 * DISPATCH_LEVEL does not compile) AND checks the real IRQL, ownership and initialisation at
 * run time, returning a status from <irql/status.h> instead of crashing:
 *
 *   STATUS_IRQL_LOCK_IRQL_TOO_HIGH    acquire (or Init/Delete) above the kind's maximum
 *   STATUS_IRQL_LOCK_WRONG_IRQL       unlock at an IRQL the release may not run at
 *   STATUS_IRQL_LOCK_NOT_OWNER        unlock by a thread, or through a guard, that does not hold it
 *   STATUS_IRQL_LOCK_RECURSION        re-acquire that would deadlock (non-recursive kinds)
 *   STATUS_IRQL_LOCK_NOT_INITIALIZED  Init never ran (zeroed memory) or Delete did
 *   STATUS_IRQL_LOCK_BUSY             TryLock found it taken (a warning; NT_SUCCESS is FALSE)
 *   STATUS_IRQL_LOCK_HELD             Delete of a held lock
 * When a routine fails, it changed nothing: no lock acquired or released, no IRQL or critical
 * region changed. The checks run in the order: IRQL (acquire) / initialisation, recursion or
 * ownership, IRQL (release).
 *
 * Per-acquisition state lives with the caller, never in the shared lock: IRQL_SPIN_LOCK and
 * IRQL_PUSH_LOCK take a guard (IRQL_SPIN_LOCK_GUARD holds the KLOCK_QUEUE_HANDLE and old IRQL,
 * IRQL_PUSH_LOCK_GUARD records the holder), passed to Lock and to the matching Unlock. The
 * other kinds need none (the FAST_MUTEX keeps its old IRQL in the kernel object, as the kernel
 * does, written only by the owner).
 *
 * Data-owning form (the C shape of wdk-mutex's KMutex<T>):
 *
 *   typedef IRQL_PROTECTED(IRQL_FAST_MUTEX, COUNTERS) PROTECTED_COUNTERS;
 *   static PROTECTED_COUNTERS Stats;              // IrqlFastMutexInit(&Stats.Lock) once
 *
 *   IRQL_MAX(CountPacket, APC_LEVEL) VOID CountPacket(ULONG Bytes)
 *   {
 *       IRQL_ENTER(CountPacket);
 *       IRQL_WITH(&Stats, S) {                    // S is a COUNTERS *, the body runs at APC
 *           S->Packets++;
 *           S->Bytes += Bytes;
 *       }                                         // released here, on every way out
 *   }
 *
 * IRQL_WITH / IRQL_WITH_SHARED / IRQL_LOCKED / IRQL_LOCKED_SHARED are statements like
 * IRQL_RAISE (irql.h): one statement, nestable, break/continue end the block, and where the
 * compiler has the cleanup attribute return and goto out of the block release the lock too
 * (docs/contracts.md "Scoped blocks"). Their compile-time context is raised per kind
 * (FAST_MUTEX / guarded: [APC, APC]; spin lock: [DISPATCH, DISPATCH]; the others unchanged),
 * so a PASSIVE-only IRQL_CALL or a wait inside does not compile, and acquiring a lock where
 * the context may be above the kind's maximum does not compile either. A misuse a scope cannot
 * report (a contract that lied, the IRQL changed inside the block, the lock released by hand)
 * bug-checks IRQL_BUGCHECK_LOCK_VIOLATION, naming the status, the lock and the statement.
 *
 * Heap form (wdk-mutex's new / to_owned): IRQL_PROTECTED_NEW allocates a protected value in
 * non-paged pool, IRQL_PROTECTED_INTO_INNER moves the data out and frees it,
 * IRQL_PROTECTED_FREE frees it. See docs/locks.md.
 *
 * Configuration (define before including):
 *   IRQL_NO_TYPEOF   behave as on a compiler without __typeof__ (IRQL_WITH and
 *                    IRQL_WITH_SHARED become compile errors that point to the _T forms), to
 *                    keep code portable to MSVC before 17.9.
 * IRQL_NO_CONTRACTS and IRQL_NO_CLEANUP (irql.h) apply to the scoped forms as to IRQL_RAISE.
 *
 * Language: C11. The explicit API is also usable from C++; there each statement or heap macro
 * is one compile error that names the explicit call to use instead.
 */
#ifndef IRQL_LOCK_H
#define IRQL_LOCK_H

#include <irql/irql.h>
#include <irql/status.h>

#ifdef __cplusplus
extern "C" {
#endif

/* How the hot routines are compiled (internals; see "Fast paths" at the end of this file). */
#if defined(__GNUC__) || defined(__clang__)
#define IRQL__INLINE static __inline __attribute__((__always_inline__))
#define IRQL__LIKELY(X) __builtin_expect(!!(X), 1)
#define IRQL__UNLIKELY(X) __builtin_expect(!!(X), 0)
#define IRQL__COLD __attribute__((__cold__))
#else
#define IRQL__INLINE static __inline /* cl inlines these small routines at /O2 */
#define IRQL__LIKELY(X) (X)
#define IRQL__UNLIKELY(X) (X)
#define IRQL__COLD
#endif
/* The scopes' begin and end switch on a constant kind: inlined when optimising, so that the
   switch folds to one kind; not forced at -O0, where the other kinds' code would be inlined
   too (and gcc would warn about their accesses to a lock of another size). */
#if (defined(__GNUC__) || defined(__clang__)) && defined(__OPTIMIZE__)
#define IRQL__SCOPE_INLINE IRQL__INLINE
#else
#define IRQL__SCOPE_INLINE static __inline
#endif

/* ------------------------------------------------------------------------------------------ */
/* The lock types                                                                             */
/* ------------------------------------------------------------------------------------------ */

/* The fields are the wrappers' own: use the routines, never the fields. */

typedef struct _IRQL_KMUTEX {
    KMUTEX Mutex;
    PVOID volatile Owner;   /* the owning thread, written by the owner */
    LONG Depth;             /* acquisitions by the owner not yet released */
    LONG AtDispatch;        /* first acquired at DISPATCH_LEVEL (by TryLock): TRUE or FALSE;
                               a LONG beside Depth, so both are set and tested as one word */
    ULONG Signature;
} IRQL_KMUTEX, *PIRQL_KMUTEX;

typedef struct _IRQL_FAST_MUTEX {
    FAST_MUTEX Mutex;
    PVOID volatile Owner;
    ULONG Signature;
} IRQL_FAST_MUTEX, *PIRQL_FAST_MUTEX;

typedef struct _IRQL_GUARDED_MUTEX {
    KGUARDED_MUTEX Mutex;
    PVOID volatile Owner;
    ULONG Signature;
} IRQL_GUARDED_MUTEX, *PIRQL_GUARDED_MUTEX;

struct _IRQL_SPIN_LOCK_GUARD;

typedef struct _IRQL_SPIN_LOCK {
    KSPIN_LOCK Lock;
    PVOID volatile Owner;
    PVOID volatile Guard;   /* while Owner is set: the holder's guard, its address + 1 if
                               TryLock raised the IRQL for it */
    LONG volatile Users;    /* holders and waiters, and TryLock's gate bit */
    ULONG Signature;
} IRQL_SPIN_LOCK, *PIRQL_SPIN_LOCK;

/* One acquisition of an IRQL_SPIN_LOCK: on the caller's stack, from Lock to its Unlock. It must
   not move or be copied while it holds the lock (the kernel links the queue handle into the
   lock's queue). */
typedef struct _IRQL_SPIN_LOCK_GUARD {
    KLOCK_QUEUE_HANDLE Handle;
    PIRQL_SPIN_LOCK Lock;   /* the lock this guard holds; NULL when it holds none */
    KIRQL OldIrql;          /* TryLock: the IRQL to return to (it raised the IRQL itself) */
} IRQL_SPIN_LOCK_GUARD, *PIRQL_SPIN_LOCK_GUARD;

typedef struct _IRQL_RESOURCE {
    ERESOURCE Resource;
    PVOID volatile Owner;        /* the exclusive owner, written by the owner */
    LONG Depth;                  /* the owner's acquisitions (exclusive, and shared ones made
                                    while it owns the resource) not yet released */
    LONG volatile SharedHolders; /* shared acquisitions by other threads not yet released */
    ULONG Signature;
} IRQL_RESOURCE, *PIRQL_RESOURCE;

struct _IRQL_PUSH_LOCK;

/* One acquisition of an IRQL_PUSH_LOCK (exclusive or shared): on the caller's stack, from Lock
   to its Unlock, and not moved or copied meanwhile (the lock records its holders' guards). */
typedef struct _IRQL_PUSH_LOCK_GUARD {
    LIST_ENTRY Link;        /* in the lock's list of holders */
    struct _IRQL_PUSH_LOCK *Lock;
    PVOID Thread;
    BOOLEAN Shared;
} IRQL_PUSH_LOCK_GUARD, *PIRQL_PUSH_LOCK_GUARD;

typedef struct _IRQL_PUSH_LOCK {
    EX_PUSH_LOCK Lock;
    PVOID volatile Owner;   /* the exclusive owner */
    struct _IRQL_PUSH_LOCK_GUARD *volatile OwnerGuard; /* its guard (while Owner is set) */
    KSPIN_LOCK HoldersLock; /* guards Holders */
    LIST_ENTRY Holders;     /* IRQL_PUSH_LOCK_GUARDs of the shared holders */
    LONG volatile HolderCount;
    ULONG Signature;
} IRQL_PUSH_LOCK, *PIRQL_PUSH_LOCK;

/* ------------------------------------------------------------------------------------------ */
/* Explicit API                                                                               */
/* ------------------------------------------------------------------------------------------ */

/*
 * Contracts. Init and Delete: <= DISPATCH_LEVEL (IrqlResourceDelete: <= APC_LEVEL). Lock: the
 * kind's acquire level. Unlock: the range of the code that called Lock — the compile-time
 * context does not follow the raise a Lock makes (irql.h), so IRQL_CALL(IrqlFastMutexUnlock)
 * compiles where IRQL_CALL(IrqlFastMutexLock) did; at run time the release checks the exact
 * level (APC_LEVEL for a fast or guarded mutex, DISPATCH_LEVEL for a spin lock).
 *
 * Init writes the signature the other routines look for; it does not look at the memory's
 * previous contents (a lock in use must not be initialised again; an IRQL_RESOURCE must be
 * deleted first, as ExDeleteResourceLite requires). Delete refuses a held lock
 * (STATUS_IRQL_LOCK_HELD) and otherwise makes the lock read as not initialised; it is required
 * before the memory of an IRQL_RESOURCE is freed, optional for the other kinds. Neither may
 * race with other use of the lock.
 *
 * Lock, LockShared and Unlock are inline: the checks of the common case (a few compares around
 * the kernel call) are compiled into the caller, and every other case (a failed check,
 * recursion, contention, a shared holder list) goes to the library, which checks everything
 * again in the documented order; the statuses are the same either way. Init, TryLock and
 * Delete are library functions.
 */

/* ---- IRQL_KMUTEX: recursive; Lock waits (<= APC), TryLock polls (<= DISPATCH). ---------- */

IRQL_MAX(IrqlKMutexInit, DISPATCH_LEVEL)
NTSTATUS IrqlKMutexInit(_Out_ PIRQL_KMUTEX Mutex);

/* STATUS_SUCCESS, or STATUS_ABANDONED (also a success: the caller owns the mutex) when its
   previous owner ended without releasing it, so the data may be inconsistent. */
IRQL_MAX(IrqlKMutexLock, APC_LEVEL)
_Must_inspect_result_ _Success_(return >= 0) _Acquires_lock_(*Mutex)
IRQL__INLINE NTSTATUS IrqlKMutexLock(_Inout_ PIRQL_KMUTEX Mutex);

IRQL_MAX(IrqlKMutexTryLock, DISPATCH_LEVEL)
_Must_inspect_result_ _Success_(return >= 0) _Acquires_lock_(*Mutex)
NTSTATUS IrqlKMutexTryLock(_Inout_ PIRQL_KMUTEX Mutex);

/* Release one acquisition: at DISPATCH_LEVEL if the mutex was first taken there (TryLock at
   DISPATCH_LEVEL), below it otherwise (the kernel's rule for KeReleaseMutex). */
IRQL_MAX(IrqlKMutexUnlock, DISPATCH_LEVEL)
_Releases_lock_(*Mutex)
IRQL__INLINE NTSTATUS IrqlKMutexUnlock(_Inout_ PIRQL_KMUTEX Mutex);

IRQL_MAX(IrqlKMutexDelete, DISPATCH_LEVEL)
NTSTATUS IrqlKMutexDelete(_Inout_ PIRQL_KMUTEX Mutex);

/* ---- IRQL_FAST_MUTEX: not recursive; the holder runs at APC_LEVEL. ----------------------- */

IRQL_MAX(IrqlFastMutexInit, DISPATCH_LEVEL)
NTSTATUS IrqlFastMutexInit(_Out_ PIRQL_FAST_MUTEX Mutex);

IRQL_MAX(IrqlFastMutexLock, APC_LEVEL)
_Must_inspect_result_ _Success_(return >= 0) _Acquires_lock_(*Mutex)
IRQL__INLINE NTSTATUS IrqlFastMutexLock(_Inout_ PIRQL_FAST_MUTEX Mutex);

IRQL_MAX(IrqlFastMutexTryLock, APC_LEVEL)
_Must_inspect_result_ _Success_(return >= 0) _Acquires_lock_(*Mutex)
NTSTATUS IrqlFastMutexTryLock(_Inout_ PIRQL_FAST_MUTEX Mutex);

/* At APC_LEVEL (where Lock left the caller); returns to the IRQL Lock was called at. */
IRQL_MAX(IrqlFastMutexUnlock, APC_LEVEL)
_Releases_lock_(*Mutex)
IRQL__INLINE NTSTATUS IrqlFastMutexUnlock(_Inout_ PIRQL_FAST_MUTEX Mutex);

IRQL_MAX(IrqlFastMutexDelete, DISPATCH_LEVEL)
NTSTATUS IrqlFastMutexDelete(_Inout_ PIRQL_FAST_MUTEX Mutex);

/* ---- IRQL_GUARDED_MUTEX: as IRQL_FAST_MUTEX (Windows 8+: the same lock). ---------------- */

IRQL_MAX(IrqlGuardedMutexInit, DISPATCH_LEVEL)
NTSTATUS IrqlGuardedMutexInit(_Out_ PIRQL_GUARDED_MUTEX Mutex);

IRQL_MAX(IrqlGuardedMutexLock, APC_LEVEL)
_Must_inspect_result_ _Success_(return >= 0) _Acquires_lock_(*Mutex)
IRQL__INLINE NTSTATUS IrqlGuardedMutexLock(_Inout_ PIRQL_GUARDED_MUTEX Mutex);

IRQL_MAX(IrqlGuardedMutexTryLock, APC_LEVEL)
_Must_inspect_result_ _Success_(return >= 0) _Acquires_lock_(*Mutex)
NTSTATUS IrqlGuardedMutexTryLock(_Inout_ PIRQL_GUARDED_MUTEX Mutex);

IRQL_MAX(IrqlGuardedMutexUnlock, APC_LEVEL)
_Releases_lock_(*Mutex)
IRQL__INLINE NTSTATUS IrqlGuardedMutexUnlock(_Inout_ PIRQL_GUARDED_MUTEX Mutex);

IRQL_MAX(IrqlGuardedMutexDelete, DISPATCH_LEVEL)
NTSTATUS IrqlGuardedMutexDelete(_Inout_ PIRQL_GUARDED_MUTEX Mutex);

/* ---- IRQL_SPIN_LOCK: not recursive; the holder runs at DISPATCH_LEVEL. ------------------- */

IRQL_MAX(IrqlSpinLockInit, DISPATCH_LEVEL)
NTSTATUS IrqlSpinLockInit(_Out_ PIRQL_SPIN_LOCK Lock);

/* Raise to DISPATCH_LEVEL and acquire (in-stack queued); the old IRQL goes into *Guard. */
IRQL_MAX(IrqlSpinLockLock, DISPATCH_LEVEL)
_Must_inspect_result_ _Success_(return >= 0) _Acquires_lock_(*Lock)
IRQL__INLINE NTSTATUS IrqlSpinLockLock(_Inout_ PIRQL_SPIN_LOCK Lock,
                                       _Out_ PIRQL_SPIN_LOCK_GUARD Guard);

/* Acquire only if no thread holds or waits for the lock; never spins behind a holder. */
IRQL_MAX(IrqlSpinLockTryLock, DISPATCH_LEVEL)
_Must_inspect_result_ _Success_(return >= 0) _Acquires_lock_(*Lock)
NTSTATUS IrqlSpinLockTryLock(_Inout_ PIRQL_SPIN_LOCK Lock, _Out_ PIRQL_SPIN_LOCK_GUARD Guard);

/* At DISPATCH_LEVEL, with the guard the acquire filled; returns to the IRQL saved in it. */
IRQL_MAX(IrqlSpinLockUnlock, DISPATCH_LEVEL)
_Releases_lock_(*Lock)
IRQL__INLINE NTSTATUS IrqlSpinLockUnlock(_Inout_ PIRQL_SPIN_LOCK Lock,
                                         _Inout_ PIRQL_SPIN_LOCK_GUARD Guard);

IRQL_MAX(IrqlSpinLockDelete, DISPATCH_LEVEL)
NTSTATUS IrqlSpinLockDelete(_Inout_ PIRQL_SPIN_LOCK Lock);

/* ---- IRQL_RESOURCE: shared or exclusive; the wrapper enters and leaves the critical
        region. Recursive as the kernel is (exclusive -> exclusive, shared -> shared,
        exclusive -> shared), except shared -> exclusive, which would deadlock. ------------- */

IRQL_MAX(IrqlResourceInit, DISPATCH_LEVEL)
NTSTATUS IrqlResourceInit(_Out_ PIRQL_RESOURCE Resource);

IRQL_MAX(IrqlResourceLock, APC_LEVEL)
_Must_inspect_result_ _Success_(return >= 0) _Acquires_exclusive_lock_(*Resource)
IRQL__INLINE NTSTATUS IrqlResourceLock(_Inout_ PIRQL_RESOURCE Resource);

IRQL_MAX(IrqlResourceLockShared, APC_LEVEL)
_Must_inspect_result_ _Success_(return >= 0) _Acquires_shared_lock_(*Resource)
IRQL__INLINE NTSTATUS IrqlResourceLockShared(_Inout_ PIRQL_RESOURCE Resource);

IRQL_MAX(IrqlResourceTryLock, APC_LEVEL)
_Must_inspect_result_ _Success_(return >= 0) _Acquires_exclusive_lock_(*Resource)
NTSTATUS IrqlResourceTryLock(_Inout_ PIRQL_RESOURCE Resource);

IRQL_MAX(IrqlResourceTryLockShared, APC_LEVEL)
_Must_inspect_result_ _Success_(return >= 0) _Acquires_shared_lock_(*Resource)
NTSTATUS IrqlResourceTryLockShared(_Inout_ PIRQL_RESOURCE Resource);

/* Release one acquisition, shared or exclusive, by the calling thread. */
IRQL_MAX(IrqlResourceUnlock, APC_LEVEL)
_Releases_lock_(*Resource)
IRQL__INLINE NTSTATUS IrqlResourceUnlock(_Inout_ PIRQL_RESOURCE Resource);

/* ExDeleteResourceLite: required before the memory is freed. */
IRQL_MAX(IrqlResourceDelete, APC_LEVEL)
NTSTATUS IrqlResourceDelete(_Inout_ PIRQL_RESOURCE Resource);

/* ---- IRQL_PUSH_LOCK: shared or exclusive, not recursive in either mode (a shared holder
        that acquires again can hang behind a queued writer); the wrapper enters and leaves
        the critical region. ------------------------------------------------------------- */

IRQL_MAX(IrqlPushLockInit, DISPATCH_LEVEL)
NTSTATUS IrqlPushLockInit(_Out_ PIRQL_PUSH_LOCK Lock);

IRQL_MAX(IrqlPushLockLock, APC_LEVEL)
_Must_inspect_result_ _Success_(return >= 0) _Acquires_exclusive_lock_(*Lock)
IRQL__INLINE NTSTATUS IrqlPushLockLock(_Inout_ PIRQL_PUSH_LOCK Lock,
                                       _Out_ PIRQL_PUSH_LOCK_GUARD Guard);

IRQL_MAX(IrqlPushLockLockShared, APC_LEVEL)
_Must_inspect_result_ _Success_(return >= 0) _Acquires_shared_lock_(*Lock)
IRQL__INLINE NTSTATUS IrqlPushLockLockShared(_Inout_ PIRQL_PUSH_LOCK Lock,
                                             _Out_ PIRQL_PUSH_LOCK_GUARD Guard);

IRQL_MAX(IrqlPushLockTryLock, APC_LEVEL)
_Must_inspect_result_ _Success_(return >= 0) _Acquires_exclusive_lock_(*Lock)
NTSTATUS IrqlPushLockTryLock(_Inout_ PIRQL_PUSH_LOCK Lock, _Out_ PIRQL_PUSH_LOCK_GUARD Guard);

IRQL_MAX(IrqlPushLockTryLockShared, APC_LEVEL)
_Must_inspect_result_ _Success_(return >= 0) _Acquires_shared_lock_(*Lock)
NTSTATUS IrqlPushLockTryLockShared(_Inout_ PIRQL_PUSH_LOCK Lock,
                                   _Out_ PIRQL_PUSH_LOCK_GUARD Guard);

/* Release the acquisition Guard records, in its mode. */
IRQL_MAX(IrqlPushLockUnlock, APC_LEVEL)
_Releases_lock_(*Lock)
IRQL__INLINE NTSTATUS IrqlPushLockUnlock(_Inout_ PIRQL_PUSH_LOCK Lock,
                                         _Inout_ PIRQL_PUSH_LOCK_GUARD Guard);

IRQL_MAX(IrqlPushLockDelete, DISPATCH_LEVEL)
NTSTATUS IrqlPushLockDelete(_Inout_ PIRQL_PUSH_LOCK Lock);

/* ------------------------------------------------------------------------------------------ */
/* Data-owning form                                                                           */
/* ------------------------------------------------------------------------------------------ */

/*
 * IRQL_PROTECTED(LockType, T) — the structure type { LockType Lock; T Data; }. Each use is a
 * new type: give it a typedef and use that everywhere.
 *
 *   typedef IRQL_PROTECTED(IRQL_SPIN_LOCK, QUEUE) PROTECTED_QUEUE, *PPROTECTED_QUEUE;
 *
 * Initialise an embedded or global one with the kind's Init on &Value.Lock; IRQL_PROTECTED_NEW
 * allocates and initialises one in non-paged pool.
 */
#define IRQL_PROTECTED(LockType, T) \
    struct { \
        LockType Lock; \
        T Data; \
    }

#ifndef __cplusplus

/* 1 where IRQL_WITH and IRQL_WITH_SHARED can name the type of Ptr->Data themselves (the
   compiler has __typeof__: gcc, clang, MSVC 17.9+), 0 where only the _T forms work. */
#if !defined(IRQL_NO_TYPEOF) && \
    (defined(__GNUC__) || defined(__clang__) || (defined(_MSC_VER) && _MSC_VER >= 1939))
#define IRQL_HAS_TYPEOF 1
#define IRQL__TYPEOF(X) __typeof__(X)
#else
#define IRQL_HAS_TYPEOF 0
#endif

/*
 * IRQL_WITH(Ptr, Name) { … } — lock Ptr->Lock exclusively and run the block with Name, a T *,
 * pointing to Ptr->Data (Ptr points to an IRQL_PROTECTED(LockType, T)). Ptr is evaluated once.
 * IRQL_WITH_T(Ptr, T, Name) is the same with the data type spelled out, for compilers without
 * __typeof__ (a compile error if Ptr->Data is not a T); there Ptr is evaluated twice.
 *
 * IRQL_WITH_SHARED(Ptr, Name) / IRQL_WITH_SHARED_T(Ptr, T, Name): a const T * under a shared
 * acquisition (IRQL_RESOURCE and IRQL_PUSH_LOCK only: a compile error for the other kinds).
 *
 * The body's compile-time range: [APC_LEVEL, APC_LEVEL] for a FAST_MUTEX or guarded mutex,
 * [DISPATCH_LEVEL, DISPATCH_LEVEL] for a spin lock, the enclosing range for the others.
 * A compile error if the enclosing range may be above the kind's acquire maximum (APC_LEVEL;
 * DISPATCH_LEVEL for a spin lock), including in code without a contract.
 *
 * Leaving the block: falling off its end, break and continue release the lock (break and
 * continue act on the block, never on a loop around it); with the cleanup attribute (gcc,
 * clang, clang-cl) return and goto out of it do too. Under MSVC cl, return and goto out of
 * the block skip the release: do not use them there.
 *
 * If the lock cannot be acquired or released at run time (the IRQL is not what the contract
 * said, the body changed the IRQL, or released the lock itself), the statement bug-checks
 * IRQL_BUGCHECK_LOCK_VIOLATION (P1 status, P2 lock, P3 the statement's text and place, P4 IRQL).
 */
#if IRQL_HAS_TYPEOF
#define IRQL_WITH(Ptr, Name) IRQL__WITH(Ptr, Name, , FALSE, "IRQL_WITH")
#define IRQL_WITH_SHARED(Ptr, Name) IRQL__WITH(Ptr, Name, const, TRUE, "IRQL_WITH_SHARED")
#else
#define IRQL_WITH(Ptr, Name) IRQL__NO_TYPEOF("IRQL_WITH", "IRQL_WITH_T", Ptr, Name)
#define IRQL_WITH_SHARED(Ptr, Name) \
    IRQL__NO_TYPEOF("IRQL_WITH_SHARED", "IRQL_WITH_SHARED_T", Ptr, Name)
#endif
#define IRQL_WITH_T(Ptr, T, Name) IRQL__WITH_T(Ptr, T, Name, , FALSE, "IRQL_WITH_T")
#define IRQL_WITH_SHARED_T(Ptr, T, Name) \
    IRQL__WITH_T(Ptr, T, Name, const, TRUE, "IRQL_WITH_SHARED_T")

/*
 * IRQL_LOCKED(LockPtr) { … } — IRQL_WITH without data: a critical section on the lock
 * LockPtr points to (a PIRQL_FAST_MUTEX, PIRQL_SPIN_LOCK, …). IRQL_LOCKED_SHARED(LockPtr):
 * shared (resource and push lock). LockPtr is evaluated once.
 */
#define IRQL_LOCKED(LockPtr) \
    IRQL__LOCK_SCOPE((LockPtr), IRQL__LOCK_KIND(LockPtr), FALSE, \
                     IRQL__LOCK_CHECKS(IRQL__LOCK_KIND(LockPtr), FALSE, \
                                       "IRQL_LOCKED(" #LockPtr ")"), \
                     "IRQL_LOCKED(" #LockPtr ")")
#define IRQL_LOCKED_SHARED(LockPtr) \
    IRQL__LOCK_SCOPE((LockPtr), IRQL__LOCK_KIND(LockPtr), TRUE, \
                     IRQL__LOCK_CHECKS(IRQL__LOCK_KIND(LockPtr), TRUE, \
                                       "IRQL_LOCKED_SHARED(" #LockPtr ")"), \
                     "IRQL_LOCKED_SHARED(" #LockPtr ")")

/* ------------------------------------------------------------------------------------------ */
/* Heap form                                                                                  */
/* ------------------------------------------------------------------------------------------ */

/*
 * NTSTATUS IRQL_PROTECTED_NEW(Type, Type **PtrOut, const T *Initial, ULONG Tag)
 *   Allocate a Type (an IRQL_PROTECTED typedef) in non-paged pool (ExAllocatePool2,
 *   POOL_FLAG_NON_PAGED, Tag), initialise its lock, copy *Initial into its Data (Initial NULL:
 *   zeroed Data) and store it in *PtrOut. <= DISPATCH_LEVEL. On failure *PtrOut is NULL:
 *   STATUS_IRQL_LOCK_IRQL_TOO_HIGH, STATUS_IRQL_POOL_TAG_INVALID, STATUS_INSUFFICIENT_RESOURCES,
 *   or the lock's Init status.
 *
 * NTSTATUS IRQL_PROTECTED_INTO_INNER(Type, Type **PtrInOut, T *Out, ULONG Tag)
 *   Move the data out and free the allocation (wdk-mutex's to_owned): refuse while the lock is
 *   held (STATUS_IRQL_LOCK_HELD), else delete the lock, copy Data into *Out (once; Out NULL:
 *   discard it), free the block (once) and set *PtrInOut to NULL, so a second call on the
 *   same variable returns STATUS_INVALID_PARAMETER instead of freeing twice. Tag must be the
 *   allocation's (STATUS_IRQL_POOL_TAG_MISMATCH) and the block must come from
 *   IRQL_PROTECTED_NEW with this Type (STATUS_IRQL_PROTECTED_MISMATCH); any failure changes
 *   nothing. <= DISPATCH_LEVEL (<= APC_LEVEL for an IRQL_RESOURCE). No other thread may use
 *   the value during or after the call (copies of the pointer dangle, as after ExFreePool).
 *
 * NTSTATUS IRQL_PROTECTED_FREE(Type, Type **PtrInOut, ULONG Tag)
 *   IRQL_PROTECTED_INTO_INNER with Out NULL: drop the value.
 *
 * All three check their IRQL rule at compile time like IRQL_CALL (an error in code that may
 * run above it, or that has no contract) and at run time.
 */
#define IRQL_PROTECTED_NEW(Type, PtrOut, Initial, Tag) \
    IRQL__LOCK_CHECKED( \
        IRQL__PROTECTED_CHECKS(Type, PtrOut, Initial, "IRQL_PROTECTED_NEW(" #Type ", " #PtrOut \
                               ", " #Initial ", " #Tag ")", \
                               0, DISPATCH_LEVEL, "DISPATCH_LEVEL", \
                               "allocate a protected value from non-paged pool"), \
        irql__protected_new((PVOID *)(PtrOut), sizeof(Type), IRQL__DATA_OFFSET(Type), \
                            sizeof(((Type *)0)->Data), IRQL__LOCK_OPS_OF(&((Type *)0)->Lock), \
                            (Initial), (Tag)))

#define IRQL_PROTECTED_INTO_INNER(Type, PtrInOut, Out, Tag) \
    IRQL__PROTECTED_RELEASE(Type, PtrInOut, Out, Tag, \
                            "IRQL_PROTECTED_INTO_INNER(" #Type ", " #PtrInOut ", " #Out ", " \
                            #Tag ")")
#define IRQL_PROTECTED_FREE(Type, PtrInOut, Tag) \
    IRQL__PROTECTED_RELEASE(Type, PtrInOut, NULL, Tag, \
                            "IRQL_PROTECTED_FREE(" #Type ", " #PtrInOut ", " #Tag ")")

#else /* __cplusplus */

/*
 * The statement and heap macros rest on C11 (_Generic, compound literals, designated
 * initialisers). In C++ each is one error that says what to use instead.
 */
#define IRQL__CXX_ONLY_C(Macro, Operand) \
    static_assert(sizeof(Operand) == 0, \
                  Macro " is C only: in C++ call the explicit API (IrqlKLock / IrqlKUnlock)")
#define IRQL_WITH(Ptr, Name) IRQL__CXX_ONLY_C("IRQL_WITH", Ptr);
#define IRQL_WITH_SHARED(Ptr, Name) IRQL__CXX_ONLY_C("IRQL_WITH_SHARED", Ptr);
#define IRQL_WITH_T(Ptr, T, Name) IRQL__CXX_ONLY_C("IRQL_WITH_T", Ptr);
#define IRQL_WITH_SHARED_T(Ptr, T, Name) IRQL__CXX_ONLY_C("IRQL_WITH_SHARED_T", Ptr);
#define IRQL_LOCKED(LockPtr) IRQL__CXX_ONLY_C("IRQL_LOCKED", LockPtr);
#define IRQL_LOCKED_SHARED(LockPtr) IRQL__CXX_ONLY_C("IRQL_LOCKED_SHARED", LockPtr);
#define IRQL_PROTECTED_NEW(Type, PtrOut, Initial, Tag) \
    IRQL__CXX_ONLY_C("IRQL_PROTECTED_NEW", PtrOut)
#define IRQL_PROTECTED_INTO_INNER(Type, PtrInOut, Out, Tag) \
    IRQL__CXX_ONLY_C("IRQL_PROTECTED_INTO_INNER", PtrInOut)
#define IRQL_PROTECTED_FREE(Type, PtrInOut, Tag) IRQL__CXX_ONLY_C("IRQL_PROTECTED_FREE", PtrInOut)

#endif /* !__cplusplus */

/* ------------------------------------------------------------------------------------------ */
/* Internals. Nothing below is API.                                                           */
/* ------------------------------------------------------------------------------------------ */

#define IRQL__KIND_NONE 0
#define IRQL__KIND_KMUTEX 1
#define IRQL__KIND_FAST_MUTEX 2
#define IRQL__KIND_GUARDED_MUTEX 3
#define IRQL__KIND_SPIN_LOCK 4
#define IRQL__KIND_RESOURCE 5
#define IRQL__KIND_PUSH_LOCK 6

/* What Init writes and Delete clears: zeroed memory never carries one. */
#define IRQL__SIGNATURE_KMUTEX 0x5A4B4D31UL
#define IRQL__SIGNATURE_FAST_MUTEX 0x5A464D32UL
#define IRQL__SIGNATURE_GUARDED_MUTEX 0x5A474D33UL
#define IRQL__SIGNATURE_SPIN_LOCK 0x5A534C34UL
#define IRQL__SIGNATURE_RESOURCE 0x5A455235UL
#define IRQL__SIGNATURE_PUSH_LOCK 0x5A504C36UL

/* IRQL_SPIN_LOCK.Users: set while a TryLock that found the lock free is queueing. */
#define IRQL__SPIN_TRY_BIT 0x40000000L
/* IRQL_SPIN_LOCK.Guard: added to the guard's address when TryLock raised the IRQL for it. */
#define IRQL__SPIN_RAISED 1

/* Owner fields are written by the owner and read by any thread (which only compares them with
   itself): atomic, unordered. */
#define IRQL__READ_PTR(Field) ReadPointerNoFence((PVOID const volatile *)(Field))
#define IRQL__WRITE_PTR(Field, Value) WritePointerNoFence((PVOID volatile *)(Field), (PVOID)(Value))

/*
 * Fast paths. Each inline Lock / Unlock tests, in whatever order is cheapest, a condition under
 * which every documented check passes (IRQL, initialisation, ownership, recursion, guard), and
 * then does the kernel call and the bookkeeping of the library routine. In every other case it
 * returns what the library routine below returns: that routine checks everything again, in the
 * documented order, and handles the rarer successes too (KMUTEX recursion, a spin lock whose
 * TryLock raised the IRQL, shared holders), so the statuses are exactly the library's. Nothing
 * is tested twice on the fast path, and the thread and IRQL are read inline (KeGetCurrentThread
 * and KeGetCurrentIrql are FORCEINLINE in the WDK: a register or a KPCR field on x64).
 * IRQL__COLD marks the library routines that only a misuse (or contention) reaches.
 */
NTSTATUS irql__kmutex_lock(_Inout_ PIRQL_KMUTEX Mutex);
NTSTATUS irql__kmutex_unlock(_Inout_ PIRQL_KMUTEX Mutex);
IRQL__COLD NTSTATUS irql__fast_mutex_lock(_Inout_ PIRQL_FAST_MUTEX Mutex);
IRQL__COLD NTSTATUS irql__fast_mutex_unlock(_Inout_ PIRQL_FAST_MUTEX Mutex);
IRQL__COLD NTSTATUS irql__guarded_mutex_lock(_Inout_ PIRQL_GUARDED_MUTEX Mutex);
IRQL__COLD NTSTATUS irql__guarded_mutex_unlock(_Inout_ PIRQL_GUARDED_MUTEX Mutex);
IRQL__COLD NTSTATUS irql__spin_lock_lock(_Inout_ PIRQL_SPIN_LOCK Lock,
                                         _Out_ PIRQL_SPIN_LOCK_GUARD Guard);
NTSTATUS irql__spin_lock_unlock(_Inout_ PIRQL_SPIN_LOCK Lock,
                                _Inout_ PIRQL_SPIN_LOCK_GUARD Guard);
/* A Lock that counted itself in while a TryLock was queueing: wait until it has queued. */
IRQL__COLD VOID irql__spin_lock_wait_for_try(_In_ PIRQL_SPIN_LOCK Lock);
NTSTATUS irql__resource_lock(_Inout_ PIRQL_RESOURCE Resource, _In_ BOOLEAN Exclusive);
NTSTATUS irql__resource_unlock(_Inout_ PIRQL_RESOURCE Resource);
NTSTATUS irql__push_lock_lock(_Inout_ PIRQL_PUSH_LOCK Lock, _Out_ PIRQL_PUSH_LOCK_GUARD Guard,
                              _In_ BOOLEAN Shared);
NTSTATUS irql__push_lock_unlock(_Inout_ PIRQL_PUSH_LOCK Lock,
                                _Inout_ PIRQL_PUSH_LOCK_GUARD Guard);

IRQL__INLINE NTSTATUS IrqlKMutexLock(PIRQL_KMUTEX Mutex)
{
    if (IRQL__LIKELY(KeGetCurrentIrql() <= APC_LEVEL &&
                     Mutex->Signature == IRQL__SIGNATURE_KMUTEX)) {
        PVOID Self = (PVOID)KeGetCurrentThread();
        if (IRQL__LIKELY(IRQL__READ_PTR(&Mutex->Owner) != Self)) { /* else: recursion */
            NTSTATUS Status =
                KeWaitForSingleObject(&Mutex->Mutex, Executive, KernelMode, FALSE, NULL);
            if (IRQL__UNLIKELY(Status != STATUS_SUCCESS) &&
                (!NT_SUCCESS(Status) || Status == STATUS_TIMEOUT)) {
                return Status; /* not for a kernel-mode, non-alertable, unbounded wait */
            }
            Mutex->Depth = 1; /* granted: STATUS_SUCCESS or STATUS_ABANDONED */
            Mutex->AtDispatch = FALSE;
            IRQL__WRITE_PTR(&Mutex->Owner, Self);
            return Status;
        }
    }
    return irql__kmutex_lock(Mutex);
}

IRQL__INLINE NTSTATUS IrqlKMutexUnlock(PIRQL_KMUTEX Mutex)
{
    /* The outermost release, below DISPATCH_LEVEL, of a mutex acquired there. */
    if (IRQL__LIKELY(Mutex->Signature == IRQL__SIGNATURE_KMUTEX &&
                     IRQL__READ_PTR(&Mutex->Owner) == (PVOID)KeGetCurrentThread() &&
                     KeGetCurrentIrql() < DISPATCH_LEVEL && !Mutex->AtDispatch &&
                     Mutex->Depth == 1)) {
        Mutex->Depth = 0;
        IRQL__WRITE_PTR(&Mutex->Owner, NULL);
        (VOID)KeReleaseMutex(&Mutex->Mutex, FALSE);
        return STATUS_SUCCESS;
    }
    return irql__kmutex_unlock(Mutex);
}

IRQL__INLINE NTSTATUS IrqlFastMutexLock(PIRQL_FAST_MUTEX Mutex)
{
    if (IRQL__LIKELY(KeGetCurrentIrql() <= APC_LEVEL &&
                     Mutex->Signature == IRQL__SIGNATURE_FAST_MUTEX)) {
        PVOID Self = (PVOID)KeGetCurrentThread();
        if (IRQL__LIKELY(IRQL__READ_PTR(&Mutex->Owner) != Self)) {
            ExAcquireFastMutex(&Mutex->Mutex);
            IRQL__WRITE_PTR(&Mutex->Owner, Self);
            return STATUS_SUCCESS;
        }
    }
    return irql__fast_mutex_lock(Mutex);
}

IRQL__INLINE NTSTATUS IrqlFastMutexUnlock(PIRQL_FAST_MUTEX Mutex)
{
    if (IRQL__LIKELY(Mutex->Signature == IRQL__SIGNATURE_FAST_MUTEX &&
                     IRQL__READ_PTR(&Mutex->Owner) == (PVOID)KeGetCurrentThread() &&
                     KeGetCurrentIrql() == APC_LEVEL)) {
        IRQL__WRITE_PTR(&Mutex->Owner, NULL);
        ExReleaseFastMutex(&Mutex->Mutex);
        return STATUS_SUCCESS;
    }
    return irql__fast_mutex_unlock(Mutex);
}

IRQL__INLINE NTSTATUS IrqlGuardedMutexLock(PIRQL_GUARDED_MUTEX Mutex)
{
    if (IRQL__LIKELY(KeGetCurrentIrql() <= APC_LEVEL &&
                     Mutex->Signature == IRQL__SIGNATURE_GUARDED_MUTEX)) {
        PVOID Self = (PVOID)KeGetCurrentThread();
        if (IRQL__LIKELY(IRQL__READ_PTR(&Mutex->Owner) != Self)) {
            KeAcquireGuardedMutex(&Mutex->Mutex);
            IRQL__WRITE_PTR(&Mutex->Owner, Self);
            return STATUS_SUCCESS;
        }
    }
    return irql__guarded_mutex_lock(Mutex);
}

IRQL__INLINE NTSTATUS IrqlGuardedMutexUnlock(PIRQL_GUARDED_MUTEX Mutex)
{
    if (IRQL__LIKELY(Mutex->Signature == IRQL__SIGNATURE_GUARDED_MUTEX &&
                     IRQL__READ_PTR(&Mutex->Owner) == (PVOID)KeGetCurrentThread() &&
                     KeGetCurrentIrql() == APC_LEVEL)) {
        IRQL__WRITE_PTR(&Mutex->Owner, NULL);
        KeReleaseGuardedMutex(&Mutex->Mutex);
        return STATUS_SUCCESS;
    }
    return irql__guarded_mutex_unlock(Mutex);
}

IRQL__INLINE NTSTATUS IrqlSpinLockLock(PIRQL_SPIN_LOCK Lock, PIRQL_SPIN_LOCK_GUARD Guard)
{
    if (IRQL__LIKELY(KeGetCurrentIrql() <= DISPATCH_LEVEL &&
                     Lock->Signature == IRQL__SIGNATURE_SPIN_LOCK)) {
        PVOID Self = (PVOID)KeGetCurrentThread();
        if (IRQL__LIKELY(IRQL__READ_PTR(&Lock->Owner) != Self)) {
            /* Count in; the count never carries into the bit, so the old value tells. */
            if (IRQL__UNLIKELY(InterlockedExchangeAdd(&Lock->Users, 1) & IRQL__SPIN_TRY_BIT)) {
                irql__spin_lock_wait_for_try(Lock);
            }
            KeAcquireInStackQueuedSpinLock(&Lock->Lock, &Guard->Handle);
            Guard->Lock = Lock;
            IRQL__WRITE_PTR(&Lock->Owner, Self);
            IRQL__WRITE_PTR(&Lock->Guard, Guard);
            return STATUS_SUCCESS;
        }
    }
    return irql__spin_lock_lock(Lock, Guard);
}

IRQL__INLINE NTSTATUS IrqlSpinLockUnlock(PIRQL_SPIN_LOCK Lock, PIRQL_SPIN_LOCK_GUARD Guard)
{
    /* The holder's own guard, at DISPATCH_LEVEL, from Lock (the guard of a TryLock that
       raised the IRQL reads as Guard + 1 and goes to the library, which lowers it). */
    if (IRQL__LIKELY(Lock->Signature == IRQL__SIGNATURE_SPIN_LOCK &&
                     IRQL__READ_PTR(&Lock->Owner) == (PVOID)KeGetCurrentThread() &&
                     Guard->Lock == Lock && IRQL__READ_PTR(&Lock->Guard) == (PVOID)Guard &&
                     KeGetCurrentIrql() == DISPATCH_LEVEL)) {
        Guard->Lock = NULL;
        IRQL__WRITE_PTR(&Lock->Owner, NULL);
        KeReleaseInStackQueuedSpinLock(&Guard->Handle);
        InterlockedDecrement(&Lock->Users);
        return STATUS_SUCCESS;
    }
    return irql__spin_lock_unlock(Lock, Guard);
}

IRQL__INLINE NTSTATUS IrqlResourceLock(PIRQL_RESOURCE Resource)
{
    if (IRQL__LIKELY(KeGetCurrentIrql() <= APC_LEVEL &&
                     Resource->Signature == IRQL__SIGNATURE_RESOURCE)) {
        PVOID Self = (PVOID)KeGetCurrentThread();
        /* Neither the owner (recursion) nor, with no shared holder at all, a shared holder
           (which would wait for itself): the calling thread holds nothing. */
        if (IRQL__LIKELY(IRQL__READ_PTR(&Resource->Owner) != Self &&
                         ReadNoFence(&Resource->SharedHolders) == 0)) {
            KeEnterCriticalRegion();
            (VOID)ExAcquireResourceExclusiveLite(&Resource->Resource, TRUE); /* TRUE: waits */
            Resource->Depth = 1;
            IRQL__WRITE_PTR(&Resource->Owner, Self);
            return STATUS_SUCCESS;
        }
    }
    return irql__resource_lock(Resource, TRUE);
}

IRQL__INLINE NTSTATUS IrqlResourceLockShared(PIRQL_RESOURCE Resource)
{
    if (IRQL__LIKELY(KeGetCurrentIrql() <= APC_LEVEL &&
                     Resource->Signature == IRQL__SIGNATURE_RESOURCE)) {
        PVOID Self = (PVOID)KeGetCurrentThread();
        KeEnterCriticalRegion();
        (VOID)ExAcquireResourceSharedLite(&Resource->Resource, TRUE); /* TRUE: waits */
        if (IRQL__READ_PTR(&Resource->Owner) == Self) {
            Resource->Depth++; /* the exclusive owner: one more of its acquisitions */
        } else {
            InterlockedIncrement(&Resource->SharedHolders);
        }
        return STATUS_SUCCESS;
    }
    return irql__resource_lock(Resource, FALSE);
}

IRQL__INLINE NTSTATUS IrqlResourceUnlock(PIRQL_RESOURCE Resource)
{
    /* The exclusive owner's last acquisition, at or below APC_LEVEL. */
    if (IRQL__LIKELY(Resource->Signature == IRQL__SIGNATURE_RESOURCE &&
                     IRQL__READ_PTR(&Resource->Owner) == (PVOID)KeGetCurrentThread() &&
                     KeGetCurrentIrql() <= APC_LEVEL && Resource->Depth == 1)) {
        Resource->Depth = 0;
        IRQL__WRITE_PTR(&Resource->Owner, NULL);
        ExReleaseResourceLite(&Resource->Resource);
        KeLeaveCriticalRegion();
        return STATUS_SUCCESS;
    }
    return irql__resource_unlock(Resource);
}

IRQL__INLINE NTSTATUS IrqlPushLockLock(PIRQL_PUSH_LOCK Lock, PIRQL_PUSH_LOCK_GUARD Guard)
{
    if (IRQL__LIKELY(KeGetCurrentIrql() <= APC_LEVEL &&
                     Lock->Signature == IRQL__SIGNATURE_PUSH_LOCK)) {
        PVOID Self = (PVOID)KeGetCurrentThread();
        /* Not the exclusive owner, and no shared holder at all (so not one either). */
        if (IRQL__LIKELY(IRQL__READ_PTR(&Lock->Owner) != Self &&
                         ReadNoFence(&Lock->HolderCount) == 0)) {
            KeEnterCriticalRegion();
            ExAcquirePushLockExclusive(&Lock->Lock);
            Guard->Lock = Lock;
            Guard->Thread = Self;
            Guard->Shared = FALSE;
            IRQL__WRITE_PTR(&Lock->OwnerGuard, Guard);
            IRQL__WRITE_PTR(&Lock->Owner, Self);
            return STATUS_SUCCESS;
        }
    }
    return irql__push_lock_lock(Lock, Guard, FALSE);
}

IRQL__INLINE NTSTATUS IrqlPushLockLockShared(PIRQL_PUSH_LOCK Lock, PIRQL_PUSH_LOCK_GUARD Guard)
{
    return irql__push_lock_lock(Lock, Guard, TRUE); /* records the holder under a spin lock */
}

IRQL__INLINE NTSTATUS IrqlPushLockUnlock(PIRQL_PUSH_LOCK Lock, PIRQL_PUSH_LOCK_GUARD Guard)
{
    /* The exclusive owner's guard, at or below APC_LEVEL (shared guards: the library). */
    if (IRQL__LIKELY(Lock->Signature == IRQL__SIGNATURE_PUSH_LOCK)) {
        PVOID Self = (PVOID)KeGetCurrentThread();
        if (IRQL__LIKELY(Guard->Lock == Lock && Guard->Thread == Self && !Guard->Shared &&
                         IRQL__READ_PTR(&Lock->Owner) == Self &&
                         IRQL__READ_PTR(&Lock->OwnerGuard) == (PVOID)Guard &&
                         KeGetCurrentIrql() <= APC_LEVEL)) {
            Guard->Lock = NULL;
            IRQL__WRITE_PTR(&Lock->Owner, NULL);
            ExReleasePushLockExclusive(&Lock->Lock);
            KeLeaveCriticalRegion();
            return STATUS_SUCCESS;
        }
    }
    return irql__push_lock_unlock(Lock, Guard);
}

/* The guard of one scoped acquisition, where the kind needs one: on the stack of the code that
   runs the scope, never moved while it holds the lock. */
typedef union _IRQL__SCOPE_GUARD {
    IRQL_SPIN_LOCK_GUARD Spin;
    IRQL_PUSH_LOCK_GUARD Push;
} IRQL__SCOPE_GUARD, *PIRQL__SCOPE_GUARD;

/* The rest of a scope's state, kept apart from the guard (whose address the kernel keeps) so
   that it never leaves the scope: the compiler folds Kind and Shared, which are constants, and
   the scope compiles to the same code as the explicit Lock and Unlock. */
typedef struct _IRQL__SCOPED_LOCK {
    PVOID Lock;
    PCSTR Site;
    PIRQL__SCOPE_GUARD Guard;
    ULONG Kind;
    BOOLEAN Shared;
} IRQL__SCOPED_LOCK, *PIRQL__SCOPED_LOCK;

/* Bug-checks IRQL_BUGCHECK_LOCK_VIOLATION for a scope whose lock operation failed. */
DECLSPEC_NORETURN VOID irql__lock_violation(_In_ NTSTATUS Status, _In_ PVOID Lock,
                                            _In_z_ PCSTR Site);

/* A lock kind's lifecycle, for the code that makes locks inside pool blocks (the heap form, the
   registry). The macros hand over the kind's table (IRQL__LOCK_OPS_OF), never a kind number, so
   that a driver links, and imports the kernel routines of, only the kinds it uses: a driver
   without push locks runs on kernels that lack them. Each table lives with its kind in src/. */
typedef struct _IRQL__LOCK_OPS {
    ULONG Kind;                      /* IRQL__KIND_… */
    NTSTATUS (*Init)(PVOID Lock);    /* the kind's Init */
    NTSTATUS (*Delete)(PVOID Lock);  /* the kind's Delete */
} IRQL__LOCK_OPS;
typedef const IRQL__LOCK_OPS *PCIRQL__LOCK_OPS;
extern const IRQL__LOCK_OPS irql__kmutex_ops, irql__fast_mutex_ops, irql__guarded_mutex_ops,
    irql__spin_lock_ops, irql__resource_ops, irql__push_lock_ops;

NTSTATUS irql__protected_new(_Out_ PVOID *Out, _In_ SIZE_T Size, _In_ SIZE_T DataOffset,
                             _In_ SIZE_T DataSize, _In_opt_ PCIRQL__LOCK_OPS Ops,
                             _In_opt_ const VOID *Initial, _In_ ULONG Tag);
NTSTATUS irql__protected_release(_Inout_ PVOID *InOut, _In_ SIZE_T Size, _In_ SIZE_T DataOffset,
                                 _In_ SIZE_T DataSize, _In_opt_ PCIRQL__LOCK_OPS Ops,
                                 _Out_opt_ PVOID Out, _In_ ULONG Tag);

IRQL__SCOPE_INLINE IRQL__SCOPED_LOCK irql__lock_begin(PIRQL__SCOPE_GUARD Guard, PVOID Lock,
                                                      ULONG Kind, BOOLEAN Shared, PCSTR Site)
{
    IRQL__SCOPED_LOCK Scope;
    NTSTATUS Status;

    Scope.Lock = Lock;
    Scope.Site = Site;
    Scope.Guard = Guard;
    Scope.Kind = Kind;
    Scope.Shared = Shared;
    switch (Kind) {
    case IRQL__KIND_KMUTEX:
        Status = IrqlKMutexLock((PIRQL_KMUTEX)Lock);
        break;
    case IRQL__KIND_FAST_MUTEX:
        Status = IrqlFastMutexLock((PIRQL_FAST_MUTEX)Lock);
        break;
    case IRQL__KIND_GUARDED_MUTEX:
        Status = IrqlGuardedMutexLock((PIRQL_GUARDED_MUTEX)Lock);
        break;
    case IRQL__KIND_SPIN_LOCK:
        Status = IrqlSpinLockLock((PIRQL_SPIN_LOCK)Lock, &Guard->Spin);
        break;
    case IRQL__KIND_RESOURCE:
        Status = Shared ? IrqlResourceLockShared((PIRQL_RESOURCE)Lock)
                        : IrqlResourceLock((PIRQL_RESOURCE)Lock);
        break;
    case IRQL__KIND_PUSH_LOCK:
        Status = Shared ? IrqlPushLockLockShared((PIRQL_PUSH_LOCK)Lock, &Guard->Push)
                        : IrqlPushLockLock((PIRQL_PUSH_LOCK)Lock, &Guard->Push);
        break;
    default:
        Status = STATUS_IRQL_LOCK_NOT_INITIALIZED;
        break;
    }
    if (!NT_SUCCESS(Status)) {
        irql__lock_violation(Status, Lock, Site);
    }
    return Scope;
}

IRQL__SCOPE_INLINE VOID irql__lock_end(PIRQL__SCOPED_LOCK Scope)
{
    NTSTATUS Status;

    switch (Scope->Kind) {
    case IRQL__KIND_KMUTEX:
        Status = IrqlKMutexUnlock((PIRQL_KMUTEX)Scope->Lock);
        break;
    case IRQL__KIND_FAST_MUTEX:
        Status = IrqlFastMutexUnlock((PIRQL_FAST_MUTEX)Scope->Lock);
        break;
    case IRQL__KIND_GUARDED_MUTEX:
        Status = IrqlGuardedMutexUnlock((PIRQL_GUARDED_MUTEX)Scope->Lock);
        break;
    case IRQL__KIND_SPIN_LOCK:
        Status = IrqlSpinLockUnlock((PIRQL_SPIN_LOCK)Scope->Lock, &Scope->Guard->Spin);
        break;
    case IRQL__KIND_RESOURCE:
        Status = IrqlResourceUnlock((PIRQL_RESOURCE)Scope->Lock);
        break;
    case IRQL__KIND_PUSH_LOCK:
        Status = IrqlPushLockUnlock((PIRQL_PUSH_LOCK)Scope->Lock, &Scope->Guard->Push);
        break;
    default:
        Status = STATUS_IRQL_LOCK_NOT_INITIALIZED;
        break;
    }
    if (!NT_SUCCESS(Status)) {
        irql__lock_violation(Status, Scope->Lock, Scope->Site);
    }
}

#ifndef __cplusplus

#define IRQL__LOCK_KIND(LockPtr) \
    _Generic((LockPtr), \
        IRQL_KMUTEX *: IRQL__KIND_KMUTEX, \
        IRQL_FAST_MUTEX *: IRQL__KIND_FAST_MUTEX, \
        IRQL_GUARDED_MUTEX *: IRQL__KIND_GUARDED_MUTEX, \
        IRQL_SPIN_LOCK *: IRQL__KIND_SPIN_LOCK, \
        IRQL_RESOURCE *: IRQL__KIND_RESOURCE, \
        IRQL_PUSH_LOCK *: IRQL__KIND_PUSH_LOCK, \
        default: IRQL__KIND_NONE)

#define IRQL__LOCK_OPS_OF(LockPtr) \
    _Generic((LockPtr), \
        IRQL_KMUTEX *: &irql__kmutex_ops, \
        IRQL_FAST_MUTEX *: &irql__fast_mutex_ops, \
        IRQL_GUARDED_MUTEX *: &irql__guarded_mutex_ops, \
        IRQL_SPIN_LOCK *: &irql__spin_lock_ops, \
        IRQL_RESOURCE *: &irql__resource_ops, \
        IRQL_PUSH_LOCK *: &irql__push_lock_ops, \
        default: (PCIRQL__LOCK_OPS)0)

/* "IRQL_WITH(&Stats, S) at driver.c:42": the text a scope's bug check names. */
#define IRQL__LOCK_STRING2(X) #X
#define IRQL__LOCK_STRING(X) IRQL__LOCK_STRING2(X)
#define IRQL__LOCK_SITE(What) What " at " __FILE__ ":" IRQL__LOCK_STRING(__LINE__)

#ifdef IRQL_NO_CONTRACTS
#define IRQL__LOCK_CHECKED(Checks, X) (X)
#define IRQL__LOCK_SCOPE_CONTEXT(Kind)
#else
#define IRQL__LOCK_CHECKED(Checks, X) IRQL__CHECKED(Checks, X)
/* The body's range: APC for the mutexes that raise, DISPATCH for a spin lock, else the
   enclosing range (read here, before the scope declares its own). */
#define IRQL__LOCK_SCOPE_CONTEXT(Kind) \
    IRQL__SCOPE_CONTEXT( \
        (Kind) == IRQL__KIND_FAST_MUTEX || (Kind) == IRQL__KIND_GUARDED_MUTEX \
            ? IRQL__CODE(APC_LEVEL, APC_LEVEL) + IRQL__MARK \
        : (Kind) == IRQL__KIND_SPIN_LOCK ? IRQL__CODE(DISPATCH_LEVEL, DISPATCH_LEVEL) + IRQL__MARK \
                                         : IRQL__CONTEXT_CODE)
#endif

/*
 * The enclosing range must lie at or below Max (every kind's minimum is PASSIVE_LEVEL, so
 * only the maximum can be broken). Code without a contract may run at any level: an error
 * that says what to add, as for IRQL_CALL. At most one assertion fails.
 */
#define IRQL__AT_MOST(On, Max, What, Level, Action) \
    IRQL__SA(!(On) || IRQL__MARKED(IRQL__CONTEXT_CODE), \
             "IRQL violation: " What " may " Action " only at or below " Level ", but the " \
             "calling code has no IRQL contract: give the enclosing function a contract and " \
             "start it with IRQL_ENTER(function), or declare the block's range with " \
             "IRQL_CONTEXT(min, max)") \
    IRQL__SA(!(On) || !IRQL__MARKED(IRQL__CONTEXT_CODE) || \
             IRQL__MAX(IRQL__CONTEXT_CODE) <= (Max), \
             "IRQL violation: " What ": the caller may run above " Level ", the maximum IRQL " \
             "to " Action)

#define IRQL__NOT_A_LOCK(Kind, What) \
    IRQL__SA((Kind) != IRQL__KIND_NONE, \
             "IRQL violation: " What ": not an irql lock: the lock must be an IRQL_KMUTEX, " \
             "IRQL_FAST_MUTEX, IRQL_GUARDED_MUTEX, IRQL_SPIN_LOCK, IRQL_RESOURCE or " \
             "IRQL_PUSH_LOCK (and not const)")

#define IRQL__NO_SHARED_MODE(Kind, K, KindName, What) \
    IRQL__SA((Kind) != (K), \
             "IRQL violation: " What ": an " KindName " has no shared mode: take it " \
             "exclusively, or protect the data with an IRQL_RESOURCE or IRQL_PUSH_LOCK")

#define IRQL__LOCK_CHECKS(Kind, Shared, What) \
    IRQL__NOT_A_LOCK(Kind, What) \
    IRQL__NO_SHARED_MODE(Shared ? (Kind) : 0, IRQL__KIND_KMUTEX, "IRQL_KMUTEX", What) \
    IRQL__NO_SHARED_MODE(Shared ? (Kind) : 0, IRQL__KIND_FAST_MUTEX, "IRQL_FAST_MUTEX", What) \
    IRQL__NO_SHARED_MODE(Shared ? (Kind) : 0, IRQL__KIND_GUARDED_MUTEX, "IRQL_GUARDED_MUTEX", \
                         What) \
    IRQL__NO_SHARED_MODE(Shared ? (Kind) : 0, IRQL__KIND_SPIN_LOCK, "IRQL_SPIN_LOCK", What) \
    IRQL__AT_MOST((Kind) == IRQL__KIND_KMUTEX && !(Shared), APC_LEVEL, What, "APC_LEVEL", \
                  "acquire an IRQL_KMUTEX") \
    IRQL__AT_MOST((Kind) == IRQL__KIND_FAST_MUTEX && !(Shared), APC_LEVEL, What, "APC_LEVEL", \
                  "acquire an IRQL_FAST_MUTEX") \
    IRQL__AT_MOST((Kind) == IRQL__KIND_GUARDED_MUTEX && !(Shared), APC_LEVEL, What, \
                  "APC_LEVEL", "acquire an IRQL_GUARDED_MUTEX") \
    IRQL__AT_MOST((Kind) == IRQL__KIND_SPIN_LOCK && !(Shared), DISPATCH_LEVEL, What, \
                  "DISPATCH_LEVEL", "acquire an IRQL_SPIN_LOCK") \
    IRQL__AT_MOST((Kind) == IRQL__KIND_RESOURCE, APC_LEVEL, What, "APC_LEVEL", \
                  "acquire an IRQL_RESOURCE") \
    IRQL__AT_MOST((Kind) == IRQL__KIND_PUSH_LOCK, APC_LEVEL, What, "APC_LEVEL", \
                  "acquire an IRQL_PUSH_LOCK")

/*
 * A lock scope: storage for the acquisition's guard (irql__guard) in a once-loop around
 * IRQL__SCOPE, so that the guard never moves while it holds the lock; the scope variable
 * (irql__scope) holds the rest. IRQL__SCOPE (irql.h) gives the statement IRQL_RAISE's exit
 * semantics, with and without the cleanup attribute.
 */
#define IRQL__LOCK_SCOPE(LockPtr, Kind, Shared, Checks, What) \
    for (IRQL__SCOPE_GUARD irql__guard, *irql__guard_once = &irql__guard; \
         irql__guard_once != NULL; irql__guard_once = NULL) \
        IRQL__SCOPE(IRQL__SCOPED_LOCK, irql__scope, \
                    IRQL__LOCK_CHECKED(Checks, irql__lock_begin(&irql__guard, (LockPtr), Kind, \
                                                                Shared, IRQL__LOCK_SITE(What))), \
                    irql__lock_end, IRQL__LOCK_SCOPE_CONTEXT(Kind))

/* IRQL_WITH / IRQL_WITH_SHARED: evaluate Ptr once (irql__p), declare Name, then the scope. */
#define IRQL__WITH(Ptr, Name, Const, Shared, Macro) \
    for (IRQL__TYPEOF(*(Ptr)) *irql__p = (Ptr), **irql__p_once = &irql__p; \
         irql__p_once != NULL; irql__p_once = NULL) \
        for (Const IRQL__TYPEOF(irql__p->Data) *Name = &irql__p->Data, **irql__name_once = &Name; \
             irql__name_once != NULL; irql__name_once = NULL) \
            IRQL__LOCK_SCOPE(&irql__p->Lock, IRQL__LOCK_KIND(&irql__p->Lock), Shared, \
                             IRQL__LOCK_CHECKS(IRQL__LOCK_KIND(&irql__p->Lock), Shared, \
                                               Macro "(" #Ptr ", " #Name ")"), \
                             Macro "(" #Ptr ", " #Name ")")

/* The _T forms: the lock and data addresses are taken (Ptr evaluated twice) before Name is
   declared, so Ptr may mention an outer variable called Name; the lock's kind travels to the
   scope in the type of irql__kind (an array of Kind + 1 elements: no object, no code). */
#define IRQL__WITH_T(Ptr, T, Name, Const, Shared, Macro) \
    for (PVOID irql__lockp = IRQL__LOCK_CHECKED( \
             IRQL__SA(_Generic(&(Ptr)->Data, T *: 1, default: 0), \
                      "IRQL violation: " Macro "(" #Ptr ", " #T ", " #Name "): " #Ptr \
                      "->Data is not a " #T) \
             IRQL__LOCK_CHECKS(IRQL__LOCK_KIND(&(Ptr)->Lock), Shared, \
                               Macro "(" #Ptr ", " #T ", " #Name ")"), \
             (PVOID) & (Ptr)->Lock), \
               irql__datap = (PVOID) & (Ptr)->Data, \
               *irql__t_once = &irql__lockp, \
               (*irql__kind)[IRQL__LOCK_KIND(&(Ptr)->Lock) + 1] IRQL__UNUSED; \
         irql__t_once != NULL; irql__t_once = NULL) \
        for (Const T *Name = (Const T *)irql__datap, **irql__name_once = &Name; \
             irql__name_once != NULL; irql__name_once = NULL) \
            IRQL__LOCK_SCOPE(irql__lockp, (sizeof(*irql__kind) / sizeof(**irql__kind) - 1), \
                             Shared, , Macro "(" #Ptr ", " #T ", " #Name ")")

/* Without __typeof__: one error that says what to write instead. */
#define IRQL__NO_TYPEOF(Macro, Instead, Ptr, Name) \
    for (int irql__no_typeof = (int)IRQL__CHECKED( \
             IRQL__SA(0, "irql: " Macro "(" #Ptr ", " #Name ") needs __typeof__, which this " \
                         "compiler lacks (or IRQL_NO_TYPEOF is defined): write " Instead "(" \
                         #Ptr ", T, " #Name ") with T the type of " #Ptr "->Data"), \
             0 * (int)sizeof(Ptr)); \
         irql__no_typeof; irql__no_typeof = 0)

/* Heap form. */
#define IRQL__DATA_OFFSET(Type) ((SIZE_T)FIELD_OFFSET(Type, Data))

#define IRQL__PROTECTED_CHECKS(Type, PtrPtr, DataPtr, What, ResourceMax, Max, Level, Action) \
    IRQL__NOT_A_LOCK(IRQL__LOCK_KIND(&((Type *)0)->Lock), What) \
    IRQL__SA(_Generic(*(PtrPtr), Type *: 1, default: 0), \
             "IRQL violation: " What ": the second argument must be the address of a " #Type \
             " *") \
    IRQL__SA(sizeof((DataPtr) == &((Type *)0)->Data) != 0, "irql") \
    IRQL__AT_MOST((ResourceMax) == 0 || \
                      IRQL__LOCK_KIND(&((Type *)0)->Lock) != IRQL__KIND_RESOURCE, \
                  Max, What, Level, Action) \
    IRQL__AT_MOST((ResourceMax) != 0 && \
                      IRQL__LOCK_KIND(&((Type *)0)->Lock) == IRQL__KIND_RESOURCE, \
                  APC_LEVEL, What, "APC_LEVEL", "delete an IRQL_RESOURCE")

#define IRQL__PROTECTED_RELEASE(Type, PtrInOut, Out, Tag, What) \
    IRQL__LOCK_CHECKED( \
        IRQL__PROTECTED_CHECKS(Type, PtrInOut, Out, What, 1, DISPATCH_LEVEL, "DISPATCH_LEVEL", \
                               "free a protected value"), \
        irql__protected_release((PVOID *)(PtrInOut), sizeof(Type), IRQL__DATA_OFFSET(Type), \
                                sizeof(((Type *)0)->Data), IRQL__LOCK_OPS_OF(&((Type *)0)->Lock), \
                                (Out), (Tag)))

#endif /* !__cplusplus */

#ifdef __cplusplus
}
#endif

#endif
