//! Uploaded files and the temporary download links to them: the download endpoints answer
//! `{link, expiresAt}`, and the mock serves those links itself (`GET /files/{token}`, no
//! bearer token, like a signed URL). Uploads are kept as sent; everything else gets a small
//! PDF generated on demand ([`text_pdf`]), so the million-invoice dataset costs nothing.

use std::collections::HashMap;
use std::time::Duration;

use bytes::Bytes;
use serde::Serialize;
use tokio::time::Instant;

use crate::rng::draw;

/// How long a download link works by default (what the vendor's Files API states).
pub(crate) const DEFAULT_LINK_LIFETIME: Duration = Duration::from_secs(5 * 60);
/// The random stream of link tokens.
const TOKENS: u64 = 0xF11E_0001;

/// What a download link serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Download {
    pub(crate) bytes: Bytes,
    pub(crate) media_type: String,
    pub(crate) file_name: String,
}

/// The `{link, expiresAt}` body of the download endpoints (the vendor's `Api_Cloudfile`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CloudFileJson {
    pub(crate) link: String,
    /// ATOM, in Dutch time.
    pub(crate) expires_at: String,
}

/// Why a download link does not work: never issued, or expired.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LinkError {
    Unknown,
    Expired,
}

/// Uploaded files and issued links.
#[derive(Debug, Default)]
pub(crate) struct Files {
    seed: u64,
    lifetime: Duration,
    uploads: HashMap<String, Bytes>,
    /// The id each link serves, and when it expires, by token.
    links: HashMap<String, (String, Instant)>,
}

impl Files {
    pub(crate) fn new(seed: u64, lifetime: Duration) -> Self {
        Files {
            seed,
            lifetime,
            ..Self::default()
        }
    }

    /// Keeps the uploaded file of the resource `id` (an invoice's PDF, a file).
    pub(crate) fn store(&mut self, id: &str, bytes: Bytes) {
        self.uploads.insert(id.to_owned(), bytes);
    }

    /// The uploaded file of the resource `id`, if one was uploaded.
    pub(crate) fn uploaded(&self, id: &str) -> Option<Bytes> {
        self.uploads.get(id).cloned()
    }

    /// Issues a link to the file of the resource `target`, valid for the lifetime from
    /// `now`: its token and lifetime. Expired links are kept, to answer 403 (not 404).
    pub(crate) fn issue(&mut self, target: &str, now: Instant) -> (String, Duration) {
        // Links are never removed: the count is the number of this one.
        let issued = self.links.len() as u64 + 1;
        let token = format!("{:016x}{issued:016x}", draw(self.seed, TOKENS, issued));
        let expires = now.checked_add(self.lifetime).unwrap_or(now);
        let link = (target.to_owned(), expires);
        self.links.insert(token.clone(), link);
        (token, self.lifetime)
    }

    /// The id a link points to, if it still works at `now`.
    pub(crate) fn resolve(&self, token: &str, now: Instant) -> Result<&str, LinkError> {
        match self.links.get(token) {
            None => Err(LinkError::Unknown),
            Some((_, expires)) if *expires <= now => Err(LinkError::Expired),
            Some((target, _)) => Ok(target),
        }
    }
}

/// A one-page PDF (1.4, Helvetica) that shows `text` (non-ASCII as `?`).
pub(crate) fn text_pdf(text: &str) -> Vec<u8> {
    let escaped: String = text
        .chars()
        .map(|c| match c {
            '(' | ')' | '\\' => format!("\\{c}"),
            ' '..='~' => c.to_string(),
            _ => "?".to_owned(),
        })
        .collect();
    let content = format!("BT /F1 14 Tf 72 770 Td ({escaped}) Tj ET");
    let length = content.len();
    let stream = format!("<< /Length {length} >>\nstream\n{content}\nendstream");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R \
         /Resources << /Font << /F1 5 0 R >> >> >>",
        &stream,
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ];
    let mut pdf = String::from("%PDF-1.4\n");
    let mut entries = String::new();
    for (i, object) in objects.iter().enumerate() {
        entries += &format!("{:010} 00000 n \n", pdf.len());
        pdf += &format!("{} 0 obj\n{object}\nendobj\n", i + 1);
    }
    let (xref, size) = (pdf.len(), objects.len() + 1);
    pdf += &format!("xref\n0 {size}\n0000000000 65535 f \n{entries}");
    pdf += &format!("trailer\n<< /Size {size} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
    pdf.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_pdfs_have_a_correct_cross_reference_table() {
        let pdf = text_pdf("Invoice A(1)\\é (inv_x)");
        let text = String::from_utf8(pdf).unwrap();
        assert!(text.starts_with("%PDF-1.4\n") && text.ends_with("%%EOF\n"));
        assert!(text.contains(r"(Invoice A\(1\)\\? \(inv_x\)"), "{text}");
        let startxref: usize = text
            .rsplit("startxref\n")
            .next()
            .and_then(|tail| tail.lines().next())
            .unwrap()
            .parse()
            .unwrap();
        assert!(text[startxref..].starts_with("xref\n0 6\n"));
        let entries: Vec<usize> = text[startxref..]
            .lines()
            .skip(3)
            .take(5)
            .map(|line| line[..10].parse().unwrap())
            .collect();
        for (i, offset) in entries.into_iter().enumerate() {
            assert!(text[offset..].starts_with(&format!("{} 0 obj\n", i + 1)));
        }
    }

    #[test]
    fn links_expire_and_uploads_are_kept() {
        let mut files = Files::new(3, Duration::from_secs(300));
        let id = "inv_x";
        let now = Instant::now();
        let (token, lifetime) = files.issue(id, now);
        assert_eq!(lifetime, Duration::from_secs(300));
        assert_eq!(files.resolve(&token, now), Ok(id));
        let later = now + Duration::from_secs(300);
        assert_eq!(files.resolve(&token, later), Err(LinkError::Expired));
        assert_eq!(files.resolve("nope", now), Err(LinkError::Unknown));
        let (second, _) = files.issue(id, later);
        assert_ne!(second, token);
        assert_eq!(
            files.resolve(&token, later),
            Err(LinkError::Expired),
            "still expired, not unknown, after another link"
        );
        assert_eq!(files.uploaded(id), None);
        files.store(id, Bytes::from_static(b"%PDF-1.7 uploaded"));
        assert_eq!(
            files.uploaded(id).as_deref(),
            Some(&b"%PDF-1.7 uploaded"[..])
        );
    }
}
