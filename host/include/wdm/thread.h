/*
 * Threads, object references and handles.
 *
 * PsCreateSystemThread runs its start routine at PASSIVE_LEVEL on a new host thread. A thread
 * object is a dispatcher object (signalled once the thread has ended) with a reference count:
 * the thread itself and every handle and pointer reference keep it alive. Threads the host
 * created some other way (pthreads in a test) get an object on first use.
 *
 * When a system thread ends (returns or PsTerminateSystemThread) the kernel's exit checks run:
 * holding a KMUTEX bug-checks 0x4000008A THREAD_TERMINATE_HELD_MUTEX (P1 thread, P2 mutex); a
 * raised IRQL or an APC-disable count left non-zero (unbalanced critical or guarded region)
 * bug-checks 0x20 KERNEL_APC_PENDING_DURING_EXIT (P1 0, P2 the KTHREAD's CombinedApcDisable,
 * P3 the IRQL). Any other host thread that ends holding a KMUTEX bug-checks 0x4000008A too.
 */
#ifndef IRQL_HOST_WDM_THREAD_H
#define IRQL_HOST_WDM_THREAD_H

typedef struct _KTHREAD *PKTHREAD, *PRKTHREAD;
typedef struct _ETHREAD *PETHREAD;
typedef struct _OBJECT_TYPE *POBJECT_TYPE;

#ifndef SYNCHRONIZE
#define DELETE 0x00010000UL
#define READ_CONTROL 0x00020000UL
#define WRITE_DAC 0x00040000UL
#define WRITE_OWNER 0x00080000UL
#define SYNCHRONIZE 0x00100000UL
#define STANDARD_RIGHTS_REQUIRED 0x000F0000UL
#define STANDARD_RIGHTS_ALL 0x001F0000UL
#define GENERIC_READ 0x80000000UL
#define GENERIC_WRITE 0x40000000UL
#define GENERIC_EXECUTE 0x20000000UL
#define GENERIC_ALL 0x10000000UL
#endif
#define THREAD_TERMINATE 0x0001
#define THREAD_QUERY_INFORMATION 0x0040
#define THREAD_SET_INFORMATION 0x0020
#define THREAD_ALL_ACCESS (STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE | 0xFFFF)

#define OBJ_INHERIT 0x00000002L
#define OBJ_PERMANENT 0x00000010L
#define OBJ_EXCLUSIVE 0x00000020L
#define OBJ_CASE_INSENSITIVE 0x00000040L
#define OBJ_OPENIF 0x00000080L
#define OBJ_OPENLINK 0x00000100L
#define OBJ_KERNEL_HANDLE 0x00000200L
#define OBJ_FORCE_ACCESS_CHECK 0x00000400L

struct _UNICODE_STRING;

typedef struct _OBJECT_ATTRIBUTES {
    ULONG Length;
    HANDLE RootDirectory;
    struct _UNICODE_STRING *ObjectName;
    ULONG Attributes;
    PVOID SecurityDescriptor;
    PVOID SecurityQualityOfService;
} OBJECT_ATTRIBUTES, *POBJECT_ATTRIBUTES;

#define InitializeObjectAttributes(p, n, a, r, s) \
    do {                                          \
        (p)->Length = sizeof(OBJECT_ATTRIBUTES);  \
        (p)->RootDirectory = (r);                 \
        (p)->Attributes = (a);                    \
        (p)->ObjectName = (n);                    \
        (p)->SecurityDescriptor = (s);            \
        (p)->SecurityQualityOfService = NULL;     \
    } while (0)

typedef struct _CLIENT_ID {
    HANDLE UniqueProcess;
    HANDLE UniqueThread;
} CLIENT_ID, *PCLIENT_ID;

typedef struct _OBJECT_HANDLE_INFORMATION {
    ULONG HandleAttributes;
    ACCESS_MASK GrantedAccess;
} OBJECT_HANDLE_INFORMATION, *POBJECT_HANDLE_INFORMATION;

/* Pseudo-handles: valid in ObReferenceObjectByHandle, never closed. */
#define NtCurrentProcess() ((HANDLE)(LONG_PTR)-1)
#define ZwCurrentProcess() NtCurrentProcess()
#define NtCurrentThread() ((HANDLE)(LONG_PTR)-2)
#define ZwCurrentThread() NtCurrentThread()

typedef VOID KSTART_ROUTINE(_In_ PVOID StartContext);
typedef KSTART_ROUTINE *PKSTART_ROUTINE;

