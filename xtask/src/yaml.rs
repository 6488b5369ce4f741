//! One spec file read once: its YAML document, and the line of every key in it.
//!
//! Every diagnostic of the xtask names a file and a line. A YAML library that forgets
//! positions would leave us guessing them back from the text (by indentation or by
//! substring), which points at the wrong place as soon as a file is formatted
//! differently. So each file is read with a parser that reports positions
//! (`saphyr-parser`), and while the document is built, the place of each node is
//! recorded under its JSON pointer (`/paths/~1customers/get/operationId`). Joining
//! files ([`crate::bundle`]) then keeps each node's place, and a check that finds a
//! problem at a pointer names the exact file and line.

use std::collections::HashMap;
use std::sync::Arc;

use saphyr_parser::{Event, Parser, ScalarStyle, Span};
use serde_yaml_ng::{Mapping, Number, Value};

use crate::spec::{Location, SpecError};

/// Where a node starts: its file, 1-based line and 1-based column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// The file as the user names it.
    pub file: Arc<str>,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
}

impl Place {
    /// As a diagnostic's location (file and line).
    pub fn location(&self) -> Location {
        Location {
            file: self.file.to_string(),
            line: Some(self.line),
            column: None,
        }
    }
}

/// The places of a document's nodes, by JSON pointer (`""` is the document itself).
pub type Places = HashMap<String, Place>;

/// One file's document and the places of its nodes.
#[derive(Debug, Clone)]
pub struct ParsedFile {
    /// The document (an empty file is `null`).
    pub value: Value,
    /// The place of every mapping entry (its key) and sequence item.
    pub places: Places,
}

/// `segment` escaped for a JSON pointer (`/` → `~1`, `~` → `~0`).
pub fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// A JSON pointer segment unescaped.
pub fn unescape(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

/// `pointer` with one more segment.
pub fn child(pointer: &str, segment: &str) -> String {
    format!("{pointer}/{}", escape(segment))
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Parses `text`, named `file` in messages. A file holds one document.
pub fn parse(file: &Arc<str>, text: &str) -> Result<ParsedFile, SpecError> {
    let mut builder = Builder {
        file: file.clone(),
        places: HashMap::new(),
        anchors: HashMap::new(),
    };
    let mut parser = Parser::new_from_str(text);
    let mut value = Value::Null;
    let mut documents = 0;
    loop {
        let (event, span) = builder.next(&mut parser)?;
        match event {
            Event::StreamEnd => break,
            Event::StreamStart | Event::DocumentEnd | Event::Nothing => {}
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    return Err(builder.error(
                        span,
                        "a second YAML document (`---`); a spec file holds one document".into(),
                    ));
                }
                builder.place(String::new(), span);
                let (first, span) = builder.next(&mut parser)?;
                value = match first {
                    Event::DocumentEnd => Value::Null,
                    other => builder.node(&mut parser, other, span, "")?,
                };
            }
            other => {
                return Err(builder.error(span, format!("unexpected YAML event {other:?}")));
            }
        }
    }
    Ok(ParsedFile {
        value,
        places: builder.places,
    })
}

struct Builder {
    file: Arc<str>,
    places: Places,
    anchors: HashMap<usize, Value>,
}

type Step<'a> = (Event<'a>, Span);

impl Builder {
    fn at(&self, span: Span) -> Location {
        Location {
            file: self.file.to_string(),
            line: Some(to_u32(span.start.line())),
            column: Some(to_u32(span.start.col() + 1)),
        }
    }

    fn error(&self, span: Span, message: String) -> SpecError {
        SpecError::Yaml {
            at: self.at(span),
            message,
        }
    }

