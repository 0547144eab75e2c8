//! Reads Markdown OKR pages with the model's reader alone (no rules, no engine) and prints,
//! per page, the counts, the reading kept and its runner-up, and the reader's own findings:
//! `cargo run -p throughline-model --example read_page -- PAGE.md…` (add `-v` for every
//! objective and key result, `--outline` for the outline with every node's evidence and
//! every reading's score).

use throughline_model::SourceMap;
use throughline_model::markdown::{NoteKind, parse_markdown};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let verbose = args.iter().any(|a| a == "-v");
    let outline = args.iter().any(|a| a == "--outline");
    for path in args.iter().filter(|a| !a.starts_with('-')) {
        let Ok(text) = std::fs::read_to_string(path) else {
            eprintln!("{path}: cannot be read");
            continue;
        };
        let mut map = SourceMap::default();
        let file = map.add(path.as_str(), std::path::Path::new(path), text.clone());
        if outline {
            print!("{}", throughline_model::markdown::outline_report(&text));
        }
        let read = parse_markdown(&text, file, path);
        let krs: usize = read.objectives.iter().map(|o| o.key_results.len()).sum();
        println!(
            "{path}: {} objectives, {krs} key results",
            read.objectives.len()
        );
        for n in read.notes.iter().filter(|n| n.kind == NoteKind::Reading) {
            println!("  {}", n.text);
        }
        for d in &read.diagnostics {
            println!("  {} {}: {}", d.severity, d.code, d.message);
        }
        if verbose {
            for o in &read.objectives {
                let period = o
                    .period
                    .as_ref()
                    .map(|p| p.value.to_string())
                    .unwrap_or_default();
                println!(
                    "  O {}:{} {} [{period}]",
                    o.title.span.line, o.title.span.column, o.title.value
                );
                for kr in &o.key_results {
                    let q =
                        |v: &Option<throughline_model::Spanned<throughline_model::Quantity>>| {
                            v.as_ref()
                                .map(|q| q.value.to_string())
                                .unwrap_or_else(|| "-".into())
                        };
                    println!(
                        "      KR {}: {}  [{} → {}]",
                        kr.title.span.line,
                        kr.title.value,
                        q(&kr.baseline),
                        q(&kr.target)
                    );
                }
            }
        }
    }
}
