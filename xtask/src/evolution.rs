//! Makes the generated types survive the server's evolution without a breaking release.
//!
//! progenitor and typify expose no setting for either of the two choices below (typify's
//! per-type patches take a fixed type name, which misses the names it invents for inline
//! schemas), so they are one pass over the parsed output, driven only by what the spec
//! generated, never by a list of names written here:
//! - every model a response can carry (found by walking from the operations' success and
//!   error types through the fields) is `#[non_exhaustive]`: a field the server adds is
//!   then a minor change, because no user can have built the struct with a literal (they
//!   use the builders progenitor already makes);
//! - every string enum gets a last variant `Unknown(String)`, marked `#[serde(untagged)]`,
//!   that keeps a value this version of the client does not know, instead of failing to
//!   decode the whole response (async-stripe does the same), and lets a caller send a
//!   value the server learnt after this release; and every string enum is
//!   `#[non_exhaustive]`, whether responses carry it or only requests do, so a value
//!   added to the spec is a minor change of that enum. Both are decided for each enum
//!   on its own (the HTTP view of `cargo xtask semver` reads them per enum too).
//!
//! And one convenience the same way: a named string schema is a newtype (the spec's
//! ids: `CustomerId`), which typify makes from a `String`; it also gets `From<&str>`,
//! so that an id written in code is `CustomerId::from("cst_...")`, explicit and short.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{TokenStream, TokenTree};
use quote::ToTokens;
use syn::{Fields, ImplItem, Item, ItemEnum, ItemMod, ReturnType, parse_quote};

/// The variant that keeps an unknown enum value.
pub const UNKNOWN_VARIANT: &str = "Unknown";

/// Applies both choices to a generated file in place.
pub fn apply(file: &mut syn::File) {
    let responses = response_models(file);
    let Some(types) = module_mut(&mut file.items, "types") else {
        return;
    };
    let Some((_, items)) = types.content.as_mut() else {
        return;
    };
    let mut string_enums = BTreeSet::new();
    let newtypes: Vec<syn::Ident> = items
        .iter()
        .filter_map(|item| match item {
            Item::Struct(s) if is_string_newtype(s) => Some(s.ident.clone()),
            _ => None,
        })
        .collect();
    for name in newtypes {
        items.push(parse_quote! {
            impl ::std::convert::From<&str> for #name {
                fn from(value: &str) -> Self {
                    Self(value.to_string())
                }
            }
        });
    }
    for item in items.iter_mut() {
        match item {
            Item::Struct(s) if responses.contains(&s.ident.to_string()) => {
                s.attrs.push(parse_quote!(#[non_exhaustive]));
            }
            Item::Enum(e) if is_string_enum(e) => {
                string_enums.insert(e.ident.to_string());
                add_unknown_variant(e);
                e.attrs.push(parse_quote!(#[non_exhaustive]));
            }
            _ => {}
        }
    }
    for item in items.iter_mut() {
        if let Item::Impl(imp) = item
            && let Some(name) = last_ident(&imp.self_ty.to_token_stream())
            && string_enums.contains(&name)
        {
            complete_string_enum_impl(imp);
        }
    }
}

/// A tuple struct around one `String` (typify's newtype of a named string schema).
fn is_string_newtype(s: &syn::ItemStruct) -> bool {
    let Fields::Unnamed(fields) = &s.fields else {
        return false;
    };
    fields.unnamed.len() == 1
        && last_ident(&fields.unnamed[0].ty.to_token_stream()).as_deref() == Some("String")
}

pub(crate) fn module_mut<'a>(items: &'a mut [Item], name: &str) -> Option<&'a mut ItemMod> {
    items.iter_mut().find_map(|item| match item {
        Item::Mod(m) if m.ident == name => Some(m),
        _ => None,
    })
}

pub(crate) fn module<'a>(items: &'a [Item], name: &str) -> Option<&'a [Item]> {
    items.iter().find_map(|item| match item {
        Item::Mod(m) if m.ident == name => m.content.as_ref().map(|(_, i)| i.as_slice()),
        _ => None,
    })
}

pub(crate) fn last_ident(tokens: &TokenStream) -> Option<String> {
    tokens
        .clone()
        .into_iter()
        .filter_map(|t| match t {
            TokenTree::Ident(i) => Some(i.to_string()),
            _ => None,
        })
        .last()
}

pub(crate) fn idents(tokens: TokenStream, out: &mut BTreeSet<String>) {
    for token in tokens {
        match token {
            TokenTree::Ident(i) => {
                out.insert(i.to_string());
            }
            TokenTree::Group(g) => idents(g.stream(), out),
            _ => {}
        }
    }
}

