//! Limits of the helper processes extraction starts (the isolated parser, Tesseract,
//! pdftoppm).

use std::process::Command;

/// Cap the address space of this process (Unix; elsewhere nothing happens).
#[allow(unsafe_code)]
pub(crate) fn cap_own_memory(mib: u64) {
    #[cfg(unix)]
    {
        let mem = mib.saturating_mul(1024 * 1024);
        let lim = libc::rlimit { rlim_cur: mem as libc::rlim_t, rlim_max: mem as libc::rlim_t };
        // SAFETY: setrlimit reads the struct we pass; no memory is shared.
        unsafe {
            libc::setrlimit(libc::RLIMIT_AS, &lim);
        }
    }
    #[cfg(not(unix))]
    let _ = mib;
}

/// Cap the address space of a child process (Unix; elsewhere nothing happens). This makes
/// `spawn` fork the whole parent (a `pre_exec` hook rules out `posix_spawn`), so it is only
/// for programs that cannot cap themselves (Tesseract, pdftoppm), whose work dwarfs a fork.
#[allow(unsafe_code)]
pub(crate) fn cap_memory(cmd: &mut Command, mib: u64) {
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        // SAFETY: only async-signal-safe calls (setrlimit) between fork and exec.
        unsafe {
            cmd.pre_exec(move || {
                cap_own_memory(mib);
                Ok(())
            });
        }
    }
    #[cfg(not(unix))]
    let _ = (cmd, mib);
}
