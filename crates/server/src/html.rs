//! The HTML every page shares: the layout and styles, the error and sign-in pages, status
//! pills, progress bars and sparklines. Every piece of text from the workspace, the store or
//! the request is escaped.

use throughline_model::Unit;
use throughline_progress::Status;
use throughline_review::html::{STYLE, escape};
use throughline_review::svg::{self};

use crate::auth::Caller;

pub(crate) const EXTRA_STYLE: &str = r#"
nav { display: flex; gap: 18px; align-items: baseline; border-bottom: 1px solid var(--line); padding: 12px 20px; flex-wrap: wrap; }
nav .brand { font-weight: 700; margin-right: 8px; }
nav a { color: var(--ink); text-decoration: none; }
nav a:hover, a:hover { text-decoration: underline; }
nav .me { margin-left: auto; color: var(--muted); font-size: 14px; }
a { color: #1d4ed8; }
.bar { display: inline-block; width: 90px; height: 8px; background: #e5e7eb; border-radius: 4px; vertical-align: middle; overflow: hidden; }
.bar i { display: block; height: 100%; background: #2563eb; }
.tree ul { list-style: none; padding-left: 22px; border-left: 1px dashed var(--line); margin: 4px 0; }
.tree > ul { border-left: none; padding-left: 0; }
.edge { color: #374151; font-size: 13px; background: #f3f4f6; border-radius: 4px; padding: 0 4px; }
.obj { margin: 10px 0; }
.krs { margin: 4px 0 0 0; font-size: 14px; }
form.inline { display: flex; gap: 8px; align-items: end; flex-wrap: wrap; margin: 8px 0 16px; }
label { display: block; font-size: 13px; color: var(--muted); }
input, select, textarea { font: inherit; padding: 5px 7px; border: 1px solid #d1d5db; border-radius: 6px; max-width: 100%; }
textarea { width: 100%; min-height: 70px; }
button { font: inherit; padding: 6px 14px; border-radius: 6px; border: 1px solid #1d4ed8; background: #2563eb; color: white; cursor: pointer; }
.flash { background: #dcfce7; border: 1px solid #86efac; padding: 8px 12px; border-radius: 6px; }
.err { background: #fee2e2; border: 1px solid #fca5a5; padding: 8px 12px; border-radius: 6px; }
pre { background: #f3f4f6; padding: 10px; border-radius: 6px; white-space: pre-wrap; overflow-wrap: anywhere; font-size: 12px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
@media print { nav, form { display: none; } }
@media (max-width: 640px) { dl.facts { grid-template-columns: 1fr; } dl.facts dd { margin-bottom: 6px; } }
"#;

/// Percent-encodes a URL path (ids are kebab- or snake-case, but nothing is assumed).
pub(crate) fn url_path(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A share 0–1 as a whole percent ([`Unit::share`]).
pub(crate) fn pct(x: f64) -> String {
    throughline_model::Unit::share(x)
}

/// A page with the navigation and who is signed in.
pub(crate) fn layout(title: &str, caller: &Caller, body: &str) -> String {
    let me = match caller.name() {
        Some(n) => format!(
            "{} ({}) · <form method=\"post\" action=\"/logout\" style=\"display:inline\"><input type=\"hidden\" name=\"csrf\" value=\"{}\"><button style=\"padding:1px 8px;font-size:13px\">Sign out</button></form>",
            escape(n),
            caller.role.map_or("?", |r| r.as_str()),
            escape(caller.csrf.as_deref().unwrap_or(""))
        ),
        None => "<a href=\"/login\">Sign in</a>".into(),
    };
    let links: String = crate::pages::nav()
        .iter()
        .map(|(path, title)| format!("<a href=\"{path}\">{title}</a>"))
        .collect();
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{} · throughline</title><style>{STYLE}{EXTRA_STYLE}</style></head>\n<body><nav><span class=\"brand\">throughline</span>{links}<span class=\"me\">{me}</span></nav>\n<main>\n{}\n</main></body></html>\n",
        escape(title),
        throughline_review::html::keyboard_scrollable(body)
    )
}

pub(crate) fn error_page(caller: &Caller, status: u16, message: &str, help: &str) -> String {
    layout(
        "Error",
        caller,
        &format!(
            "<h1>{status}</h1><p class=\"err\">{}</p><p>{}</p>",
            escape(message),
            escape(help)
        ),
    )
}

pub(crate) fn status_pill(s: Status) -> String {
    let class = match s {
        Status::Done => "done",
        Status::OnTrack => "on-track",
        Status::AtRisk => "at-risk",
        Status::OffTrack => "off-track",
        Status::Unknown => "no-data",
    };
    format!("<span class=\"pill {class}\">{}</span>", s.label())
}

pub(crate) fn bar(p: Option<f64>) -> String {
    match p {
        Some(p) => format!(
            "<span class=\"bar\" title=\"{}\"><i style=\"width:{:.0}%\"></i></span> {}",
            pct(p),
            (p.clamp(0.0, 1.0) * 100.0),
            throughline_progress::progress_text(p)
        ),
        None => "—".into(),
    }
}

pub(crate) fn unit_of(text: &str) -> Unit {
    Unit::parse(text).unwrap_or(Unit::Count)
}

pub(crate) fn sparkline(values: &[throughline_review::Point], unit: &Unit, title: &str) -> String {
    let show = |v: f64| unit.format(v);
    svg::sparkline(
        title.to_string(),
        values.iter().map(|v| (v.start, v.value)).collect(),
        Vec::new(),
        (120.0, 30.0),
        &show,
    )
}

pub(crate) fn login_html(
    caller: &Caller,
    next: &str,
    error: Option<&str>,
    demo_hint: bool,
) -> String {
    let mut s = String::from("<h1>Sign in</h1>");
    if let Some(e) = error {
        s.push_str(&format!(
            "<p class=\"err\" role=\"alert\">{}</p>",
            escape(e)
        ));
    }
    s.push_str(&format!(
        "<form method=\"post\" action=\"/login\"><input type=\"hidden\" name=\"next\" value=\"{}\"><label for=\"token\">API token</label><input id=\"token\" name=\"token\" type=\"password\" size=\"72\" autocomplete=\"off\" required><p><button type=\"submit\">Sign in</button></p></form>",
        escape(next)
    ));
    s.push_str("<p class=\"legend\">An admin creates tokens with <code>throughline token create --name NAME --role editor --team TEAM</code>. The token is kept in a cookie for this site only.</p>");
    if demo_hint {
        s.push_str("<p class=\"legend\">The demo printed an editor token when it started.</p>");
    }
    layout("Sign in", caller, &s)
}
