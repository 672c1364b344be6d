/* x86 numbering: HIGH_LEVEL is 31 and device IRQLs run 3..26; a contract at 31 is valid and the
   [HIGH_LEVEL, HIGH_LEVEL] range (the largest code) round-trips through every macro. */
// defines: IRQL_HOST_X86_LEVELS
// host-only: selects the host kernel's x86 numbering; kernel-x86 runs the other cases on the x86 DDK's own
#include <irql/irql.h>

_Static_assert(HIGH_LEVEL == 31, "x86 levels are in effect");

IRQL_MAX(Anywhere, 31)
VOID Anywhere(VOID);

IRQL_AT(HighOnly, HIGH_LEVEL)
VOID HighOnly(VOID);

IRQL_RANGE(Isr, 3, 26)
VOID Isr(VOID);

IRQL_RANGE(ClockAndAbove, CLOCK_LEVEL, HIGH_LEVEL)
VOID ClockAndAbove(VOID);

IRQL_FN_TYPE(PHIGH_FN, HIGH_LEVEL, HIGH_LEVEL, VOID, (VOID));
static PHIGH_FN High = IRQL_FN_INIT(PHIGH_FN, HighOnly);

IRQL_AT(AtHigh, HIGH_LEVEL)
VOID AtHigh(VOID)
{
    IRQL_ENTER(AtHigh);
    IRQL_CALL(HighOnly)();
    IRQL_CALL(Anywhere)();
    IRQL_CALL(ClockAndAbove)();
    IRQL_CALL_FN(High)();
    IRQL_RAISE(HIGH_LEVEL) {
        IRQL_CALL(HighOnly)();
    }
}

IRQL_AT(Device, 26)
VOID Device(VOID)
{
    IRQL_ENTER(Device);
    IRQL_CALL(Isr)();
    IRQL_RAISE(PROFILE_LEVEL) {
        IRQL_RAISE(POWER_LEVEL) {
            IRQL_CALL(Anywhere)();
        }
    }
}

VOID Unannotated(VOID)
{
    IRQL_CALL(Anywhere)();
    VOID (*Cb)(VOID) = IRQL_CALLBACK(HighOnly, 31, 31);
    Cb();
    IRQL_RAISE(31) {
        IRQL_CALL(HighOnly)();
    }
}
