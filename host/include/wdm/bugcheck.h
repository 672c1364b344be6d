/*
 * KeBugCheckEx and the stop codes the host kernel raises. A bug check prints a report (code,
 * name, parameters, IRQL, thread, backtrace) and ends the process, unless a test catches it
 * through <irql/host.h>.
 */
#ifndef IRQL_HOST_WDM_BUGCHECK_H
#define IRQL_HOST_WDM_BUGCHECK_H

#define IRQL_NOT_LESS_OR_EQUAL                 0x0000000AUL
#define PFN_LIST_CORRUPT                       0x0000004EUL
#define KMODE_EXCEPTION_NOT_HANDLED            0x0000001EUL
#define APC_INDEX_MISMATCH                     0x00000001UL
#define THREAD_NOT_MUTEX_OWNER                 0x00000011UL
#define SPIN_LOCK_ALREADY_OWNED                0x0000000FUL
#define SPIN_LOCK_NOT_OWNED                    0x00000010UL
#define MUTEX_LEVEL_NUMBER_VIOLATION           0x0000000DUL
#define MAXIMUM_WAIT_OBJECTS_EXCEEDED          0x0000000CUL
#define INVALID_KERNEL_HANDLE                  0x00000093UL
#define INVALID_PROCESS_ATTACH_ATTEMPT         0x00000005UL
#define SYSTEM_THREAD_EXCEPTION_NOT_HANDLED    0x0000007EUL
#define KERNEL_APC_PENDING_DURING_EXIT         0x00000020UL
#define SYSTEM_EXIT_OWNED_MUTEX                0x00000039UL
#define BAD_POOL_HEADER                        0x00000019UL
#define BAD_POOL_CALLER                        0x000000C2UL
#define DRIVER_VERIFIER_DETECTED_VIOLATION     0x000000C4UL
#define DRIVER_IRQL_NOT_LESS_OR_EQUAL          0x000000D1UL
#define DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS 0x000000CEUL
#define TIMER_OR_DPC_INVALID                   0x000000C7UL
#define IRQL_UNEXPECTED_VALUE                  0x000000C8UL
#define RESOURCE_NOT_OWNED                     0x000000E3UL
#define WORKER_THREAD_RETURNED_WITH_BAD_IRQL   0x000000E1UL
#define MANUALLY_INITIATED_CRASH               0x000000E2UL
#define THREAD_TERMINATE_HELD_MUTEX            0x4000008AUL
#define DRIVER_LEFT_LOCKED_PAGES_IN_PROCESS    0x000000CBUL

IRQL_HOST_BEGIN_DECLS

DECLSPEC_NORETURN NTKERNELAPI VOID KeBugCheckEx(_In_ ULONG BugCheckCode,
                                                _In_ ULONG_PTR BugCheckParameter1,
                                                _In_ ULONG_PTR BugCheckParameter2,
                                                _In_ ULONG_PTR BugCheckParameter3,
                                                _In_ ULONG_PTR BugCheckParameter4);

DECLSPEC_NORETURN NTKERNELAPI VOID KeBugCheck(_In_ ULONG BugCheckCode);

IRQL_HOST_END_DECLS

#endif
