/*
 * irql/status.h — the codes the irql library reports.
 *
 * Bug-check codes for violations that cannot return a status (a lying contract, a scoped lock
 * misused). Each names what was violated in its parameters.
 */
#ifndef IRQL_STATUS_H
#define IRQL_STATUS_H

#include <irql/wdk.h>

/*
 * IRQL_ENTER / IRQL_CONTEXT found the thread outside the declared range (run-time backstop).
 *   P1 the current IRQL, P2 the range's minimum, P3 its maximum,
 *   P4 the address of the function's or block's name (a NUL-terminated string).
 */
#define IRQL_BUGCHECK_CONTRACT_VIOLATION ((ULONG)0xE1C00001UL)

/*
 * A scoped lock statement (IRQL_WITH, IRQL_WITH_SHARED, IRQL_LOCKED, IRQL_LOCKED_SHARED) could
 * not acquire or release its lock. The explicit API would have returned a status; a scope
 * cannot, so it stops the machine instead of running its body unprotected or leaving the lock
 * in an unknown state.
 *   P1 the NTSTATUS the explicit API would have returned (one of the STATUS_IRQL_LOCK_* below),
 *   P2 the address of the lock,
 *   P3 the address of a NUL-terminated text naming the statement and where it is
 *      ("IRQL_WITH(&Stats, S) at driver.c:42"),
 *   P4 the IRQL at the moment of the check.
 */
#define IRQL_BUGCHECK_LOCK_VIOLATION ((ULONG)0xE1C00002UL)

/*
 * Statuses of the checked locks (<irql/lock.h>). Customer codes (bit 29) of facility 0x1C1, so
 * they never collide with Microsoft's; every one has NT_SUCCESS(Status) == FALSE. All are
 * errors except STATUS_IRQL_LOCK_BUSY, a warning: a TryLock that finds the lock taken is an
 * outcome, not a bug, but it must not read as success either (STATUS_TIMEOUT, which a
 * zero-timeout wait returns, would).
 *
 * In every case the call changed nothing: no lock was acquired or released, no IRQL changed,
 * no critical region was entered or left, no memory was allocated or freed.
 */

/* The current IRQL is above what the call allows for this kind of lock (Lock above APC_LEVEL
   for a FAST_MUTEX, above DISPATCH_LEVEL for a spin lock, Init above DISPATCH_LEVEL, …). */
#define STATUS_IRQL_LOCK_IRQL_TOO_HIGH ((NTSTATUS)0xE1C10001L)

/* Unlock at an IRQL the release may not run at: a FAST_MUTEX or guarded mutex not at
   APC_LEVEL, a spin lock not at DISPATCH_LEVEL, a resource or push lock above APC_LEVEL, a
   KMUTEX above DISPATCH_LEVEL or at DISPATCH_LEVEL when it was taken below it (or the reverse).
   Usually the code inside the lock raised or lowered the IRQL and did not restore it. */
#define STATUS_IRQL_LOCK_WRONG_IRQL ((NTSTATUS)0xE1C10002L)

/* Unlock by a thread that does not hold the lock, or through a guard that does not hold it
   (never filled by a Lock, already released, a copy, or another lock's). */
#define STATUS_IRQL_LOCK_NOT_OWNER ((NTSTATUS)0xE1C10003L)

/* The owner acquires a lock again where that would deadlock: any re-acquisition of a
   FAST_MUTEX, guarded mutex, spin lock or push lock, and shared -> exclusive on a resource.
   (KMUTEX and the other resource cases are recursive, as in the kernel.) */
#define STATUS_IRQL_LOCK_RECURSION ((NTSTATUS)0xE1C10004L)

/* The lock was never initialised (its Init did not run: zeroed or garbage memory) or has been
   deleted. */
#define STATUS_IRQL_LOCK_NOT_INITIALIZED ((NTSTATUS)0xE1C10005L)

/* TryLock: another thread holds the lock (or, for a shared try, holds it exclusively or is
   queued for it). A warning: NT_SUCCESS is FALSE, NT_ERROR is FALSE too. */
#define STATUS_IRQL_LOCK_BUSY ((NTSTATUS)0xA1C10006L)

/* Delete, IRQL_PROTECTED_INTO_INNER or IRQL_PROTECTED_FREE on a lock that is held (by any
   thread, the caller included). */
#define STATUS_IRQL_LOCK_HELD ((NTSTATUS)0xE1C10007L)

/* A pool tag that is not 1-4 characters 0x20-0x7E (from the low byte up, then zero bytes). */
#define STATUS_IRQL_POOL_TAG_INVALID ((NTSTATUS)0xE1C10008L)

/* IRQL_PROTECTED_INTO_INNER / IRQL_PROTECTED_FREE with a tag other than the one
   IRQL_PROTECTED_NEW allocated the value with. */
