/*
 * Per-thread state of the host kernel: what the real kernel keeps in the KTHREAD and the
 * processor's control region. One instance per host thread, reached through thread-local
 * storage, so IRQL changes touch no shared memory. Modules keep state that only they use in
 * their own thread-locals; what several modules read lives here.
 */
#ifndef IRQLP_THREAD_H
#define IRQLP_THREAD_H

#include <wdm.h>

typedef struct _IRQLP_CATCH IRQLP_CATCH;

typedef struct _IRQLP_THREAD {
    /* First, so that a pointer to the thread-local is one to this (<wdm/irql.h>): the IRQL and
       the thread object (created on first use), which the inline KeGetCurrentIrql and
       KeGetCurrentThread read. */
    IRQL_HOST_PCR Pcr;
    BOOLEAN InBugCheck;      /* a bug check is being reported on this thread */
    IRQLP_CATCH *Catch;      /* innermost IrqlHostCatchBugCheck frame */
    /*
     * APC-disable counts, as the KTHREAD keeps them. KernelApcDisable counts critical regions
     * and held KMUTEXes (normal kernel APCs off while > 0); SpecialApcDisable counts guarded
     * regions (all APCs off while > 0).
     */
    LONG KernelApcDisable;
    LONG SpecialApcDisable;
    ULONG SpinLocksHeld;     /* spin locks acquired and not yet released */
    LIST_ENTRY OwnedMutexes; /* KMUTEXes owned; Flink NULL until the first is taken */
} IRQLP_THREAD, *PIRQLP_THREAD;

/* Declared (with its type incomplete) in <wdm/irql.h>. */
extern __thread IRQLP_THREAD IrqlpHostThread;

static inline PIRQLP_THREAD IrqlpCurrentThread(void)
{
    return &IrqlpHostThread;
}

/* The OS id of the calling thread, as a bug-check report shows it. */
ULONG IrqlpThreadOsId(void);

#endif
