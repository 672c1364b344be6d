/*
 * Interlocked operations and memory barriers.
 *
 * In the WDK these are compiler intrinsics (_InterlockedIncrement …) with full-barrier
 * semantics on x64. Here each is an inline function over the GCC/Clang __atomic builtins with
 * __ATOMIC_SEQ_CST, which gives the same guarantee (a full fence around the read-modify-write)
 * and which ThreadSanitizer understands, so a driver's lock-free code is checked for races in
 * host tests exactly as written. They run at any IRQL, on any non-paged (here: any) memory,
 * which must be naturally aligned for its size, as on Windows.
 *
 * Return values follow the WDK: Increment/Decrement/Add return the new value; Exchange,
 * CompareExchange, ExchangeAdd, And, Or and Xor return the value before the operation.
 */
#ifndef IRQL_HOST_WDM_INTERLOCKED_H
#define IRQL_HOST_WDM_INTERLOCKED_H


IRQL_HOST_BEGIN_DECLS

#define IRQLP_INTERLOCKED_BINARY(Name, Type, Builtin)                                         \
    FORCEINLINE Type Name(_Inout_ _Interlocked_operand_ Type volatile *Destination, Type Value) \
    {                                                                                        \
        return Builtin(Destination, Value, __ATOMIC_SEQ_CST);                                \
    }

