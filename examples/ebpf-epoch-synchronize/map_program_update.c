// Modelled on eBPF for Windows: replacing the program stored in a program-array slot.
// The whole update runs inside an epoch read section (the caller pattern of
// ebpf_core_invoke_protocol_handler), and the update waits for an epoch grace period
// before releasing the old program: ebpf_epoch_synchronize() waits for every thread that
// is inside an epoch section, including this one, so it never returns.

#include "ebpf_epoch.h"
#include "ebpf_maps.h"
#include "ebpf_platform.h"
#include "ebpf_program.h"

typedef struct _ebpf_prog_array_map
{
    ebpf_core_map_t core_map;
    ebpf_lock_t lock;
    uint32_t max_entries;
    ebpf_program_t** programs;
} ebpf_prog_array_map_t;

static ebpf_result_t
_validate_program_type(const ebpf_prog_array_map_t* map, const ebpf_program_t* program)
{
    if (!ebpf_program_type_matches(program, map->core_map.ebpf_map_definition.inner_map_id)) {
        return EBPF_INVALID_FD;
    }
    return EBPF_SUCCESS;
}

ebpf_result_t
ebpf_prog_array_update_entry(
    ebpf_prog_array_map_t* map, uint32_t index, ebpf_program_t* program)
{
    ebpf_epoch_state_t epoch_state = {0};
    ebpf_program_t* old_program = NULL;
    ebpf_lock_state_t lock_state;
    ebpf_result_t result = EBPF_SUCCESS;

    if (index >= map->max_entries) {
        return EBPF_INVALID_ARGUMENT;
    }

    ebpf_epoch_enter(&epoch_state);

    if (program != NULL) {
        result = _validate_program_type(map, program);
        if (result != EBPF_SUCCESS) {
            goto Exit;
        }
        ebpf_program_acquire_reference(program);
    }

    lock_state = ebpf_lock_lock(&map->lock);
    old_program = map->programs[index];
    map->programs[index] = program;
    ebpf_lock_unlock(&map->lock, lock_state);

    if (old_program != NULL) {
        // Wait until no tail call can still be running the old program, then drop it.
        // BUG: we are still inside ebpf_epoch_enter(); this grace period includes us.
        ebpf_epoch_synchronize(); // expect: sync-in-read-section
        ebpf_program_release_reference(old_program);
    }

Exit:
    ebpf_epoch_exit(&epoch_state);
    return result;
}