IRQL_HOST_BEGIN_DECLS

/* Object types for ObReferenceObjectByHandle. */
extern POBJECT_TYPE *PsThreadType;

/* The calling thread's object, created on first use for a thread the host did not start (the
   out-of-line half of KeGetCurrentThread; not API). */
NTKERNELAPI PKTHREAD IrqlpAttachCurrentThread(VOID);

/* The calling thread's object (created on first use for a thread the host did not start).
   Inline, as on x64 (a read of the KPCR there, of a thread-local here); exported too. */
IRQL_HOST_INLINE PKTHREAD KeGetCurrentThread(VOID)
{
    PKTHREAD Thread = IRQLP_HOST_PCR()->CurrentThread;
    if (__builtin_expect(Thread == NULL, 0)) {
        Thread = IrqlpAttachCurrentThread();
    }
    return Thread;
}
NTKERNELAPI PETHREAD PsGetCurrentThread(VOID);
NTKERNELAPI HANDLE PsGetCurrentThreadId(VOID);
NTKERNELAPI HANDLE PsGetCurrentProcessId(VOID); /* the host is the System process: 4 */
NTKERNELAPI BOOLEAN PsIsSystemThread(_In_ PETHREAD Thread);

/*
 * Start StartRoutine(StartContext) at PASSIVE_LEVEL on a new thread; *ThreadHandle is a kernel
 * handle to it (close with ZwClose). ProcessHandle must be NULL or NtCurrentProcess(). Outside
 * PASSIVE_LEVEL: DDI rule IrqlPsPassive, 0xC4/0x2001C.
 */
_IRQL_requires_max_(PASSIVE_LEVEL)
NTKERNELAPI NTSTATUS PsCreateSystemThread(_Out_ PHANDLE ThreadHandle, _In_ ULONG DesiredAccess,
                                          _In_opt_ POBJECT_ATTRIBUTES ObjectAttributes,
                                          _In_opt_ HANDLE ProcessHandle,
                                          _Out_opt_ PCLIENT_ID ClientId,
                                          _In_ PKSTART_ROUTINE StartRoutine,
                                          _In_opt_ PVOID StartContext);

/* End the calling system thread (does not return); returns STATUS_INVALID_PARAMETER on a
   thread PsCreateSystemThread did not start. Outside PASSIVE_LEVEL: 0xC4/0x2001C. */
_IRQL_requires_max_(PASSIVE_LEVEL)
NTKERNELAPI NTSTATUS PsTerminateSystemThread(_In_ NTSTATUS ExitStatus);

/*
 * Take a pointer reference through a handle. Outside PASSIVE_LEVEL: DDI rule IrqlObPassive,
 * 0xC4/0x2001B. A NULL handle is Driver Verifier's 0xC4/0xF5, any other invalid one 0xC4/0x3C
 * (P2 the handle, P3 the type), a UserMode reference to a kernel handle 0xC4/0xF7. A handle to
 * an object of another type returns STATUS_OBJECT_TYPE_MISMATCH.
 */
_IRQL_requires_max_(PASSIVE_LEVEL)
NTKERNELAPI NTSTATUS ObReferenceObjectByHandle(_In_ HANDLE Handle, _In_ ACCESS_MASK DesiredAccess,
                                               _In_opt_ POBJECT_TYPE ObjectType,
                                               _In_ KPROCESSOR_MODE AccessMode,
                                               _Out_ PVOID *Object,
                                               _Out_opt_ POBJECT_HANDLE_INFORMATION
                                                   HandleInformation);

/* Reference counts; return the new count. Referencing or dereferencing an object whose count
   is already zero (or a pointer that is no object) is Driver Verifier's 0xC4/0x3F. */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI LONG_PTR ObfReferenceObject(_In_ PVOID Object);
_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI LONG_PTR ObfDereferenceObject(_In_ PVOID Object);
#define ObReferenceObject(Object) ObfReferenceObject(Object)
#define ObDereferenceObject(Object) ObfDereferenceObject(Object)

/* Close a handle. An invalid one bug-checks 0x93 INVALID_KERNEL_HANDLE (P1 handle, P2 1);
   outside PASSIVE_LEVEL: DDI rule IrqlZwPassive, 0xC4/0x2001F. */
_IRQL_requires_max_(PASSIVE_LEVEL)
NTSYSAPI NTSTATUS ZwClose(_In_ HANDLE Handle);

IRQL_HOST_END_DECLS

#endif
