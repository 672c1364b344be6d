/*
 * irql/registry.h — a global registry of named, lock-protected values (wdk-mutex's Grt, made
 * safe).
 *
 * A driver registers an IRQL_PROTECTED value under a string key once (DriverEntry, AddDevice)
 * and fetches it from any thread, DPC or callback by that key, without passing pointers
 * around:
 *
 *   typedef IRQL_PROTECTED(IRQL_FAST_MUTEX, ULONG) PROTECTED_COUNTER, *PPROTECTED_COUNTER;
 *
 *   Status = IrqlGrtInit();                                             // DriverEntry
 *   Status = IRQL_GRT_REGISTER("stats.packets", PROTECTED_COUNTER, &(ULONG){0});
 *
 *   PPROTECTED_COUNTER Counter;                                         // anywhere <= DISPATCH
 *   Status = IRQL_GRT_GET("stats.packets", PROTECTED_COUNTER, &Counter);
 *   if (NT_SUCCESS(Status)) {
 *       IRQL_WITH(Counter, Packets) { (*Packets)++; }                   // <= APC for a mutex
 *       IrqlGrtRelease(Counter);                                        // drop the reference
 *   }
 *
 *   Status = IrqlGrtDestroy();                                          // DriverUnload
 *
 * What wdk-mutex's Grt gets wrong and this does not:
 *   - Registering while other threads look up is safe, and lookups take no lock: they read
 *     the table with acquire loads and never raise the IRQL, while register, remove and
 *     destroy serialise on a writer lock and never free memory a lookup may still be reading
 *     (see src/registry.c and docs/registry.md).
 *   - A value is never freed under a user: IRQL_GRT_GET takes a reference (run-down
 *     protection on the value), IrqlGrtRelease drops it, and IrqlGrtRemove / IrqlGrtDestroy
 *     first stop new references, then wait for the outstanding ones, then free. After
 *     IrqlGrtDestroy every call returns STATUS_IRQL_GRT_DESTROYED — never a dangling pointer.
 *   - A wrong type is a status (STATUS_IRQL_GRT_TYPE_MISMATCH) checked by the type's name, size
 *     and lock kind, and in host and checked builds a DbgPrint naming both types.
 *
 * Lifecycle. Not initialised -> IrqlGrtInit -> ready -> IrqlGrtDestroy (destroying -> destroyed)
 * -> IrqlGrtInit may start a fresh, empty registry. Calls in the wrong state return
 * STATUS_IRQL_GRT_NOT_INITIALIZED, _ALREADY_INITIALIZED, _DESTROYING or _DESTROYED.
 *
 * IRQL of each call (contract = run-time check; above it a call returns
 * STATUS_IRQL_LOCK_IRQL_TOO_HIGH and changes nothing):
 *   IrqlGrtInit          <= APC_LEVEL       allocates the table
 *   IRQL_GRT_REGISTER    <= APC_LEVEL       allocates, initialises run-down protection
 *   IRQL_GRT_GET         <= DISPATCH_LEVEL  no lock, no wait, non-paged memory only
 *   IrqlGrtKeyInit       any                writes the caller's key object only
 *   IrqlGrtRelease       <= DISPATCH_LEVEL  drops a run-down reference
 *   IrqlGrtEnumerate     <= DISPATCH_LEVEL  the routine runs at DISPATCH_LEVEL
 *   IrqlGrtRemove        <= APC_LEVEL       waits for the key's references
 *   IrqlGrtDestroy       <= APC_LEVEL       waits for every reference
 * (Using the value is another matter: the lock kind in Type decides where it may be locked.)
 *
 * Keys: NUL-terminated strings of 1 to IRQL_GRT_MAX_KEY_LENGTH characters, compared byte by
 * byte (case-sensitive), copied into the registry: the caller's buffer may go away after the
 * call. IRQL_GRT_GET also takes an IRQL_GRT_KEY object (below): a pre-validated, pre-hashed
 * key with a hint that lets a lookup go straight to the entry — the fastest form. Lookup is O(1): an open-addressing hash table that is rebuilt larger as it fills.
 *
 * Types: Type is an IRQL_PROTECTED(LockType, T) typedef (any of the six lock kinds). Register
 * and get must name it with the same typedef name: the registry compares the spelling of Type
 * (as the macro stringifies it), sizeof(Type) and the lock kind.
 *
 * Language: C11. The macros need a C compiler (not C++); the functions are callable from C++.
 */
