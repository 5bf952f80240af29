// Modelled on eBPF for Windows: an extension (hook) provider is detached while the core is
// iterating over its clients inside an epoch read section. The detach callback is reached
// through a function pointer and calls ebpf_epoch_synchronize() to wait for in-flight
// invocations before freeing the client context.
//
// Each function is fine on its own: _hook_client_detach holds nothing, and
// ebpf_extension_provider_unload only calls through a pointer. Only an interprocedural
// analysis (resolving client->dispatch->detach to _hook_client_detach) sees the
// synchronize inside the epoch section.

#include "ebpf_epoch.h"
#include "ebpf_extension.h"
#include "ebpf_platform.h"

typedef struct _ebpf_extension_client ebpf_extension_client_t;

typedef struct _ebpf_extension_dispatch
{
    void (*invoke)(ebpf_extension_client_t* client, void* context);
    void (*detach)(ebpf_extension_client_t* client);
} ebpf_extension_dispatch_t;

struct _ebpf_extension_client
{
    ebpf_list_entry_t entry;
    const ebpf_extension_dispatch_t* dispatch;
    void* client_binding_context;
    volatile long invocations;
};

typedef struct _ebpf_extension_provider
{
    ebpf_lock_t lock;
    ebpf_list_entry_t clients;
    bool unloading;
} ebpf_extension_provider_t;

// Detach callback of the XDP hook client.
static void
_hook_client_detach(ebpf_extension_client_t* client)
{
    // Wait for any invocation that started before the detach to finish...
    ebpf_epoch_synchronize();
    // ...then free the binding context.
    ebpf_free(client->client_binding_context);
    client->client_binding_context = NULL;
}

const ebpf_extension_dispatch_t _hook_client_dispatch = {
    .invoke = NULL,
    .detach = _hook_client_detach,
};

void
ebpf_extension_provider_unload(ebpf_extension_provider_t* provider)
{
    ebpf_epoch_state_t epoch_state = {0};
    ebpf_list_entry_t* entry;

    ebpf_epoch_enter(&epoch_state);
    provider->unloading = true;
    for (entry = provider->clients.Flink; entry != &provider->clients; entry = entry->Flink) {
        ebpf_extension_client_t* client = CONTAINING_RECORD(entry, ebpf_extension_client_t, entry);
        client->dispatch->detach(client); // expect: sync-in-read-section
    }
    ebpf_epoch_exit(&epoch_state);
}
