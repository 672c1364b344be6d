/*
 * irql/irql.h — compile-time IRQL contracts for C.
 *
 * A contract states the IRQL range a function may run at. A call through IRQL_CALL compiles only
 * when every IRQL the caller may run at lies inside the callee's range, so a PASSIVE-only routine
 * called from a DPC, or a DISPATCH-only one called from code that may run at PASSIVE_LEVEL, is a
 * compile error naming the callee and the broken bound.
 *
 *   IRQL_MAX(CountPacket, DISPATCH_LEVEL)
 *   VOID CountPacket(PCOUNTERS Counters);
 *
 *   IRQL_AT(OnTimer, DISPATCH_LEVEL)
 *   VOID OnTimer(PCOUNTERS Counters)
 *   {
 *       IRQL_ENTER(OnTimer);                    // the body runs at [DISPATCH, DISPATCH]
 *       IRQL_CALL(CountPacket)(Counters);       // fine: DISPATCH <= DISPATCH
 *       IRQL_CALL(ZwClose)(Handle);             // error: IRQL violation ... ZwClose ... maximum
 *   }
 *
 * Ranges. Every piece of code has a range [min, max] of IRQLs it may run at:
 *   - a function body after IRQL_ENTER(Fn): Fn's contract;
 *   - a block after IRQL_CONTEXT(A, B): [A, B], which must lie inside the enclosing range;
 *   - the body of IRQL_RAISE(L), a spin-lock scope (DISPATCH) or a FAST_MUTEX scope (APC): [L, L];
 *   - anything else ("unannotated"): [PASSIVE_LEVEL, HIGH_LEVEL], and it may call only callees
 *     whose contract is that whole range.
 * A call is allowed iff callee.min <= caller.min && caller.max <= callee.max.
 *
 * Cost. Contracts are types and static assertions: they add no instructions and no data at any
 * optimisation level (tests/zerocost proves it byte for byte). The run-time backstop below is
 * the only code, and only where IRQL_RUNTIME_CHECKS is on.
 *
 * Configuration (define before including):
 *   IRQL_NO_CONTRACTS      contracts check nothing; IRQL_RAISE still raises.
 *   IRQL_RUNTIME_CHECKS    1: IRQL_ENTER / IRQL_CONTEXT also test the real IRQL and bug-check
 *                          IRQL_BUGCHECK_CONTRACT_VIOLATION if the contract lied. Default: on in
 *                          host builds (IRQL_HOST) and checked builds (DBG), off otherwise.
 *   IRQL_NO_CLEANUP        use the portable scope form even where the compiler has the cleanup
 *                          attribute (this is the form MSVC gets; see IRQL_RAISE).
 *
 * Language: C11. C++11 translation units may use every macro; there the checks are static
 * assertions inside lambdas, and IRQL_FN builds the value with brace initialisation.
 */
#ifndef IRQL_IRQL_H
#define IRQL_IRQL_H

#include <irql/wdk.h>

#include <irql/status.h>

#ifndef IRQL_RUNTIME_CHECKS
#if defined(IRQL_HOST) || (defined(DBG) && DBG)
#define IRQL_RUNTIME_CHECKS 1
#else
#define IRQL_RUNTIME_CHECKS 0
#endif
#endif

/* ------------------------------------------------------------------------------------------ */
/* Contracts on functions                                                                     */
/* ------------------------------------------------------------------------------------------ */

/*
 * IRQL_RANGE(Fn, A, B) — Fn may be called at A … B.
 * IRQL_MAX(Fn, L)      — Fn may be called at PASSIVE_LEVEL … L.
 * IRQL_AT(Fn, L)       — Fn runs at exactly L (entry points and callbacks the OS invokes at a
 *                        known level).
 *
 * Place the contract right before a declaration or definition of Fn, at file scope; repeating
 * it (header and definition) is allowed, contradicting it is a compile error. A range with
 * min > max or a level above HIGH_LEVEL is a compile error. Under PREfast the same contract is
 * emitted as SAL (_IRQL_requires_min_/max_, _IRQL_requires_).
 */
