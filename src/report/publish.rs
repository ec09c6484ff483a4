//! Publishing a report into `ROOT/YYYY-Www/` safely: one lock file per output root, so two
//! runs cannot interleave (a lock left by a killed run is taken over), leftovers of killed
//! runs cleaned up, and the finished folder swapped into place in one atomic step.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Holds the output root's lock file; removes it when dropped.
pub struct Lock(PathBuf);

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Takes the output root's lock file; the lock is released when the returned value drops.
///
/// # Errors
/// Another live run holds it, or it cannot be created.
pub fn lock(root: &Path) -> Result<Lock> {
    let path = root.join(".uptick.lock");
    for _ in 0..2 {
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(mut f) => {
                use std::io::Write;
                let _ = writeln!(f, "{}", std::process::id());
                return Ok(Lock(path));
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let pid = std::fs::read_to_string(&path)
                    .ok()
                    .and_then(|s| s.trim().parse::<u32>().ok());
                let alive = pid.is_some_and(|p| Path::new(&format!("/proc/{p}")).exists());
                if alive || pid.is_none() && cfg!(not(target_os = "linux")) {
                    return Err(Error::Locked {
                        root: root.to_path_buf(),
                        pid: pid.map_or("unknown".into(), |p| p.to_string()),
                        lock: path,
                    });
                }
                // The holder died (killed run): the lock is stale.
                let _ = std::fs::remove_file(&path);
            }
            Err(source) => return Err(Error::Write { path, source }),
        }
    }
    Err(Error::Write {
        path,
        source: std::io::Error::other("could not take the lock file"),
    })
}

/// Removes temporary directories left by killed runs. A previous report that a killed run had
/// moved aside (only possible where the atomic exchange is unsupported) is put back first.
pub fn clean_leftovers(root: &Path) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if let Some(label) = name
            .strip_prefix('.')
            .and_then(|n| n.split_once(".old-"))
            .map(|(l, _)| l.to_string())
        {
            let target = root.join(&label);
            if !target.exists() && std::fs::rename(e.path(), &target).is_ok() {
                continue;
            }
        }
        if name.starts_with('.') && (name.contains(".tmp-") || name.contains(".old-")) {
            let _ = std::fs::remove_dir_all(e.path());
        }
        // A file a killed run was writing atomically (the archive index).
        if name.starts_with('.') && name.contains(".uptick-tmp-") && e.path().is_file() {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// Atomically exchanges two paths (Linux `renameat2(RENAME_EXCHANGE)`); false where the
/// kernel or filesystem does not support it.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> bool {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let (Ok(a), Ok(b)) = (
        CString::new(a.as_os_str().as_bytes()),
        CString::new(b.as_os_str().as_bytes()),
    ) else {
        return false;
    };
    // SAFETY: both arguments are valid NUL-terminated paths for the duration of the call.
    unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        ) == 0
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> bool {
    false
}

/// Puts the finished directory `tmp` at `target`. With a previous report there, the two are
/// exchanged in one atomic step where possible, so at every instant `target` is a complete
/// report; otherwise the old one is moved aside first (and restored by the next run if this
/// one is killed in between).
///
/// # Errors
/// A rename fails (the previous report is put back).
pub fn swap_into_place(tmp: &Path, target: &Path, aside: &Path) -> Result<()> {
    if !target.exists() {
        return std::fs::rename(tmp, target).map_err(|source| Error::Write {
            path: target.to_path_buf(),
            source,
        });
    }
    if exchange(tmp, target) {
        let _ = std::fs::remove_dir_all(tmp);
        return Ok(());
    }
    std::fs::rename(target, aside).map_err(|source| Error::Write {
        path: aside.to_path_buf(),
        source,
    })?;
    if let Err(source) = std::fs::rename(tmp, target) {
        let _ = std::fs::rename(aside, target);
        return Err(Error::Write {
            path: target.to_path_buf(),
            source,
        });
    }
    let _ = std::fs::remove_dir_all(aside);
    Ok(())
}
