/*
 * irql/wdk.h — the WDK as irql sees it: <wdm.h>, and on mingw-w64's DDK the few current-WDK
 * declarations that its headers lack.
 *
 * The library is written against the Windows 10 2004+ WDK. Three kinds of headers provide
 * <wdm.h>: the WDK itself (MSVC, or clang in MSVC mode), the host kernel (IRQL_HOST, tests on
 * Linux), and mingw-w64's DDK (cross-built .sys files). The mingw DDK predates some WDK
 * additions the library uses; they are declared here exactly as the WDK declares them, so a
 * driver that includes <irql/…> headers builds unchanged with all three. Nothing here is
 * defined when the WDK or the host kernel provides it.
 *
 * Declared for mingw-w64 (each routine is a documented ntoskrnl export):
 *   ReadNoFence / ReadAcquire / WriteNoFence / WriteRelease (LONG, LONG64 and pointer forms)
 *   KeMemoryBarrier on x64; InterlockedAnd and InterlockedIncrement64 on x86
 *   EX_PUSH_LOCK and the Windows 10 1809 push lock routines (ExAcquirePushLockExclusiveEx …)
 *   POOL_FLAGS, POOL_FLAG_* and ExAllocatePool2 (Windows 10 2004; mingw's libntoskrnl.a has
 *   no import for it: link the generated import library, docs/building-drivers.md)
 */
#ifndef IRQL_WDK_H
#define IRQL_WDK_H

#include <wdm.h>

#if defined(__MINGW64_VERSION_MAJOR) && !defined(IRQL_HOST) /* mingw-w64 DDK, any compiler */

/* The WDK's ordered plain loads and stores (wdm.h, "ReadAcquire"): atomic, never torn. */
#define IRQL__WDK_ACCESS(Name, Type)                                                            \
    FORCEINLINE Type Read##Name##Acquire(Type const volatile *Source)                           \
    {                                                                                           \
        return __atomic_load_n(Source, __ATOMIC_ACQUIRE);                                       \
    }                                                                                           \
    FORCEINLINE Type Read##Name##NoFence(Type const volatile *Source)                           \
    {                                                                                           \
        return __atomic_load_n(Source, __ATOMIC_RELAXED);                                       \
    }                                                                                           \
    FORCEINLINE VOID Write##Name##Release(Type volatile *Destination, Type Value)               \
    {                                                                                           \
        __atomic_store_n(Destination, Value, __ATOMIC_RELEASE);                                 \
    }                                                                                           \
    FORCEINLINE VOID Write##Name##NoFence(Type volatile *Destination, Type Value)               \
    {                                                                                           \
        __atomic_store_n(Destination, Value, __ATOMIC_RELAXED);                                 \
    }
IRQL__WDK_ACCESS(, LONG)
IRQL__WDK_ACCESS(Pointer, PVOID)
#undef IRQL__WDK_ACCESS
/* The 64-bit forms put the width last (ReadAcquire64), unlike the pointer forms. */
FORCEINLINE LONG64 ReadAcquire64(LONG64 const volatile *Source)
{
    return __atomic_load_n(Source, __ATOMIC_ACQUIRE);
}
FORCEINLINE LONG64 ReadNoFence64(LONG64 const volatile *Source)
{
    return __atomic_load_n(Source, __ATOMIC_RELAXED);
}
FORCEINLINE VOID WriteRelease64(LONG64 volatile *Destination, LONG64 Value)
{
    __atomic_store_n(Destination, Value, __ATOMIC_RELEASE);
}
FORCEINLINE VOID WriteNoFence64(LONG64 volatile *Destination, LONG64 Value)
{
    __atomic_store_n(Destination, Value, __ATOMIC_RELAXED);
}

/* A full fence (the x64 WDK's KeMemoryBarrier); mingw's DDK declares it for x86 only. */
#if defined(__x86_64__)
FORCEINLINE VOID KeMemoryBarrier(VOID)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}
#endif

