/*
 * The contracts demo: driver-style code with IRQL contracts, run on the host kernel.
 *
 *   1. A contract that holds: a PASSIVE_LEVEL routine calls a DISPATCH_LEVEL-safe helper,
 *      before and inside an IRQL_RAISE block.
 *   2. IRQL_RAISE: the block runs at DISPATCH_LEVEL and the old IRQL comes back.
 *   3. The run-time backstop: a timer routine declared IRQL_AT(DISPATCH_LEVEL) is called at
 *      PASSIVE_LEVEL through an unchecked function pointer — its contract lies, and the first
 *      run bug-checks naming it, instead of corrupting state later.
 *
 * scripts/demo.sh also compiles bad_call.c beside this file, to show the compile-time error a
 * wrong call gives.
 */
#include <irql/host.h>
#include <irql/irql.h>

#include <stdio.h>

typedef struct _COUNTERS {
    LONG Packets;
    LONG Bytes;
} COUNTERS, *PCOUNTERS;

static PCSTR LevelName(KIRQL Irql)
{
    PCSTR Name = IrqlHostLevelName(Irql);
    return Name != NULL ? Name : "DIRQL";
}

/* Safe at any IRQL up to DISPATCH_LEVEL: touches only non-paged data. */
IRQL_MAX(CountPacket, DISPATCH_LEVEL)
static VOID CountPacket(PCOUNTERS Counters, LONG Bytes)
{
    IRQL_ENTER(CountPacket);
    Counters->Packets++;
    Counters->Bytes += Bytes;
    printf("    CountPacket(%ld bytes) at %s\n", (long)Bytes, LevelName(KeGetCurrentIrql()));
}

/* A routine the kernel calls at DISPATCH_LEVEL, e.g. a DPC or timer routine. */
IRQL_AT(OnTimer, DISPATCH_LEVEL)
static VOID OnTimer(PVOID Context)
{
    IRQL_ENTER(OnTimer);
    IRQL_CALL(CountPacket)((PCOUNTERS)Context, 0);
}

IRQL_MAX(Worker, PASSIVE_LEVEL)
static VOID Worker(PCOUNTERS Counters)
{
    IRQL_ENTER(Worker);
    printf("1. A contract that holds: Worker (PASSIVE_LEVEL) calls CountPacket (<= DISPATCH_LEVEL)\n");
    IRQL_CALL(CountPacket)(Counters, 64);

    printf("2. IRQL_RAISE(DISPATCH_LEVEL) { ... }\n");
    IRQL_RAISE(DISPATCH_LEVEL) {
        IRQL_CALL(CountPacket)(Counters, 128);
        IRQL_CALL(OnTimer)(Counters);
    }
    printf("    after the block: %s\n", LevelName(KeGetCurrentIrql()));
}

/* A dispatch table filled without IRQL_CALLBACK: nothing checks how it will be called. */
static VOID (*UncheckedTimerRoutine)(PVOID) = OnTimer;

static VOID CallTheTimerAtPassive(PVOID Context)
{
    UncheckedTimerRoutine(Context); /* at PASSIVE_LEVEL: OnTimer's contract is violated */
}

/* DbgPrint output, in line with the demo's own. */
static VOID PrintDebugLine(PCSTR Text, PVOID Context)
{
    (void)Context;
    printf("    DbgPrint: %s", Text);
}

int main(void)
{
    COUNTERS Counters = {0, 0};
    IRQL_HOST_BUGCHECK Report;

    setvbuf(stdout, NULL, _IOLBF, 0);
    IrqlHostSetPrintSink(PrintDebugLine, NULL);

    Worker(&Counters);
    printf("    counters: %ld packets, %ld bytes\n\n", (long)Counters.Packets, (long)Counters.Bytes);

    printf("3. The run-time backstop: OnTimer (IRQL_AT DISPATCH_LEVEL) called at PASSIVE_LEVEL\n");
    if (!IrqlHostCatchBugCheck(CallTheTimerAtPassive, &Counters, &Report)) {
        printf("    not caught: the backstop is off (IRQL_RUNTIME_CHECKS=0)\n");
        return 1;
    }
    printf("    bug check 0x%08lX %s\n    %s\n", (unsigned long)Report.Code, Report.CodeName,
           Report.Message);
    printf("    (OnTimer's body did not run: %ld packets)\n", (long)Counters.Packets);
    return 0;
}
