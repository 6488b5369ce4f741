//! Public ids (a prefix plus 14 lowercase alphanumerics) to and from dataset numbers,
//! through a seeded bijection: unique at any dataset size, random-looking, and mapped
//! straight back to their index without a lookup table.

use crate::rng::draw;

const ALPHABET: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
/// Characters after the prefix: a leading character plus 13 base-36 digits (any `u64`).
const ID_CHARS: usize = 14;
// The murmur3 finalizer's multipliers and their inverses modulo 2^64 (checked by a test).
const M1: u64 = 0xFF51_AFD7_ED55_8CCD;
const M2: u64 = 0xC4CE_B9FE_1A85_EC53;
const M1_INV: u64 = 0x4F74_430C_22A5_4005;
const M2_INV: u64 = 0x9CB4_B2F8_1293_37DB;

/// Mints and reads the ids of one kind of object of one dataset. The number is
/// scrambled by a seeded bijection on `u64`: an xor key, then the murmur3 finalizer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct IdCodec {
    prefix: &'static str,
    seed: u64,
    domain: u64,
    key: u64,
}

impl IdCodec {
    /// A codec for ids starting with `prefix`, scrambled by `(seed, domain)`.
    pub(crate) const fn new(prefix: &'static str, seed: u64, domain: u64) -> Self {
        IdCodec {
            prefix,
            seed,
            domain,
            key: draw(seed, domain, u64::MAX),
        }
    }

    /// The id of object number `number`.
    pub(crate) fn encode(&self, number: u64) -> String {
        let mut chars = [self.leading(number); ID_CHARS];
        let mut rest = self.scramble(number);
        for slot in chars[1..].iter_mut().rev() {
            *slot = ALPHABET[(rest % 36) as usize];
            rest /= 36;
        }
        self.prefix.chars().chain(chars.map(char::from)).collect()
    }

    /// The number whose id is `id`, if `id` is exactly such an id.
    pub(crate) fn decode(&self, id: &str) -> Option<u64> {
        let rest = id
            .strip_prefix(self.prefix)
            .filter(|rest| rest.len() == ID_CHARS)?;
        // `from_str_radix` also takes capitals and a sign: only our digits get there.
        let ours = |digits: &&str| digits.bytes().all(|b| ALPHABET.contains(&b));
        let digits = rest.get(1..).filter(ours)?;
        let number = self.unscramble(u64::from_str_radix(digits, 36).ok()?);
        (rest.as_bytes()[0] == self.leading(number)).then_some(number)
    }

    fn scramble(&self, value: u64) -> u64 {
        let mut h = value ^ self.key;
        h ^= h >> 33;
        h = h.wrapping_mul(M1);
        h ^= h >> 33;
        h = h.wrapping_mul(M2);
        h ^ (h >> 33)
    }

    fn unscramble(&self, image: u64) -> u64 {
        let mut h = image ^ (image >> 33);
        h = h.wrapping_mul(M2_INV);
        h ^= h >> 33;
        h = h.wrapping_mul(M1_INV);
        h ^= h >> 33;
        h ^ self.key
    }

    /// A seeded first character, so ids do not all start with `0`.
    fn leading(&self, number: u64) -> u8 {
        ALPHABET[(draw(self.seed, self.domain ^ 0x1EAD, number) % 36) as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn inverses_are_inverses() {
        assert_eq!(M1.wrapping_mul(M1_INV), 1);
        assert_eq!(M2.wrapping_mul(M2_INV), 1);
    }

    #[test]
    fn scrambling_round_trips() {
        let codec = IdCodec::new("inv_", 42, 7);
        for v in (0..10_000u64).chain([u64::MAX, u64::MAX - 1, 1 << 63]) {
            assert_eq!(codec.unscramble(codec.scramble(v)), v);
        }
        assert_ne!(codec.scramble(0), IdCodec::new("inv_", 43, 7).scramble(0));
    }

    #[test]
    fn ids_have_the_documented_shape_and_round_trip() {
        let codec = IdCodec::new("inv_", 42, 1);
        let mut seen = HashSet::new();
        for n in (0..5_000u64).chain([u64::MAX, 1 << 40]) {
            let id = codec.encode(n);
            assert_eq!(id.len(), 4 + 14, "{id}");
            assert!(id.starts_with("inv_"));
            assert!(
                id[4..]
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            );
            assert_eq!(codec.decode(&id), Some(n));
            assert!(seen.insert(id));
        }
    }

    #[test]
    fn foreign_and_malformed_ids_are_rejected() {
        let codec = IdCodec::new("inv_", 42, 1);
        let other = IdCodec::new("inv_", 43, 1);
        let id = other.encode(5);
        // A different seed maps to another number or fails the leading-char check.
        assert_ne!(codec.decode(&id), Some(5));
        for bad in [
            "",
            "inv_",
            "inv_abc12345def678",
            "cst_00000000000000",
            "inv_zzzzzzzzzzzzzz",
            "inv_ABCDEFGHIJKLMN",
            "inv_é0000000000000",
        ] {
            // Must not panic; may or may not decode (a random 14-char string can be valid).
            let _ = codec.decode(bad);
        }
        assert_eq!(codec.decode("inv_zzzzzzzzzzzzzz"), None, "overflows u64");
    }
}