#ifndef IRQL_REGISTRY_H
#define IRQL_REGISTRY_H

#include <irql/lock.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The longest key, in characters, not counting the terminating NUL. */
#define IRQL_GRT_MAX_KEY_LENGTH 255

/* The pool tag of every registry allocation ("IGrt" in a pool dump). */
#define IRQL_GRT_POOL_TAG ((ULONG)'trGI')

/*
 * Start the registry: allocate an empty table (non-paged pool). <= APC_LEVEL.
 *   STATUS_SUCCESS
 *   STATUS_IRQL_GRT_ALREADY_INITIALIZED  it is already running (nothing changed)
 *   STATUS_IRQL_GRT_DESTROYING           a destroy is in progress
 *   STATUS_INSUFFICIENT_RESOURCES        no memory (still not initialised; may be retried)
 *   STATUS_IRQL_LOCK_IRQL_TOO_HIGH
 * After a completed IrqlGrtDestroy, IrqlGrtInit starts a new, empty registry.
 */
IRQL_MAX(IrqlGrtInit, APC_LEVEL)
_Must_inspect_result_
NTSTATUS IrqlGrtInit(VOID);

/*
 * NTSTATUS IRQL_GRT_REGISTER(PCSTR Key, Type, const T *InitialValue)
 *   Allocate a Type (an IRQL_PROTECTED(LockType, T) typedef) in non-paged pool, copy
 *   *InitialValue into its Data (InitialValue NULL: zeroed Data; a compound literal such as
 *   &(ULONG){0} is handy), initialise its lock and register it under a copy of Key.
 *   <= APC_LEVEL (a compile error in code that may run above it, or has no contract).
 *     STATUS_SUCCESS
 *     STATUS_IRQL_GRT_KEY_EXISTS       Key is registered already: nothing replaced, nothing
 *                                      allocated
 *     STATUS_IRQL_GRT_INVALID_KEY      NULL, empty or too long
 *     STATUS_IRQL_GRT_NOT_INITIALIZED, _DESTROYING, _DESTROYED
 *     STATUS_INSUFFICIENT_RESOURCES
 *     STATUS_IRQL_LOCK_IRQL_TOO_HIGH
 *   Type must be an IRQL_PROTECTED type: anything else does not compile.
 */
#define IRQL_GRT_REGISTER(Key, Type, InitialValue) \
    IRQL__GRT_CHECKED( \
        IRQL__GRT_TYPE_CHECKS(Type, (Type **)0, \
                              "IRQL_GRT_REGISTER(" #Key ", " #Type ", " #InitialValue ")", \
                              APC_LEVEL, "APC_LEVEL", "register a protected value"), \
        irql__grt_register((Key), #Type, sizeof(Type), IRQL__DATA_OFFSET(Type), \
                           sizeof(((Type *)0)->Data), IRQL__LOCK_OPS_OF(&((Type *)0)->Lock), \
                           (0 ? &((Type *)0)->Data : (InitialValue))))

