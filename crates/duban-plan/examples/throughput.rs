//! Parses one file many times and prints the time per parse and the
//! throughput. Measures process CPU time (not wall time) so that other
//! work on a shared machine does not count: `cargo run --release -p
//! duban-plan --example throughput -- FILE [N]`.

use std::time::Instant;

fn cpu_seconds() -> f64 {
    // /proc/self/stat fields 14 and 15: user and system time in clock ticks.
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // Fields after the command name start at field 3 (state).
    (ticks(11) + ticks(12)) / 100.0
}

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: throughput FILE [N]");
        std::process::exit(2);
    };
    let n: u32 = args.next().and_then(|a| a.parse().ok()).unwrap_or(200);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    };
    // Warm-up.
    for _ in 0..5 {
        let _ = duban_plan::parse(&bytes, &path);
    }
    let (cpu0, wall0) = (cpu_seconds(), Instant::now());
    for _ in 0..n {
        let _ = std::hint::black_box(duban_plan::parse(std::hint::black_box(&bytes), &path));
    }
    let cpu = cpu_seconds() - cpu0;
    let wall = wall0.elapsed().as_secs_f64();
    let per = cpu / f64::from(n);
    println!(
        "{path}: {n} parses, {:.2} ms CPU per parse ({:.2} ms wall), {:.1} MiB/s",
        per * 1e3,
        wall / f64::from(n) * 1e3,
        bytes.len() as f64 / per / 1_048_576.0
    );
}
