/*
 * bench.h — what the bench programs share: a table of measured loops and the command line that
 * runs them (callgrind counts, single-thread wall clock, contended throughput on system
 * threads), the pthread-mutex baseline loop, and a system-thread runner.
 *
 * A program defines its loops with BENCH_LOOP, lists them with BENCH_OP and calls BenchMain:
 *
 *   <program> --list                          the operations, one a line
 *   <program> <op>|all <N>                    run the loop(s) N times (callgrind:
 *                                             --collect-atstart=no --toggle-collect=bench_<op>)
 *   <program> wall <op> <seconds> <runs>      nanoseconds per iteration on this thread, one
 *                                             line per run
 *   <program> contended <op> <threads> <seconds> <runs>
 *                                             iterations per second, the loop running on
 *                                             <threads> system threads at once (same lock),
 *                                             each pinned to a CPU, for <seconds>; one line
 *                                             per run
 * wall first grows N until one run lasts at least <seconds> (that run is the first), so every
 * operation is timed over a similar span whatever its cost.
 *
 * --threaded first starts and joins one thread. A process that has never had a second thread
 * runs glibc's (2.34+) single-threaded paths: pthread_mutex_lock and malloc skip their atomic
 * instructions there, which no driver's process (system threads, DPCs) ever sees.
 */
#ifndef IRQL_BENCH_H
#define IRQL_BENCH_H

#include <wdm.h>

#include <stddef.h>

/* noinline and named bench_<Name>: callgrind toggles on exactly this function. */
#define BENCH_LOOP(Name) __attribute__((noinline)) static void bench_##Name(long N)

typedef struct {
    const char *Name;
    void (*Run)(long N);
} BENCH_OP;

#define BENCH_OP(Name) {#Name, bench_##Name}

/* pthread_mutex_lock + pthread_mutex_unlock, N times: the baseline of the lock figures. */
void bench_pthread_mutex(long N);

/* Monotonic time in seconds. */
double BenchNow(void);

/* Run Routine(Context) on Threads system threads at once and wait for all of them; returns
   the elapsed seconds (creation to last join). At most BENCH_MAX_THREADS threads. */
#define BENCH_MAX_THREADS 16
double BenchOnThreads(unsigned Threads, PKSTART_ROUTINE Routine, PVOID Context);

/* The command line above. Setup (may be NULL) runs once before any loop. Returns the exit
   status. */
int BenchMain(int argc, char **argv, const BENCH_OP *Ops, size_t Count, void (*Setup)(void));

#endif