#define IRQLP_INTERLOCKED_FAMILY(Suffix, Type)                                                 \
    FORCEINLINE Type InterlockedIncrement##Suffix(_Inout_ _Interlocked_operand_ Type volatile *Addend) \
    {                                                                                        \
        return __atomic_add_fetch(Addend, (Type)1, __ATOMIC_SEQ_CST);                        \
    }                                                                                        \
    FORCEINLINE Type InterlockedDecrement##Suffix(_Inout_ _Interlocked_operand_ Type volatile *Addend) \
    {                                                                                        \
        return __atomic_sub_fetch(Addend, (Type)1, __ATOMIC_SEQ_CST);                        \
    }                                                                                        \
    FORCEINLINE Type InterlockedCompareExchange##Suffix(                                     \
        _Inout_ _Interlocked_operand_ Type volatile *Destination, _In_ Type Exchange,        \
        _In_ Type Comperand)                                                                 \
    {                                                                                        \
        /* On failure the builtin stores the value it found in Comperand: that is the        \
           initial value the WDK routine returns in both cases. */                           \
        (void)__atomic_compare_exchange_n(Destination, &Comperand, Exchange, 0,              \
                                          __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);               \
        return Comperand;                                                                    \
    }                                                                                        \
    IRQLP_INTERLOCKED_BINARY(InterlockedExchange##Suffix, Type, __atomic_exchange_n)         \
    IRQLP_INTERLOCKED_BINARY(InterlockedExchangeAdd##Suffix, Type, __atomic_fetch_add)       \
    IRQLP_INTERLOCKED_BINARY(InterlockedAdd##Suffix, Type, __atomic_add_fetch)               \
    IRQLP_INTERLOCKED_BINARY(InterlockedAnd##Suffix, Type, __atomic_fetch_and)               \
    IRQLP_INTERLOCKED_BINARY(InterlockedOr##Suffix, Type, __atomic_fetch_or)                 \
    IRQLP_INTERLOCKED_BINARY(InterlockedXor##Suffix, Type, __atomic_fetch_xor)

/* LONG (32-bit): InterlockedIncrement, …Decrement, …CompareExchange, …Exchange, …ExchangeAdd,
   …Add, …And, …Or, …Xor. */
IRQLP_INTERLOCKED_FAMILY(, LONG)
/* LONG64: the same with the suffix 64. */
IRQLP_INTERLOCKED_FAMILY(64, LONG64)
/* SHORT: the same with the suffix 16. */
IRQLP_INTERLOCKED_FAMILY(16, SHORT)

/* CHAR (8-bit): the WDK offers Exchange, CompareExchange, ExchangeAdd, And, Or and Xor. */
IRQLP_INTERLOCKED_BINARY(InterlockedExchange8, CHAR, __atomic_exchange_n)
IRQLP_INTERLOCKED_BINARY(InterlockedExchangeAdd8, CHAR, __atomic_fetch_add)
IRQLP_INTERLOCKED_BINARY(InterlockedAnd8, CHAR, __atomic_fetch_and)
IRQLP_INTERLOCKED_BINARY(InterlockedOr8, CHAR, __atomic_fetch_or)
IRQLP_INTERLOCKED_BINARY(InterlockedXor8, CHAR, __atomic_fetch_xor)

FORCEINLINE CHAR InterlockedCompareExchange8(_Inout_ _Interlocked_operand_ CHAR volatile *Destination,
                                             _In_ CHAR Exchange, _In_ CHAR Comperand)
{
    (void)__atomic_compare_exchange_n(Destination, &Comperand, Exchange, 0, __ATOMIC_SEQ_CST,
                                      __ATOMIC_SEQ_CST);
    return Comperand;
}

/* Pointers: exchange and compare-exchange, returning the previous pointer. */
FORCEINLINE PVOID InterlockedExchangePointer(_Inout_ _Interlocked_operand_ PVOID volatile *Target,
                                             _In_opt_ PVOID Value)
{
    return __atomic_exchange_n(Target, Value, __ATOMIC_SEQ_CST);
}

FORCEINLINE PVOID InterlockedCompareExchangePointer(
    _Inout_ _Interlocked_operand_ PVOID volatile *Destination, _In_opt_ PVOID Exchange,
    _In_opt_ PVOID Comperand)
{
    (void)__atomic_compare_exchange_n(Destination, &Comperand, Exchange, 0, __ATOMIC_SEQ_CST,
                                      __ATOMIC_SEQ_CST);
    return Comperand;
}

/* SIZE_T-wide forms, as the WDK maps them on 64-bit targets. */
#define InterlockedExchangeAddSizeT(Addend, Value) \
    ((SIZE_T)InterlockedExchangeAdd64((LONG64 volatile *)(Addend), (LONG64)(Value)))
#define InterlockedIncrementSizeT(Addend) \
    ((SIZE_T)InterlockedIncrement64((LONG64 volatile *)(Addend)))
#define InterlockedDecrementSizeT(Addend) \
    ((SIZE_T)InterlockedDecrement64((LONG64 volatile *)(Addend)))

/*
 * Ordered plain loads and stores (the WDK's ReadAcquire/WriteRelease family): acquire loads
 * and release stores for handing data between threads without a full interlocked operation,
 * and "NoFence" forms that are atomic (never torn) but unordered.
 */
FORCEINLINE LONG ReadAcquire(_In_ _Interlocked_operand_ LONG const volatile *Source)
{
    return __atomic_load_n(Source, __ATOMIC_ACQUIRE);
}
FORCEINLINE LONG ReadNoFence(_In_ _Interlocked_operand_ LONG const volatile *Source)
{
    return __atomic_load_n(Source, __ATOMIC_RELAXED);
}
FORCEINLINE VOID WriteRelease(_Out_ _Interlocked_operand_ LONG volatile *Destination, _In_ LONG Value)
{
    __atomic_store_n(Destination, Value, __ATOMIC_RELEASE);
}
FORCEINLINE VOID WriteNoFence(_Out_ _Interlocked_operand_ LONG volatile *Destination, _In_ LONG Value)
{
    __atomic_store_n(Destination, Value, __ATOMIC_RELAXED);
}
FORCEINLINE LONG64 ReadAcquire64(_In_ _Interlocked_operand_ LONG64 const volatile *Source)
{
    return __atomic_load_n(Source, __ATOMIC_ACQUIRE);
}
FORCEINLINE LONG64 ReadNoFence64(_In_ _Interlocked_operand_ LONG64 const volatile *Source)
{
    return __atomic_load_n(Source, __ATOMIC_RELAXED);
}
FORCEINLINE VOID WriteRelease64(_Out_ _Interlocked_operand_ LONG64 volatile *Destination,
                                _In_ LONG64 Value)
{
    __atomic_store_n(Destination, Value, __ATOMIC_RELEASE);
}
FORCEINLINE VOID WriteNoFence64(_Out_ _Interlocked_operand_ LONG64 volatile *Destination,
                                _In_ LONG64 Value)
{
    __atomic_store_n(Destination, Value, __ATOMIC_RELAXED);
}
FORCEINLINE PVOID ReadPointerAcquire(_In_ _Interlocked_operand_ PVOID const volatile *Source)
{
    return __atomic_load_n(Source, __ATOMIC_ACQUIRE);
}
FORCEINLINE PVOID ReadPointerNoFence(_In_ _Interlocked_operand_ PVOID const volatile *Source)
{
    return __atomic_load_n(Source, __ATOMIC_RELAXED);
}
FORCEINLINE VOID WritePointerRelease(_Out_ _Interlocked_operand_ PVOID volatile *Destination,
                                     _In_opt_ PVOID Value)
{
    __atomic_store_n(Destination, Value, __ATOMIC_RELEASE);
}
FORCEINLINE VOID WritePointerNoFence(_Out_ _Interlocked_operand_ PVOID volatile *Destination,
                                     _In_opt_ PVOID Value)
{
    __atomic_store_n(Destination, Value, __ATOMIC_RELAXED);
}

/*
 * A full hardware and compiler fence (KeMemoryBarrier / MemoryBarrier in the WDK). Under
 * ThreadSanitizer, which does not model stand-alone fences (GCC refuses them with -Wtsan), it is
 * a sequentially consistent read-modify-write of a local instead: a full fence on x86-64, as
 * the WDK's own MemoryBarrier (a locked OR on the stack) is.
 */
#if defined(__SANITIZE_THREAD__)
#define IRQLP_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define IRQLP_TSAN 1
#endif
#endif
FORCEINLINE VOID KeMemoryBarrier(VOID)
{
#ifdef IRQLP_TSAN
    LONG Barrier = 0;
    (void)__atomic_exchange_n(&Barrier, 0, __ATOMIC_SEQ_CST);
#else
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
#endif
}
#define MemoryBarrier() KeMemoryBarrier()
/* A compiler-only fence: stops the compiler from moving memory accesses across it. */
#define KeMemoryBarrierWithoutFence() __atomic_signal_fence(__ATOMIC_SEQ_CST)
#define _ReadWriteBarrier() __atomic_signal_fence(__ATOMIC_SEQ_CST)

/* The spin-wait hint (PAUSE on x64) for hand-written busy-waits. */
FORCEINLINE VOID YieldProcessor(VOID)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

IRQL_HOST_END_DECLS

#endif
