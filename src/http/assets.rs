//! Static assets, compiled into the binary: nothing is fetched from another origin.
//!
//! Each file answers under two names. Its content-hashed name (`/assets/editor.<hash>.js`,
//! computed at build time by the templates crate, which is what pages link to) is cached by
//! browsers for a year without asking again (`immutable`): a new version has a new name. Its
//! plain name (`/assets/editor.js`), for pages rendered before a change, is revalidated at
//! every use (`no-cache` and an `ETag`, so an unchanged file costs a 304).
//!
//! Nothing here is compressed per request. The editor's two big files, and the in-place
//! amendment editor (`amend.js`), come with brotli and gzip copies made by its build
//! (`assets/editor/build.mjs`, committed beside them, checked by CI); the small ones
//! (stylesheet, icon) are compressed once, on the blocking pool, the first time a browser asks
//! for them. The compression layer (`http/compression.rs`) leaves a
//! response that already has a `Content-Encoding` alone.

use std::io::Write as _;
use std::sync::OnceLock;

use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use atelier_templates::assets as urls;

use crate::app::App;
use crate::error::AppError;

/// How long a browser keeps a content-hashed file: a year, the most HTTP caches honour.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// A plain name may change content: ask each time (an unchanged file answers 304).
const REVALIDATE: &str = "public, no-cache";

struct Asset {
    name: &'static str,
    /// The content-hashed URL the pages link to.
    url: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
    /// Brotli and gzip copies made by the editor's build, or `None`: made here on first use.
    built: Option<Encoded<&'static [u8]>>,
}

struct Encoded<T> {
    brotli: T,
    gzip: T,
}

/// How many assets there are (the length of `ASSETS`).
const COUNT: usize = 6;

static ASSETS: [Asset; COUNT] = [
    Asset {
        name: "amend.js",
        url: urls::AMEND_JS,
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../assets/static/amend.js"),
        built: Some(Encoded {
            brotli: include_bytes!("../../assets/static/amend.js.br"),
            gzip: include_bytes!("../../assets/static/amend.js.gz"),
        }),
    },
    Asset {
        name: "atelier.css",
        url: urls::ATELIER_CSS,
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("../../assets/static/atelier.css"),
        built: None,
    },
    Asset {
        name: "automerge.wasm",
        url: urls::AUTOMERGE_WASM,
        // `WebAssembly.instantiateStreaming` (compiling while downloading) requires this type.
        content_type: "application/wasm",
        bytes: include_bytes!("../../assets/static/automerge.wasm"),
        built: Some(Encoded {
            brotli: include_bytes!("../../assets/static/automerge.wasm.br"),
            gzip: include_bytes!("../../assets/static/automerge.wasm.gz"),
        }),
    },
    Asset {
        name: "editor.js",
        url: urls::EDITOR_JS,
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../assets/static/editor.js"),
        built: Some(Encoded {
            brotli: include_bytes!("../../assets/static/editor.js.br"),
            gzip: include_bytes!("../../assets/static/editor.js.gz"),
        }),
    },
    Asset {
        name: "favicon.svg",
        url: urls::FAVICON_SVG,
        content_type: "image/svg+xml",
        bytes: include_bytes!("../../assets/static/favicon.svg"),
        built: None,
    },
    Asset {
        name: "forms.js",
        url: urls::FORMS_JS,
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../assets/static/forms.js"),
        built: None,
    },
];

/// The copies compressed here, one slot per asset (index in `ASSETS`).
static ENCODED_HERE: [OnceLock<Encoded<Vec<u8>>>; COUNT] = [const { OnceLock::new() }; COUNT];

/// A content coding we can send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coding {
    Brotli,
    Gzip,
    Identity,
}

