/* IrqlCounter's entry point and workload, shared by the driver and its host harness. */
#ifndef IRQL_EXAMPLE_COUNTER_DRIVER_H
#define IRQL_EXAMPLE_COUNTER_DRIVER_H

#include <ntddk.h>

#define COUNTER_WORKERS 3     /* system threads */
#define COUNTER_ROUNDS 500    /* locked rounds per thread: 3 x 500 = 1500, as wdk-mutex's test */
#define COUNTER_TICK_EVERY 50 /* rounds between configuration bumps, log entries and DPCs */

DRIVER_INITIALIZE DriverEntry;

#endif