/*
 * Key objects: a pre-validated, pre-hashed key with a lookup hint.
 *
 *   static IRQL_GRT_KEY PacketsKey = IRQL_GRT_KEY_INIT("stats.packets");   // static storage
 *   IRQL_GRT_KEY Key; IrqlGrtKeyInit(&Key, Name);                          // at run time
 *   Status = IRQL_GRT_GET(&PacketsKey, PROTECTED_COUNTER, &Counter);        // same statuses
 *
 * An IRQL_GRT_KEY names one key string, which the caller owns: it must stay allocated and
 * unchanged for as long as the object is used (a string literal is ideal). The object belongs
 * to the caller too (static, global, in a device extension; non-paged if used at
 * DISPATCH_LEVEL) and may be shared by any number of threads: every field is read and written
 * atomically, so concurrent GETs through one object are safe and race-free. Nothing has to be
 * freed: the object holds no reference.
 *
 * What it caches, and when the cache is revalidated:
 *   - Shape: the key's validated length and hash, computed by the first GET that uses the
 *     object (an invalid key is never cached: every GET returns STATUS_IRQL_GRT_INVALID_KEY)
 *     and stored with one atomic 64-bit write; racing first uses compute the same value.
 *   - The hint: the registry entry the last slow lookup found, stamped with the registry's
 *     epoch at that time (written under a small sequence lock in the object, so a reader never
 *     pairs one lookup's entry with another's epoch). The epoch is a 64-bit counter that
 *     IrqlGrtRemove (of any key), IrqlGrtDestroy and IrqlGrtInit advance; a table rebuild does
 *     not (entries never move). A GET uses the hint only if its epoch is the current one,
 *     read inside the same reader protocol as the lock-free lookup (so the entry cannot be
 *     freed under it), and then still checks the type (the #Type literal's address, size,
 *     data layout and lock kind) and takes run-down protection as the string form does. A
 *     hint is stamped with the epoch read before the state and the probe, so it never carries
 *     an epoch in which its entry was already unlinked or a destroy had begun. Otherwise
 *     (first use, after a remove, a re-register, destroy + init, a hint written concurrently)
 *     it does the ordinary lookup and stores a new hint. A stale hint therefore never yields
 *     a wrong or freed value: the result is exactly what the string form would have returned.
 *   - The object's memory is the caller's to reuse once no thread uses it; it never needs a
 *     destroy, and stays valid across IrqlGrtDestroy + IrqlGrtInit.
 * IrqlGrtKeyInit may be called on an object no other thread is using (it resets the cache);
 * IRQL_GRT_KEY_INIT is a constant initialiser.
 */
typedef struct _IRQL_GRT_KEY {
    PCSTR String;                 /* the key, caller-owned */
    LONG64 volatile Shape;        /* 0 until validated; then (hash << 32) | length */
    LONG volatile Sequence;       /* the hint's sequence lock: odd while it is written */
    ULONG Reserved;
    PVOID volatile Hint;          /* the entry found at HintEpoch (opaque) */
    LONG64 volatile HintEpoch;    /* the registry epoch of that lookup (0: none) */
} IRQL_GRT_KEY, *PIRQL_GRT_KEY;

/* A constant initialiser for an IRQL_GRT_KEY (static or automatic storage). */
#define IRQL_GRT_KEY_INIT(String) {(String), 0, 0, 0, NULL, 0}

/* Initialise *Key for String (no validation yet: the first GET validates). Any IRQL; Key
   must not be in use by another thread. */
IRQL_MAX(IrqlGrtKeyInit, HIGH_LEVEL)
VOID IrqlGrtKeyInit(_Out_ PIRQL_GRT_KEY Key, _In_z_ PCSTR String);

/*
 * NTSTATUS IRQL_GRT_GET(Key, Type, Type **PtrOut)
 *   Key is a PCSTR (a NUL-terminated string) or a PIRQL_GRT_KEY (see above; the fast form:
 *   no string validation, hashing or comparison once the hint is warm). Look Key up and, if
 *   it holds a Type, take a reference on it and store its address in *PtrOut (NULL on every
 *   failure). The value stays allocated until the matching IrqlGrtRelease; remove and
 *   destroy wait for it. <= DISPATCH_LEVEL. The same statuses for both forms:
 *     STATUS_SUCCESS
 *     STATUS_IRQL_GRT_KEY_NOT_FOUND    no such key (or it is being removed)
 *     STATUS_IRQL_GRT_TYPE_MISMATCH    registered with another type (name, size or lock kind);
 *                                      host and checked builds DbgPrint both type names
 *     STATUS_IRQL_GRT_INVALID_KEY      NULL (string or key object), empty or too long
 *     STATUS_IRQL_GRT_NOT_INITIALIZED, _DESTROYING, _DESTROYED
 *     STATUS_IRQL_LOCK_IRQL_TOO_HIGH
 *   PtrOut not a Type ** is a compile error.
 */
#define IRQL_GRT_GET(Key, Type, PtrOut) \
    IRQL__GRT_CHECKED( \
        IRQL__GRT_TYPE_CHECKS(Type, PtrOut, \
                              "IRQL_GRT_GET(" #Key ", " #Type ", " #PtrOut ")", \
                              DISPATCH_LEVEL, "DISPATCH_LEVEL", "look up a registry key"), \
        _Generic((Key), \
            IRQL_GRT_KEY *: irql__grt_get_key( \
                IRQL__GRT_AS_KEY(Key), #Type, sizeof(Type), \
                ((ULONG64)IRQL__DATA_OFFSET(Type) << 32) | sizeof(((Type *)0)->Data), \
                IRQL__LOCK_KIND(&((Type *)0)->Lock), (PVOID *)(PtrOut)), \
            default: irql__grt_get(IRQL__GRT_AS_STRING(Key), #Type, sizeof(Type), \
                                   IRQL__DATA_OFFSET(Type), sizeof(((Type *)0)->Data), \
                                   IRQL__LOCK_KIND(&((Type *)0)->Lock), (PVOID *)(PtrOut))))

