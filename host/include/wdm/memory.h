/*
 * Rtl memory routines: fill, zero, copy, move and compare blocks of memory.
 *
 * As in the WDK most are macros over the C library (so they inline and optimise the same way).
 * Two differ, on purpose:
 *   - RtlCopyMemory is a function that checks, as Driver Verifier does for a driver's memcpy,
 *     that source and destination do not overlap: an overlap (use RtlMoveMemory for that)
 *     bug-checks 0xC4/0xF0 (P2 destination, P3 source, P4 length).
 *   - RtlSecureZeroMemory writes through a volatile pointer so the compiler cannot drop the
 *     store even when the buffer is dead afterwards (for secrets), as the WDK's inline does.
 * All may be called at any IRQL on resident memory; on the host, paged memory touched at
 * DISPATCH_LEVEL or above is caught by the pool's own checks, not here.
 */
#ifndef IRQL_HOST_WDM_MEMORY_H
#define IRQL_HOST_WDM_MEMORY_H


#include <string.h>

IRQL_HOST_BEGIN_DECLS

#define RtlEqualMemory(Destination, Source, Length) (!memcmp((Destination), (Source), (Length)))
#define RtlMoveMemory(Destination, Source, Length) memmove((Destination), (Source), (Length))
#define RtlFillMemory(Destination, Length, Fill) memset((Destination), (Fill), (Length))
#define RtlZeroMemory(Destination, Length) memset((Destination), 0, (Length))
#define RtlCopyBytes RtlCopyMemory
#define RtlFillBytes RtlFillMemory
#define RtlZeroBytes RtlZeroMemory

/*
 * Copy Length bytes from Source to Destination, which must not overlap (0xC4/0xF0 if they
 * do). Returns Destination, like the memcpy the WDK's macro expands to.
 */
NTSYSAPI PVOID NTAPI RtlCopyMemory(_Out_writes_bytes_all_(Length) PVOID Destination,
                                   _In_reads_bytes_(Length) const VOID *Source,
                                   _In_ SIZE_T Length);

/* The number of leading bytes that are equal in the two blocks (Length if all are). */
NTSYSAPI SIZE_T NTAPI RtlCompareMemory(_In_reads_bytes_(Length) const VOID *Source1,
                                       _In_reads_bytes_(Length) const VOID *Source2,
                                       _In_ SIZE_T Length);

/* Zero Length bytes at Pointer in a way the compiler may not optimise away; returns Pointer. */
FORCEINLINE PVOID RtlSecureZeroMemory(_Out_writes_bytes_all_(Length) PVOID Pointer,
                                      _In_ SIZE_T Length)
{
    volatile char *Byte = (volatile char *)Pointer;
    while (Length != 0) {
        *Byte++ = 0;
        Length--;
    }
    return Pointer;
}

IRQL_HOST_END_DECLS

#endif
