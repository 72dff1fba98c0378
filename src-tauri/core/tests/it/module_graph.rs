//! The core's modules depend on each other one way only: a test reads every file's
//! `crate::…` (and root-reaching `super::…`) paths, builds the graph of top-level modules
//! and fails naming the first cycle it finds.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Top-level module → the top-level modules it names.
type Graph = BTreeMap<String, BTreeSet<String>>;

fn source_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("the core's src folder is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            source_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The file's module path under `src`: `store/accounts.rs` → `["store", "accounts"]`.
fn module_path(src: &Path, file: &Path) -> Vec<String> {
    let relative = file.strip_prefix(src).expect("a file under src");
    let mut parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// The code without comments (line comments, doc comments).
fn without_comments(text: &str) -> String {
    text.lines()
        .map(|line| match line.find("//") {
            // A `//` inside a string ("https://…") is rare in paths; cutting there only
            // shortens a line that names no module.
            Some(at) => &line[..at],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn ident_at(text: &str) -> String {
    text.chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

/// The first identifier of every item in a `{…}` group (nested groups skipped): the
/// modules `crate::{a::X, b}` names.
fn group_heads(group: &str) -> Vec<String> {
    let mut heads = Vec::new();
    let mut depth = 0;
    let mut start = true;
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => start = true,
            c if start && depth == 0 && !c.is_whitespace() => {
                heads.push(ident_at(&group[i..]));
                start = false;
            }
            _ => {}
        }
    }
    heads
}

/// The `{…}` group that starts at `text[0]`, without its braces.
fn braced(text: &str) -> &str {
    let mut depth = 0;
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return &text[1..i];
                }
            }
            _ => {}
        }
    }
    &text[1..]
}

/// The top-level modules `code` names through a path starting at `prefix` (`crate::`, or
/// as many `super::` as reach the crate root).
fn named_after(code: &str, prefix: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find(prefix) {
        let before = rest[..at].chars().next_back();
        let after = &rest[at + prefix.len()..];
        // `a::super::` or `xcrate::` is not this prefix.
        if !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':') {
            if after.starts_with('{') {
                out.extend(group_heads(braced(after)));
            } else {
                out.push(ident_at(after));
            }
        }
        rest = after;
    }
    out
}

fn core_graph() -> Graph {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    source_files(&src, &mut files);
    let mut graph = Graph::new();
    for file in files {
        let path = module_path(&src, &file);
        let Some(top) = path.first().filter(|t| *t != "lib") else {
            continue;
        };
        let code = without_comments(&std::fs::read_to_string(&file).expect("readable"));
        let mut named = named_after(&code, "crate::");
        named.extend(named_after(&code, &"super::".repeat(path.len())));
        let edges = graph.entry(top.clone()).or_default();
        for module in named {
            if !module.is_empty() && module != *top && module != "self" {
                edges.insert(module);
            }
        }
    }
    graph
}

/// A cycle in `graph`, as the modules along it (the first repeated at the end).
fn find_cycle(graph: &Graph) -> Option<Vec<String>> {
    fn visit(
        graph: &Graph,
        node: &str,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut cycle = path[at..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(graph, next, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for node in graph.keys() {
        if let Some(cycle) = visit(graph, node, &mut Vec::new(), &mut done) {
            return Some(cycle);
        }
    }
    None
}

#[test]
fn core_modules_depend_on_each_other_one_way_only() {
    let graph = core_graph();
    assert!(
        graph.get("engine").is_some_and(|e| e.contains("sync")),
        "the reader must see the engine use sync, or it reads nothing: {graph:?}"
    );
    if let Some(cycle) = find_cycle(&graph) {
        panic!(
            "the core's modules import each other in a circle: {}; move what both need \
             below both",
            cycle.join(" → ")
        );
    }
}

#[test]
fn a_cycle_is_found_and_named() {
    let code = "use crate::{engine::Clock, store};\nfn f() { super::super::notice::x(); }";
    assert_eq!(named_after(code, "crate::"), ["engine", "store"]);
    assert_eq!(named_after(code, "super::super::"), ["notice"]);
    let mut graph = Graph::new();
    graph
        .entry("sync".into())
        .or_default()
        .insert("engine".into());
    graph
        .entry("engine".into())
        .or_default()
        .insert("store".into());
    graph
        .entry("store".into())
        .or_default()
        .insert("sync".into());
    assert_eq!(
        find_cycle(&graph).map(|c| c.join(" → ")),
        Some("engine → store → sync → engine".to_string())
    );
}