/*
 * Drop the reference one successful IRQL_GRT_GET took (Ptr is the pointer it returned). The
 * pointer must not be used afterwards. Any thread may release, not only the one that got it.
 * <= DISPATCH_LEVEL. NULL is ignored. A pointer that is not a registry reference, or a call
 * above DISPATCH_LEVEL, is reported through DbgPrint and otherwise ignored (the reference, if
 * any, stays: a later remove or destroy then waits for it).
 */
IRQL_MAX(IrqlGrtRelease, DISPATCH_LEVEL)
VOID IrqlGrtRelease(_In_opt_ PVOID Ptr);

/*
 * Remove Key: unlink it (from then on IRQL_GRT_GET does not find it and the key may be
 * registered again), wait until every reference to it has been released, delete its lock and
 * free it. <= APC_LEVEL (it waits). Must not be called while the caller holds a reference to
 * the same key (it would wait for itself; the host kernel bug-checks the hang).
 *   STATUS_SUCCESS
 *   STATUS_IRQL_GRT_LEAKED            its lock was still held after the references were gone:
 *                                     reported (DbgPrint) and deliberately not freed
 *   STATUS_IRQL_GRT_KEY_NOT_FOUND, STATUS_IRQL_GRT_INVALID_KEY
 *   STATUS_IRQL_GRT_NOT_INITIALIZED, _DESTROYING, _DESTROYED
 *   STATUS_IRQL_LOCK_IRQL_TOO_HIGH
 */
IRQL_MAX(IrqlGrtRemove, APC_LEVEL)
NTSTATUS IrqlGrtRemove(_In_z_ PCSTR Key);

/*
 * Enumeration: Routine(Key, TypeName, Context) for every registered key, in no particular
 * order, until it returns FALSE. It runs at DISPATCH_LEVEL, as a reader (no lock): keys
 * registered or removed meanwhile may or may not be reported. It may call IRQL_GRT_GET and
 * IrqlGrtRelease, not register, remove or destroy (<= APC_LEVEL; a destroy waits for the
 * enumeration), and must not keep the strings past its return. Give it a contract and pass it
 * checked: IRQL_AT(OnKey, DISPATCH_LEVEL) … IrqlGrtEnumerate(IRQL_CALLBACK(OnKey,
 * DISPATCH_LEVEL, DISPATCH_LEVEL), Ctx, &N).
 */
typedef BOOLEAN IRQL_GRT_ENUMERATE_ROUTINE(_In_z_ PCSTR Key, _In_z_ PCSTR TypeName,
                                           _In_opt_ PVOID Context);
typedef IRQL_GRT_ENUMERATE_ROUTINE *PIRQL_GRT_ENUMERATE_ROUTINE;

/*
 * Call Routine for each key (see above); *Count (optional) receives how many calls were made.
 * <= DISPATCH_LEVEL.
 *   STATUS_SUCCESS, STATUS_INVALID_PARAMETER (Routine NULL),
 *   STATUS_IRQL_GRT_NOT_INITIALIZED, _DESTROYING, _DESTROYED, STATUS_IRQL_LOCK_IRQL_TOO_HIGH
 */
IRQL_MAX(IrqlGrtEnumerate, DISPATCH_LEVEL)
NTSTATUS IrqlGrtEnumerate(_In_ PIRQL_GRT_ENUMERATE_ROUTINE Routine, _In_opt_ PVOID Context,
                          _Out_opt_ PULONG Count);

