//! The public API surface of generated code, one line per item.
//!
//! `generated.rs` runs to thousands of lines, and a one-field change in the spec moves
//! code around in it. What a reviewer wants to see is what changed for users: which
//! public types, fields (with their Rust types), variants and methods there are. This
//! module parses the code with syn and renders exactly that, sorted, so that the
//! snapshot of it in `tests/` is the compact, semantic diff of a spec change (in the
//! spirit of cargo-public-api, without needing rustdoc JSON).
//!
//! Lines also carry what `cargo xtask semver` needs to classify a change: a struct or
//! enum line ends in `#[non_exhaustive]` when it is, and a builder setter line ends in
//! `// required` when the builder fails without it (its initial value is an `Err`).

use std::collections::BTreeSet;

use quote::ToTokens;
use syn::{Expr, Fields, ImplItem, Item, Visibility};

/// Renders the public surface of a Rust source file, one sorted line per public item.
pub fn api_surface(source: &str) -> Result<String, syn::Error> {
    let file = syn::parse_file(source)?;
    let mut required = BTreeSet::new();
    required_setters(&file.items, "", &mut required);
    let mut lines = Vec::new();
    walk(&file.items, "", &required, &mut lines);
    lines.sort();
    lines.dedup();
    let mut out = lines.join("\n");
    out.push('\n');
    Ok(out)
}

/// The public surface of a crate written in several files (the wrapper: its
/// hand-written modules and its generated resource layer), one sorted line per public
/// item of any of them. Items are named as the crate re-exports them, by their own
/// names (`Customers::find_by_name`), not by their private module.
pub fn sources_surface<'a>(
    sources: impl IntoIterator<Item = &'a str>,
) -> Result<String, syn::Error> {
    let mut lines = BTreeSet::new();
    for source in sources {
        lines.extend(api_surface(source)?.lines().map(str::to_string));
    }
    let mut out = lines.into_iter().collect::<Vec<_>>().join("\n");
    out.push('\n');
    Ok(out)
}

fn is_pub(vis: &Visibility) -> bool {
    matches!(vis, Visibility::Public(_))
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}::{name}")
    }
}