/* Interlocked routines the x86 DDK lacks (the WDK has them on every architecture). */
#if defined(__i386__) && !defined(InterlockedAnd) /* <ntddk.h> maps it to an intrinsic */
FORCEINLINE LONG InterlockedAnd(LONG volatile *Destination, LONG Value)
{
    return __atomic_fetch_and(Destination, Value, __ATOMIC_SEQ_CST);
}
#endif
#if defined(__i386__) && !defined(InterlockedIncrement64)
FORCEINLINE LONG64 InterlockedIncrement64(LONG64 volatile *Addend)
{
    return __atomic_add_fetch(Addend, 1, __ATOMIC_SEQ_CST);
}
#endif

/* Push locks (wdm.h since Windows 10 1809). mingw's <ntifs.h> spells EX_PUSH_LOCK as a macro
   for ULONG_PTR: the typedef names the same type, so including it later changes nothing. */
#ifndef EX_PUSH_LOCK
typedef ULONG_PTR EX_PUSH_LOCK, *PEX_PUSH_LOCK;
#endif
#define EX_DEFAULT_PUSH_LOCK_FLAGS 0
NTKERNELAPI VOID NTAPI ExInitializePushLock(PEX_PUSH_LOCK PushLock);
NTKERNELAPI VOID FASTCALL ExAcquirePushLockExclusiveEx(PEX_PUSH_LOCK PushLock, ULONG Flags);
NTKERNELAPI VOID FASTCALL ExAcquirePushLockSharedEx(PEX_PUSH_LOCK PushLock, ULONG Flags);
NTKERNELAPI BOOLEAN FASTCALL ExTryAcquirePushLockExclusiveEx(PEX_PUSH_LOCK PushLock, ULONG Flags);
NTKERNELAPI BOOLEAN FASTCALL ExTryAcquirePushLockSharedEx(PEX_PUSH_LOCK PushLock, ULONG Flags);
NTKERNELAPI VOID FASTCALL ExReleasePushLockExclusiveEx(PEX_PUSH_LOCK PushLock, ULONG Flags);
NTKERNELAPI VOID FASTCALL ExReleasePushLockSharedEx(PEX_PUSH_LOCK PushLock, ULONG Flags);
#define ExAcquirePushLockExclusive(Lock) \
    ExAcquirePushLockExclusiveEx((Lock), EX_DEFAULT_PUSH_LOCK_FLAGS)
#define ExAcquirePushLockShared(Lock) ExAcquirePushLockSharedEx((Lock), EX_DEFAULT_PUSH_LOCK_FLAGS)
#define ExTryAcquirePushLockExclusive(Lock) \
    ExTryAcquirePushLockExclusiveEx((Lock), EX_DEFAULT_PUSH_LOCK_FLAGS)
#define ExTryAcquirePushLockShared(Lock) \
    ExTryAcquirePushLockSharedEx((Lock), EX_DEFAULT_PUSH_LOCK_FLAGS)
#define ExReleasePushLockExclusive(Lock) \
    ExReleasePushLockExclusiveEx((Lock), EX_DEFAULT_PUSH_LOCK_FLAGS)
#define ExReleasePushLockShared(Lock) ExReleasePushLockSharedEx((Lock), EX_DEFAULT_PUSH_LOCK_FLAGS)

/* ExAllocatePool2 (wdm.h since Windows 10 2004). */
#ifndef POOL_FLAG_NON_PAGED
typedef ULONG64 POOL_FLAGS;
#define POOL_FLAG_USE_QUOTA 0x0000000000000001ULL
#define POOL_FLAG_UNINITIALIZED 0x0000000000000002ULL
#define POOL_FLAG_SESSION 0x0000000000000004ULL
#define POOL_FLAG_CACHE_ALIGNED 0x0000000000000008ULL
#define POOL_FLAG_RAISE_ON_FAILURE 0x0000000000000020ULL
#define POOL_FLAG_NON_PAGED 0x0000000000000040ULL
#define POOL_FLAG_NON_PAGED_EXECUTE 0x0000000000000080ULL
#define POOL_FLAG_PAGED 0x0000000000000100ULL
NTKERNELAPI PVOID NTAPI ExAllocatePool2(POOL_FLAGS Flags, SIZE_T NumberOfBytes, ULONG Tag);
#endif

#endif /* __MINGW64_VERSION_MAJOR && !IRQL_HOST */

#endif
