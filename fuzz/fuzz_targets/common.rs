//! Shared by the fuzz targets: read the bytes as one file, run the rules when the input was
//! understood, render every diagnostic in every format (spans from odd input must render).

use std::path::Path;

pub fn exercise(name: &str, data: &[u8]) {
    let mut loader = throughline_model::Loader::new();
    loader.add_bytes(name, Path::new(name), data.to_vec());
    let loaded = loader.finish();
    let mut diags = loaded.diagnostics.clone();
    if !loaded.has_input_errors() {
        diags.extend(throughline_check::run(&loaded));
    }
    for d in &diags {
        if let Some(s) = d.span {
            let file = loaded.sources.get(s.file).expect("span names a known file");
            assert!((s.offset + s.len) as usize <= file.text.len(), "span past the end: {d:?}");
            assert!(
                file.text.is_char_boundary(s.offset as usize) && file.text.is_char_boundary((s.offset + s.len) as usize),
                "span splits a character: {d:?}"
            );
            assert!(s.line >= 1 && s.column >= 1, "line and column are 1-based: {d:?}");
        }
    }
    let _ = throughline_report::render_human(&diags, &loaded.sources, Default::default());
    let _ = throughline_report::render_json(&diags, &loaded.sources);
    let _ = throughline_report::render_sarif(&diags, &loaded.sources);
    let _ = throughline_report::render_reading(&loaded);
}
