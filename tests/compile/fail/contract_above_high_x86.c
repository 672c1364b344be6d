/* x86 numbering: 31 is HIGH_LEVEL and valid (pass/x86_levels.c), 32 is not. */
// defines: IRQL_HOST_X86_LEVELS
// expect: IRQL violation
// expect: malformed IRQL range for the contract of TooHigh
// expect: a level above HIGH_LEVEL
// host-only: selects the host kernel's x86 numbering; kernel-x86 runs the other cases on the x86 DDK's own
#include <irql/irql.h>

IRQL_MAX(Fine, 31)
VOID Fine(VOID);

IRQL_MAX(TooHigh, 32)
VOID TooHigh(VOID);
