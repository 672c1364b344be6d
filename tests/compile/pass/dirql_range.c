/* Device IRQLs: an interrupt service routine's range between DISPATCH_LEVEL and HIGH_LEVEL. */
#include <irql/irql.h>

IRQL_RANGE(Isr, 3, 12)
BOOLEAN Isr(PVOID Context);

IRQL_RANGE(TouchRegisters, 3, HIGH_LEVEL)
VOID TouchRegisters(PVOID Context);

BOOLEAN Isr(PVOID Context)
{
    IRQL_ENTER(Isr);
    IRQL_CALL(TouchRegisters)(Context);
    {
        IRQL_CONTEXT(5, 5);
        IRQL_CALL(TouchRegisters)(Context);
    }
    IRQL_RAISE(HIGH_LEVEL) {
        IRQL_CALL(TouchRegisters)(Context);
    }
    return TRUE;
}

/* Synchronise with the ISR the way KeSynchronizeExecution does: raise to the device IRQL. */
IRQL_MAX(SynchronizeWithIsr, DISPATCH_LEVEL)
BOOLEAN SynchronizeWithIsr(PVOID Context)
{
    IRQL_ENTER(SynchronizeWithIsr);
    BOOLEAN Result = FALSE;
    IRQL_RAISE(12) {
        Result = IRQL_CALL(Isr)(Context);
    }
    IRQL_RAISE((KIRQL)3) {
        Result = (BOOLEAN)(Result | IRQL_CALL(Isr)(Context));
    }
    return Result;
}
