/*
 * The driver object: DRIVER_OBJECT, DRIVER_EXTENSION, the IRP_MJ_* codes and the driver
 * routine types (DRIVER_INITIALIZE, DRIVER_UNLOAD, DRIVER_DISPATCH, DRIVER_ADD_DEVICE,
 * DRIVER_STARTIO), with the WDK's names and x64 layout.
 *
 * The host kernel has no I/O manager: devices and IRPs are not emulated (DEVICE_OBJECT, IRP and
 * FAST_IO_DISPATCH are incomplete types here), so MajorFunction entries are stored but never
 * called by the host. A driver object is created by IrqlHostLoadDriver (<irql/host.h>), which
 * runs DriverEntry at PASSIVE_LEVEL on a system thread, and destroyed by IrqlHostUnloadDriver,
 * which runs DriverUnload the same way and then checks what the driver left behind.
 */
#ifndef IRQL_HOST_WDM_DRIVER_H
#define IRQL_HOST_WDM_DRIVER_H

/* Major function codes (the index into DRIVER_OBJECT.MajorFunction). */
#define IRP_MJ_CREATE                   0x00
#define IRP_MJ_CREATE_NAMED_PIPE        0x01
#define IRP_MJ_CLOSE                    0x02
#define IRP_MJ_READ                     0x03
#define IRP_MJ_WRITE                    0x04
#define IRP_MJ_QUERY_INFORMATION        0x05
#define IRP_MJ_SET_INFORMATION          0x06
#define IRP_MJ_QUERY_EA                 0x07
#define IRP_MJ_SET_EA                   0x08
#define IRP_MJ_FLUSH_BUFFERS            0x09
#define IRP_MJ_QUERY_VOLUME_INFORMATION 0x0a
#define IRP_MJ_SET_VOLUME_INFORMATION   0x0b
#define IRP_MJ_DIRECTORY_CONTROL        0x0c
#define IRP_MJ_FILE_SYSTEM_CONTROL      0x0d
#define IRP_MJ_DEVICE_CONTROL           0x0e
#define IRP_MJ_INTERNAL_DEVICE_CONTROL  0x0f
#define IRP_MJ_SHUTDOWN                 0x10
#define IRP_MJ_LOCK_CONTROL             0x11
#define IRP_MJ_CLEANUP                  0x12
#define IRP_MJ_CREATE_MAILSLOT          0x13
#define IRP_MJ_QUERY_SECURITY           0x14
#define IRP_MJ_SET_SECURITY             0x15
#define IRP_MJ_POWER                    0x16
#define IRP_MJ_SYSTEM_CONTROL           0x17
#define IRP_MJ_DEVICE_CHANGE            0x18
#define IRP_MJ_QUERY_QUOTA              0x19
#define IRP_MJ_SET_QUOTA                0x1a
#define IRP_MJ_PNP                      0x1b
#define IRP_MJ_PNP_POWER                IRP_MJ_PNP
#define IRP_MJ_MAXIMUM_FUNCTION         0x1b
#define IRP_MJ_SCSI                     IRP_MJ_INTERNAL_DEVICE_CONTROL

/* Object type codes (CSHORT Type of the I/O objects). */
#define IO_TYPE_DRIVER 0x00000004
#define IO_TYPE_DEVICE 0x00000003

/* DRIVER_OBJECT.Flags */
#define DRVO_UNLOAD_INVOKED 0x00000001
#define DRVO_LEGACY_DRIVER  0x00000002

struct _DRIVER_OBJECT;
struct _DEVICE_OBJECT; /* not emulated */
struct _IRP;           /* not emulated */
struct _FAST_IO_DISPATCH;
typedef struct _DEVICE_OBJECT *PDEVICE_OBJECT;
typedef struct _IRP *PIRP;
typedef struct _FAST_IO_DISPATCH *PFAST_IO_DISPATCH;

typedef _Function_class_(DRIVER_INITIALIZE) _IRQL_requires_(PASSIVE_LEVEL) _IRQL_requires_same_
NTSTATUS DRIVER_INITIALIZE(_In_ struct _DRIVER_OBJECT *DriverObject,
                           _In_ PUNICODE_STRING RegistryPath);
typedef DRIVER_INITIALIZE *PDRIVER_INITIALIZE;

typedef _Function_class_(DRIVER_UNLOAD) _IRQL_requires_(PASSIVE_LEVEL) _IRQL_requires_same_
VOID DRIVER_UNLOAD(_In_ struct _DRIVER_OBJECT *DriverObject);
typedef DRIVER_UNLOAD *PDRIVER_UNLOAD;

typedef _Function_class_(DRIVER_DISPATCH) _IRQL_requires_max_(DISPATCH_LEVEL)
_IRQL_requires_same_
NTSTATUS DRIVER_DISPATCH(_In_ struct _DEVICE_OBJECT *DeviceObject, _Inout_ struct _IRP *Irp);
typedef DRIVER_DISPATCH *PDRIVER_DISPATCH;

typedef _Function_class_(DRIVER_STARTIO) _IRQL_requires_(DISPATCH_LEVEL) _IRQL_requires_same_
VOID DRIVER_STARTIO(_Inout_ struct _DEVICE_OBJECT *DeviceObject, _Inout_ struct _IRP *Irp);
typedef DRIVER_STARTIO *PDRIVER_STARTIO;

typedef _Function_class_(DRIVER_ADD_DEVICE) _IRQL_requires_(PASSIVE_LEVEL) _IRQL_requires_same_
NTSTATUS DRIVER_ADD_DEVICE(_In_ struct _DRIVER_OBJECT *DriverObject,
                           _In_ struct _DEVICE_OBJECT *PhysicalDeviceObject);
typedef DRIVER_ADD_DEVICE *PDRIVER_ADD_DEVICE;

typedef struct _DRIVER_EXTENSION {
    struct _DRIVER_OBJECT *DriverObject;
    PDRIVER_ADD_DEVICE AddDevice;
    ULONG Count;                   /* reinitialisation count */
    UNICODE_STRING ServiceKeyName; /* the name given to IrqlHostLoadDriver */
} DRIVER_EXTENSION, *PDRIVER_EXTENSION;

typedef struct _DRIVER_OBJECT {
    CSHORT Type;                   /* IO_TYPE_DRIVER */
    CSHORT Size;                   /* sizeof(DRIVER_OBJECT) */
    PDEVICE_OBJECT DeviceObject;   /* NULL: no devices on the host */
    ULONG Flags;
    PVOID DriverStart;             /* the loaded module that contains DriverEntry */
    ULONG DriverSize;
    PVOID DriverSection;
    PDRIVER_EXTENSION DriverExtension;
    UNICODE_STRING DriverName;     /* \Driver\<name> */
    PUNICODE_STRING HardwareDatabase;
    PFAST_IO_DISPATCH FastIoDispatch;
    PDRIVER_INITIALIZE DriverInit;
    PDRIVER_STARTIO DriverStartIo;
    PDRIVER_UNLOAD DriverUnload;   /* set by DriverEntry; NULL: the driver cannot be unloaded */
    PDRIVER_DISPATCH MajorFunction[IRP_MJ_MAXIMUM_FUNCTION + 1];
} DRIVER_OBJECT, *PDRIVER_OBJECT;

#endif
