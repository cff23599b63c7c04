//! What `std` would provide to the tag build (feature `std` off): the panic
//! handler and the allocator.

/// A panic traps: the host's guarded callback (`cb`) catches the trap, logs one message and
/// quiets the tag. Formatting a message would cost kilobytes of wasm, and the
/// tag checks its input instead of panicking on it.
#[panic_handler]
fn on_panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}

// SAFETY: the tag is single-threaded (wasm32 without the `atomics` feature,
// checked in `web/mod.rs`), as `AssumeSingleThreaded` requires.
#[global_allocator]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };
