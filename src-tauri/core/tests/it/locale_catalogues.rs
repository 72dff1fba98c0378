//! The catalogues agree: every message in every language, with the same placeholders.
//!
//! The window reads the same files (`ui/src/lib/i18n.ts` imports them), so this one test
//! covers the toasts, the tray, the engine's errors and the window.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};

fn locales_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("locales")
}

/// message id → the variables it uses, for one `.ftl` file.
fn messages(path: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let source = std::fs::read_to_string(path).expect("catalogue readable");
    let resource = fluent_syntax::parser::parse(source.as_str())
        .unwrap_or_else(|(_, errors)| panic!("{} does not parse: {errors:?}", path.display()));
    let mut out = BTreeMap::new();
    for entry in resource.body {
        if let Entry::Message(message) = entry {
            let mut vars = BTreeSet::new();
            if let Some(value) = &message.value {
                pattern_vars(value, &mut vars);
            }
            for attribute in &message.attributes {
                pattern_vars(&attribute.value, &mut vars);
            }
            let id = message.id.name.to_string();
            assert!(
                out.insert(id.clone(), vars).is_none(),
                "{id} twice in {}",
                path.display()
            );
        }
    }
    out
}

fn pattern_vars(pattern: &Pattern<&str>, vars: &mut BTreeSet<String>) {
    for element in &pattern.elements {
        if let PatternElement::Placeable { expression } = element {
            expression_vars(expression, vars);
        }
    }
}

fn expression_vars(expression: &Expression<&str>, vars: &mut BTreeSet<String>) {
    match expression {
        Expression::Inline(inline) => inline_vars(inline, vars),
        Expression::Select { selector, variants } => {
            inline_vars(selector, vars);
            for variant in variants {
                pattern_vars(&variant.value, vars);
            }
        }
    }
}

fn inline_vars(inline: &InlineExpression<&str>, vars: &mut BTreeSet<String>) {
    match inline {
        InlineExpression::VariableReference { id } => {
            vars.insert(id.name.to_string());
        }
        InlineExpression::Placeable { expression } => expression_vars(expression, vars),
        _ => {}
    }
}

fn catalogue_files(language: &str) -> BTreeSet<String> {
    std::fs::read_dir(locales_dir().join(language))
        .expect("language folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".ftl"))
        .collect()
}

#[test]
fn every_message_is_in_every_catalogue_with_the_same_placeholders() {
    let english = catalogue_files("en");
    assert_eq!(
        english,
        ["errors.ftl", "toasts.ftl", "tray.ftl", "window.ftl"]
            .map(String::from)
            .into(),
        "one file per area"
    );
    for language in ["ko"] {
        assert_eq!(
            catalogue_files(language),
            english,
            "{language} has the same files"
        );
        for file in &english {
            let en = messages(&locales_dir().join("en").join(file));
            let other = messages(&locales_dir().join(language).join(file));
            let missing: Vec<_> = en.keys().filter(|k| !other.contains_key(*k)).collect();
            let extra: Vec<_> = other.keys().filter(|k| !en.contains_key(*k)).collect();
            assert!(
                missing.is_empty() && extra.is_empty(),
                "{language}/{file}: missing {missing:?}, extra {extra:?}"
            );
            for (id, vars) in &en {
                assert_eq!(
                    &other[id], vars,
                    "{language}/{file}: {id} must take the same placeholders as English"
                );
            }
        }
    }
}