    fn next<'a>(
        &self,
        parser: &mut Parser<'a, saphyr_parser::StrInput<'a>>,
    ) -> Result<Step<'a>, SpecError> {
        match parser.next_event() {
            Some(Ok(step)) => Ok(step),
            Some(Err(e)) => Err(SpecError::Yaml {
                at: Location {
                    file: self.file.to_string(),
                    line: Some(to_u32(e.marker().line())),
                    column: Some(to_u32(e.marker().col() + 1)),
                },
                message: e.info().to_string(),
            }),
            None => Err(SpecError::Yaml {
                at: Location {
                    file: self.file.to_string(),
                    line: None,
                    column: None,
                },
                message: "the file ends in the middle of a node".into(),
            }),
        }
    }

    fn place(&mut self, pointer: String, span: Span) {
        self.places.entry(pointer).or_insert(Place {
            file: self.file.clone(),
            line: to_u32(span.start.line()),
            column: to_u32(span.start.col() + 1),
        });
    }

    fn remember(&mut self, anchor: usize, value: &Value) {
        if anchor > 0 {
            self.anchors.insert(anchor, value.clone());
        }
    }

    /// The node that starts with `event`, at `pointer`.
    fn node<'a>(
        &mut self,
        parser: &mut Parser<'a, saphyr_parser::StrInput<'a>>,
        event: Event<'a>,
        span: Span,
        pointer: &str,
    ) -> Result<Value, SpecError> {
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                let value = scalar(&text, style, tag.as_deref());
                self.remember(anchor, &value);
                Ok(value)
            }
            Event::Alias(anchor) => self
                .anchors
                .get(&anchor)
                .cloned()
                .ok_or_else(|| self.error(span, "an alias of an unknown anchor".into())),
            Event::SequenceStart(anchor, _) => {
                let mut items = Vec::new();
                loop {
                    let (event, span) = self.next(parser)?;
                    if matches!(event, Event::SequenceEnd) {
                        break;
                    }
                    let at = child(pointer, &items.len().to_string());
                    self.place(at.clone(), span);
                    items.push(self.node(parser, event, span, &at)?);
                }
                let value = Value::Sequence(items);
                self.remember(anchor, &value);
                Ok(value)
            }
            Event::MappingStart(anchor, _) => {
                let mut map = Mapping::new();
                loop {
                    let (event, key_span) = self.next(parser)?;
                    let key = match event {
                        Event::MappingEnd => break,
                        Event::Scalar(text, ..) => text.into_owned(),
                        _ => {
                            return Err(self.error(
                                key_span,
                                "a mapping key that is not a plain value; OpenAPI keys are strings"
                                    .into(),
                            ));
                        }
                    };
                    let at = child(pointer, &key);
                    let (event, span) = self.next(parser)?;
                    let value = self.node(parser, event, span, &at)?;
                    if key == "<<" {
                        // A merge key: the anchored mapping's entries, unless given here.
                        if let Value::Mapping(merged) = value {
                            for (k, v) in merged {
                                if !map.contains_key(&k) {
                                    map.insert(k, v);
                                }
                            }
                        }
                        continue;
                    }
                    if map.contains_key(key.as_str()) {
                        return Err(self.error(
                            key_span,
                            format!("the key `{key}` appears twice in one mapping; keep one"),
                        ));
                    }
                    self.place(at, key_span);
                    map.insert(Value::String(key), value);
                }
                let value = Value::Mapping(map);
                self.remember(anchor, &value);
                Ok(value)
            }
            other => Err(self.error(span, format!("unexpected YAML event {other:?}"))),
        }
    }
}

/// A scalar with YAML 1.2's core schema: quoted and block scalars are strings, plain
/// ones may be null, a boolean or a number.
fn scalar(text: &str, style: ScalarStyle, tag: Option<&saphyr_parser::Tag>) -> Value {
    if let Some(tag) = tag.filter(|t| t.is_yaml_core_schema()) {
        return match tag.suffix.as_str() {
            "str" => Value::String(text.to_string()),
            "null" => Value::Null,
            "bool" => Value::Bool(matches!(text, "true" | "True" | "TRUE")),
            _ => plain(text),
        };
    }
    match style {
        ScalarStyle::Plain => plain(text),
        _ => Value::String(text.to_string()),
    }
}

