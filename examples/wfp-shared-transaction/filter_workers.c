// Modelled on a WFP-based network extension (eBPF for Windows' netebpfext): two system
// threads each install a set of filters through the one global engine handle opened at
// driver load. WFP allows one explicit transaction per engine session: when the second
// thread calls FwpmTransactionBegin0 while the first one's transaction is open, it fails
// with FWP_E_TXN_IN_PROGRESS (or, with a different session configuration, waits on the
// first), and the add/commit sequence that follows runs outside any transaction.

#include <ntddk.h>
#include <fwpmk.h>

static HANDLE g_engine_handle;

typedef struct _filter_batch
{
    const GUID* layer;
    const GUID* sublayer;
    UINT32 count;
    FWPM_FILTER0* filters;
    UINT64* filter_ids;
} filter_batch_t;

static filter_batch_t g_ipv4_batch;
static filter_batch_t g_ipv6_batch;

static NTSTATUS
_add_filter_batch(filter_batch_t* batch)
{
    NTSTATUS status;
    UINT32 i;

    // BUG: no serialization around the transaction on the shared engine handle.
    status = FwpmTransactionBegin0(g_engine_handle, 0); // expect: shared-handle-txn
    if (!NT_SUCCESS(status)) {
        return status;
    }
    for (i = 0; i < batch->count; i++) {
        batch->filters[i].layerKey = *batch->layer;
        batch->filters[i].subLayerKey = *batch->sublayer;
        status = FwpmFilterAdd0(g_engine_handle, &batch->filters[i], NULL, &batch->filter_ids[i]);
        if (!NT_SUCCESS(status)) {
            FwpmTransactionAbort0(g_engine_handle);
            return status;
        }
    }
    return FwpmTransactionCommit0(g_engine_handle);
}

static VOID
_ipv4_worker(PVOID context)
{
    UNREFERENCED_PARAMETER(context);
    (void)_add_filter_batch(&g_ipv4_batch);
    PsTerminateSystemThread(STATUS_SUCCESS);
}

static VOID
_ipv6_worker(PVOID context)
{
    UNREFERENCED_PARAMETER(context);
    (void)_add_filter_batch(&g_ipv6_batch);
    PsTerminateSystemThread(STATUS_SUCCESS);
}

NTSTATUS
net_ebpf_ext_register_filters(void)
{
    HANDLE threads[2] = {NULL, NULL};
    PVOID objects[2] = {NULL, NULL};
    NTSTATUS status;
    int i;

    status = PsCreateSystemThread(&threads[0], THREAD_ALL_ACCESS, NULL, NULL, NULL, _ipv4_worker, NULL);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    status = PsCreateSystemThread(&threads[1], THREAD_ALL_ACCESS, NULL, NULL, NULL, _ipv6_worker, NULL);
    if (!NT_SUCCESS(status)) {
        threads[1] = NULL;
    }
    for (i = 0; i < 2; i++) {
        if (threads[i] == NULL) {
            continue;
        }
        ObReferenceObjectByHandle(threads[i], SYNCHRONIZE, *PsThreadType, KernelMode, &objects[i], NULL);
        ZwClose(threads[i]);
        KeWaitForSingleObject(objects[i], Executive, KernelMode, FALSE, NULL);
        ObDereferenceObject(objects[i]);
    }
    return status;
}
