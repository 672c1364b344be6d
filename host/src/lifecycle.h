/*
 * Driver lifecycle, inside: the hooks ps.c calls so that driver unload can tell which system
 * threads started since the driver was loaded are still running.
 */
#ifndef IRQLP_LIFECYCLE_H
#define IRQLP_LIFECYCLE_H

#include <wdm.h>

/*
 * PsCreateSystemThread calls this before the thread can run, SystemThreadStart once the thread
 * is done with its start routine (returned, PsTerminateSystemThread or a caught bug check) and
 * before its object is signalled, so a driver that waits on the thread object never sees it
 * as running. A thread whose creation fails is ended right away.
 */
void IrqlpSystemThreadStarted(PKTHREAD Thread, PKSTART_ROUTINE StartRoutine);
void IrqlpSystemThreadEnded(PKTHREAD Thread);

#endif
