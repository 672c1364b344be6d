/*
 * irql/pool.h — IRQL-aware pool allocation: boxes and vectors whose pool lives in their type.
 *
 * The C shape of the irql crate's alloc feature (IrqlBox / IrqlVec). A box owns one zeroed pool
 * allocation of a T; a vector owns a growable array of T. Each is declared for a pool — paged
 * or non-paged — and the pool is part of the *type*, so every operation is checked at compile
 * time against the IRQL range of the code that performs it (irql.h's contracts):
 *
 *   operation                                   paged pool        non-paged pool
 *   allocate  (BOX_NEW, VEC_PUSH/EXTEND/RESERVE) <= APC_LEVEL      <= DISPATCH_LEVEL
 *   touch     (BOX_GET, VEC_AT/PUSH/POP/EXTEND)  <= APC_LEVEL      any IRQL
 *   free      (BOX_FREE/INTO_INNER, VEC_FREE)    <= APC_LEVEL      <= DISPATCH_LEVEL
 *   no pool access (VEC_LEN, VEC_CLEAR, BOX_INTO_RAW, BOX_LEAK, BOX_FROM_RAW): any IRQL
 *
 * A violation is one compile error containing `IRQL violation`, the operation and the pool.
 * Code without a contract may run at any IRQL, so it may only touch non-paged memory: anything
 * else asks for IRQL_ENTER / IRQL_CONTEXT, as IRQL_CALL does.
 *
 *   typedef struct _CONFIG { ULONG Flags; ULONG Timeout; } CONFIG;
 *   typedef IRQL_PAGED_BOX(CONFIG) PAGED_CONFIG_BOX;        // named: struct member, parameter
 *
 *   IRQL_MAX(LoadConfig, PASSIVE_LEVEL)
 *   NTSTATUS LoadConfig(PAGED_CONFIG_BOX *Config)
 *   {
 *       IRQL_ENTER(LoadConfig);
 *       NTSTATUS Status = IRQL_BOX_NEW(Config, 'gfCx');     // zeroed paged pool
 *       if (NT_SUCCESS(Status)) {
 *           IRQL_BOX_GET(Config)->Timeout = 30;
 *       }
 *       return Status;
 *   }
 *
 *   IRQL_AT(OnDpc, DISPATCH_LEVEL)
 *   VOID OnDpc(PAGED_CONFIG_BOX *Config)
 *   {
 *       IRQL_ENTER(OnDpc);
 *       IRQL_BOX_GET(Config);     // error: IRQL violation: IRQL_BOX_GET(Config): paged pool ...
 *   }
 *
 * Types. IRQL_PAGED_BOX(T), IRQL_NONPAGED_BOX(T) and IRQL_BOX(T) (pool chosen by the context
 * where the type is written: paged where the context's maximum is <= APC_LEVEL, non-paged where
 * it is DISPATCH_LEVEL, a compile error above — "cannot allocate at DIRQL" — and in code
 * without a contract). Likewise IRQL_PAGED_VEC(T), IRQL_NONPAGED_VEC(T), IRQL_VEC(T). Each
 * macro spells a new anonymous type, as `struct { … }` does: to pass boxes and vectors around
 * or store them in structures, name the type once with a typedef and use the name:
 *   typedef IRQL_NONPAGED_VEC(ULONG) SAMPLE_VEC;
 * T must be a complete object type (write pointer and array types through a typedef).
 *
 * How the pool lives in the type: each box/vector type is a union of its run-time header
 * (pointer, tag; vectors add length and capacity), a typed `T *` view of the pointer, and a
 * zero-cost marker `char (*irql__pool)[Pool]` whose array length (1 paged, 2 non-paged) is
 * read back with sizeof — no field, no instruction. A box is two words (pointer and tag), a
 * vector four; the tag is kept for ExFreePoolWithTag and run-time checks.
 *
 * Initialise every box and vector before use: `= {0}` (or IRQL_BOX_INIT / IRQL_VEC_INIT /
 * IRQL_VEC_INIT_TAG(Tag)), or zeroed memory. Boxes and vectors are not thread-safe: protect a
 * shared one with a lock (<irql/lock.h>) like any other data.
 *
 * Statuses (<irql/status.h>): STATUS_SUCCESS; STATUS_INSUFFICIENT_RESOURCES (the pool had no
 * memory: nothing changed, nothing leaked — nothing here ever raises or aborts on
 * out-of-memory); STATUS_IRQL_POOL_IRQL_TOO_HIGH (the real IRQL is above what the operation
 * allows on that pool: the compile-time rule, re-checked at run time; nothing done);
 * STATUS_IRQL_POOL_TAG_INVALID; STATUS_IRQL_POOL_SIZE_OVERFLOW (a size that does not fit in
 * SIZE_T); STATUS_IRQL_POOL_EMPTY (IRQL_VEC_POP on an empty vector: a warning);
 * STATUS_IRQL_POOL_WRONG_POOL and STATUS_IRQL_POOL_TAG_MISMATCH (IRQL_BOX_FROM_RAW).
 * STATUS_INVALID_PARAMETER for a NULL box or vector pointer.
 *
 * Run time. Allocation uses ExAllocatePool2 (POOL_FLAG_PAGED or POOL_FLAG_NON_PAGED; memory
 * is zeroed). Build the library with IRQL_POOL_USE_EX_ALLOCATE_POOL_WITH_TAG=1 for targets
 * without ExAllocatePool2 (Windows before 10 2004, Wine): it then uses ExAllocatePoolWithTag
 * (PagedPool / NonPagedPoolNx) and zeroes the memory itself. Frees use ExFreePoolWithTag with
 * the allocation's tag. Tags: 1–4 characters 0x20–0x7E from the low byte up, then zero bytes
 * ('gaTx' shows as "xTag"); checked at compile time where the tag is an integer constant
 * (C), and always at run time (STATUS_IRQL_POOL_TAG_INVALID).
 *
 * GET and AT return plain pointers and cost nothing at run time: once the compile-time check
 * is bypassed (IRQL_BOX_INTO_RAW, a cast, a lying contract) nothing stops a paged pointer from
 * being dereferenced at DISPATCH_LEVEL — on the host kernel that bug-checks 0xA
 * IRQL_NOT_LESS_OR_EQUAL (its guard pages, like Driver Verifier's Force IRQL checking), on a
 * real machine it is the crash it always was. docs/pool.md has the model.
 *
 * Macro arguments: the box/vector pointer (B, V) is evaluated more than once — pass a plain
 * expression without side effects (&Box, Ptr, &Ctx->Samples). Value (PUSH) and Index (AT) are
 * evaluated once (Index twice where the compiler lacks __typeof__; see IRQL_VEC_AT).
 *
 * Configuration: IRQL_NO_CONTRACTS turns the compile-time checks off; IRQL_BOX(T) and
 * IRQL_VEC(T) then cannot see a context and choose non-paged pool (valid at every IRQL up to
 * DISPATCH_LEVEL). Language: C11; the macros also compile as C++11 (checks in lambdas, as
 * irql.h), the compile-time tag check is C only.
 */
