//! `microconv publish`: the rules file checked as `check` does, then written
//! in its published form (`microconv::published`), which the tag reads
//! without a validator.

use std::path::{Path, PathBuf};

use microconv::published;

use crate::{check, Usage};

/// Checks `file` and, when clean, writes its published form into `out`;
/// `Ok(written)`.
pub fn run(file: &str, out: &str) -> Result<bool, Usage> {
    let checked = check::check_file(file)?;
    if !checked.errors.is_empty() {
        println!("{file}: nothing published: fix the defects above");
        return Ok(false);
    }
    let name = Path::new(file)
        .file_name()
        .ok_or_else(|| Usage(format!("{file}: not a file name")))?;
    std::fs::create_dir_all(out).map_err(|e| Usage(format!("cannot create {out}: {e}")))?;
    let target: PathBuf = Path::new(out).join(name);
    // The source is what marketers edit: publishing over it would lose it.
    if let (Ok(a), Ok(b)) = (std::fs::canonicalize(file), std::fs::canonicalize(&target)) {
        if a == b {
            return Err(Usage(format!(
                "{file}: publishing into {out} would overwrite the rules file itself; choose another folder"
            )));
        }
    }
    let text = published::write(checked.engine.rules());
    let source_len = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    std::fs::write(&target, &text)
        .map_err(|e| Usage(format!("cannot write {}: {e}", target.display())))?;
    let hash = published::read(&text).map(|r| r.hash).unwrap_or_default();
    println!(
        "published {}: {} bytes (rules.json {} bytes), rules {hash}",
        target.display(),
        text.len(),
        source_len
    );
    Ok(true)
}
