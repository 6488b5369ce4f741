//! Tiny deterministic hashing: every "random" choice of the mock is a pure function of
//! `(seed, domain, number)`, so a run replays from one seed and no dataset is held in
//! memory.

const fn splitmix64(z: u64) -> u64 {
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

#[cfg(test)]
mod tests {
    use super::*;

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
