//! Files the server hands over: the `Content-Disposition` that names them.

/// `attachment` with the file name `name.extension`: an ASCII name for every client (a header
/// may hold nothing else: a Greek or Cyrillic title would otherwise fail the response), and
/// the name itself, UTF-8 and percent-encoded (RFC 6266), for the clients that read it.
pub fn attachment(name: &str, extension: &str) -> String {
    let ascii: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect();
    let ascii = if ascii.trim_matches(['-', '_', '.']).is_empty() {
        "document".to_owned()
    } else {
        ascii
    };
    let mut encoded = String::new();
    for byte in format!("{name}.{extension}").bytes() {
        if byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    format!("attachment; filename=\"{ascii}.{extension}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::attachment;

    #[test]
    fn every_name_gives_a_header_value() {
        assert_eq!(
            attachment("sante-pour-tous", "md"),
            "attachment; filename=\"sante-pour-tous.md\"; filename*=UTF-8''sante-pour-tous.md"
        );
        let greek = attachment("ελλάδα-2027", "html");
        assert!(greek.starts_with("attachment; filename=\"-2027.html\"; filename*=UTF-8''%CE%B5"));
        assert_eq!(
            attachment("ελλάδα", "md"),
            "attachment; filename=\"document.md\"; filename*=UTF-8''%CE%B5%CE%BB%CE%BB%CE%AC%CE%B4%CE%B1.md"
        );
        for name in ["ελλάδα", "\"; evil=1", "a\r\nb", "quatre-vingt-dix"] {
            let value = attachment(name, "csv");
            assert!(axum::http::HeaderValue::from_str(&value).is_ok(), "{value}");
            assert!(!value.contains("evil=1\""), "{value}");
        }
    }
}
