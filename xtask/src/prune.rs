//! Drops the generated types that nothing in the client uses.
//!
//! Every paginated list answers the same envelope, so the spec writes it once, as the
//! `SimplePaginator` schema, and each page schema is `allOf` it and its `data`. typify
//! merges each page into one struct, as it should, but it also emits the envelope on
//! its own: a public struct, a builder and their impls that no operation returns or
//! takes. Left in, it would be noise in the API surface that reviewers read, and a
//! field added to the envelope would show as a breaking change of a type nobody can
//! receive. So the types that no operation reaches, directly or through the fields of
//! a type it reaches, are removed with their impls and builders; the roots are every
//! name used outside the `types` module (the operations' builders and the `Client`).

use std::collections::BTreeSet;

use quote::ToTokens;
use syn::Item;

use crate::evolution::{idents, last_ident, module, module_mut, reachable_types};

/// Removes the unreachable types of `file`'s `types` module in place; returns their
/// names.
pub fn apply(file: &mut syn::File) -> BTreeSet<String> {
    let unreachable = unreachable_types(file);
    if unreachable.is_empty() {
        return unreachable;
    }
    let Some(types) = module_mut(&mut file.items, "types") else {
        return unreachable;
    };
    let Some((_, items)) = types.content.as_mut() else {
        return unreachable;
    };
    retain_reachable(items, &unreachable);
    if let Some(builder) = module_mut(items, "builder")
        && let Some((_, items)) = builder.content.as_mut()
    {
        retain_reachable(items, &unreachable);
    }
    unreachable
}

/// Drops the definitions of `names` and every impl whose self type is one of them, or
/// whose trait names one (typify's `impl From<CustomerId> for String`).
fn retain_reachable(items: &mut Vec<Item>, names: &BTreeSet<String>) {
    items.retain(|item| {
        let name = match item {
            Item::Struct(s) => Some(s.ident.to_string()),
            Item::Enum(e) => Some(e.ident.to_string()),
            Item::Type(t) => Some(t.ident.to_string()),
            Item::Impl(imp) => {
                let mut named = BTreeSet::new();
                if let Some((path, _)) = &imp.trait_ {
                    idents(path.to_token_stream(), &mut named);
                }
                if named.iter().any(|n| names.contains(n)) {
                    return false;
                }
                last_ident(&imp.self_ty.to_token_stream())
            }
            _ => None,
        };
        !name.is_some_and(|n| names.contains(&n))
    });
}

fn unreachable_types(file: &syn::File) -> BTreeSet<String> {
    let Some(types) = module(&file.items, "types") else {
        return BTreeSet::new();
    };
    let mut roots = BTreeSet::new();
    for item in file.items.iter().filter(|item| !is_module(item, "types")) {
        idents(item.to_token_stream(), &mut roots);
    }
    let reachable = reachable_types(types, roots);
    types
        .iter()
        .filter_map(|item| match item {
            Item::Struct(s) => Some(s.ident.to_string()),
            Item::Enum(e) => Some(e.ident.to_string()),
            Item::Type(t) => Some(t.ident.to_string()),
            _ => None,
        })
        .filter(|name| !reachable.contains(name))
        .collect()
}

fn is_module(item: &Item, name: &str) -> bool {
    matches!(item, Item::Mod(m) if m.ident == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_type_only_merged_into_others_goes_with_its_builder_and_impls() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                pub struct Envelope { pub path: String }
                impl Envelope { pub fn builder() -> builder::Envelope { Default::default() } }
                impl From<&Envelope> for Envelope { fn from(v: &Envelope) -> Self { v.clone() } }
                pub struct Page { pub path: String, pub data: Vec<Item> }
                pub struct Item { pub id: String, pub kind: Kind }
                pub enum Kind { A, B }
                pub struct Body { pub name: String }
                pub mod builder {
                    pub struct Envelope { path: Result<String, String> }
                    impl Default for Envelope { fn default() -> Self { todo!() } }
                    impl TryFrom<Envelope> for super::Envelope { type Error = String; }
                    pub struct Page { path: Result<String, String> }
                }
            }
            pub mod builder {
                pub struct ListPages<'a> { client: &'a super::Client }
                impl<'a> ListPages<'a> {
                    pub async fn send(self) -> Result<types::Page, ()> { todo!() }
                }
                pub struct CreateThing<'a> { body: Result<types::builder::Body, String> }
            }
        };
        let removed = apply(&mut file);
        assert_eq!(removed, BTreeSet::from(["Envelope".to_string()]));
        let code = file.to_token_stream().to_string();
        assert!(!code.contains("Envelope"), "{code}");
        for kept in ["struct Page", "struct Item", "enum Kind", "struct Body"] {
            assert!(code.contains(kept), "{kept} is reachable: {code}");
        }
    }
}
