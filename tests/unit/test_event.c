/* KEVENT on the host kernel: state, wake-ups, Wait = TRUE, and the IRQL rules. */
#include "dispatcher_helpers.h"

#include <stdatomic.h>
#include <string.h>

static LARGE_INTEGER Zero = {.QuadPart = 0};

Test(event, initial_state_and_read)
{
    KEVENT On, Off;
    KeInitializeEvent(&On, NotificationEvent, TRUE);
    KeInitializeEvent(&Off, SynchronizationEvent, FALSE);
    cr_assert_eq(KeReadStateEvent(&On), 1);
    cr_assert_eq(KeReadStateEvent(&Off), 0);
    cr_assert_eq(On.Header.Type, EventNotificationObject);
    cr_assert_eq(Off.Header.Type, EventSynchronizationObject);
    cr_assert_eq(sizeof(KEVENT), 3 * sizeof(PVOID), "the WDK's x64 size is 24 bytes");
}

Test(event, set_reset_clear_return_previous_state)
{
    KEVENT E;
    KeInitializeEvent(&E, NotificationEvent, FALSE);
    cr_assert_eq(KeSetEvent(&E, IO_NO_INCREMENT, FALSE), 0);
    cr_assert_eq(KeSetEvent(&E, IO_NO_INCREMENT, FALSE), 1);
    cr_assert_eq(KeResetEvent(&E), 1);
    cr_assert_eq(KeResetEvent(&E), 0);
    KeSetEvent(&E, IO_NO_INCREMENT, FALSE);
    KeClearEvent(&E);
    cr_assert_eq(KeReadStateEvent(&E), 0);
}

Test(event, notification_stays_signalled)
{
    KEVENT E;
    KeInitializeEvent(&E, NotificationEvent, TRUE);
    cr_assert_eq(KeWaitForSingleObject(&E, Executive, KernelMode, FALSE, &Zero), STATUS_SUCCESS);
    cr_assert_eq(KeWaitForSingleObject(&E, Executive, KernelMode, FALSE, &Zero), STATUS_SUCCESS);
    cr_assert_eq(KeReadStateEvent(&E), 1);
}

Test(event, synchronization_resets_when_a_wait_is_satisfied)
{
    KEVENT E;
    KeInitializeEvent(&E, SynchronizationEvent, TRUE);
    cr_assert_eq(KeWaitForSingleObject(&E, Executive, KernelMode, FALSE, &Zero), STATUS_SUCCESS);
    cr_assert_eq(KeReadStateEvent(&E), 0);
    cr_assert_eq(KeWaitForSingleObject(&E, Executive, KernelMode, FALSE, &Zero), STATUS_TIMEOUT);
}

typedef struct _WAITER {
    PKEVENT Event;
    atomic_int *Released;
    NTSTATUS Status;
} WAITER;

static VOID WaitOnEvent(PVOID Context)
{
    WAITER *W = Context;
    LARGE_INTEGER Timeout = {.QuadPart = RELATIVE_MS(5000)};
    W->Status = KeWaitForSingleObject(W->Event, Executive, KernelMode, FALSE, &Timeout);
    atomic_fetch_add(W->Released, 1);
}

Test(event, notification_releases_every_waiter)
{
    KEVENT E;
    atomic_int Released = 0;
    WAITER W[4];
    PKTHREAD T[4];

    KeInitializeEvent(&E, NotificationEvent, FALSE);
    for (int i = 0; i < 4; i++) {
        W[i] = (WAITER){&E, &Released, -1};
        T[i] = StartThread(WaitOnEvent, &W[i]);
    }
    AwaitWaiters(&E, 4);
    cr_assert_eq(atomic_load(&Released), 0);
    cr_assert_eq(KeSetEvent(&E, IO_NO_INCREMENT, FALSE), 0);
    cr_assert_eq(IrqlHostWaiterCount(&E), 0, "a set releases every waiter at once");
    for (int i = 0; i < 4; i++) {
        JoinThread(T[i]);
        cr_assert_eq(W[i].Status, STATUS_SUCCESS);
    }
    cr_assert_eq(KeReadStateEvent(&E), 1);
}

Test(event, synchronization_releases_one_waiter_per_set)
{
    KEVENT E;
    atomic_int Released = 0;
    WAITER W[3];
    PKTHREAD T[3];

    KeInitializeEvent(&E, SynchronizationEvent, FALSE);
    for (int i = 0; i < 3; i++) {
        W[i] = (WAITER){&E, &Released, -1};
        T[i] = StartThread(WaitOnEvent, &W[i]);
    }
    AwaitWaiters(&E, 3);
    for (ULONG Left = 2;; Left--) {
        cr_assert_eq(KeSetEvent(&E, IO_NO_INCREMENT, FALSE), 0);
        cr_assert_eq(IrqlHostWaiterCount(&E), Left, "one set, one waiter released");
        cr_assert_eq(KeReadStateEvent(&E), 0, "the released wait reset the event");
        if (Left == 0) {
            break;
        }
    }
    for (int i = 0; i < 3; i++) {
        JoinThread(T[i]);
        cr_assert_eq(W[i].Status, STATUS_SUCCESS);
    }
    cr_assert_eq(atomic_load(&Released), 3);
}

