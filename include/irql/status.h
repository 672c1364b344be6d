/*
 * irql/status.h — the codes the irql library reports.
 *
 * Bug-check codes for violations that cannot return a status (a lying contract, a scoped lock
 * misused). Each names what was violated in its parameters.
 */
#ifndef IRQL_STATUS_H
#define IRQL_STATUS_H

#include <wdm.h>

/*
 * IRQL_ENTER / IRQL_CONTEXT found the thread outside the declared range (run-time backstop).
 *   P1 the current IRQL, P2 the range's minimum, P3 its maximum,
 *   P4 the address of the function's or block's name (a NUL-terminated string).
 */
#define IRQL_BUGCHECK_CONTRACT_VIOLATION ((ULONG)0xE1C00001UL)

#endif
