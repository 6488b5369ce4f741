//! Tiny deterministic hashing: every "random" choice of the mock is a pure function of
//! `(seed, domain, number)`, so a run replays from one seed and no dataset is held in
//! memory. [`Permutation`] is a bijection on `u64`, for ids that never collide and map
//! back to their index.

pub(crate) const fn splitmix64(z: u64) -> u64 {
    let mut z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Value number `number` of the stream `domain` under `seed`; streams are independent.
pub(crate) const fn draw(seed: u64, domain: u64, number: u64) -> u64 {
    splitmix64(splitmix64(seed ^ splitmix64(domain)) ^ number)
}

/// `value` mapped to `[0, 1)` with 53 bits of precision.
pub(crate) fn unit(value: u64) -> f64 {
    (value >> 11) as f64 / (1u64 << 53) as f64
}

/// Multiplicative inverse of an odd number modulo 2^64 (Newton's iteration).
const fn inverse(odd: u64) -> u64 {
    // `odd * odd ≡ 1 (mod 8)`: three correct bits, doubled by each step.
    let mut x = odd;
    let mut step = 0;
    while step < 5 {
        x = x.wrapping_mul(2u64.wrapping_sub(odd.wrapping_mul(x)));
        step += 1;
    }
    x
}

const M1: u64 = 0xFF51_AFD7_ED55_8CCD;
const M2: u64 = 0xC4CE_B9FE_1A85_EC53;
const M1_INV: u64 = inverse(M1);
const M2_INV: u64 = inverse(M2);

/// A seeded bijection on `u64`: an xor key, then the (invertible) murmur3 finalizer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Permutation {
    key: u64,
}

impl Permutation {
    pub(crate) const fn new(seed: u64, domain: u64) -> Self {
        Permutation {
            key: draw(seed, domain, u64::MAX),
        }
    }

    pub(crate) const fn apply(self, value: u64) -> u64 {
        let mut h = value ^ self.key;
        h ^= h >> 33;
        h = h.wrapping_mul(M1);
        h ^= h >> 33;
        h = h.wrapping_mul(M2);
        h ^ (h >> 33)
    }

    pub(crate) const fn invert(self, image: u64) -> u64 {
        let mut h = image ^ (image >> 33);
        h = h.wrapping_mul(M2_INV);
        h ^= h >> 33;
        h = h.wrapping_mul(M1_INV);
        h ^= h >> 33;
        h ^ self.key
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverses_are_inverses() {
        assert_eq!(M1.wrapping_mul(M1_INV), 1);
        assert_eq!(M2.wrapping_mul(M2_INV), 1);
    }

    #[test]
    fn permutation_round_trips() {
        let p = Permutation::new(42, 7);
        for v in (0..10_000u64).chain([u64::MAX, u64::MAX - 1, 1 << 63]) {
            assert_eq!(p.invert(p.apply(v)), v);
        }
        assert_ne!(p.apply(0), Permutation::new(43, 7).apply(0));
    }

    #[test]
    fn unit_is_in_range() {
        assert_eq!(unit(0), 0.0);
        assert!(unit(u64::MAX) < 1.0);
    }

    #[test]
    fn draws_depend_on_every_input() {
        let base = draw(1, 2, 3);
        assert_ne!(base, draw(0, 2, 3));
        assert_ne!(base, draw(1, 0, 3));
        assert_ne!(base, draw(1, 2, 0));
        assert_eq!(base, draw(1, 2, 3));
    }
}
