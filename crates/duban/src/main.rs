//! duban 督办: the command-line entry point. Thin on purpose: it parses
//! arguments, calls the library crates, and maps errors to exit codes.

mod table;

use clap::{Parser, Subcommand, ValueEnum};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit codes (documented in the README).
const EXIT_BAD_INPUT: u8 = 2;
const EXIT_OUTPUT: u8 = 3;
const EXIT_INTERNAL: u8 = 70;

#[derive(Parser)]
#[command(
    name = "duban",
    version,
    about = "督办：把实施方案变成督办台账。/ duban: turns a government action plan into a supervision ledger."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// 解析方案文件（txt/docx/pdf/html/md），输出任务、责任单位、时限、指标和工作专班。/ Parse a plan document into tasks, units, deadlines, targets and task forces.
    Parse {
        /// 方案文件路径 / path of the plan document
        file: PathBuf,
        /// 输出格式：json（默认）或 table（终端台账）/ output format
        #[arg(long, value_enum, default_value_t = OutputFormat::Json)]
        format: OutputFormat,
        /// 写入文件而不是标准输出 / write to this file instead of stdout
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum OutputFormat {
    Json,
    Table,
}

fn main() -> ExitCode {
    // Errors are reported by us, in Chinese and English; a panic is a bug,
    // reported once with its message and a distinct exit code.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("duban 内部错误，请报告此问题。/ duban internal error, please report it: {info}");
    }));
    let cli = Cli::parse();
    match std::panic::catch_unwind(|| run(cli)) {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err((code, message))) => {
            eprintln!("{message}");
            ExitCode::from(code)
        }
        Err(_) => ExitCode::from(EXIT_INTERNAL),
    }
}

fn run(cli: Cli) -> Result<(), (u8, String)> {
    match cli.command {
        Command::Parse {
            file,
            format,
            output,
        } => {
            let bytes = read_input(&file)?;
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let plan = duban_plan::parse(&bytes, &name).map_err(|e| {
                (
                    EXIT_BAD_INPUT,
                    format!("错误 / error: {}: {e}", file.display()),
                )
            })?;
            let rendered = match format {
                OutputFormat::Json => {
                    let mut s = serde_json::to_string_pretty(&plan).expect("plan serialises");
                    s.push('\n');
                    s
                }
                OutputFormat::Table => table::render(&plan),
            };
            write_output(output.as_deref(), rendered.as_bytes())
        }
    }
}

fn read_input(path: &std::path::Path) -> Result<Vec<u8>, (u8, String)> {
    let meta = std::fs::metadata(path).map_err(|e| {
        (
            EXIT_BAD_INPUT,
            format!(
                "错误：无法读取文件 {}（{e}）。/ error: cannot read {}: {e}",
                path.display(),
                path.display()
            ),
        )
    })?;
    if meta.is_dir() {
        return Err((
            EXIT_BAD_INPUT,
            format!(
                "错误：{} 是目录，请给出文件。/ error: {} is a directory.",
                path.display(),
                path.display()
            ),
        ));
    }
    if meta.len() > duban_plan::MAX_INPUT_BYTES as u64 {
        let e = duban_plan::ParseError::TooLarge {
            size: meta.len() as usize,
            limit: duban_plan::MAX_INPUT_BYTES,
        };
        return Err((
            EXIT_BAD_INPUT,
            format!("错误 / error: {}: {e}", path.display()),
        ));
    }
    std::fs::read(path).map_err(|e| {
        (
            EXIT_BAD_INPUT,
            format!(
                "错误：无法读取文件 {}（{e}）。/ error: cannot read {}: {e}",
                path.display(),
                path.display()
            ),
        )
    })
}

/// Writes atomically when writing to a file: a crash never leaves half a
/// ledger behind.
fn write_output(path: Option<&std::path::Path>, bytes: &[u8]) -> Result<(), (u8, String)> {
    let fail = |p: &std::path::Path, e: std::io::Error| {
        (
            EXIT_OUTPUT,
            format!(
                "错误：无法写入 {}（{e}）。/ error: cannot write {}: {e}",
                p.display(),
                p.display()
            ),
        )
    };
    match path {
        None => {
            let mut out = std::io::stdout().lock();
            match out.write_all(bytes).and_then(|_| out.flush()) {
                Ok(()) => Ok(()),
                // A closed pipe (`duban parse x | head`) is not an error.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                Err(e) => Err((
                    EXIT_OUTPUT,
                    format!("错误：无法写出结果（{e}）。/ error: cannot write output: {e}"),
                )),
            }
        }
        Some(p) => {
            let tmp = p.with_extension("duban-tmp");
            let write = || -> std::io::Result<()> {
                let mut f = std::fs::File::create(&tmp)?;
                f.write_all(bytes)?;
                f.sync_all()?;
                std::fs::rename(&tmp, p)
            };
            write().map_err(|e| {
                let _ = std::fs::remove_file(&tmp);
                fail(p, e)
            })
        }
    }
}