impl Coding {
    fn header(self) -> Option<&'static str> {
        match self {
            Coding::Brotli => Some("br"),
            Coding::Gzip => Some("gzip"),
            Coding::Identity => None,
        }
    }

    /// What the client's `Accept-Encoding` prefers among brotli and gzip (the highest `q`;
    /// brotli on a tie, it is smaller), else the file as it is. `q=0` refuses a coding; `*`
    /// stands for every coding not named.
    pub fn negotiate(accept_encoding: Option<&str>) -> Coding {
        let Some(accept) = accept_encoding else {
            return Coding::Identity;
        };
        let (mut brotli, mut gzip, mut any) = (None, None, None);
        for item in accept.split(',') {
            let mut parts = item.split(';');
            let coding = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let mut q = 1.0_f32;
            for parameter in parts {
                if let Some((key, value)) = parameter.split_once('=')
                    && key.trim().eq_ignore_ascii_case("q")
                {
                    q = value.trim().parse().unwrap_or(0.0);
                }
            }
            match coding.as_str() {
                "br" => brotli = Some(q),
                "gzip" | "x-gzip" => gzip = Some(q),
                "*" => any = Some(q),
                _ => {}
            }
        }
        let brotli = brotli.or(any).unwrap_or(0.0);
        let gzip = gzip.or(any).unwrap_or(0.0);
        if brotli > 0.0 && brotli >= gzip {
            Coding::Brotli
        } else if gzip > 0.0 {
            Coding::Gzip
        } else {
            Coding::Identity
        }
    }
}

impl Asset {
    /// The hash in the asset's URL (`/assets/<stem>.<hash>.<extension>`).
    fn hash(&self) -> &'static str {
        let (before_extension, _) = self.url.rsplit_once('.').unwrap_or((self.url, ""));
        before_extension
            .rsplit_once('.')
            .map_or(before_extension, |(_, hash)| hash)
    }

    /// The bytes to send in `coding`, compressing a small asset the first time.
    async fn body(&'static self, slot: usize, coding: Coding) -> Result<&'static [u8], AppError> {
        let (brotli, gzip): (&'static [u8], &'static [u8]) = match &self.built {
            _ if coding == Coding::Identity => return Ok(self.bytes),
            Some(built) => (built.brotli, built.gzip),
            None => {
                let here = match ENCODED_HERE[slot].get() {
                    Some(done) => done,
                    // Brotli at its best setting takes tens of milliseconds: not on the runtime.
                    None => tokio::task::spawn_blocking(move || -> std::io::Result<_> {
                        if let Some(done) = ENCODED_HERE[slot].get() {
                            return Ok(done);
                        }
                        let encoded = compress(self.bytes)?;
                        Ok(ENCODED_HERE[slot].get_or_init(|| encoded))
                    })
                    .await
                    .map_err(|e| AppError::Internal(e.into()))?
                    .map_err(|e| AppError::Internal(e.into()))?,
                };
                (&here.brotli, &here.gzip)
            }
        };
        Ok(if coding == Coding::Brotli {
            brotli
        } else {
            gzip
        })
    }
}

/// Brotli at quality 11 and gzip at level 9: done once per asset and process.
fn compress(bytes: &[u8]) -> std::io::Result<Encoded<Vec<u8>>> {
    let mut brotli = brotli::CompressorWriter::new(Vec::new(), 4096, 11, 22);
    brotli.write_all(bytes)?;
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gzip.write_all(bytes)?;
    Ok(Encoded {
        // Finishes the stream.
        brotli: brotli.into_inner(),
        gzip: gzip.finish()?,
    })
}

/// The asset called `name` (plain or content-hashed): its slot, and whether the name is hashed.
fn find(name: &str) -> Option<(usize, &'static Asset, bool)> {
    ASSETS.iter().enumerate().find_map(|(slot, asset)| {
        if asset.name == name {
            Some((slot, asset, false))
        } else if asset.url.strip_prefix("/assets/") == Some(name) {
            Some((slot, asset, true))
        } else {
            None
        }
    })
}

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new().routes(routes!(get_asset))
}

/// A static asset (stylesheet, icon, the editor and its WebAssembly). Under its content-hashed
/// name (`editor.<hash>.js`, what pages link to) it is cached for a year; under its plain name it
/// is revalidated (`ETag`). Sent compressed (brotli or gzip) when the client accepts it.
#[utoipa::path(get, path = "/assets/{name}", tag = "pages", params(("name" = String, Path, description = "File name, e.g. atelier.css, or its content-hashed name as pages link to it")),
    responses((status = 200, description = "The file"), (status = 304, description = "Unchanged (plain name, matching If-None-Match)"), (status = 404, description = "No such asset")))]
