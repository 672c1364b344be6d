/* ntddk.h — on the host kernel, the same subset as <wdm.h>. */
#ifndef IRQL_HOST_NTDDK_H
#define IRQL_HOST_NTDDK_H
#include <wdm.h>
#endif
