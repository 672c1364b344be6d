/*
 * IRQL levels and the per-thread IRQL routines.
 *
 * Levels take the x64/arm64 values by default (HIGH_LEVEL 15). A host kernel built with
 * IRQL_HOST_X86_LEVELS takes the x86 numbering (HIGH_LEVEL 31, DIRQLs 3..26), so code that
 * depends on level values is tested against both.
 */
#ifndef IRQL_HOST_WDM_IRQL_H
#define IRQL_HOST_WDM_IRQL_H

#define PASSIVE_LEVEL 0
#define LOW_LEVEL 0
#define APC_LEVEL 1
#define DISPATCH_LEVEL 2
#define CMCI_LEVEL 5

#ifdef IRQL_HOST_X86_LEVELS
#define PROFILE_LEVEL 27
#define CLOCK1_LEVEL 28
#define CLOCK2_LEVEL 28
#define CLOCK_LEVEL 28
#define IPI_LEVEL 29
#define POWER_LEVEL 30
#define HIGH_LEVEL 31
#define SYNCH_LEVEL (IPI_LEVEL - 2)
#else
#define CLOCK_LEVEL 13
#define IPI_LEVEL 14
#define DRS_LEVEL 14
#define POWER_LEVEL 14
#define PROFILE_LEVEL 15
#define HIGH_LEVEL 15
#define SYNCH_LEVEL 12
#endif

IRQL_HOST_BEGIN_DECLS

/*
 * What x64 keeps in CR8 and in the processor control region, as far as the inline
 * KeGetCurrentIrql and KeGetCurrentThread read it: on the host, the first member of each
 * thread's host-kernel state (IrqlpHostThread, a thread-local whose type stays private; a
 * pointer to it is a pointer to its IRQL_HOST_PCR). Not API: use the routines.
 */
typedef struct _IRQL_HOST_PCR {
    KIRQL Irql;                     /* the thread's IRQL */
    struct _KTHREAD *CurrentThread; /* its thread object; NULL until first use on a thread the
                                       host did not start (KeGetCurrentThread creates it) */
} IRQL_HOST_PCR;

struct _IRQLP_THREAD;
#if defined(__ELF__)
extern __thread struct _IRQLP_THREAD IrqlpHostThread __attribute__((__tls_model__("initial-exec")));
#else
extern __thread struct _IRQLP_THREAD IrqlpHostThread;
#endif
#define IRQLP_HOST_PCR() ((IRQL_HOST_PCR *)(void *)&IrqlpHostThread)

/* The calling thread's IRQL. Every host thread starts at PASSIVE_LEVEL. Inline, as on x64
   (a read of CR8 there, of a thread-local here); exported too. */
_IRQL_requires_max_(HIGH_LEVEL)
IRQL_HOST_INLINE KIRQL KeGetCurrentIrql(VOID)
{
    return IRQLP_HOST_PCR()->Irql;
}

/*
 * Raise to NewIrql and return the previous IRQL. NewIrql below the current IRQL bug-checks
 * 0xC4/0x30 (P2 current, P3 requested), as Driver Verifier does.
 */
_IRQL_raises_(NewIrql)
NTHALAPI KIRQL KfRaiseIrql(_In_ KIRQL NewIrql);
#define KeRaiseIrql(NewIrql, OldIrql) (*(OldIrql) = KfRaiseIrql(NewIrql))

/* Lower to NewIrql. NewIrql above the current IRQL bug-checks 0xC4/0x31 (P2 current, P3 new). */
NTHALAPI VOID KeLowerIrql(_In_ KIRQL NewIrql);

/* KfRaiseIrql(DISPATCH_LEVEL); bug-checks 0xC4/0x30 if called above DISPATCH_LEVEL. */
_IRQL_raises_(DISPATCH_LEVEL)
NTKERNELAPI KIRQL KeRaiseIrqlToDpcLevel(VOID);

IRQL_HOST_END_DECLS

#endif