Test(event, set_with_wait_returns_at_dispatch_until_the_next_wait)
{
    KEVENT E, Other;
    LARGE_INTEGER Timeout = {.QuadPart = RELATIVE_MS(1000)};

    KeInitializeEvent(&E, NotificationEvent, FALSE);
    KeInitializeEvent(&Other, NotificationEvent, TRUE);
    cr_assert_eq(KeSetEvent(&E, IO_NO_INCREMENT, TRUE), 0);
    cr_assert_eq(KeGetCurrentIrql(), DISPATCH_LEVEL);
    /* A non-zero timeout is fine: the wait runs at the IRQL of the KeSetEvent call. */
    cr_assert_eq(KeWaitForSingleObject(&Other, Executive, KernelMode, FALSE, &Timeout),
                 STATUS_SUCCESS);
    cr_assert_eq(KeGetCurrentIrql(), PASSIVE_LEVEL);
}

Test(event, set_with_wait_at_apc_level_returns_to_apc_level)
{
    KEVENT E;
    KIRQL Old;
    KeInitializeEvent(&E, SynchronizationEvent, FALSE);
    KeRaiseIrql(APC_LEVEL, &Old);
    KeSetEvent(&E, IO_NO_INCREMENT, TRUE);
    cr_assert_eq(KeGetCurrentIrql(), DISPATCH_LEVEL);
    cr_assert_eq(KeWaitForSingleObject(&E, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    cr_assert_eq(KeGetCurrentIrql(), APC_LEVEL);
    KeLowerIrql(Old);
}

static VOID SetAtDispatch(PVOID Context)
{
    cr_assert_eq(KeSetEvent(Context, IO_NO_INCREMENT, FALSE), 0);
    cr_assert_eq(KeReadStateEvent(Context), 1);
    KeClearEvent(Context);
    cr_assert_eq(KeResetEvent(Context), 0);
}

Test(event, set_read_reset_clear_allowed_at_dispatch)
{
    KEVENT E;
    KeInitializeEvent(&E, NotificationEvent, FALSE);
    IrqlHostRunAtIrql(DISPATCH_LEVEL, SetAtDispatch, &E);
}

/* Misuse */

static KEVENT Shared;

static VOID SetAboveDispatch(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeSetEvent(&Shared, IO_NO_INCREMENT, FALSE);
}

Test(event, set_above_dispatch_reports_irql_and_event)
{
    KeInitializeEvent(&Shared, NotificationEvent, FALSE);
    IRQL_HOST_BUGCHECK R = ExpectBugCheckAt(HIGH_LEVEL, SetAboveDispatch, NULL,
                                            DRIVER_VERIFIER_DETECTED_VIOLATION, 0x80);
    cr_assert_eq(R.Parameter[1], HIGH_LEVEL, "P2 the IRQL");
    cr_assert_eq(R.Parameter[2], (ULONG_PTR)&Shared, "P3 the event");
    cr_assert_eq(KeReadStateEvent(&Shared), 0, "nothing was signalled");
}

static VOID SetWithWaitAtDispatch(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeSetEvent(&Shared, IO_NO_INCREMENT, TRUE);
}

Test(event, set_with_wait_above_apc_bugchecks_ddi_irqlkesetevent)
{
    KeInitializeEvent(&Shared, NotificationEvent, FALSE);
    IRQL_HOST_BUGCHECK R = ExpectBugCheckAt(DISPATCH_LEVEL, SetWithWaitAtDispatch, NULL,
                                            DRIVER_VERIFIER_DETECTED_VIOLATION, 0x20016);
    cr_assert(strstr((const char *)R.Parameter[1], "IrqlKeSetEvent") != NULL,
              "P2 names the rule");
    cr_assert_eq(R.Parameter[2], (ULONG_PTR)&Shared);
}

static VOID ResetAtHigh(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeResetEvent(&Shared);
}
static VOID ClearAtHigh(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeClearEvent(&Shared);
}
static VOID ReadAtHigh(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeReadStateEvent(&Shared);
}

Test(event, reset_clear_read_above_dispatch_bugcheck_ddi_irqlkedispatchlte)
{
    PIRQL_HOST_ROUTINE Routines[] = {ResetAtHigh, ClearAtHigh, ReadAtHigh};
    const char *Names[] = {"KeResetEvent", "KeClearEvent", "KeReadStateEvent"};
    KeInitializeEvent(&Shared, NotificationEvent, TRUE);
    for (int i = 0; i < 3; i++) {
        IRQL_HOST_BUGCHECK R = ExpectBugCheckAt(HIGH_LEVEL, Routines[i], NULL,
                                                DRIVER_VERIFIER_DETECTED_VIOLATION, 0x20011);
        cr_assert(strstr((const char *)R.Parameter[1], Names[i]) != NULL, "%s",
                  (const char *)R.Parameter[1]);
        cr_assert(strstr(R.Message, Names[i]) != NULL, "%s", R.Message);
    }
    cr_assert_eq(KeReadStateEvent(&Shared), 1);
}

static VOID SetUninitialised(PVOID Context)
{
    KeSetEvent(Context, IO_NO_INCREMENT, FALSE);
}

Test(event, set_before_initialisation_is_an_access_violation)
{
    KEVENT E;
    memset(&E, 0, sizeof(E));
    IRQL_HOST_BUGCHECK R = ExpectBugCheck(SetUninitialised, &E, KMODE_EXCEPTION_NOT_HANDLED,
                                          (ULONG_PTR)(LONG_PTR)STATUS_ACCESS_VIOLATION);
    cr_assert(strstr(R.Message, "not an initialised dispatcher object") != NULL, "%s",
              R.Message);
}
