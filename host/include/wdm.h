/*
 * wdm.h — the host kernel's WDK subset.
 *
 * Drivers and the irql library include <wdm.h> (or <ntddk.h>) exactly as they do against the
 * WDK; on the host this header supplies the same names, types and sizes, implemented in user
 * mode by the host kernel (libirql_host). Each area lives in its own header under wdm/.
 */
#ifndef IRQL_HOST_WDM_H
#define IRQL_HOST_WDM_H

#include <wdm/types.h>
#include <wdm/status.h>
#include <wdm/irql.h>
#include <wdm/bugcheck.h>
#include <wdm/debug.h>
#include <wdm/interlocked.h>
#include <wdm/memory.h>
#include <wdm/region.h>
#include <wdm/spinlock.h>
#include <wdm/fastmutex.h>
#include <wdm/resource.h>
#include <wdm/rundown.h>
#include <wdm/pool.h>
#include <wdm/dispatcher.h>
#include <wdm/thread.h>
#include <wdm/dpc.h>
#include <wdm/workitem.h>
#include <wdm/unicode.h>
#include <wdm/driver.h>

#endif
