/* Inside the DPC module: what driver unload asks of it. */
#ifndef IRQLP_DPC_H
#define IRQLP_DPC_H

#include <wdm.h>

/*
 * A point in the DPC queue's history: every later KeInsertQueueDpc gets a larger number. Taken
 * at driver load, passed back at unload.
 */
ULONG64 IrqlpDpcSequence(void);

/*
 * How many DPCs queued after Since are still queued or running (IrqlHostRunAsDpc's own are not
 * counted); *First receives the earliest of them and *Routine its routine. Returns 0 (and sets
 * nothing) if none.
 */
ULONG IrqlpDpcPendingSince(ULONG64 Since, PKDPC *First, PKDEFERRED_ROUTINE *Routine);

#endif
