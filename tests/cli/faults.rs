//! Faults during a run: a full disk, a file-size limit, the input deleted while it is read.
//! Each ends in a clear error or a correct result, and never loses the previous report.

use std::path::{Path, PathBuf};

use crate::{notice, run_ok, stderr, uptick};

fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Entries of the output root besides the week folders and the archive index (staging or
/// backup leftovers).
fn leftovers(root: &Path) -> Vec<String> {
    std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "2019-W41" && n != ".uptick.lock" && !n.starts_with("index."))
        .collect()
}

/// Runs `report --demo` into `root` and returns the previous report's two main files.
fn first_report(root: &Path) -> (Vec<u8>, Vec<u8>) {
    run_ok(
        uptick()
            .args(["report", "--demo", "--quiet", "--out"])
            .arg(root),
    );
    let week = root.join("2019-W41");
    (
        read(&week.join("report.md")),
        read(&week.join("report.json")),
    )
}

fn assert_intact(root: &Path, before: &(Vec<u8>, Vec<u8>)) {
    let week = root.join("2019-W41");
    assert!(
        read(&week.join("report.md")) == before.0,
        "report.md changed"
    );
    assert!(
        read(&week.join("report.json")) == before.1,
        "report.json changed"
    );
    assert!(
        leftovers(root).is_empty(),
        "left behind: {:?}",
        leftovers(root)
    );
}

/// A file-size limit (`ulimit -f`, enforced by the kernel with EFBIG) stops the rerun with
/// an error naming what could not be written; the previous report stays as it was.
#[cfg(unix)]
#[test]
fn a_file_size_limit_is_a_clear_error() {
    let root = tempfile::tempdir().unwrap();
    let before = first_report(root.path());
    // 16 blocks: enough for the lock file, not for a chart.
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg("ulimit -f 16 && exec \"$0\" report --demo --quiet --out \"$1\"")
        .arg(env!("CARGO_BIN_EXE_uptick"))
        .arg(root.path())
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("File too large"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_intact(root.path(), &before);
}

/// Mounts a tmpfs of `kib` KiB at a new temporary folder; unmounts on drop.
struct TinyFs {
    dir: tempfile::TempDir,
}

impl TinyFs {
    fn mount(kib: u32) -> Option<TinyFs> {
        let dir = tempfile::tempdir().ok()?;
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={kib}k"), "tmpfs"])
            .arg(dir.path())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then_some(TinyFs { dir })
    }

    fn path(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }
}

impl Drop for TinyFs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg(self.dir.path())
            .status();
    }
}

/// A really full disk (ENOSPC on a small tmpfs): the rerun fails with a clear error, the
/// previous report stays, and no staging folder is left to fill the disk further.
#[cfg(unix)]
#[test]
fn a_full_disk_is_a_clear_error() {
    let Some(fs) = TinyFs::mount(2048) else {
        notice("disk-full test: cannot mount a tmpfs here (needs root)");
        return;
    };
    let root = fs.path().join("reports");
    let before = first_report(&root);
    // Fill what is left, but for a few KiB.
    let filler = fs.path().join("filler");
    {
        use std::io::Write as _;
        let mut f = std::fs::File::create(&filler).unwrap();
        let block = vec![0u8; 4096];
        while f.write_all(&block).is_ok() {}
    }
    let size = std::fs::metadata(&filler).unwrap().len();
    std::fs::write(&filler, vec![0u8; size as usize - 16 * 1024]).unwrap();
    let out = uptick()
        .args(["report", "--demo", "--quiet", "--out"])
        .arg(&root)
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("No space left on device"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_intact(&root, &before);
}

/// The input is deleted while uptick reads it (a FIFO, so the deletion happens between two
/// known rows): uptick holds the open file, so every row is still read and counted.
#[cfg(unix)]
#[test]
fn input_deleted_mid_run_is_still_read_whole() {
    use std::io::Write as _;
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("live.csv");
    let c_path = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_uptick"))
        .args(["series", "--as-of", "2024-03-01", "--date-col", "date"])
        .args(["--region-col", "region", "-i"])
        .arg(&fifo)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut writer = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
    writeln!(writer, "date,region").unwrap();
    for i in 0..500 {
        writeln!(writer, "2024-01-{:02},North", 1 + i % 28).unwrap();
    }
    writer.flush().unwrap();
    std::fs::remove_file(&fifo).unwrap();
    for i in 0..500 {
        writeln!(writer, "2024-01-{:02},South", 1 + i % 28).unwrap();
    }
    drop(writer);
    let out = child.wait_with_output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("1000 rows read") && err.contains("1000 kept"),
        "{err}"
    );
}

/// An input that is gone before the run starts is a clear error, and the report it would
/// have replaced stays.
#[test]
fn a_missing_input_keeps_the_previous_report() {
    let root = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let input = data.path().join("events.csv");
    let mut text = String::from("date,region\n");
    for w in 0..60 {
        text.push_str(&format!(
            "{},North\n",
            chrono::NaiveDate::from_ymd_opt(2019, 1, 7).unwrap() + chrono::Duration::days(7 * w)
        ));
    }
    std::fs::write(&input, text).unwrap();
    let config = data.path().join("uptick.toml");
    std::fs::write(
        &config,
        format!(
            "[input]\npath = {:?}\ndate_col = \"date\"\nregion_cols = [\"region\"]\n[output]\nroot = {:?}\n",
            input, root.path()
        ),
    )
    .unwrap();
    let args = ["report", "--quiet", "--as-of", "2020-03-01", "--config"];
    run_ok(uptick().args(args).arg(&config));
    let snapshot = |root: &Path| -> Vec<(String, Vec<u8>)> {
        let mut all = Vec::new();
        for week in std::fs::read_dir(root).unwrap() {
            let week = week.unwrap().path();
            if week.is_dir() {
                for f in ["report.md", "report.json"] {
                    all.push((week.join(f).display().to_string(), read(&week.join(f))));
                }
            }
        }
        all.sort();
        all
    };
    let before = snapshot(root.path());
    assert!(!before.is_empty());
    std::fs::remove_file(&input).unwrap();
    let out = uptick().args(args).arg(&config).output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("events.csv"), "{err}");
    assert_eq!(snapshot(root.path()), before);
}