/// The names of every type in `types` that a response can carry: the types named in the
/// return types of the operation builders' `send`, and, transitively, the types their
/// fields and variants name.
fn response_models(file: &syn::File) -> BTreeSet<String> {
    let Some(types) = module(&file.items, "types") else {
        return BTreeSet::new();
    };
    let mut roots = BTreeSet::new();
    for item in module(&file.items, "builder").unwrap_or_default() {
        let Item::Impl(imp) = item else { continue };
        for item in &imp.items {
            if let ImplItem::Fn(f) = item
                && f.sig.ident == "send"
                && let ReturnType::Type(_, ty) = &f.sig.output
            {
                idents(ty.to_token_stream(), &mut roots);
            }
        }
    }
    reachable_types(types, roots)
}

/// The types of the `types` module's `items` that `roots` name, and, transitively, the
/// types their fields, variants or aliases name.
pub(crate) fn reachable_types(items: &[Item], roots: BTreeSet<String>) -> BTreeSet<String> {
    // Each type, with the identifiers its fields, variants or alias mention.
    let mut mentions: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for item in items {
        let (name, tokens) = match item {
            Item::Struct(s) => (s.ident.to_string(), fields_tokens([&s.fields])),
            Item::Enum(e) => (
                e.ident.to_string(),
                fields_tokens(e.variants.iter().map(|v| &v.fields)),
            ),
            Item::Type(t) => (t.ident.to_string(), t.ty.to_token_stream()),
            _ => continue,
        };
        let mut set = BTreeSet::new();
        idents(tokens, &mut set);
        mentions.insert(name, set);
    }
    let mut found = BTreeSet::new();
    let mut queue: Vec<String> = roots
        .into_iter()
        .filter(|n| mentions.contains_key(n))
        .collect();
    while let Some(name) = queue.pop() {
        if found.insert(name.clone())
            && let Some(next) = mentions.get(&name)
        {
            queue.extend(next.iter().filter(|n| mentions.contains_key(*n)).cloned());
        }
    }
    found
}

fn fields_tokens<'a>(fields: impl IntoIterator<Item = &'a Fields>) -> TokenStream {
    let mut tokens = TokenStream::new();
    for f in fields.into_iter().flat_map(|f| f.iter()) {
        tokens.extend(f.ty.to_token_stream());
    }
    tokens
}

/// typify's rendering of a string `enum`: unit variants only, and serde derives.
fn is_string_enum(e: &ItemEnum) -> bool {
    !e.variants.is_empty()
        && e.variants.iter().all(|v| matches!(v.fields, Fields::Unit))
        && e.attrs.iter().any(|a| {
            a.path().is_ident("derive") && a.to_token_stream().to_string().contains("Deserialize")
        })
}

fn add_unknown_variant(e: &mut ItemEnum) {
    // `Copy` cannot hold the kept `String`.
    for attr in e.attrs.iter_mut().filter(|a| a.path().is_ident("derive")) {
        let mut kept: Vec<syn::Path> = Vec::new();
        let _ = attr.parse_nested_meta(|meta| {
            if !meta.path.is_ident("Copy") {
                kept.push(meta.path);
            }
            Ok(())
        });
        *attr = parse_quote!(#[derive(#(#kept),*)]);
    }
    let unknown = syn::Ident::new(UNKNOWN_VARIANT, proc_macro2::Span::call_site());
    e.variants.push(parse_quote! {
        /// A value this version of the client does not know, kept as the server sent it.
        #[serde(untagged)]
        #unknown(::std::string::String)
    });
}

/// Gives typify's `Display` and `FromStr` impls of a string enum an arm for the
/// unknown variant: `Display` writes the kept value, `FromStr` keeps any other value.
fn complete_string_enum_impl(imp: &mut syn::ItemImpl) {
    let Some((trait_path, _)) = &imp.trait_ else {
        return;
    };
    let Some(trait_name) = trait_path.segments.last().map(|s| s.ident.to_string()) else {
        return;
    };
    let unknown = syn::Ident::new(UNKNOWN_VARIANT, proc_macro2::Span::call_site());
    for item in imp.items.iter_mut() {
        let ImplItem::Fn(f) = item else { continue };
        let Some(syn::Stmt::Expr(syn::Expr::Match(m), _)) = f.block.stmts.last_mut() else {
            continue;
        };
        match trait_name.as_str() {
            "Display" if f.sig.ident == "fmt" => {
                m.arms
                    .push(parse_quote!(Self::#unknown(ref value) => f.write_str(value),));
            }
            "FromStr" if f.sig.ident == "from_str" => {
                if let Some(last) = m.arms.last_mut()
                    && matches!(last.pat, syn::Pat::Wild(_))
                {
                    *last = parse_quote!(other => Ok(Self::#unknown(other.to_string())),);
                }
            }
            _ => {}
        }
    }
}
