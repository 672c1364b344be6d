/*
 * bench.c — the shared part of the bench programs (see bench.h).
 */
#define _GNU_SOURCE /* clock_gettime, sched_setaffinity */
#include "bench.h"

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

__attribute__((noinline)) void bench_pthread_mutex(long N)
{
    static pthread_mutex_t Mutex = PTHREAD_MUTEX_INITIALIZER;
    for (long i = 0; i < N; i++) {
        pthread_mutex_lock(&Mutex);
        pthread_mutex_unlock(&Mutex);
    }
}

static void *Nothing(void *Argument)
{
    return Argument;
}

/* Start and join one thread: glibc (2.34+) then leaves its single-threaded mode for good. */
static void BecomeThreaded(void)
{
    pthread_t Thread;
    if (pthread_create(&Thread, NULL, Nothing, NULL) != 0 || pthread_join(Thread, NULL) != 0) {
        fprintf(stderr, "bench: cannot start a thread\n");
        exit(1);
    }
}

double BenchNow(void)
{
    struct timespec T;
    clock_gettime(CLOCK_MONOTONIC, &T);
    return (double)T.tv_sec + (double)T.tv_nsec / 1e9;
}

/* Start Routine(Context) on Threads system threads; their objects go to Objects. */
static void StartThreads(unsigned Threads, PKSTART_ROUTINE Routine, PVOID Context, PVOID *Objects)
{
    if (Threads == 0 || Threads > BENCH_MAX_THREADS) {
        fprintf(stderr, "bench: 1 to %d threads\n", BENCH_MAX_THREADS);
        exit(2);
    }
    for (unsigned I = 0; I < Threads; I++) {
        HANDLE Handle;
        if (PsCreateSystemThread(&Handle, THREAD_ALL_ACCESS, NULL, NULL, NULL, Routine,
                                 Context) != STATUS_SUCCESS ||
            ObReferenceObjectByHandle(Handle, SYNCHRONIZE, *PsThreadType, KernelMode, &Objects[I],
                                      NULL) != STATUS_SUCCESS) {
            fprintf(stderr, "bench: cannot start a system thread\n");
            exit(1);
        }
        ZwClose(Handle);
    }
}

static void JoinThreads(unsigned Threads, PVOID *Objects)
{
    for (unsigned I = 0; I < Threads; I++) {
        KeWaitForSingleObject(Objects[I], Executive, KernelMode, FALSE, NULL);
        ObDereferenceObject(Objects[I]);
    }
}

double BenchOnThreads(unsigned Threads, PKSTART_ROUTINE Routine, PVOID Context)
{
    PVOID Objects[BENCH_MAX_THREADS];
    double Start = BenchNow();
    StartThreads(Threads, Routine, Context, Objects);
    JoinThreads(Threads, Objects);
    return BenchNow() - Start;
}

/*
 * Contended throughput: Threads threads run one loop, each in chunks of CHUNK iterations, from
 * one start signal until a stop signal Seconds later; the rate is every iteration done over
 * the time from start to the last thread's end. A fixed duration, not a fixed count: with a
 * count, a thread that gets the lock more often finishes early and the other then runs alone,
 * uncontended, which is not what is measured.
 *
 * Each thread first moves to its own CPU (thread i to CPU i mod the CPUs there are). Left to
 * the scheduler, two threads often share one CPU and take turns a time slice each, so the lock
 * is never contended; whether they do depends on what else the machine runs.
 */
#define CHUNK 64

typedef struct {
    void (*Run)(long N);
    unsigned Ready; /* threads at the start line; also the next thread's index */
    int Go, Stop;
    long Done[BENCH_MAX_THREADS];
} RACE;

static VOID Racer(PVOID Context)
{
    RACE *Race = Context;
    unsigned Index = __atomic_fetch_add(&Race->Ready, 1, __ATOMIC_ACQ_REL);
    long Cpus = sysconf(_SC_NPROCESSORS_ONLN), Done = 0;
    cpu_set_t Set;
    CPU_ZERO(&Set);
    CPU_SET(Cpus > 0 ? (int)(Index % (unsigned long)Cpus) : 0, &Set);
    (void)sched_setaffinity(0, sizeof(Set), &Set); /* best effort: unpinned still measures */
    while (!__atomic_load_n(&Race->Go, __ATOMIC_ACQUIRE)) {
        sched_yield();
    }
    while (!__atomic_load_n(&Race->Stop, __ATOMIC_RELAXED)) {
        Race->Run(CHUNK);
        Done += CHUNK;
    }
    Race->Done[Index] = Done;
}

