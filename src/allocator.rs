//! Process-wide settings of the system allocator, made once at start-up by the binary (never by
//! the library, which runs inside other programs).

/// Fixes glibc's mmap threshold at its initial 128 KB. glibc raises the threshold every time a
/// mapped block is freed, up to 32 MB, so after the first large page is dropped, every page-sized
/// buffer (texts, offset maps, hit lists: megabytes per file) comes from a per-thread heap that
/// rarely shrinks, and the heaps fragment: on the 200 MB benchmark corpus peak RSS went from
/// about 60 MB to 70-80 MB that way, with two threads. A fixed threshold maps and unmaps those
/// buffers instead, at no measurable cost in time. Other allocators are left alone.
pub fn fix_mmap_threshold() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        const THRESHOLD: libc::c_int = 128 * 1024;
        // SAFETY: `mallopt` only changes allocator parameters; glibc documents it as safe to
        // call at any time (it takes the allocator's own locks). It returns 0 when it rejects a
        // value, which leaves the defaults in place: nothing to handle.
        #[allow(unsafe_code)]
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, THRESHOLD);
        }
    }
}