#ifndef IRQL_POOL_H
#define IRQL_POOL_H

#include <irql/irql.h>
#include <irql/status.h>

#ifdef __cplusplus
extern "C" {
#endif

/* __typeof__ where the compiler has it (the same test as <irql/lock.h>). */
#ifndef IRQL_HAS_TYPEOF
#if !defined(IRQL_NO_TYPEOF) && \
    (defined(__GNUC__) || defined(__clang__) || (defined(_MSC_VER) && _MSC_VER >= 1939))
#define IRQL_HAS_TYPEOF 1
#define IRQL__TYPEOF(X) __typeof__(X)
#else
#define IRQL_HAS_TYPEOF 0
#endif
#endif

/* A PVOID result given the type of Typed (a T *) where the compiler can name it; in C the
   void * converts implicitly on assignment anyway. */
#if IRQL_HAS_TYPEOF
#define IRQL__TYPED(Typed, X) ((IRQL__TYPEOF(Typed))(X))
#elif defined(__cplusplus)
#define IRQL__TYPED(Typed, X) (static_cast<decltype(Typed)>(X))
#else
#define IRQL__TYPED(Typed, X) (X)
#endif

/* The tag a vector allocates with when its tag is 0 (the irql crate's "IrqL"). */
#define IRQL_POOL_DEFAULT_TAG 0x4C717249UL /* 'LqrI', shown as "IrqL" */

/* The pools, as the types encode them (array lengths of the marker). */
#define IRQL_POOL_PAGED 1
#define IRQL_POOL_NONPAGED 2

/* Run-time headers. The fields are the library's: use the macros, never the fields. */
typedef struct _IRQL_BOX_HEADER {
    PVOID Pointer; /* the allocation, or NULL */
    ULONG Tag;     /* its tag (0 while empty) */
} IRQL_BOX_HEADER, *PIRQL_BOX_HEADER;

typedef struct _IRQL_VEC_HEADER {
    PVOID Data;      /* Capacity elements, the first Length in use; NULL while Capacity is 0 */
    SIZE_T Length;
    SIZE_T Capacity;
    ULONG Tag;       /* 0: IRQL_POOL_DEFAULT_TAG */
} IRQL_VEC_HEADER, *PIRQL_VEC_HEADER;

/* ------------------------------------------------------------------------------------------ */
/* Box types                                                                                  */
/* ------------------------------------------------------------------------------------------ */

/* A box of T in paged pool (allocate, touch, free at <= APC_LEVEL). */
#define IRQL_PAGED_BOX(T) IRQL__BOX_TYPE(T, IRQL_POOL_PAGED, )
/* A box of T in non-paged pool (allocate and free at <= DISPATCH_LEVEL, touch anywhere). */
#define IRQL_NONPAGED_BOX(T) IRQL__BOX_TYPE(T, IRQL_POOL_NONPAGED, )
/* A box of T in the pool the current context allows: paged at <= APC_LEVEL, non-paged at
   DISPATCH_LEVEL; a compile error above DISPATCH_LEVEL and in code without a contract. */
#define IRQL_BOX(T) IRQL__BOX_TYPE(T, IRQL__CONTEXT_POOL, IRQL__CONTEXT_POOL_CHECKS("IRQL_BOX(" #T ")"))

/* An empty box, as an initialiser (`= {0}` is the same). */
#define IRQL_BOX_INIT {{{NULL, 0}}}

/* ------------------------------------------------------------------------------------------ */
/* Box operations                                                                             */
/* ------------------------------------------------------------------------------------------ */

/*
 * NTSTATUS IRQL_BOX_NEW(B, ULONG Tag) — allocate a zeroed T from B's pool with Tag and store
 * it in *B. The box is treated as empty: what it held is not freed (free it first). On
 * failure *B is empty. Compile error where the context may run above the pool's allocation
 * maximum (paged: APC_LEVEL, non-paged: DISPATCH_LEVEL) or with an invalid constant Tag.
 */
#define IRQL_BOX_NEW(B, Tag) \
    IRQL__POOL_CHECKED(IRQL__POOL_RULE(IRQL__POOL_OF(B), IRQL__ALLOCATE, \
                                       "IRQL_BOX_NEW(" #B ", " #Tag ")") \
                           IRQL__TAG_CHECK(Tag, "IRQL_BOX_NEW(" #B ", " #Tag ")"), \
                       irql__box_new(&(B)->irql__hdr, sizeof(*(B)->irql__ptr), (ULONG)(Tag), \
                                     IRQL__POOL_OF(B)))

/*
 * T *IRQL_BOX_GET(B) — the boxed value (NULL while the box is empty). Compile error for a
 * paged box where the context may run above APC_LEVEL. No run-time code.
 */
#define IRQL_BOX_GET(B) \
    IRQL__POOL_CHECKED(IRQL__POOL_RULE(IRQL__POOL_OF(B), IRQL__TOUCH, "IRQL_BOX_GET(" #B ")"), \
                       (B)->irql__ptr)

/*
 * NTSTATUS IRQL_BOX_FREE(B) — free the value and empty the box; an empty box is a no-op
 * (STATUS_SUCCESS), so a second FREE never frees twice. Compile error for a paged box at
 * DISPATCH_LEVEL or above, a non-paged box above DISPATCH_LEVEL; at run time the same rule
 * returns STATUS_IRQL_POOL_IRQL_TOO_HIGH and frees nothing.
 */
#define IRQL_BOX_FREE(B) \
    IRQL__POOL_CHECKED(IRQL__POOL_RULE(IRQL__POOL_OF(B), IRQL__FREE, "IRQL_BOX_FREE(" #B ")"), \
                       irql__box_free(&(B)->irql__hdr, NULL, 0, IRQL__POOL_OF(B)))

/*
 * NTSTATUS IRQL_BOX_INTO_INNER(B, T *Out) — move the value into *Out and free the box (the
 * crate's into_inner). Empty box: STATUS_INVALID_PARAMETER, *Out untouched. The rules of GET
 * and FREE together.
 */
#define IRQL_BOX_INTO_INNER(B, Out) \
    IRQL__POOL_CHECKED(IRQL__POOL_RULE(IRQL__POOL_OF(B), IRQL__FREE, \
                                       "IRQL_BOX_INTO_INNER(" #B ", " #Out ")") \
                           IRQL__SAME_TYPE(B, Out), \
                       irql__box_free(&(B)->irql__hdr, (Out), sizeof(*(B)->irql__ptr), \
                                      IRQL__POOL_OF(B)))

/*
 * T *IRQL_BOX_INTO_RAW(B) — take the pointer out of the box and empty it; the caller now owns
 * the allocation (free it with ExFreePoolWithTag and the box's tag, or adopt it again with
 * IRQL_BOX_FROM_RAW). Any IRQL: no pool access. The compile-time pool rules no longer
 * protect the pointer (on the host kernel, a paged one touched at DISPATCH_LEVEL still
 * bug-checks 0xA).
 *
 * T *IRQL_BOX_LEAK(B) — the same, for memory meant to live until the driver unloads (the
 * crate's leak): never freed, reported by the host kernel's leak check.
 */
#define IRQL_BOX_INTO_RAW(B) IRQL__TYPED((B)->irql__ptr, irql__box_take(&(B)->irql__hdr))
#define IRQL_BOX_LEAK(B) IRQL_BOX_INTO_RAW(B)

/*
 * NTSTATUS IRQL_BOX_FROM_RAW(B, T *Ptr, ULONG Tag) — adopt Ptr, which a box of the SAME pool
 * gave up with IRQL_BOX_INTO_RAW / IRQL_BOX_LEAK and which was allocated with Tag. Ptr must
 * have B's T * type (compile error otherwise). The box is treated as empty, as by NEW.
 * Any IRQL. What is checked at run time:
 *   - NULL Ptr: STATUS_INVALID_PARAMETER; invalid Tag: STATUS_IRQL_POOL_TAG_INVALID;
 *   - host kernel only: Ptr must be the start of a live pool allocation of B's pool
 *     (STATUS_IRQL_POOL_WRONG_POOL otherwise — a paged block adopted by a non-paged box would
 *     let DISPATCH_LEVEL code touch paged memory) with tag Tag (STATUS_IRQL_POOL_TAG_MISMATCH).
 * A real kernel cannot tell the pools apart cheaply: there a block of the other pool is
 * adopted unchecked, and a wrong tag shows up as BAD_POOL_CALLER 0xC2/0x0A when it is freed.
 */
#define IRQL_BOX_FROM_RAW(B, Ptr, Tag) \
    IRQL__POOL_CHECKED(IRQL__SAME_TYPE(B, Ptr) \
                           IRQL__TAG_CHECK(Tag, "IRQL_BOX_FROM_RAW(" #B ", " #Ptr ", " #Tag ")"), \
                       irql__box_from_raw(&(B)->irql__hdr, (Ptr), (ULONG)(Tag), \
                                          IRQL__POOL_OF(B)))

/* BOOLEAN IRQL_BOX_IS_EMPTY(B) — TRUE while the box holds nothing. Any IRQL. */
#define IRQL_BOX_IS_EMPTY(B) ((BOOLEAN)((B)->irql__hdr.Pointer == NULL))

/* The pool of a box or vector, IRQL_POOL_PAGED or IRQL_POOL_NONPAGED: an integer constant. */
#define IRQL_POOL_OF(BoxOrVec) IRQL__POOL_OF(BoxOrVec)

/* ------------------------------------------------------------------------------------------ */
/* Vector types                                                                               */
/* ------------------------------------------------------------------------------------------ */

#define IRQL_PAGED_VEC(T) IRQL__VEC_TYPE(T, IRQL_POOL_PAGED, )
#define IRQL_NONPAGED_VEC(T) IRQL__VEC_TYPE(T, IRQL_POOL_NONPAGED, )
#define IRQL_VEC(T) IRQL__VEC_TYPE(T, IRQL__CONTEXT_POOL, IRQL__CONTEXT_POOL_CHECKS("IRQL_VEC(" #T ")"))

/* An empty vector with the default tag (`= {0}` is the same), or with Tag. */
#define IRQL_VEC_INIT {{{NULL, 0, 0, 0}}}
#define IRQL_VEC_INIT_TAG(Tag) {{{NULL, 0, 0, (ULONG)(Tag)}}}

/* ------------------------------------------------------------------------------------------ */
/* Vector operations                                                                          */
/* ------------------------------------------------------------------------------------------ */

/* SIZE_T IRQL_VEC_LEN(V) — the number of elements. Any IRQL (reads only *V). */
#define IRQL_VEC_LEN(V) ((SIZE_T)(V)->irql__hdr.Length)

/* SIZE_T IRQL_VEC_CAPACITY(V) — elements that fit without reallocating. Any IRQL. */
#define IRQL_VEC_CAPACITY(V) ((SIZE_T)(V)->irql__hdr.Capacity)

/*
 * NTSTATUS IRQL_VEC_RESERVE(V, SIZE_T Additional) — make room for at least Additional more
 * elements (capacity grows to max(needed, 2 × capacity, 4)). Sizes are overflow-checked:
 * a count whose bytes do not fit in SIZE_T is STATUS_IRQL_POOL_SIZE_OVERFLOW; a size the pool
 * cannot supply is STATUS_INSUFFICIENT_RESOURCES. On failure the vector is unchanged. The
 * allocation rule of V's pool applies (paged: <= APC_LEVEL; non-paged: <= DISPATCH_LEVEL).
 */
#define IRQL_VEC_RESERVE(V, Additional) \
    IRQL__POOL_CHECKED(IRQL__POOL_RULE(IRQL__POOL_OF(V), IRQL__ALLOCATE, \
                                       "IRQL_VEC_RESERVE(" #V ", " #Additional ")"), \
                       irql__vec_reserve(&(V)->irql__hdr, (SIZE_T)(Additional), \
                                         sizeof(*(V)->irql__ptr), IRQL__POOL_OF(V)))

/*
 * NTSTATUS IRQL_VEC_PUSH(V, T Value) — append Value, growing as RESERVE does. Value is
 * evaluated once, and only if there is room (a failed push does not evaluate it). On failure
 * the vector is unchanged. Allocation and touch rules of V's pool.
 */
#define IRQL_VEC_PUSH(V, Value) \
    IRQL__POOL_CHECKED( \
        IRQL__POOL_RULE(IRQL__POOL_OF(V), IRQL__ALLOCATE, "IRQL_VEC_PUSH(" #V ", " #Value ")"), \
        irql__vec_push_end(&(V)->irql__hdr, \
                           irql__vec_reserve(&(V)->irql__hdr, 1, sizeof(*(V)->irql__ptr), \
                                             IRQL__POOL_OF(V)) == STATUS_SUCCESS && \
                               ((V)->irql__ptr[(V)->irql__hdr.Length] = (Value), 1), \
                           sizeof(*(V)->irql__ptr), IRQL__POOL_OF(V)))

/*
 * NTSTATUS IRQL_VEC_EXTEND(V, const T *Items, SIZE_T Count) — append Count elements copied
 * from Items (the C form of a vector literal: push a whole array at once). All or nothing.
 */
#define IRQL_VEC_EXTEND(V, Items, Count) \
    IRQL__POOL_CHECKED(IRQL__POOL_RULE(IRQL__POOL_OF(V), IRQL__ALLOCATE, \
                                       "IRQL_VEC_EXTEND(" #V ", " #Items ", " #Count ")") \
                           IRQL__SAME_TYPE(V, Items), \
                       irql__vec_extend(&(V)->irql__hdr, (Items), (SIZE_T)(Count), \
                                        sizeof(*(V)->irql__ptr), IRQL__POOL_OF(V)))

/*
 * NTSTATUS IRQL_VEC_POP(V, T *Out) — remove the last element and copy it into *Out (Out NULL:
 * drop it). Empty vector: STATUS_IRQL_POOL_EMPTY (a warning), *Out untouched. Touch rule of
 * V's pool, at compile time and (STATUS_IRQL_POOL_IRQL_TOO_HIGH) at run time.
 */
#define IRQL_VEC_POP(V, Out) \
    IRQL__POOL_CHECKED(IRQL__POOL_RULE(IRQL__POOL_OF(V), IRQL__TOUCH, \
                                       "IRQL_VEC_POP(" #V ", " #Out ")") IRQL__SAME_TYPE(V, Out), \
                       irql__vec_pop(&(V)->irql__hdr, (Out), sizeof(*(V)->irql__ptr), \
                                     IRQL__POOL_OF(V)))

/*
 * T *IRQL_VEC_AT(V, SIZE_T Index) — the address of element Index, bounds-checked: NULL when
 * Index >= IRQL_VEC_LEN(V) (the crate's get). The pointer is valid until the next call that
 * may reallocate (PUSH, EXTEND, RESERVE, FREE). Touch rule of V's pool (compile time only).
 * Where the compiler lacks __typeof__ (MSVC before 17.9), Index is evaluated twice.
 */
#if IRQL_HAS_TYPEOF
#define IRQL__VEC_AT(V, Index) \
    ((IRQL__TYPEOF((V)->irql__ptr))irql__vec_at(&(V)->irql__hdr, (SIZE_T)(Index), \
                                                 sizeof(*(V)->irql__ptr)))
#else
#define IRQL__VEC_AT(V, Index) \
    ((SIZE_T)(Index) < (V)->irql__hdr.Length ? (V)->irql__ptr + (SIZE_T)(Index) : NULL)
#endif
#define IRQL_VEC_AT(V, Index) \
    IRQL__POOL_CHECKED(IRQL__POOL_RULE(IRQL__POOL_OF(V), IRQL__TOUCH, \
                                       "IRQL_VEC_AT(" #V ", " #Index ")"), \
                       IRQL__VEC_AT(V, Index))

/* T *IRQL_VEC_DATA(V) — the first element (NULL while the capacity is 0). Touch rule. */
#define IRQL_VEC_DATA(V) \
    IRQL__POOL_CHECKED(IRQL__POOL_RULE(IRQL__POOL_OF(V), IRQL__TOUCH, "IRQL_VEC_DATA(" #V ")"), \
                       (V)->irql__ptr)

/* VOID IRQL_VEC_CLEAR(V) — length 0, capacity kept; nothing freed. Any IRQL (no pool access:
   elements are plain data, nothing is destroyed). */
#define IRQL_VEC_CLEAR(V) ((void)((V)->irql__hdr.Length = 0))

/*
 * NTSTATUS IRQL_VEC_FREE(V) — free the elements' memory; the vector is empty with capacity 0
 * (its tag is kept) and may be used again. Free rule of V's pool, at compile time and at run
 * time (STATUS_IRQL_POOL_IRQL_TOO_HIGH, nothing freed).
 */
#define IRQL_VEC_FREE(V) \
    IRQL__POOL_CHECKED(IRQL__POOL_RULE(IRQL__POOL_OF(V), IRQL__FREE, "IRQL_VEC_FREE(" #V ")"), \
                       irql__vec_free(&(V)->irql__hdr, IRQL__POOL_OF(V)))

/* ------------------------------------------------------------------------------------------ */
/* The routines behind the macros (src/pool.c). Call them through the macros.                */
/* ------------------------------------------------------------------------------------------ */

NTSTATUS irql__box_new(PIRQL_BOX_HEADER Box, SIZE_T Size, ULONG Tag, ULONG Pool);
NTSTATUS irql__box_free(PIRQL_BOX_HEADER Box, PVOID Out, SIZE_T Size, ULONG Pool);
PVOID irql__box_take(PIRQL_BOX_HEADER Box);
NTSTATUS irql__box_from_raw(PIRQL_BOX_HEADER Box, const VOID *Ptr, ULONG Tag, ULONG Pool);
NTSTATUS irql__vec_reserve(PIRQL_VEC_HEADER Vec, SIZE_T Additional, SIZE_T ElementSize,
                           ULONG Pool);
NTSTATUS irql__vec_push_end(PIRQL_VEC_HEADER Vec, int Stored, SIZE_T ElementSize, ULONG Pool);
NTSTATUS irql__vec_extend(PIRQL_VEC_HEADER Vec, const VOID *Items, SIZE_T Count,
                          SIZE_T ElementSize, ULONG Pool);
NTSTATUS irql__vec_pop(PIRQL_VEC_HEADER Vec, PVOID Out, SIZE_T ElementSize, ULONG Pool);
NTSTATUS irql__vec_free(PIRQL_VEC_HEADER Vec, ULONG Pool);

static __inline PVOID irql__vec_at(const IRQL_VEC_HEADER *Vec, SIZE_T Index, SIZE_T ElementSize)
{
    return Index < Vec->Length ? (PVOID)((PUCHAR)Vec->Data + Index * ElementSize) : NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* Internals. Nothing below is API.                                                           */
/* ------------------------------------------------------------------------------------------ */

/*
 * The types. The marker member's array length is the pool; Checks are static assertions
 * placed in the type itself (IRQL_BOX / IRQL_VEC).
 */
#define IRQL__BOX_TYPE(T, Pool, Checks) \
    struct { \
        union { \
            IRQL_BOX_HEADER irql__hdr; \
            T *irql__ptr; \
            char (*irql__pool)[Pool]; \
        }; \
        Checks \
    }
#define IRQL__VEC_TYPE(T, Pool, Checks) \
    struct { \
        union { \
            IRQL_VEC_HEADER irql__hdr; \
            T *irql__ptr; \
            char (*irql__pool)[Pool]; \
        }; \
        Checks \
    }

#define IRQL__POOL_OF(B) sizeof(*(B)->irql__pool)

/* Operations, by the highest IRQL each pool allows them at. */
#define IRQL__ALLOCATE 0
#define IRQL__TOUCH 1
#define IRQL__FREE 2
#ifdef IRQL_NO_CONTRACTS
#define IRQL__CONTEXT_POOL IRQL_POOL_NONPAGED
#define IRQL__CONTEXT_POOL_CHECKS(What)
#define IRQL__POOL_CHECKED(Checks, X) (X)
#else
#define IRQL__CONTEXT_POOL \
    (IRQL__MAX(IRQL__CONTEXT_CODE) <= APC_LEVEL ? IRQL_POOL_PAGED : IRQL_POOL_NONPAGED)
#define IRQL__CONTEXT_POOL_CHECKS(What) \
    IRQL__SA(IRQL__MARKED(IRQL__CONTEXT_CODE), \
             "IRQL violation: " What " chooses its pool from the IRQL contract of the code " \
             "around it, and this code has none: use IRQL_PAGED_BOX / IRQL_PAGED_VEC or " \
             "IRQL_NONPAGED_BOX / IRQL_NONPAGED_VEC, or give the function a contract and " \
             "start it with IRQL_ENTER(function)") \
    IRQL__SA(!IRQL__MARKED(IRQL__CONTEXT_CODE) || \
             IRQL__MAX(IRQL__CONTEXT_CODE) <= DISPATCH_LEVEL, \
             "IRQL violation: " What ": cannot allocate at DIRQL: the code around it may run " \
             "above DISPATCH_LEVEL, where no pool may be allocated")
#define IRQL__POOL_CHECKED(Checks, X) IRQL__CHECKED(Checks, X)
#endif

/* The operation Op on Pool, in the current context: at most one assertion fails, and its
   message names the operation, the pool and the bound. */
#define IRQL__POOL_RULE(Pool, Op, What) \
    IRQL__SA((Pool) != IRQL_POOL_PAGED || IRQL__MARKED(IRQL__CONTEXT_CODE), \
             "IRQL violation: " What ": may " IRQL__OP_VERB(Op) " paged pool only at or below " \
             "APC_LEVEL, but the calling code has no IRQL contract: give the enclosing " \
             "function a contract and start it with IRQL_ENTER(function), or declare the " \
             "block's range with IRQL_CONTEXT(min, max)") \
    IRQL__SA((Pool) != IRQL_POOL_NONPAGED || (Op) == IRQL__TOUCH || \
             IRQL__MARKED(IRQL__CONTEXT_CODE), \
             "IRQL violation: " What ": may " IRQL__OP_VERB(Op) " non-paged pool only at or " \
             "below DISPATCH_LEVEL, but the calling code has no IRQL contract: give the " \
             "enclosing function a contract and start it with IRQL_ENTER(function), or " \
             "declare the block's range with IRQL_CONTEXT(min, max)") \
    IRQL__SA((Pool) != IRQL_POOL_PAGED || !IRQL__MARKED(IRQL__CONTEXT_CODE) || \
             IRQL__MAX(IRQL__CONTEXT_CODE) <= APC_LEVEL, \
             "IRQL violation: " What ": cannot " IRQL__OP_VERB(Op) " paged pool at " \
             "DISPATCH_LEVEL or above: the caller may run above APC_LEVEL") \
    IRQL__SA((Pool) != IRQL_POOL_NONPAGED || (Op) == IRQL__TOUCH || \
             !IRQL__MARKED(IRQL__CONTEXT_CODE) || \
             IRQL__MAX(IRQL__CONTEXT_CODE) <= DISPATCH_LEVEL, \
             "IRQL violation: " What ": cannot " IRQL__OP_VERB(Op) " non-paged pool at DIRQL: " \
             "the caller may run above DISPATCH_LEVEL")

#define IRQL__OP_VERB(Op) IRQL__OP_VERB_(Op)
#define IRQL__OP_VERB_(Op) IRQL__OP_VERB_##Op
#define IRQL__OP_VERB_0 "allocate"
#define IRQL__OP_VERB_1 "touch"
#define IRQL__OP_VERB_2 "free"

/* Ptr must be a pointer compatible with the box's / vector's T * (or a null pointer
   constant): the comparison is a constraint violation otherwise. */
#define IRQL__SAME_TYPE(B, Ptr) IRQL__SA(sizeof((B)->irql__ptr == (Ptr)) != 0, "irql")

/* Constant tags are checked at compile time (C): 1-4 characters 0x20-0x7E from the low byte
   up, then zero bytes. A non-constant tag is checked at run time only. IRQL__TAG_CONSTANT is
   X where X is an integer constant expression ((void *)(X * 0) is then a null pointer
   constant, and the conditional has type int *), else a valid stand-in: a generic selection
   does not evaluate, nor need a constant in, the association it does not choose. */
#if !defined(__cplusplus) && !defined(IRQL_NO_CONTRACTS)
#define IRQL__TAG_CONSTANT(X) \
    ((unsigned long long)_Generic((1 ? (int *)0 : (void *)((long long)(X) * 0ll)), \
                                  int *: (X), default: IRQL_POOL_DEFAULT_TAG))
#define IRQL__TAG_BYTE(X, N) ((IRQL__TAG_CONSTANT(X) >> (8 * (N))) & 0xFF)
#define IRQL__TAG_BYTE_OK(X, N) \
    ((IRQL__TAG_BYTE(X, N) >= 0x20 && IRQL__TAG_BYTE(X, N) <= 0x7E) || \
     (IRQL__TAG_BYTE(X, N) == 0 && (IRQL__TAG_CONSTANT(X) >> (8 * (N))) == 0))
#define IRQL__TAG_CHECK(X, What) \
    IRQL__SA(IRQL__TAG_CONSTANT(X) <= 0xFFFFFFFFull && IRQL__TAG_BYTE(X, 0) != 0 && \
             IRQL__TAG_BYTE_OK(X, 1) && IRQL__TAG_BYTE_OK(X, 2) && IRQL__TAG_BYTE_OK(X, 3) && \
             (IRQL__TAG_BYTE(X, 0) >= 0x20 && IRQL__TAG_BYTE(X, 0) <= 0x7E), \
             "IRQL violation: " What ": invalid pool tag: a tag is 1-4 characters 0x20-0x7E " \
             "(first character in the low byte, then zero bytes), never 0")
#else
#define IRQL__TAG_CHECK(X, What)
#endif

#ifdef __cplusplus
}
#endif

#endif
