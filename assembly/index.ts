// Placeholder entry so the build runs while the filter is written.
export function proxy_abi_version_0_2_1(): void {}
export function proxy_on_memory_allocate(size: usize): usize { return heap.alloc(size); }
export function malloc(size: usize): usize { return heap.alloc(size); }