/*
 * Tear the registry down. From the moment it starts, IRQL_GRT_GET, IRQL_GRT_REGISTER and
 * IrqlGrtRemove return STATUS_IRQL_GRT_DESTROYING (a reference already taken stays valid);
 * it then waits until every outstanding reference has been released (ExWaitForRundown-
 * ProtectionRelease: no time limit in a real kernel, the hang limit on the host), deletes
 * each value's lock and frees everything. A value whose lock is still held at that point is
 * reported through DbgPrint (key and type) and not freed. <= APC_LEVEL. The caller must hold
 * no reference itself.
 *   STATUS_SUCCESS
 *   STATUS_IRQL_GRT_LEAKED            done, but some values were still locked (leaked)
 *   STATUS_IRQL_GRT_NOT_INITIALIZED   never initialised
 *   STATUS_IRQL_GRT_DESTROYING        another destroy is running (this one did nothing)
 *   STATUS_IRQL_GRT_DESTROYED         already destroyed (a second destroy is harmless)
 *   STATUS_IRQL_LOCK_IRQL_TOO_HIGH
 */
IRQL_MAX(IrqlGrtDestroy, APC_LEVEL)
NTSTATUS IrqlGrtDestroy(VOID);

/* ------------------------------------------------------------------------------------------ */
/* Internals. Nothing below is API.                                                           */
/* ------------------------------------------------------------------------------------------ */

IRQL_MAX(irql__grt_register, APC_LEVEL)
NTSTATUS irql__grt_register(_In_opt_z_ PCSTR Key, _In_z_ PCSTR TypeName, _In_ SIZE_T Size,
                            _In_ SIZE_T DataOffset, _In_ SIZE_T DataSize,
                            _In_opt_ PCIRQL__LOCK_OPS Ops, _In_opt_ const VOID *Initial);

IRQL_MAX(irql__grt_get, DISPATCH_LEVEL)
_Must_inspect_result_
NTSTATUS irql__grt_get(_In_opt_z_ PCSTR Key, _In_z_ PCSTR TypeName, _In_ SIZE_T Size,
                       _In_ SIZE_T DataOffset, _In_ SIZE_T DataSize, _In_ ULONG Kind,
                       _Out_ PVOID *PtrOut);

IRQL_MAX(irql__grt_get_key, DISPATCH_LEVEL)
_Must_inspect_result_
NTSTATUS irql__grt_get_key(_Inout_opt_ PIRQL_GRT_KEY Key, _In_z_ PCSTR TypeName,
                           _In_ SIZE_T Size, _In_ ULONG64 Layout, _In_ ULONG Kind,
                           _Out_ PVOID *PtrOut);

#ifndef __cplusplus

/* IRQL_GRT_GET's two forms: a PIRQL_GRT_KEY goes to the key-object routine, anything else to
   the string routine (so a key of another pointer type is still the usual diagnostic). Each
   branch converts the argument only when it is the selected one, since both are compiled.
   Layout is (data offset << 32) | data size: one compare in the fast path. */
#define IRQL__GRT_AS_KEY(Key) _Generic((Key), IRQL_GRT_KEY *: (Key), default: (PIRQL_GRT_KEY)0)
#define IRQL__GRT_AS_STRING(Key) _Generic((Key), IRQL_GRT_KEY *: (PCSTR)0, default: (Key))

#ifdef IRQL_NO_CONTRACTS
#define IRQL__GRT_CHECKED(Checks, X) (X)
#else
#define IRQL__GRT_CHECKED(Checks, X) IRQL__CHECKED(Checks, X)
#endif

/* Type must be an IRQL_PROTECTED type (its Lock one of the six wrappers), PtrPtr a Type **,
   and the caller's range at or below Max. (IRQL_GRT_REGISTER's InitialValue is checked in
   the call itself, 0 ? &Data : InitialValue, so that a compound literal may be passed.) */
#define IRQL__GRT_TYPE_CHECKS(Type, PtrPtr, What, Max, Level, Action) \
    IRQL__SA(IRQL__LOCK_KIND(&((Type *)0)->Lock) != IRQL__KIND_NONE, \
             "IRQL violation: " What ": " #Type " is not an IRQL_PROTECTED type: declare it " \
             "with typedef IRQL_PROTECTED(IRQL_FAST_MUTEX, T) " #Type " (or another irql lock)") \
    IRQL__SA(_Generic(*(PtrPtr), Type *: 1, default: 0), \
             "IRQL violation: " What ": the last argument must be the address of a " #Type \
             " *") \
    IRQL__AT_MOST(1, Max, What, Level, Action)

#endif /* !__cplusplus */

#ifdef __cplusplus
}
#endif

#endif