async fn get_asset(Path(name): Path<String>, headers: HeaderMap) -> Result<Response, AppError> {
    let (slot, asset, hashed) = find(&name).ok_or_else(AppError::not_found)?;
    let coding = Coding::negotiate(
        headers
            .get(header::ACCEPT_ENCODING)
            .and_then(|v| v.to_str().ok()),
    );
    // A strong validator names the representation: each coding has its own.
    let etag = match coding.header() {
        Some(suffix) => format!("\"{}-{suffix}\"", asset.hash()),
        None => format!("\"{}\"", asset.hash()),
    };
    let mut response_headers = HeaderMap::new();
    response_headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if hashed { IMMUTABLE } else { REVALIDATE }),
    );
    response_headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if let Ok(value) = HeaderValue::from_str(&etag) {
        response_headers.insert(header::ETAG, value);
    }
    let unchanged = headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|tag| tag.trim().trim_start_matches("W/"))
        .any(|tag| tag == "*" || tag == etag);
    if unchanged {
        return Ok((StatusCode::NOT_MODIFIED, response_headers).into_response());
    }
    response_headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(asset.content_type),
    );
    if let Some(coding) = coding.header() {
        response_headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(coding));
    }
    let body = asset.body(slot, coding).await?;
    Ok((response_headers, body).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_asset_the_pages_link_to_is_served_under_that_name() {
        let served: Vec<(&str, &str)> = ASSETS.iter().map(|a| (a.name, a.url)).collect();
        assert_eq!(served, urls::ALL);
        for asset in &ASSETS {
            assert_eq!(
                asset.url,
                format!(
                    "/assets/{}.{}.{}",
                    asset.name.rsplit_once('.').unwrap().0,
                    atelier_templates::assets::content_hash(asset.bytes),
                    asset.name.rsplit_once('.').unwrap().1
                )
            );
            assert_eq!(asset.hash().len(), 16, "{}", asset.url);
        }
    }

    #[test]
    fn accept_encoding_is_negotiated_with_its_weights() {
        let cases = [
            (None, Coding::Identity),
            (Some(""), Coding::Identity),
            (Some("gzip, deflate, br, zstd"), Coding::Brotli),
            (Some("gzip, deflate"), Coding::Gzip),
            (Some("br;q=0.5, gzip"), Coding::Gzip),
            (Some("br;q=1.0, gzip;q=0.8"), Coding::Brotli),
            (Some("BR"), Coding::Brotli),
            (Some("br;q=0, gzip;q=0"), Coding::Identity),
            (Some("*"), Coding::Brotli),
            (Some("*;q=0.1, br;q=0"), Coding::Gzip),
            (Some("identity"), Coding::Identity),
            (Some("gzip;q=nonsense"), Coding::Identity),
            (Some("deflate, zstd"), Coding::Identity),
        ];
        for (accept, expected) in cases {
            assert_eq!(Coding::negotiate(accept), expected, "{accept:?}");
        }
    }

    #[test]
    fn small_assets_are_compressed_losslessly() {
        let css = ASSETS
            .iter()
            .find(|a| a.name == "atelier.css")
            .map(|a| a.bytes)
            .unwrap_or_default();
        let encoded = compress(css).unwrap();
        assert!(encoded.gzip.len() * 3 < css.len(), "gzip shrinks CSS");
        assert!(encoded.brotli.len() < encoded.gzip.len());
        let mut gunzipped = Vec::new();
        std::io::Read::read_to_end(
            &mut flate2::read::GzDecoder::new(encoded.gzip.as_slice()),
            &mut gunzipped,
        )
        .unwrap();
        assert_eq!(gunzipped, css);
        let mut unbrotlied = Vec::new();
        brotli::BrotliDecompress(&mut encoded.brotli.as_slice(), &mut unbrotlied).unwrap();
        assert_eq!(unbrotlied, css);
    }
}
