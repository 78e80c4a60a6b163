//! The hash in an asset's URL (`/assets/editor.<hash>.js`). It only has to change when the
//! file does, so that a browser may keep a file for good under its name: 64-bit FNV-1a, which
//! the build script computes with no dependency. Not a defence against anyone: the files are
//! ours.

/// FNV-1a over `bytes`, as 16 lowercase hexadecimal digits.
pub fn content_hash(bytes: &[u8]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{hash:016x}")
}
