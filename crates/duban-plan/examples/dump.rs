//! Prints what duban-plan reads from a file: one line per task with its
//! leads and co-units. A debugging aid: `cargo run -p duban-plan --example
//! dump -- path/to/plan.txt`.

fn main() {
    for path in std::env::args().skip(1) {
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{path}: {e}");
                continue;
            }
        };
        match duban_plan::parse(&bytes, &path) {
            Err(e) => println!("{path}: {e}"),
            Ok(plan) => {
                for t in &plan.tasks {
                    let text: String = t.text.chars().take(40).collect();
                    println!(
                        "{}\t{}\t{}\t{}\t{}",
                        t.id,
                        text.replace('\n', "⏎"),
                        t.lead_units.join("、"),
                        t.co_units.join("、"),
                        if t.lead_inferred { "inferred" } else { "" }
                    );
                }
                for w in &plan.warnings {
                    println!("  ! {}", w.message);
                }
            }
        }
    }
}