#define STATUS_IRQL_POOL_TAG_MISMATCH ((NTSTATUS)0xE1C10009L)

/* IRQL_PROTECTED_INTO_INNER / IRQL_PROTECTED_FREE on a block that IRQL_PROTECTED_NEW did not
   allocate with this Type (another protected type, or a value that is not heap-allocated). */
#define STATUS_IRQL_PROTECTED_MISMATCH ((NTSTATUS)0xE1C1000AL)

/*
 * Statuses of the global registry (<irql/registry.h>), numbered from 0x100 so the lock codes
 * above can grow. Every one has NT_SUCCESS(Status) == FALSE; all are errors except
 * STATUS_IRQL_GRT_LEAKED, a warning. A call that fails changed nothing (no key registered or
 * removed, no reference taken, nothing allocated or freed), except IrqlGrtDestroy, which
 * always finishes what it started.
 */

/* The registry was never initialised (IrqlGrtInit has not run). */
#define STATUS_IRQL_GRT_NOT_INITIALIZED ((NTSTATUS)0xE1C10101L)

/* IrqlGrtInit on a registry that is already initialised (and not destroyed). */
#define STATUS_IRQL_GRT_ALREADY_INITIALIZED ((NTSTATUS)0xE1C10102L)

/* IrqlGrtDestroy has started and not finished: no new reference, registration or removal. */
#define STATUS_IRQL_GRT_DESTROYING ((NTSTATUS)0xE1C10103L)

/* IrqlGrtDestroy has completed: the registry is gone (IrqlGrtInit may start a new one). */
#define STATUS_IRQL_GRT_DESTROYED ((NTSTATUS)0xE1C10104L)

/* IRQL_GRT_REGISTER with a key that is already registered: nothing was replaced. */
#define STATUS_IRQL_GRT_KEY_EXISTS ((NTSTATUS)0xE1C10105L)

/* IRQL_GRT_GET / IrqlGrtRemove with a key that is not registered. */
#define STATUS_IRQL_GRT_KEY_NOT_FOUND ((NTSTATUS)0xE1C10106L)

/* IRQL_GRT_GET with a Type other than the one the key was registered with (another type
   name, size or lock kind). Host and checked builds also DbgPrint both type names. */
#define STATUS_IRQL_GRT_TYPE_MISMATCH ((NTSTATUS)0xE1C10107L)

/* A key that is NULL, empty, or longer than IRQL_GRT_MAX_KEY_LENGTH characters. */
#define STATUS_IRQL_GRT_INVALID_KEY ((NTSTATUS)0xE1C10108L)

/* IrqlGrtDestroy / IrqlGrtRemove finished, but at least one value's lock was still held once
   its references were gone: that value was reported through DbgPrint and deliberately not
   freed (its holder would otherwise release freed memory). A warning. */
#define STATUS_IRQL_GRT_LEAKED ((NTSTATUS)0xA1C10109L)

/*
 * Statuses of the IRQL-aware pool (<irql/pool.h>), numbered from 0x200. Every one has
 * NT_SUCCESS(Status) == FALSE; all are errors except STATUS_IRQL_POOL_EMPTY, a warning. A call
 * that fails changed nothing: no memory allocated, freed or moved, the box or vector as it was.
 * (The pool also reports STATUS_IRQL_POOL_TAG_INVALID and STATUS_IRQL_POOL_TAG_MISMATCH above,
 * STATUS_INSUFFICIENT_RESOURCES when the pool has no memory, STATUS_INVALID_PARAMETER.)
 */

/* The current IRQL is above what the operation allows on the box's or vector's pool: paged
   pool is allocated, touched and freed only at or below APC_LEVEL, non-paged pool allocated
   and freed only at or below DISPATCH_LEVEL. (The compile-time rule, re-checked at run time.) */
#define STATUS_IRQL_POOL_IRQL_TOO_HIGH ((NTSTATUS)0xE1C10201L)

/* IRQL_BOX_FROM_RAW with a pointer that is not the start of a live allocation of the box's
   pool (a paged block adopted by a non-paged box, or the reverse). Detected on the host
   kernel; a real kernel cannot tell the pools apart cheaply (docs/pool.md). */
#define STATUS_IRQL_POOL_WRONG_POOL ((NTSTATUS)0xE1C10202L)

/* A vector size whose byte count (elements x element size, or the length plus what is added)
   does not fit in a SIZE_T: nothing was allocated. */
#define STATUS_IRQL_POOL_SIZE_OVERFLOW ((NTSTATUS)0xE1C10203L)

/* IRQL_VEC_POP on an empty vector. A warning: NT_SUCCESS is FALSE, NT_ERROR is FALSE too. */
#define STATUS_IRQL_POOL_EMPTY ((NTSTATUS)0xA1C10204L)

#endif