/* Iterations per second over all threads, one run of Seconds. */
static double Contended(const BENCH_OP *Op, unsigned Threads, double Seconds)
{
    RACE Race = {.Run = Op->Run};
    PVOID Objects[BENCH_MAX_THREADS];
    struct timespec Pause = {(time_t)Seconds, (long)((Seconds - (double)(time_t)Seconds) * 1e9)};
    double Start, Total = 0;
    StartThreads(Threads, Racer, &Race, Objects);
    while (__atomic_load_n(&Race.Ready, __ATOMIC_ACQUIRE) < Threads) {
        sched_yield();
    }
    Start = BenchNow();
    __atomic_store_n(&Race.Go, 1, __ATOMIC_RELEASE);
    nanosleep(&Pause, NULL);
    __atomic_store_n(&Race.Stop, 1, __ATOMIC_RELAXED);
    JoinThreads(Threads, Objects);
    for (unsigned I = 0; I < Threads; I++) {
        Total += (double)Race.Done[I];
    }
    return Total / (BenchNow() - Start);
}

/* Seconds for N iterations on this thread. */
static double Timed(const BENCH_OP *Op, long N)
{
    double Start = BenchNow();
    Op->Run(N);
    return BenchNow() - Start;
}

/* Grow N until a run lasts at least Seconds; returns that run's time, N updated. */
static double Calibrated(const BENCH_OP *Op, long *N, double Seconds)
{
    for (;;) {
        double Elapsed = Timed(Op, *N);
        if (Elapsed >= Seconds) {
            return Elapsed;
        }
        /* Aim a little past the target from the last rate; at most 16x per step, so a run
           that was too short to time well cannot overshoot far. */
        double Scale = Elapsed > 0 ? 1.2 * Seconds / Elapsed : 16;
        *N = (long)((double)*N * (Scale < 2 ? 2 : Scale > 16 ? 16 : Scale));
    }
}

static const BENCH_OP *Find(const BENCH_OP *Ops, size_t Count, const char *Name)
{
    for (size_t I = 0; I < Count; I++) {
        if (strcmp(Ops[I].Name, Name) == 0) {
            return &Ops[I];
        }
    }
    fprintf(stderr, "unknown operation %s (--list)\n", Name);
    exit(2);
}

int BenchMain(int argc, char **argv, const BENCH_OP *Ops, size_t Count, void (*Setup)(void))
{
    if (argc > 1 && strcmp(argv[1], "--threaded") == 0) {
        BecomeThreaded();
        argv[1] = argv[0];
        argc--;
        argv++;
    }
    if (argc == 2 && strcmp(argv[1], "--list") == 0) {
        for (size_t I = 0; I < Count; I++) {
            puts(Ops[I].Name);
        }
        return 0;
    }
    if (argc == 5 && strcmp(argv[1], "wall") == 0) {
        const BENCH_OP *Op = Find(Ops, Count, argv[2]);
        long Runs = atol(argv[4]), N = 1000;
        if (Setup != NULL) {
            Setup();
        }
        /* Calibrate once: that run is the first; the others do the same N. */
        double Elapsed = Calibrated(Op, &N, atof(argv[3]));
        for (long Run = 0; Run < Runs; Run++) {
            printf("%.2f\n", (Run > 0 ? Timed(Op, N) : Elapsed) * 1e9 / (double)N);
        }
        return 0;
    }
    if (argc == 6 && strcmp(argv[1], "contended") == 0) {
        const BENCH_OP *Op = Find(Ops, Count, argv[2]);
        unsigned Threads = (unsigned)strtoul(argv[3], NULL, 10);
        long Runs = atol(argv[5]);
        if (Setup != NULL) {
            Setup();
        }
        for (long Run = 0; Run < Runs; Run++) {
            printf("%.0f\n", Contended(Op, Threads, atof(argv[4])));
            fflush(stdout);
        }
        return 0;
    }
    if (argc != 3 || atol(argv[2]) < 0) {
        fprintf(stderr,
                "usage: %s [--threaded] <operation>|all <iterations> |\n"
                "       [--threaded] wall <operation> <seconds> <runs> |\n"
                "       contended <operation> <threads> <seconds> <runs> | --list\n",
                argv[0]);
        return 2;
    }
    long N = atol(argv[2]);
    if (Setup != NULL) {
        Setup();
    }
    if (strcmp(argv[1], "all") == 0) {
        for (size_t I = 0; I < Count; I++) {
            Ops[I].Run(N);
        }
    } else {
        Find(Ops, Count, argv[1])->Run(N);
    }
    return 0;
}
