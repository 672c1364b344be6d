/* irql/ddi.h in C++: the threaded-DPC, KeSynchronizeExecution, work-item and multiple-object
   poll cases, compiled as C++. */
#include "ddi_threaded_dpc.c"
#include "ddi_synchronize_execution.c"
#include "ddi_work_item.c"
#include "ddi_wait_multiple_poll.c"