fn plain(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Value::Number(Number::from(f64::INFINITY));
        }
        "-.inf" | "-.Inf" | "-.INF" => return Value::Number(Number::from(f64::NEG_INFINITY)),
        ".nan" | ".NaN" | ".NAN" => return Value::Number(Number::from(f64::NAN)),
        _ => {}
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(n) = text.parse::<i64>() {
            return Value::Number(n.into());
        }
        if let Ok(n) = text.trim_start_matches('+').parse::<u64>() {
            return Value::Number(n.into());
        }
    }
    if let Some(hex) = text.strip_prefix("0x")
        && let Ok(n) = i64::from_str_radix(hex, 16)
    {
        return Value::Number(n.into());
    }
    if let Some(oct) = text.strip_prefix("0o")
        && let Ok(n) = i64::from_str_radix(oct, 8)
    {
        return Value::Number(n.into());
    }
    let float_like = text
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'))
        && text.bytes().any(|b| b.is_ascii_digit());
    if float_like && let Ok(f) = text.parse::<f64>() {
        return Value::Number(Number::from(f));
    }
    Value::String(text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> ParsedFile {
        parse(&Arc::from("f.yaml"), text).unwrap()
    }

    #[test]
    fn every_key_and_item_has_its_line_whatever_the_indentation() {
        let file = parsed(
            "# comment\npaths:\n    /a/{id}:\n        get:\n            operationId: a\n            tags: [x, y]\n            parameters:\n                - name: id\n",
        );
        let line = |p: &str| file.places.get(p).map(|p| (p.line, p.column));
        assert_eq!(line("/paths"), Some((2, 1)));
        assert_eq!(line("/paths/~1a~1{id}"), Some((3, 5)));
        assert_eq!(line("/paths/~1a~1{id}/get/operationId"), Some((5, 13)));
        assert_eq!(line("/paths/~1a~1{id}/get/tags/1"), Some((6, 23)));
        assert_eq!(
            line("/paths/~1a~1{id}/get/parameters/0/name"),
            Some((8, 19))
        );
        assert_eq!(file.value["paths"]["/a/{id}"]["get"]["operationId"], "a");
    }

    #[test]
    fn scalars_follow_the_core_schema() {
        let file = parsed(
            "a: 1\nb: '1'\nc: 1.5\nd: true\ne: ~\nf: 3.0.3\n\"200\": x\n201: y\ng: |\n  text\nh: !!str 12\n",
        );
        let v = &file.value;
        assert_eq!(v["a"], Value::Number(1.into()));
        assert_eq!(v["b"], Value::String("1".into()));
        assert_eq!(v["c"], Value::Number(Number::from(1.5)));
        assert_eq!(v["d"], Value::Bool(true));
        assert_eq!(v["e"], Value::Null);
        assert_eq!(v["f"], Value::String("3.0.3".into()));
        assert_eq!(v["200"], Value::String("x".into()));
        assert_eq!(v["201"], Value::String("y".into()), "keys are strings");
        assert_eq!(v["g"], Value::String("text\n".into()));
        assert_eq!(v["h"], Value::String("12".into()));
    }

    #[test]
    fn anchors_and_merge_keys_are_followed() {
        let file = parsed("a: &x\n  k: 1\nb: *x\nc:\n  <<: *x\n  j: 2\n");
        assert_eq!(file.value["b"]["k"], Value::Number(1.into()));
        assert_eq!(file.value["c"]["k"], Value::Number(1.into()));
        assert_eq!(file.value["c"]["j"], Value::Number(2.into()));
    }

    #[test]
    fn syntax_errors_and_duplicate_keys_name_their_line() {
        let err = parse(&Arc::from("f.yaml"), "a:\n  b: 1\n c: [\n").unwrap_err();
        assert!(err.to_string().starts_with("f.yaml:3:"), "{err}");
        let err = parse(&Arc::from("f.yaml"), "a:\n  b: 1\n  b: 2\n").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("f.yaml:3:3: invalid YAML: the key `b` appears twice"),
            "{err}"
        );
    }
}
