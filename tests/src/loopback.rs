//! A loopback HTTP server that answers one request and hands it back as read, and a
//! multipart body splitter that trusts no library: for the wire-format tests of the
//! generated multipart methods.

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A request as the server read it.
pub struct Captured {
    /// Request line and headers.
    pub head: String,
    /// The body.
    pub body: Vec<u8>,
}

impl Captured {
    /// The value of the first header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim()
                .eq_ignore_ascii_case(name)
                .then_some(value.trim())
        })
    }
}

/// One part of a multipart body: its header lines and its bytes.
pub struct Part {
    /// The part's header lines.
    pub headers: Vec<String>,
    /// The part's bytes.
    pub body: Vec<u8>,
}

impl Part {
    /// The value of the first header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim()
                .eq_ignore_ascii_case(name)
                .then_some(value.trim())
        })
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Splits a multipart body at `--boundary` (RFC 7578), without trusting any library.
pub fn parts(body: &[u8], boundary: &str) -> Vec<Part> {
    let delimiter = format!("--{boundary}");
    let mut out = Vec::new();
    let mut rest = body;
    let start = find(rest, delimiter.as_bytes()).expect("the body starts with the boundary");
    rest = &rest[start + delimiter.len()..];
    loop {
        if rest.starts_with(b"--") {
            break;
        }
        rest = rest.strip_prefix(b"\r\n").expect("CRLF after the boundary");
        let end = find(rest, format!("\r\n{delimiter}").as_bytes()).expect("a closing boundary");
        let part = &rest[..end];
        let split = find(part, b"\r\n\r\n").expect("part headers end in a blank line");
        let headers = String::from_utf8_lossy(&part[..split])
            .lines()
            .map(str::to_string)
            .collect();
        out.push(Part {
            headers,
            body: part[split + 4..].to_vec(),
        });
        rest = &rest[end + 2 + delimiter.len()..];
    }
    out
}

/// Serves one request on `listener` with `status` and a JSON `body`, and returns it.
pub async fn serve_one(listener: &TcpListener, status: &str, body: &str) -> Captured {
    let (mut socket, _) = listener.accept().await.expect("a connection");
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        let n = socket.read(&mut chunk).await.expect("readable");
        assert!(n > 0, "the client closed before the head ended");
        buffer.extend_from_slice(&chunk[..n]);
        if let Some(i) = find(&buffer, b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).to_string();
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .expect("a Content-Length (every part has a known length)");
    while buffer.len() < head_end + length {
        let n = socket.read(&mut chunk).await.expect("readable");
        assert!(n > 0, "the client closed before the body ended");
        buffer.extend_from_slice(&chunk[..n]);
    }
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    socket
        .write_all(response.as_bytes())
        .await
        .expect("writable");
    socket.shutdown().await.ok();
    Captured {
        head,
        body: buffer[head_end..head_end + length].to_vec(),
    }
}

/// A listener on a free loopback port, and the base URL (`/v1`) that points at it.
pub async fn listener() -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("an address").port();
    (listener, format!("http://127.0.0.1:{port}/v1"))
}