/// Renders tokens the way rustfmt would, on one line: prettyplease formats a tiny
/// file holding them, and whitespace is collapsed. Well-known `::std` paths are
/// shortened so that lines read like the docs (`Option<String>`).
fn tidy(tokens: impl ToTokens) -> String {
    let tokens = tokens.to_token_stream();
    let as_file = |wrapped: proc_macro2::TokenStream| {
        syn::parse2::<syn::File>(wrapped)
            .ok()
            .map(|f| prettyplease::unparse(&f))
    };
    // Try, in turn: a type, a signature, a use tree, a path.
    let rendered = as_file(quote::quote!(type __T = #tokens;))
        .and_then(|s| strip(&s, "type __T = ", ";"))
        .or_else(|| as_file(quote::quote!(#tokens {})).and_then(|s| strip(&s, "", "{}")))
        .or_else(|| as_file(quote::quote!(use #tokens;)).and_then(|s| strip(&s, "use ", ";")))
        .unwrap_or_else(|| tokens.to_string());
    let mut out = rendered.split_whitespace().collect::<Vec<_>>().join(" ");
    for (long, short) in [
        ("::std::option::", ""),
        ("::std::string::", ""),
        ("::std::vec::", ""),
        ("::std::collections::", ""),
        ("::std::num::", ""),
        ("::std::convert::", ""),
        ("std::convert::", ""),
        ("::std::fmt::", "fmt::"),
        ("::std::default::", ""),
        ("::std::error::", "std::error::"),
        (",>", ">"),
        (",)", ")"),
        ("( ", "("),
        (" )", ")"),
        ("< ", "<"),
        (" >", ">"),
    ] {
        out = out.replace(long, short);
    }
    // Trailing commas before a closing bracket, which the replacements above expose.
    while let Some(i) = out.find(",>").or_else(|| out.find(",)")) {
        out.remove(i);
    }
    out.trim().to_string()
}

fn strip(s: &str, prefix: &str, suffix: &str) -> Option<String> {
    let s = s.trim();
    let s = s.strip_prefix(prefix)?;
    Some(s.strip_suffix(suffix)?.trim().to_string())
}

/// Resolves leading `self::` and `super::` of `path` against the module `prefix`.
fn resolve(prefix: &str, path: &str) -> String {
    let mut base: Vec<&str> = prefix.split("::").filter(|s| !s.is_empty()).collect();
    let mut rest = path;
    loop {
        if let Some(r) = rest.strip_prefix("self::") {
            rest = r;
        } else if let Some(r) = rest.strip_prefix("super::") {
            base.pop();
            rest = r;
        } else {
            break;
        }
    }
    base.push(rest);
    base.join("::")
}

fn non_exhaustive(attrs: &[syn::Attribute]) -> &'static str {
    if attrs.iter().any(|a| a.path().is_ident("non_exhaustive")) {
        " #[non_exhaustive]"
    } else {
        ""
    }
}

/// `Owner::field` for every field that a builder's `new()` or `default()` starts as
/// `Err(..)`: the builder fails unless its setter is called.
fn required_setters(items: &[Item], prefix: &str, out: &mut BTreeSet<String>) {
    for item in items {
        match item {
            Item::Mod(m) => {
                if let Some((_, inner)) = &m.content {
                    required_setters(inner, &join(prefix, &m.ident.to_string()), out);
                }
            }
            Item::Impl(imp) => {
                let self_ty = resolve(prefix, &tidy(&imp.self_ty));
                for item in &imp.items {
                    let ImplItem::Fn(f) = item else { continue };
                    if f.sig.ident != "new" && f.sig.ident != "default" {
                        continue;
                    }
                    let Some(syn::Stmt::Expr(Expr::Struct(init), _)) = f.block.stmts.last() else {
                        continue;
                    };
                    for field in &init.fields {
                        if let (syn::Member::Named(name), Expr::Call(call)) =
                            (&field.member, &field.expr)
                            && matches!(&*call.func, Expr::Path(p) if p.path.is_ident("Err"))
                        {
                            out.insert(format!("{self_ty}::{name}"));
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

fn derives(attrs: &[syn::Attribute]) -> String {
    let mut names: Vec<String> = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("derive")) {
        let _ = attr.parse_nested_meta(|meta| {
            let path = tidy(&meta.path);
            names.push(path.rsplit("::").next().unwrap_or(&path).to_string());
            Ok(())
        });
    }
    if names.is_empty() {
        String::new()
    } else {
        names.sort();
        format!(" #[derive({})]", names.join(", "))
    }
}

/// `pub fn Owner::name(args) -> Ret`, or `pub async fn ...`.
fn function(owner: &str, sig: &syn::Signature) -> String {
    let rendered = tidy(sig);
    let (keyword, rest) = match rendered.split_once("fn ") {
        Some((before, rest)) => (format!("{before}fn"), rest.to_string()),
        None => ("fn".to_string(), rendered.clone()),
    };
    format!("pub {keyword} {}", resolve(owner, &rest))
}

fn walk(items: &[Item], prefix: &str, required: &BTreeSet<String>, out: &mut Vec<String>) {
    for item in items {
        match item {
            Item::Mod(m) if is_pub(&m.vis) => {
                let path = join(prefix, &m.ident.to_string());
                out.push(format!("pub mod {path}"));
                if let Some((_, inner)) = &m.content {
                    walk(inner, &path, required, out);
                }
            }
            Item::Struct(s) if is_pub(&s.vis) => {
                let path = join(prefix, &s.ident.to_string());
                out.push(format!(
                    "pub struct {path}{}{}{}",
                    tidy(&s.generics),
                    derives(&s.attrs),
                    non_exhaustive(&s.attrs)
                ));
                match &s.fields {
                    Fields::Named(named) => {
                        for f in named.named.iter().filter(|f| is_pub(&f.vis)) {
                            if let Some(ident) = &f.ident {
                                out.push(format!("pub field {path}::{ident}: {}", tidy(&f.ty)));
                            }
                        }
                    }
                    Fields::Unnamed(unnamed) => {
                        for (i, f) in unnamed.unnamed.iter().enumerate() {
                            if is_pub(&f.vis) {
                                out.push(format!("pub field {path}::{i}: {}", tidy(&f.ty)));
                            }
                        }
                    }
                    Fields::Unit => {}
                }
            }
            Item::Enum(e) if is_pub(&e.vis) => {
                let path = join(prefix, &e.ident.to_string());
                out.push(format!(
                    "pub enum {path}{}{}{}",
                    tidy(&e.generics),
                    derives(&e.attrs),
                    non_exhaustive(&e.attrs)
                ));
                for v in &e.variants {
                    let fields = match &v.fields {
                        Fields::Unit => String::new(),
                        Fields::Unnamed(u) => tidy(u),
                        Fields::Named(n) => format!(" {}", tidy(n)),
                    };
                    out.push(format!("pub variant {path}::{}{fields}", v.ident));
                }
            }
            Item::Type(t) if is_pub(&t.vis) => {
                let path = join(prefix, &t.ident.to_string());
                out.push(format!("pub type {path} = {}", tidy(&t.ty)));
            }
            Item::Fn(f) if is_pub(&f.vis) => {
                out.push(function(prefix, &f.sig));
            }
            Item::Use(u) if is_pub(&u.vis) => {
                out.push(format!("pub use {}", resolve(prefix, &tidy(&u.tree))));
            }
            Item::Trait(t) if is_pub(&t.vis) => {
                out.push(format!("pub trait {}", join(prefix, &t.ident.to_string())));
            }
            Item::Impl(imp) => {
                let self_ty = resolve(prefix, &tidy(&imp.self_ty));
                match &imp.trait_ {
                    Some((trait_path, _)) => {
                        out.push(format!("impl {} for {self_ty}", tidy(trait_path)));
                    }
                    None => {
                        for item in &imp.items {
                            if let ImplItem::Fn(f) = item
                                && is_pub(&f.vis)
                            {
                                let mut line = function(&self_ty, &f.sig);
                                if f.sig.ident != "new"
                                    && required.contains(&format!("{self_ty}::{}", f.sig.ident))
                                {
                                    line.push_str(" // required");
                                }
                                out.push(line);
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_types_fields_variants_and_methods() {
        let src = r#"
            pub mod types {
                #[derive(Debug, Clone)]
                pub struct Invoice { pub amount: Option<::rust_decimal::Decimal>, secret: u8 }
                pub enum Kind { A, B(i64) }
            }
            pub struct Client;
            impl Client { pub fn list(&self) -> Vec<u8> { vec![] } fn hidden(&self) {} }
        "#;
        let surface = api_surface(src).unwrap();
        assert_eq!(
            surface,
            "pub enum types::Kind\n\
             pub field types::Invoice::amount: Option<::rust_decimal::Decimal>\n\
             pub fn Client::list(&self) -> Vec<u8>\n\
             pub mod types\n\
             pub struct Client\n\
             pub struct types::Invoice #[derive(Clone, Debug)]\n\
             pub variant types::Kind::A\n\
             pub variant types::Kind::B(i64)\n"
        );
    }

    #[test]
    fn marks_non_exhaustive_types_and_required_setters() {
        let src = r#"
            #[non_exhaustive]
            pub struct Page { pub a: u8 }
            #[non_exhaustive]
            pub enum Status { Open }
            pub struct Op { a: Result<u8, String>, b: Result<Option<u8>, String> }
            impl Op {
                pub fn new() -> Self { Self { a: Err("a was not initialized".to_string()), b: Ok(None) } }
                pub fn a(self, v: u8) -> Self { self }
                pub fn b(self, v: u8) -> Self { self }
            }
        "#;
        let surface = api_surface(src).unwrap();
        for line in [
            "pub struct Page #[non_exhaustive]\n",
            "pub enum Status #[non_exhaustive]\n",
            "pub fn Op::a(self, v: u8) -> Self // required\n",
            "pub fn Op::b(self, v: u8) -> Self\n",
            "pub fn Op::new() -> Self\n",
        ] {
            assert!(surface.contains(line), "missing {line:?} in:\n{surface}");
        }
    }
}