#define IRQL_RANGE(Fn, A, B) IRQL__CONTRACT(Fn, A, B) IRQL__SAL_RANGE(A, B)
#define IRQL_MAX(Fn, L) IRQL__CONTRACT(Fn, PASSIVE_LEVEL, L) IRQL__SAL_MAX(L)
#define IRQL_AT(Fn, L) IRQL__CONTRACT(Fn, L, L) IRQL__SAL_AT(L)

/*
 * IRQL_ENTER(Fn); — first statement of Fn's body: the body runs in Fn's range. With
 * IRQL_RUNTIME_CHECKS it also tests the real IRQL, so an entry point whose contract lies is
 * caught the first time it runs (like PAGED_CODE()).
 */
#define IRQL_ENTER(Fn) \
    IRQL__DECLARE_CONTEXT(IRQL__FN_CODE(Fn) + IRQL__MARK); \
    IRQL__BACKSTOP(IRQL__FN_CODE(Fn), #Fn)

/*
 * IRQL_CONTEXT(A, B); — the rest of the enclosing block runs in A … B. Use it after a run-time
 * test of the IRQL, or where the code's own logic guarantees the range:
 *
 *   if (KeGetCurrentIrql() <= APC_LEVEL) {
 *       IRQL_CONTEXT(PASSIVE_LEVEL, APC_LEVEL);
 *       IRQL_CALL(ExAcquireFastMutex)(&Mutex);
 *   }
 *
 * It may only narrow the enclosing range; widening it is a compile error. One context per
 * block (a second one in the same block, or one beside IRQL_ENTER, is a redeclaration error):
 * open a new block to narrow further. Backstopped at run time like IRQL_ENTER.
 */
#define IRQL_CONTEXT(A, B) \
    IRQL__STATIC_CHECK(IRQL__CONTEXT_CHECKS(A, B, "IRQL_CONTEXT(" #A ", " #B ")")); \
    IRQL__DECLARE_CONTEXT(IRQL__CODE(A, B) + IRQL__MARK); \
    IRQL__BACKSTOP(IRQL__CODE(A, B), __func__)

/*
 * IRQL_CALL(Fn)(args…) — call Fn; a compile error unless the current range lies inside Fn's
 * contract. Fn must carry a contract; call unannotated functions directly.
 */
#define IRQL_CALL(Fn) \
    IRQL__CHECKED(IRQL__INSIDE(1, IRQL__CONTEXT_CODE, IRQL__FN_CODE(Fn), \
                               "IRQL violation: IRQL_CALL(" #Fn "): the caller may run", #Fn), \
                  Fn)

/*
 * IRQL_RAISE(L) { … } — KeRaiseIrql(L) … KeLowerIrql(old): the block runs at [L, L]. A compile
 * error if L is below the current maximum (the raise could be a lower) or above HIGH_LEVEL.
 *
 * One statement: usable as the body of if/for/while without braces, and nestable.
 * Leaving the block: falling off the end, break and continue lower the IRQL and leave the
 * block — break and continue act on the block, never on a loop around it. Where the compiler
 * has the cleanup attribute (gcc, clang, clang-cl), return and goto out of the block lower it
 * too. Under MSVC cl, return and goto out of the block skip the lower: do not use them there.
 */
#define IRQL_RAISE(L) \
    IRQL__SCOPE(KIRQL, irql__old, IRQL__CHECKED(IRQL__RAISE_CHECKS(L, #L), irql__raise(L)), \
                irql__raise_end, IRQL__SCOPE_CONTEXT(IRQL__CODE(L, L) + IRQL__MARK))

/*
 * IRQL_CALLBACK(Fn, A, B) — evaluates to Fn; a compile error unless Fn's contract covers every
 * IRQL in A … B. Use it where a routine is handed to the kernel, which will call it at a known
 * level: KeInitializeDpc(&Dpc, IRQL_CALLBACK(OnDpc, DISPATCH_LEVEL, DISPATCH_LEVEL), Ctx).
 * A constant expression: usable in static initialisers.
 */
#define IRQL_CALLBACK(Fn, A, B) \
    IRQL__CHECKED(IRQL__RANGE_CHECKS(#Fn, A, B) \
                  IRQL__INSIDE(IRQL__VALID(A, B), IRQL__CODE(A, B) + IRQL__MARK, \
                               IRQL__FN_CODE(Fn), \
                               "IRQL violation: IRQL_CALLBACK(" #Fn "): it may be run", #Fn), \
                  Fn)

/* ------------------------------------------------------------------------------------------ */
/* Typed function pointers                                                                    */
/* ------------------------------------------------------------------------------------------ */

/*
 * IRQL_FN_TYPE(Name, A, B, Ret, Params); — declares Name, a function-pointer type whose calls
 * may happen at A … B (the C form of the irql crate's IrqlFn):
 *
 *   IRQL_FN_TYPE(PCOMPLETE_FN, PASSIVE_LEVEL, DISPATCH_LEVEL, VOID, (PVOID Context));
 *
 * A Name value is exactly a function pointer in size and representation, and is passed and
 * stored like one; the range lives only in the type. Build values with IRQL_FN, call them with
 * IRQL_CALL_FN. A zero-initialised value ({0}) is the null pointer; IRQL_FN_PTR(v) reads the
 * plain, unchecked pointer (to compare with NULL, or hand to an API that takes a plain one).
 */
#define IRQL_FN_TYPE(Name, A, B, Ret, Params) \
    IRQL__STATIC_CHECK(IRQL__RANGE_CHECKS(#Name, A, B)); \
    typedef union { \
        Ret(*irql__fn) Params; \
        char (*irql__range)[IRQL__CODE(A, B)]; \
    } Name

/*
 * IRQL_FN(Name, Fn) — a Name value bound to Fn; a compile error unless Fn's contract covers
 * Name's whole range (every call through the value would be allowed to call Fn directly).
 * Fn's signature must match Name's parameters and return type.
 */
#ifdef __cplusplus
#define IRQL_FN(Name, Fn) Name{IRQL__FN_VALUE(Name, Fn)}
#else
#define IRQL_FN(Name, Fn) ((Name){.irql__fn = IRQL__FN_VALUE(Name, Fn)})
#endif

/* IRQL_FN_INIT(Name, Fn) — the same, as an initialiser for a static or global Name object:
   static PCOMPLETE_FN OnDone = IRQL_FN_INIT(PCOMPLETE_FN, Complete); */
#define IRQL_FN_INIT(Name, Fn) {IRQL__FN_VALUE(Name, Fn)}

/*
 * IRQL_CALL_FN(v)(args…) — call through a typed pointer; a compile error unless the current
 * range lies inside the range of v's type.
 */
#define IRQL_CALL_FN(V) \
    IRQL__CHECKED(IRQL__INSIDE(1, IRQL__CONTEXT_CODE, IRQL__VALUE_CODE(V), \
                               "IRQL violation: IRQL_CALL_FN(" #V "): the caller may run", #V), \
                  (V).irql__fn)

/* The plain function pointer inside a typed one, without any check. */
#define IRQL_FN_PTR(V) ((V).irql__fn)

/* ------------------------------------------------------------------------------------------ */
/* Internals. Nothing below is API.                                                           */
/* ------------------------------------------------------------------------------------------ */

/*
 * A range is encoded as an array length, Code = 1 + min + 32 * max (+ IRQL__MARK where the
 * range was declared rather than defaulted), so that it lives in a type and is read back with
 * sizeof: no object, no instruction. 32 exceeds HIGH_LEVEL on every architecture.
 */
#define IRQL__BASE 32
#define IRQL__MARK 1024
#define IRQL__VALID(A, B) ((A) >= 0 && (A) <= (B) && (B) <= HIGH_LEVEL)
/* An invalid range has already failed its own assertion; encode it as the full range so that
   it causes no second error. */
#define IRQL__CODE(A, B) (IRQL__VALID(A, B) ? 1 + (A) + IRQL__BASE * (B) : 1 + IRQL__BASE * HIGH_LEVEL)
#define IRQL__MIN(C) ((((C) - 1) % IRQL__MARK) % IRQL__BASE)
#define IRQL__MAX(C) ((((C) - 1) % IRQL__MARK) / IRQL__BASE)
#define IRQL__MARKED(C) ((C) > IRQL__MARK)
#define IRQL__FULL(C) (IRQL__MIN(C) == PASSIVE_LEVEL && IRQL__MAX(C) == HIGH_LEVEL)

/* The current range: the innermost `irql__ctx`, a pointer to an array whose length is the
   code. Declared, never initialised or read: only its type matters. */
#define IRQL__CONTEXT_CODE (sizeof(*irql__ctx) / sizeof(**irql__ctx))
#define IRQL__FN_CODE(Fn) sizeof(irql__range_##Fn)
#define IRQL__VALUE_CODE(V) sizeof(*(V).irql__range)
#define IRQL__TYPE_CODE(Name) sizeof(*((Name *)0)->irql__range)

/* Static assertions inside expressions. C: a struct in sizeof (the dummy member keeps MSVC
   happy); C++ forbids types in sizeof, so a lambda holds them. The conditional form keeps the
   result an address constant, usable in static initialisers, and folds to X at -O0. */
#ifdef __cplusplus
#define IRQL__SA_KEYWORD static_assert
#define IRQL__CHECKED(Checks, X) ([] { Checks }(), (X))
#else
#define IRQL__SA_KEYWORD _Static_assert
#define IRQL__CHECKED(Checks, X) (sizeof(struct { Checks int irql__dummy; }) ? (X) : (X))
#endif
#define IRQL__SA(Cond, Msg) IRQL__SA_KEYWORD(Cond, Msg);
/* Declaration form; the last assertion absorbs the caller's semicolon. */
#define IRQL__STATIC_CHECK(Checks) Checks IRQL__SA_KEYWORD(1, "irql")

/*
 * Range [Lo, Hi] (from code C) inside a callee's contract E; exactly one of these fails for
 * any violation, so a violation is one error naming the callee (Prefix) and the bound.
 */
#define IRQL__INSIDE(On, C, E, Prefix, Callee) \
    IRQL__SA(!(On) || IRQL__MARKED(C) || IRQL__FULL(E), \
             "IRQL violation: " Callee " has an IRQL contract but the calling code has none: " \
             "give the enclosing function a contract and start it with IRQL_ENTER(function), " \
             "or declare the block's range with IRQL_CONTEXT(min, max)") \
    IRQL__SA(!(On) || !IRQL__MARKED(C) || !(IRQL__MIN(C) < IRQL__MIN(E)) || \
             IRQL__MAX(C) > IRQL__MAX(E), \
             Prefix " below " Callee "'s minimum IRQL") \
    IRQL__SA(!(On) || !IRQL__MARKED(C) || !(IRQL__MAX(C) > IRQL__MAX(E)) || \
             IRQL__MIN(C) < IRQL__MIN(E), \
             Prefix " above " Callee "'s maximum IRQL") \
    IRQL__SA(!(On) || !IRQL__MARKED(C) || \
             !(IRQL__MIN(C) < IRQL__MIN(E) && IRQL__MAX(C) > IRQL__MAX(E)), \
             Prefix " below " Callee "'s minimum and above its maximum IRQL")

#define IRQL__RANGE_CHECKS(What, A, B) \
    IRQL__SA((A) >= 0 && (B) >= 0 && (A) <= HIGH_LEVEL && (B) <= HIGH_LEVEL, \
             "IRQL violation: malformed IRQL range for " What ": a level above HIGH_LEVEL") \
    IRQL__SA(!((A) >= 0 && (B) >= 0 && (A) <= HIGH_LEVEL && (B) <= HIGH_LEVEL) || (A) <= (B), \
             "IRQL violation: malformed IRQL range for " What ": minimum above maximum")

#define IRQL__RAISE_CHECKS(L, Level) \
    IRQL__SA((L) >= 0 && (L) <= HIGH_LEVEL, \
             "IRQL violation: IRQL_RAISE(" Level "): a level above HIGH_LEVEL") \
    IRQL__SA(!((L) >= 0 && (L) <= HIGH_LEVEL) || IRQL__MARKED(IRQL__CONTEXT_CODE) || \
             (L) == HIGH_LEVEL, \
             "IRQL violation: IRQL_RAISE(" Level ") in code without an IRQL contract: it may " \
             "already run above " Level ": give the function a contract and IRQL_ENTER it") \
    IRQL__SA(!((L) >= 0 && (L) <= HIGH_LEVEL) || !IRQL__MARKED(IRQL__CONTEXT_CODE) || \
             (L) >= IRQL__MAX(IRQL__CONTEXT_CODE), \
             "IRQL violation: IRQL_RAISE(" Level ") may lower the IRQL: the enclosing code may " \
             "run above " Level)

#define IRQL__CONTEXT_CHECKS(A, B, What) \
    IRQL__RANGE_CHECKS(What, A, B) \
    IRQL__SA(!IRQL__VALID(A, B) || ((A) >= IRQL__MIN(IRQL__CONTEXT_CODE) && \
                                    (B) <= IRQL__MAX(IRQL__CONTEXT_CODE)), \
             "IRQL violation: " What " widens the enclosing range: a context may only " \
             "narrow it")

#define IRQL__FN_VALUE(Name, Fn) \
    IRQL__CHECKED(IRQL__INSIDE(1, IRQL__TYPE_CODE(Name) + IRQL__MARK, IRQL__FN_CODE(Fn), \
                               "IRQL violation: IRQL_FN(" #Name ", " #Fn "): calls through " \
                               #Name " may run it", #Fn), \
                  Fn)

#define IRQL__DECLARE_CONTEXT(Code) \
    char (*irql__ctx)[Code]; \
    (void)sizeof(irql__ctx)
#define IRQL__SCOPE_CONTEXT(Code) , (*irql__ctx)[Code] IRQL__UNUSED

/*
 * Contracts are file-scope typedefs of arrays (identical repeats are legal C11 and C++).
 * Two different contracts for one function are conflicting typedefs, an error C gives no
 * message of ours; the element type irql__contract_of_Fn makes every compiler name Fn in that
 * error (clang prints only the types of a conflicting typedef, not its name).
 * irql__ctx at file scope gives unannotated code its default range. An extern declaration of
 * an object never defined: sizeof reads its type and nothing ever links against it.
 */
#define IRQL__CONTRACT(Fn, A, B) \
    IRQL__STATIC_CHECK(IRQL__RANGE_CHECKS("the contract of " #Fn, A, B)); \
    typedef char irql__contract_of_##Fn; \
    typedef irql__contract_of_##Fn irql__range_##Fn[IRQL__CODE(A, B)];

#ifdef __cplusplus
extern "C++" char (*irql__ctx)[IRQL__CODE(PASSIVE_LEVEL, HIGH_LEVEL)];
#else
extern char (*irql__ctx)[IRQL__CODE(PASSIVE_LEVEL, HIGH_LEVEL)];
#endif

#if defined(_PREFAST_)
#define IRQL__SAL_RANGE(A, B) _IRQL_requires_min_(A) _IRQL_requires_max_(B)
#define IRQL__SAL_MAX(L) _IRQL_requires_max_(L)
#define IRQL__SAL_AT(L) _IRQL_requires_(L)
#else
#define IRQL__SAL_RANGE(A, B)
#define IRQL__SAL_MAX(L)
#define IRQL__SAL_AT(L)
#endif

#if defined(__GNUC__) || defined(__clang__)
#define IRQL__UNUSED __attribute__((unused))
#else
#define IRQL__UNUSED
#endif

/*
 * A block statement with a begin action and an end action: `IRQL__SCOPE(…) { body }`.
 * Name holds the begin action's result; End(&Name) runs once when the block is left.
 * irql__live is the loop's state: &Name while the body runs, NULL when done. A break in the
 * body binds to the innermost hidden loop, so it ends the block, never an enclosing loop.
 */
#if (defined(__GNUC__) || defined(__clang__)) && !defined(IRQL_NO_CLEANUP)
#define IRQL__SCOPE(Type, Name, Begin, End, ContextDecl) \
    for (Type Name __attribute__((cleanup(End))) = (Begin), *irql__live = &Name ContextDecl; \
         irql__live != NULL; irql__live = NULL)
#else
/* Without cleanup: the inner loop runs the body; leaving it by falling off, break or continue
   reaches the outer loop's increment, which ends the scope. &Name + 1 marks "body finished".
   The increment also mentions irql__ctx: where IRQL__UNUSED is empty (MSVC), a body without
   IRQL_CALL would otherwise leave the scope's context an unreferenced local (C4101). */
#define IRQL__SCOPE(Type, Name, Begin, End, ContextDecl) \
    for (Type Name = (Begin), *irql__live = &Name ContextDecl; irql__live != NULL; \
         End(&Name), (void)sizeof(irql__ctx), irql__live = NULL) \
        for (; irql__live == &Name; irql__live = &Name + 1)
#endif

static __inline KIRQL irql__raise(KIRQL Level)
{
    KIRQL Old;
    KeRaiseIrql(Level, &Old);
    return Old;
}

static __inline VOID irql__raise_end(KIRQL *Old)
{
    KeLowerIrql(*Old);
}

#if IRQL_RUNTIME_CHECKS
static __inline VOID irql__violation(KIRQL Now, KIRQL Min, KIRQL Max, const char *Where)
{
    DbgPrint("irql: %s runs at IRQL %u, outside its contract [%u, %u]\n", Where, (unsigned)Now,
             (unsigned)Min, (unsigned)Max);
    KeBugCheckEx(IRQL_BUGCHECK_CONTRACT_VIOLATION, Now, Min, Max, (ULONG_PTR)Where);
}

static __inline VOID irql__backstop(KIRQL Min, KIRQL Max, const char *Where)
{
    KIRQL Now = KeGetCurrentIrql();
    if (Now < Min || Now > Max) {
        irql__violation(Now, Min, Max, Where);
    }
}
#define IRQL__BACKSTOP(Code, Where) irql__backstop(IRQL__MIN(Code), IRQL__MAX(Code), Where)
#else
#define IRQL__BACKSTOP(Code, Where) ((void)0)
#endif

/* ------------------------------------------------------------------------------------------ */
/* IRQL_NO_CONTRACTS: the same statements, no checks.                                          */
/* ------------------------------------------------------------------------------------------ */
#ifdef IRQL_NO_CONTRACTS
#undef IRQL__CONTRACT
#define IRQL__CONTRACT(Fn, A, B)
#undef IRQL_ENTER
#define IRQL_ENTER(Fn) ((void)0)
#undef IRQL_CONTEXT
#define IRQL_CONTEXT(A, B) ((void)0)
#undef IRQL_CALL
#define IRQL_CALL(Fn) (Fn)
#undef IRQL_RAISE
#define IRQL_RAISE(L) IRQL__SCOPE(KIRQL, irql__old, irql__raise(L), irql__raise_end, )
#undef IRQL_CALLBACK
#define IRQL_CALLBACK(Fn, A, B) (Fn)
#undef IRQL__FN_VALUE
#define IRQL__FN_VALUE(Name, Fn) (Fn)
#undef IRQL_CALL_FN
#define IRQL_CALL_FN(V) ((V).irql__fn)
#endif

#endif
