//! The data commands about archives and open data: `import debates` and `export public`. Each
//! shows a progress bar on the terminal (to stderr; none when stderr is not a terminal), says
//! what it refused with line numbers, and writes nothing when it fails.

use std::path::Path;

use async_trait::async_trait;
use indicatif::{ProgressBar, ProgressStyle};
use time::OffsetDateTime;

use crate::archives::{Checked, check_file, valid_debates};
use crate::opendata::{self, DataFile, Sink};
use crate::store::Db;

fn bar(len: Option<u64>, template: &str) -> ProgressBar {
    let bar = match len {
        Some(len) => ProgressBar::new(len),
        None => ProgressBar::new_spinner(),
    };
    bar.set_style(
        ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

/// Prints the refused lines kept (at most [`Checked::KEPT`]), and how many more there were.
fn report_refusals(file: &Path, checked: &Checked) {
    for error in &checked.errors {
        eprintln!("{}: {error}", file.display());
    }
    let more = checked
        .invalid()
        .saturating_sub(checked.errors.len() as u64);
    if more > 0 {
        eprintln!("… and {more} more invalid lines");
    }
}

/// `atelier import debates FILE.jsonl [--skip-invalid]`.
pub async fn import_debates(db: &Db, file: &Path, skip_invalid: bool) -> anyhow::Result<()> {
    // Dates up to tomorrow are accepted, by the clock of the machine that imports.
    let today = OffsetDateTime::now_utc().date();
    let path = file.to_owned();
    let checked = tokio::task::spawn_blocking(move || check_file(&path, today)).await??;
    report_refusals(file, &checked);
    if checked.lines == 0 {
        anyhow::bail!(
            "{} holds no debate (one JSON object a line): nothing was imported",
            file.display()
        );
    }
    let invalid = checked.invalid();
    if invalid > 0 && !skip_invalid {
        let first: Vec<String> = checked
            .refused_lines()
            .take(5)
            .map(|l| l.to_string())
            .collect();
        anyhow::bail!(
            "{invalid} of {} lines are invalid (line{} {}{}): nothing was imported (fix them, or pass --skip-invalid to import the {} valid lines)",
            checked.lines,
            if invalid > 1 { "s" } else { "" },
            first.join(", "),
            if invalid > 5 { ", …" } else { "" },
            checked.valid
        );
    }
    if checked.valid == 0 {
        anyhow::bail!(
            "no line of {} is valid: nothing was imported",
            file.display()
        );
    }
    let source = file.file_name().map_or_else(
        || file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let bar = bar(
        Some(checked.valid),
        "{bar:40} {pos}/{len} debates ({per_sec}, {eta} left)",
    );
    let debates = valid_debates(file, today, &checked)?;
    let done = db
        .import_debates(&source, invalid, debates, &|n| bar.set_position(n))
        .await?;
    bar.finish_and_clear();
    let batch = done
        .batch
        .map(|b| format!(" (import {b})"))
        .unwrap_or_default();
    println!(
        "Imported {} debates from {source}{batch}: {} new, {} already in the archives{}.",
        checked.valid,
        done.imported,
        done.duplicates,
        if invalid == 0 {
            String::new()
        } else {
            format!("; {invalid} invalid lines skipped")
        }
    );
    Ok(())
}

/// A file being written next to its final name, renamed over it once complete: an export that
/// fails midway leaves the previous file as it was.
struct FileSink {
    writer: std::io::BufWriter<std::fs::File>,
}

#[async_trait]
impl Sink for FileSink {
    async fn write(&mut self, bytes: Vec<u8>) -> anyhow::Result<()> {
        use std::io::Write;
        // The command line has nothing else to do meanwhile: a blocking write is fine here.
        self.writer.write_all(&bytes)?;
        Ok(())
    }
}

/// `atelier export public [--out DIR]`.
pub async fn export_public(db: &Db, out: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(out)
        .map_err(|e| anyhow::anyhow!("cannot create the folder {}: {e}", out.display()))?;
    for file in DataFile::ALL {
        let target = out.join(file.name());
        let partial = out.join(format!(".{}.partial", file.name()));
        let created = std::fs::File::create(&partial)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", partial.display()))?;
        let mut sink = FileSink {
            writer: std::io::BufWriter::new(created),
        };
        let bar = bar(None, &format!("{{spinner}} {}: {{pos}} rows", file.name()));
        let written = opendata::write(db, file, &mut sink, &|n| bar.set_position(n)).await;
        bar.finish_and_clear();
        let finished = written.and_then(|rows| {
            use std::io::Write;
            sink.writer.flush()?;
            sink.writer.get_ref().sync_all()?;
            Ok(rows)
        });
        let rows = match finished {
            Ok(rows) => rows,
            Err(e) => {
                let _ = std::fs::remove_file(&partial);
                return Err(e.context(format!("cannot export {}", file.name())));
            }
        };
        std::fs::rename(&partial, &target)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", target.display()))?;
        if file.dataset().is_some() {
            let plural = if rows == 1 { "" } else { "s" };
            println!("{} ({rows} row{plural})", target.display());
        } else {
            println!("{}", target.display());
        }
    }
    println!("The public data is exported to {}.", out.display());
    Ok(())
}
